"""YAML loading that remembers where every key came from, so errors can name ``file:line:col``.

Only plain data comes out (mappings, lists, text, numbers, booleans, null): the loader composes
YAML nodes with PyYAML's safe loader and builds the values itself, never arbitrary objects.
"""

from __future__ import annotations

import codecs
import copy
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.tokens import (
    BlockEntryToken,
    FlowMappingEndToken,
    FlowSequenceEndToken,
    ScalarToken,
    Token,
    ValueToken,
)

from bot.ruleconf.errors import RuleBookError, RuleError, said_in
from bot.ruleconf.invisible import invisible_hint, shown
from bot.ruleconf.problems import Words

KeyPath = tuple[str | int, ...]
"""Where a value sits in a document: mapping keys and list indices, from the top."""

MAX_FILE_BYTES = 1024 * 1024
"""The most a rule book file may hold: 50 times the largest shipped file, room for some 50,000
listed words. Reading YAML with positions takes about two seconds a megabyte, a reload holds
the bot's interpreter meanwhile, and a file of tens of megabytes is a mistake (a log, an export
saved under the wrong name), not a rule book."""
ANCHORS_REFUSED: Words = {
    "en": "anchors and aliases are not allowed in the rule book; write the value out",
    "fr": "les ancres et les alias (& et *) ne sont pas permis dans les règles ; écrivez la "
    "valeur en entier",
}
TOO_DEEP: Words = {
    "en": "nested too deeply (hundreds of levels of lists or mappings); no rule needs that",
    "fr": "imbriqué trop profondément (des centaines de niveaux de listes ou de clés) ; "
    "aucune règle n'en a besoin",
}

_YAML = "tag:yaml.org,2002:"
_STANDARD_TAGS = frozenset(
    _YAML + name for name in ("str", "int", "float", "bool", "null", "map", "seq")
)
_ALIAS_TAG = "tag:jardinier,2025:alias"
_KIND_OF_TAG = {
    _YAML + "bool": ("a boolean", "un booléen"),
    _YAML + "int": ("a number", "un nombre"),
    _YAML + "float": ("a number", "un nombre"),
    _YAML + "null": ("null", "rien (null)"),
    _YAML + "timestamp": ("a date", "une date"),
}
"""What YAML reads a value with each tag as, in English and in French."""


@dataclass(frozen=True)
class Position:
    """Where a key (or list item) was written: its file, 1-based line and column, and its key
    path as written in that file (an override file nests a section under the section's name)."""

    file: Path
    line: int
    column: int
    key_path: KeyPath = ()
    boolean: str = field(default="", compare=False)
    """The value as written when YAML read it as a boolean (``no``, ``on``), else empty: a
    text or a number written so is then said to need quotes."""


@dataclass(frozen=True)
class PositionedDocument:
    """Plain data and the position of every mapping key and list item in it.

    ``positions`` maps a key path (relative to ``data``) to where that key or item was written;
    after :func:`deep_merge` entries may point into different files. ``origin`` is the position
    of ``data`` itself: the top of ``file``, or the key a subtree was taken from.
    """

    data: Any
    positions: Mapping[KeyPath, Position]
    file: Path
    origin: Position | None = None

    @property
    def root(self) -> Position:
        """The position of the document as a whole."""
        return self.origin or Position(self.file, 1, 1)

    def position_of(self, key_path: KeyPath) -> Position:
        """The position of ``key_path``, or of its longest prefix that exists in the document.

        A missing key is thus reported at the mapping that should hold it; the empty path is the
        document itself (line 1, column 1 of its file).
        """
        for end in range(len(key_path), 0, -1):
            found = self.positions.get(tuple(key_path[:end]))
            if found is not None:
                return found
        return self.root

    def subtree(self, key: str) -> PositionedDocument:
        """The value under the top-level ``key`` as a document of its own."""
        positions = {
            path[1:]: position
            for path, position in self.positions.items()
            if len(path) > 1 and path[0] == key
        }
        return PositionedDocument(
            data=self.data[key],
            positions=positions,
            file=self.file,
            origin=self.positions.get((key,), self.root),
        )


def empty_document(file: Path) -> PositionedDocument:
    """A document with no keys, standing for ``file`` (which may not exist)."""
    return PositionedDocument(data={}, positions={}, file=file)


def load_yaml(path: Path) -> PositionedDocument:
    """Read one rule book file; an empty file is an empty mapping.

    Raises :class:`RuleBookError` listing every problem found: YAML syntax, anchors, aliases and
    merge keys, duplicate keys, keys that are not text, tags other than the standard ones, a
    top level that is not a mapping, and a file over :data:`MAX_FILE_BYTES`.
    """
    try:
        with path.open("rb") as handle:
            # Never more than the limit and a byte: a huge file is refused without reading it.
            raw = handle.read(MAX_FILE_BYTES + 1)
            size = os.fstat(handle.fileno()).st_size
    except OSError as exc:
        words = {
            "en": f"cannot read: {exc.strerror}",
            "fr": f"lecture impossible ({exc.strerror})",
        }
        raise RuleBookError([_located(path, 0, 0, "", words)]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise RuleBookError([_too_large(path, max(size, len(raw)))])
    return parse_yaml(_decoded(raw, path), path)


def _too_large(path: Path, size: int) -> RuleError:
    """The error for a file over :data:`MAX_FILE_BYTES`, in English and French."""
    english = (
        f"this file is too large: {_megabytes(size)} MB, over the {_megabytes(MAX_FILE_BYTES)} "
        "MB a rule book file may hold; a rule book needs far less, so check this is the right "
        "file, or shorten its lists"
    )
    french = (
        f"ce fichier est trop volumineux : {_megabytes(size, ',')} Mo, au-delà des "
        f"{_megabytes(MAX_FILE_BYTES, ',')} Mo permis pour un fichier de règles ; "
        "des règles en demandent bien moins, vérifiez que c'est le bon fichier, ou raccourcissez "
        "ses listes"
    )
    return RuleError(path, 0, 0, "", english, said_in({"fr": french}))


def _megabytes(size: int, point: str = ".") -> str:
    """``size`` in megabytes (of 1,048,576 bytes), rounded up, with one decimal under ten:
    ``1``, ``1.1``, ``12``; rounded up, a file over the limit never reads as the limit."""
    tenths = math.ceil(size * 10 / (1024 * 1024))
    if tenths >= 100:
        return str(math.ceil(tenths / 10))
    whole, tenth = divmod(tenths, 10)
    return f"{whole}{point}{tenth}" if tenth else str(whole)


def _decoded(raw: bytes, path: Path) -> str:
    """``raw`` read as UTF-8; a file saved in another encoding is an error saying where."""
    wide = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
        # UTF-16 without its mark: every other byte of plain text is zero.
        len(raw) >= 2 and raw[:200].count(0) * 3 >= len(raw[:200])
    )
    if wide:
        words = {
            "en": "this file is UTF-16; save it as UTF-8",
            "fr": "ce fichier est en UTF-16 ; enregistrez-le en UTF-8",
        }
        raise RuleBookError([_located(path, 1, 1, "", words)])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw.count(b"\n", 0, exc.start) + 1
        column = len(raw[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        words = {
            "en": f"not UTF-8 text: the byte 0x{raw[exc.start]:02x} here is not UTF-8 "
            f"({exc.reason}); save the file as UTF-8",
            "fr": f"ce texte n'est pas en UTF-8 : l'octet 0x{raw[exc.start]:02x} ici n'est "
            f"pas de l'UTF-8 ; enregistrez le fichier en UTF-8",
        }
        raise RuleBookError([_located(path, line, column, "", words)]) from None


def parse_yaml(text: str, file: Path) -> PositionedDocument:
    """Like :func:`load_yaml`, for text already read; ``file`` is the name errors give."""
    loader: _PositionKeepingLoader | None = None
    try:
        loader = _PositionKeepingLoader(text, file)
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise RuleBookError([_syntax_error(exc, file, text, loader)]) from None
    except yaml.reader.ReaderError as exc:
        line, column = _line_column(text, exc.position)
        words = _syntax(
            f"unacceptable character #x{exc.character:04x}; remove it or write it as an "
            "escape in a double-quoted string",
            f"caractère non permis #x{exc.character:04x} ; supprimez-le, ou écrivez-le comme "
            "un échappement dans un texte entre guillemets doubles",
        )
        raise RuleBookError([_located(file, line, column, "", words)]) from None
    except RecursionError:
        # Composing recurses once per level: thousands of nested brackets exhaust the stack.
        line, column = _line_col(loader.get_mark()) if loader is not None else (1, 1)
        raise RuleBookError([_located(file, line, column, "", TOO_DEEP)]) from None
    finally:
        if loader is not None:
            loader.dispose()

    builder = _DataBuilder(file, loader.problems)
    errors: list[RuleError] = []
    data: Any = {}
    if node is not None:
        data = builder.build(node, ())  # recurses no deeper than composing did
        if data is None:
            data = {}
        elif not isinstance(data, dict):
            kind = "a list" if isinstance(data, list) else f"the value {data!r}"
            kind_fr = "une liste" if isinstance(data, list) else f"la valeur {data!r}"
            words = {
                "en": f"the top level must be a mapping of keys to values, got {kind}",
                "fr": f"le premier niveau doit être des clés et leurs valeurs, pas {kind_fr}",
            }
            errors.append(_located(file, *_line_col(node.start_mark), "", words))
            data = {}
    errors += builder.errors + [
        _located(file, *_line_col(mark), "", words)
        for unplaced in builder.problems.values()
        for mark, words in unplaced
    ]
    if errors:
        errors.sort(key=lambda error: (error.line, error.column))
        raise RuleBookError(errors)
    return PositionedDocument(data=data, positions=builder.positions, file=file)


def deep_merge(base: PositionedDocument, override: PositionedDocument) -> PositionedDocument:
    """``override`` laid over ``base``: mappings merge key by key, anything else is replaced.

    Positions follow the values, so a value that came from the override points into the
    override's file. Neither input is modified.
    """
    if not (isinstance(base.data, dict) and isinstance(override.data, dict)):
        return PositionedDocument(
            data=copy.deepcopy(override.data),
            positions=dict(override.positions),
            file=override.file,
            origin=override.origin,
        )
    data = copy.deepcopy(base.data)
    positions = dict(base.positions)
    _merge_into(data, positions, (), override.data, override.positions)
    return PositionedDocument(data=data, positions=positions, file=base.file, origin=base.origin)


def _merge_into(
    target: dict[str, Any],
    positions: dict[KeyPath, Position],
    prefix: KeyPath,
    source: dict[str, Any],
    source_positions: Mapping[KeyPath, Position],
) -> None:
    for key, value in source.items():
        path = (*prefix, key)
        if path in source_positions:
            positions[path] = source_positions[path]
        if isinstance(target.get(key), dict) and isinstance(value, dict):
            _merge_into(target[key], positions, path, value, source_positions)
            continue
        target[key] = copy.deepcopy(value)
        depth = len(path)
        for stale in [p for p in positions if len(p) > depth and p[:depth] == path]:
            del positions[stale]
        positions.update(
            (p, position)
            for p, position in source_positions.items()
            if len(p) > depth and p[:depth] == path
        )


class _PositionKeepingLoader(yaml.SafeLoader):
    """Composes nodes, noting anchors, aliases and unusual tags instead of honouring them.

    The pure-Python loader is used (not CSafeLoader) because the C composer cannot be hooked, and
    an alias is otherwise indistinguishable from the value it repeats.
    """

    def __init__(self, text: str, file: Path) -> None:
        super().__init__(text)
        self.name = str(file)
        # Keyed by the id of the node's start mark, so the builder can attach key paths.
        self.problems: dict[int, list[tuple[yaml.Mark, Words]]] = {}
        # What a syntax error is explained from: the last token read, and where the value
        # being read (after "key:" or "- ") starts.
        self.last_token: Token | None = None
        self.value_start: yaml.Mark | None = None
        self._value_follows = False

    def get_token(self) -> Token | None:
        token: Token | None = super().get_token()
        if token is not None:
            if self._value_follows:
                self.value_start = token.start_mark
            self._value_follows = isinstance(token, ValueToken | BlockEntryToken)
            self.last_token = token
        return token

    def _note(self, mark: yaml.Mark, words: Words) -> None:
        self.problems.setdefault(id(mark), []).append((mark, words))

    def compose_node(self, parent: Node | None, index: object) -> Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self.get_event()
            self._note(event.start_mark, ANCHORS_REFUSED)
            # A fresh placeholder, not the anchored node: no shared or recursive structures.
            return ScalarNode(_ALIAS_TAG, "", event.start_mark, event.end_mark)
        if event.anchor is not None:
            self._note(event.start_mark, ANCHORS_REFUSED)
            event.anchor = None
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in _STANDARD_TAGS:
            written = shown("!!" + tag.removeprefix(_YAML) if tag.startswith(_YAML) else tag)
            words = {
                "en": f"the tag {written} is not allowed in the rule book; remove it",
                "fr": f"l'étiquette {written} n'est pas permise dans les règles ; retirez-la",
            }
            self._note(event.start_mark, words)
            event.tag = None
        return super().compose_node(parent, index)


class _DataBuilder:
    """Turns composed nodes into plain data, recording positions and structural problems."""

    def __init__(self, file: Path, problems: dict[int, list[tuple[yaml.Mark, Words]]]) -> None:
        self.file = file
        self.problems = problems
        self.positions: dict[KeyPath, Position] = {}
        self.errors: list[RuleError] = []
        self._scalars = SafeConstructor()

    def build(self, node: Node, path: KeyPath) -> Any:
        for mark, message in self.problems.pop(id(node.start_mark), ()):
            self._error(mark, message, path)
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                self.positions[(*path, index)] = self._position(item.start_mark, (*path, index))
                items.append(self.build(item, (*path, index)))
                self._note_boolean((*path, index), item, items[-1])
            return items
        return self._scalar(node, path)

    def _mapping(self, node: MappingNode, path: KeyPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _YAML + "merge":
                # Usually followed by an alias, itself an error: one error is enough.
                self.build(value_node, path)
                if value_node.tag != _ALIAS_TAG:
                    self._error(key_node.start_mark, ANCHORS_REFUSED, path)
                continue
            key = self._key(key_node, path)
            if key is None:
                continue
            if key in first_lines:
                words = {
                    "en": f"duplicate key '{key}' (first at line {first_lines[key]})",
                    "fr": f"clé en double '{shown(key)}' (déjà à la ligne {first_lines[key]})",
                }
                self._error(key_node.start_mark, words, (*path, key))
                continue
            first_lines[key] = key_node.start_mark.line + 1
            self.positions[(*path, key)] = self._position(key_node.start_mark, (*path, key))
            result[key] = self.build(value_node, (*path, key))
            self._note_boolean((*path, key), value_node, result[key])
        return result

    def _note_boolean(self, path: KeyPath, node: Node, value: Any) -> None:
        if isinstance(value, bool) and isinstance(node, ScalarNode):
            self.positions[path] = replace(self.positions[path], boolean=node.value)

    def _key(self, node: Node, path: KeyPath) -> str | None:
        for mark, message in self.problems.pop(id(node.start_mark), ()):
            self._error(mark, message, path)
        if node.tag == _ALIAS_TAG:
            return None
        if not isinstance(node, ScalarNode):
            words = {
                "en": "keys must be text, not a list or a mapping",
                "fr": "une clé doit être un texte, pas une liste ni des clés et leurs valeurs",
            }
            self._error(node.start_mark, words, path)
            return None
        kinds = _KIND_OF_TAG.get(node.tag)
        if kinds is not None:
            english, french = kinds
            words = {
                "en": f"the key '{node.value}' is read as {english}; put it in quotes to use it "
                "as text",
                "fr": f"la clé '{shown(node.value)}' est lue comme {french} ; mettez-la entre "
                "guillemets pour en faire un texte",
            }
            self._error(node.start_mark, words, path)
            return None
        return str(node.value)

    def _scalar(self, node: Node, path: KeyPath) -> Any:
        tag = node.tag
        if tag == _ALIAS_TAG or tag == _YAML + "null":
            return None
        # YAML 1.1 reads 12:30 as the base-60 number 750; people mean a time of day.
        if tag in (_YAML + "int", _YAML + "float") and ":" in node.value:
            return node.value
        try:
            if tag == _YAML + "bool":
                return self._scalars.construct_yaml_bool(node)
            if tag == _YAML + "int":
                return self._scalars.construct_yaml_int(node)
            if tag == _YAML + "float":
                return self._scalars.construct_yaml_float(node)
        except (ValueError, ConstructorError):
            english, french = _KIND_OF_TAG[tag]
            written = repr(_shortened(node.value))
            words = {
                "en": f"cannot read {written} as {english}",
                "fr": f"impossible de lire {written} comme {french}",
            }
            self._error(node.start_mark, words, path)
            return node.value
        # Dates and everything else stay text; the pydantic models parse what they need.
        return node.value

    def _position(self, mark: yaml.Mark, path: KeyPath) -> Position:
        return Position(self.file, mark.line + 1, mark.column + 1, path)

    def _error(self, mark: yaml.Mark, words: Words, path: KeyPath) -> None:
        self.errors.append(_located(self.file, *_line_col(mark), format_key_path(path), words))


def _located(file: Path, line: int, column: int, key_path: str, words: Words) -> RuleError:
    """The error ``words`` (by language) say, at ``file:line:column``."""
    return RuleError(file, line, column, key_path, words["en"], said_in(words))


def _syntax(english: str, french: str) -> Words:
    """A YAML syntax error, in English and in French."""
    return {"en": f"YAML syntax error: {english}", "fr": f"erreur de syntaxe YAML : {french}"}


def _shortened(text: str) -> str:
    return text if len(text) <= 40 else f"{text[:37]}..."


def format_key_path(path: KeyPath) -> str:
    """A key path as people read it: ``texts.en.help_line``, ``cogs[1]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _line_col(mark: yaml.Mark) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


def _line_column(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


_KEY_WITHOUT_SPACE = re.compile(r"^[ ]*(?:-[ ]+)?([A-Za-z_][A-Za-z0-9_-]*):(?![\s:/])\S")
"""``locale:en``: a key and its value with no space between, which YAML reads as one text."""
_QUOTE_WHOLE_TEXT = 'put the whole text in double quotes, writing a double quote inside it as \\"'
_QUOTE_WHOLE_TEXT_FR = (
    "mettez tout le texte entre guillemets doubles, en écrivant un guillemet double à "
    "l'intérieur \\\""
)
_SAME_INDENTATION = (
    "indent keys of the same mapping by the same number of spaces",
    "indentez les clés d'un même niveau du même nombre d'espaces",
)
_PROBLEMS_FR = (
    (re.compile(r"could not find expected ':'"), "il manque le deux-points qui suit une clé"),
    (
        re.compile(r"found unexpected end of stream"),
        "le fichier se termine au milieu d'une valeur",
    ),
    (
        re.compile(r"found unknown escape character (.+)"),
        "le caractère {0} ne peut pas suivre une barre oblique inverse \\ entre guillemets "
        "doubles (écrivez \\\\ pour une barre oblique inverse)",
    ),
    (
        re.compile(r"expected ',' or '([\]}])', but got (.+)"),
        "il faut une virgule ou {0} ici, pas {1}",
    ),
    (
        re.compile(r"sequence entries are not allowed here"),
        "un élément de liste n'est pas permis ici",
    ),
    (re.compile(r"mapping keys are not allowed here"), "une clé n'est pas permise ici"),
    (
        re.compile(r"invalid indentation or unclosed '\[' or '\{'"),
        "indentation incorrecte, ou un [ ou un {{ jamais fermé",
    ),
    (re.compile(r"expected the node content, but found (.+)"), "il manque une valeur avant {0}"),
    (
        re.compile(r"expected <block end>, but found (.+)"),
        "{0} n'est pas permis à ce niveau d'indentation ; vérifiez l'indentation de cette "
        "ligne et de celle du dessus",
    ),
    (re.compile(r"expected (.+), but (?:found|got) (.+)"), "YAML attendait {0} ici, pas {1}"),
)
"""PyYAML's other problems, in French: the rarer ones are quoted as PyYAML says them."""
_CONTEXTS_FR = {
    "while scanning a simple key": "dans la clé commencée en",
    "while parsing a block mapping": "dans les clés commencées en",
    "while parsing a block collection": "dans la liste commencée en",
    "while parsing a flow sequence": "dans la liste entre crochets commencée en",
    "while parsing a flow mapping": "dans les clés entre accolades commencées en",
    "while scanning a double-quoted scalar": "dans le texte entre guillemets commencé en",
    "while scanning a quoted scalar": "dans le texte entre guillemets commencé en",
    "while scanning a block scalar": "dans le texte sur plusieurs lignes commencé en",
    "while parsing a block node": "dans la valeur commencée en",
    "while parsing a flow node": "dans la valeur commencée en",
    "while parsing a node": "dans la valeur commencée en",
    "while scanning an anchor": "dans l'ancre commencée en",
    "while scanning an alias": "dans l'alias commencé en",
    "while parsing a tag": "dans l'étiquette commencée en",
    "while scanning a tag": "dans l'étiquette commencée en",
}
"""Where PyYAML says a problem started, in French."""


def _syntax_error(
    exc: yaml.MarkedYAMLError, file: Path, text: str, loader: _PositionKeepingLoader | None
) -> RuleError:
    """The error for ``exc``, at the line to fix, saying what to do rather than what PyYAML
    expected: what it found is often only the consequence of a mistake written earlier."""
    mark = exc.problem_mark or exc.context_mark
    line, column = _line_col(mark) if mark is not None else (1, 1)
    lines = text.splitlines()

    def error(english: str, french: str, at: tuple[int, int] = (line, column)) -> RuleError:
        return _located(file, *at, "", _syntax(english, french))

    problem = exc.problem or ""
    if problem == "but found another document":
        return error(
            "a second document starts here; a rule book file holds one document, so remove "
            "this '---' line",
            "un second document commence ici ; un fichier de règles n'en contient qu'un, "
            "retirez donc cette ligne '---'",
        )
    if "'\\t'" in problem:
        before = lines[line - 1][: column - 1] if line <= len(lines) else ""
        if before.strip(" \t"):
            return error(
                "a tab here; replace it with spaces (a tab may only be inside quotes)",
                "une tabulation ici ; remplacez-la par des espaces (une tabulation n'est "
                "permise qu'entre guillemets)",
            )
        return error(
            f"{problem}; indent with spaces, not tabs",
            "une tabulation dans l'indentation ; indentez avec des espaces, pas des tabulations",
        )
    if exc.context == "while scanning a quoted scalar" and exc.context_mark is not None:
        quote = _line_col(exc.context_mark)
        return error(
            "this quote is never closed; end the text with the same quote",
            "ce guillemet n'est jamais fermé ; terminez le texte par le même guillemet",
            quote,
        )
    last = loader.last_token if loader is not None else None
    if (
        isinstance(last, ScalarToken)
        and last.style in ("'", '"')
        and last.start_mark.line < last.end_mark.line
        and mark is not None
        and last.end_mark.line == mark.line
    ):
        # An unclosed quote ran on to the next quote, lines further: the error shows there.
        inside = "''" if last.style == "'" else '\\"'
        return error(
            f"this quote is not closed on its line, so the text runs on to line {line}; close "
            f"it at the end of the text (and write a {last.style} inside it as {inside})",
            f"ce guillemet n'est pas fermé sur sa ligne, le texte continue donc jusqu'à la ligne "
            f"{line} ; fermez-le à la fin du texte (et écrivez un {last.style} à "
            f"l'intérieur {inside})",
            _line_col(last.start_mark),
        )
    # The mistake is on the lines read since the last token, up to the error.
    first_line = min(last.start_mark.line + 1, line) if last is not None else line
    for number in range(first_line, min(line, len(lines)) + 1):
        written = _KEY_WITHOUT_SPACE.match(lines[number - 1])
        if written is not None:
            key = written[1]
            return error(
                f"put a space after the colon of '{key}:' (YAML reads '{key}:…' with no space "
                "as one text, not a key and its value)",
                f"mettez une espace après le deux-points qui suit '{key}' (sans espace, YAML lit "
                f"'{key}:…' comme un seul texte, pas comme une clé et sa valeur)",
                (number, written.end(1) + 1),
            )
    if problem.startswith("found character") or exc.context == "while scanning an alias":
        # @ and ` are reserved, * starts an alias: a text starting with one needs quotes.
        start = exc.context_mark if exc.context == "while scanning an alias" else mark
        where = lines[start.line] if start is not None and start.line < len(lines) else ""
        if start is not None and start.column < len(where):
            first = shown(where[start.column])
            return error(
                f"a text starting with {first} must be quoted: put the whole text in double "
                "quotes",
                f"un texte qui commence par {first} doit être entre guillemets : mettez tout "
                "le texte entre guillemets doubles",
                _line_col(start),
            )
    if problem == "mapping values are not allowed here" and line <= len(lines):
        if re.search(r":\s", lines[line - 1][: column - 1]):
            return error(
                "a text holding ': ' must be quoted (YAML reads ': ' as the start of a value): "
                "put the whole text in double quotes",
                "un texte qui contient un deux-points suivi d'une espace doit être entre "
                "guillemets (YAML y lit le début d'une valeur) : mettez tout le texte entre "
                "guillemets doubles",
            )
        return error(
            "this key is read as the rest of the text on the line above (it is indented more "
            f"than the key there); {_SAME_INDENTATION[0]}",
            "cette clé est lue comme la suite du texte de la ligne du dessus (elle est plus "
            f"indentée que la clé de cette ligne) ; {_SAME_INDENTATION[1]}",
        )
    if problem.startswith(("expected <block end>", "expected '<document start>'")):
        found = problem.rpartition("but found ")[2]
        if found in ("'<block mapping start>'", "'<block sequence start>'"):
            context = exc.context_mark.line + 1 if exc.context_mark is not None else line
            invisible = _invisible_indentation(lines, max(context, line - 1), line)
            if invisible is not None:
                number, indentation = invisible
                return error(
                    f"line {number} starts with an invisible character; "
                    f"{invisible_hint(indentation)} and indent with plain spaces",
                    f"la ligne {number} commence par un caractère invisible ; "
                    f"{invisible_hint(indentation, 'fr')} et indentez avec des espaces ordinaires",
                    (number, 1),
                )
            return error(
                f"this line's indentation does not match the lines above it; "
                f"{_SAME_INDENTATION[0]}",
                "l'indentation de cette ligne ne correspond pas à celle des lignes du "
                f"dessus ; {_SAME_INDENTATION[1]}",
            )
        value = loader.value_start if loader is not None else None
        if value is not None and (
            (isinstance(last, ScalarToken) and last.style in ("'", '"'))
            or isinstance(last, FlowMappingEndToken | FlowSequenceEndToken)
        ):
            return error(*_after_closed_text(last), _line_col(value))
    return error(*_as_pyyaml_says(exc))


def _as_pyyaml_says(exc: yaml.MarkedYAMLError) -> tuple[str, str]:
    """A syntax error the loader words no better, as PyYAML says it, and in French."""
    english = french = shown(exc.problem or exc.context or "")
    for pattern, words in _PROBLEMS_FR:
        matched = pattern.fullmatch(english)
        if matched is not None:
            french = words.format(*matched.groups()).replace("'<stream end>'", "la fin du fichier")
            break
    else:
        french = f"YAML signale : {english}"
    if exc.context and exc.context_mark is not None and exc.problem:
        started = "{}:{}".format(*_line_col(exc.context_mark))
        english += f" ({exc.context} that started at {started})"
        where = _CONTEXTS_FR.get(exc.context, "dans ce qui commence en")
        french += f" ({where} {started})"
    return english, french


def _after_closed_text(last: Token) -> tuple[str, str]:
    """What to say of text written after a closing quote or bracket, on the value's line, in
    English and in French."""
    if isinstance(last, ScalarToken) and last.style == "'":
        return (
            "this text goes on after its closing quote; an apostrophe inside single quotes "
            "ends the text, so write it twice (can''t), or put the whole text in double quotes",
            "ce texte continue après son guillemet fermant ; une apostrophe entre "
            "guillemets simples termine le texte, écrivez-la donc deux fois (aujourd''hui), ou "
            "mettez tout le texte entre guillemets doubles",
        )
    if isinstance(last, ScalarToken):
        return (
            f"this text goes on after its closing quote; {_QUOTE_WHOLE_TEXT}",
            f"ce texte continue après son guillemet fermant ; {_QUOTE_WHOLE_TEXT_FR}",
        )
    return (
        "this text goes on after a closing bracket: a text starting with { or [ is read as a "
        f"mapping or a list; {_QUOTE_WHOLE_TEXT}",
        "ce texte continue après un crochet ou une accolade fermante : un texte qui "
        "commence par { ou [ est lu comme des clés ou une liste ; "
        f"{_QUOTE_WHOLE_TEXT_FR}",
    )


def _invisible_indentation(lines: list[str], first: int, last: int) -> tuple[int, str] | None:
    """The first of lines ``first`` to ``last`` indented with an invisible character (a
    no-break space looks like an indentation space but is text to YAML), and its indentation
    up to that character."""
    for number in range(first, min(last, len(lines)) + 1):
        written = lines[number - 1]
        indentation = written[: len(written) - len(written.lstrip()) + 1]
        if invisible_hint(indentation):
            return number, indentation
    return None
