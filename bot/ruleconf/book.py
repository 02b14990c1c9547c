"""Loading a rule book directory: every section, every community override, every error at once."""

from __future__ import annotations

import difflib
import logging
import math
import re
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import core_schema

from bot.errors import JardinierError
from bot.events import CommunityRef
from bot.ruleconf import problems
from bot.ruleconf.community import LOCALE_WITHOUT_TEXTS, CommunityConfig
from bot.ruleconf.errors import RuleBookError, RuleError, RuleValueError, RuleWarning, said_in
from bot.ruleconf.invisible import shown
from bot.ruleconf.locales import LOCALE_PATTERN
from bot.ruleconf.newer_texts import fill_missing_texts
from bot.ruleconf.positioned import (
    KeyPath,
    PositionedDocument,
    deep_merge,
    empty_document,
    format_key_path,
    load_yaml,
)

CORE_SECTION = "community"
ALWAYS_ENABLED = frozenset({"core"})
"""The core's own cog (``/help``, ``/rules_reload``) serves every community."""
OVERRIDES_DIRECTORY = "communities"
PLATFORMS = frozenset({"console", "discord", "replay", "telegram"})
"""The platforms an override file may name: those of ``bot/adapters/``, and ``replay`` (the
community of a replayed CSV or JSONL history, ``replay-replay.yaml``)."""
_YAML_SUFFIXES = (".yaml", ".yml")
_OVERRIDE_NAME = re.compile(r"^([A-Za-z]+)-[-0-9A-Za-z_]+$")
_PYDANTIC_ERROR_TYPES = frozenset(typing.get_args(core_schema.ErrorType))
_MAPPING_TYPES = frozenset({"model_type", "model_attributes_type", "dict_type"})

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class RuleBook:
    """A loaded, fully validated rule book; never modified (a reload builds a new one)."""

    directory: Path
    sections: Mapping[str, BaseModel]
    """The default section models, by section name."""
    overrides: Mapping[str, Mapping[str, BaseModel]] = field(default_factory=dict)
    """For each community with an override file (by ``CommunityRef.key``), all its sections."""
    override_files: Mapping[str, Path] = field(default_factory=dict)
    """The override file applied to each community (by ``CommunityRef.key``)."""
    warnings: tuple[RuleWarning, ...] = ()
    """What is worth fixing but did not stop the load: texts taken from the shipped book, files
    and folders that were not read."""
    _enabled_cogs: dict[str, frozenset[str]] = field(default_factory=dict, init=False, repr=False)
    # The same sections in plain dicts, read on every event: a read-only view's ``get`` is a
    # method call on the mapping behind it.
    _defaults: dict[str, BaseModel] = field(default_factory=dict, init=False, repr=False)
    _by_key: dict[str, dict[str, BaseModel]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self._defaults.update(self.sections)
        self._by_key.update((key, dict(found)) for key, found in self.overrides.items())

    @property
    def override_keys(self) -> frozenset[str]:
        """The ``<platform>-<id>`` keys of the communities that have an override file."""
        return frozenset(self.overrides)

    def section(self, name: str, community: CommunityRef | None = None) -> BaseModel:
        """Section ``name`` as it applies to ``community`` (the defaults when it has no override).

        Raises KeyError for a section the rule book does not have: an unknown name, or a cog
        section without a file whose settings have no defaults.
        """
        sections = (
            self._defaults
            if community is None
            else self._by_key.get(community.key, self._defaults)
        )
        try:
            return sections[name]
        except KeyError:
            raise KeyError(
                f"the rule book in {self.directory} has no section {name!r}; "
                f"it has: {', '.join(sorted(sections))}"
            ) from None

    def community(self, community: CommunityRef | None = None) -> CommunityConfig:
        """The core section as it applies to ``community``."""
        # Asked for on every event (moderators, locale, texts): no typing.cast call on the way.
        section: Any = self.section(CORE_SECTION, community)
        return section

    def cogs_to_load(self) -> list[str]:
        """The cogs the bot loads, and whose commands it publishes on every platform: those the
        defaults enable, in their order, then those only an override enables (overrides in
        order of their key)."""
        names = list(self.community().cogs)
        for key in sorted(self.override_keys):
            platform, _, community_id = key.partition("-")
            for name in self.community(CommunityRef(platform, community_id)).cogs:
                if name not in names:
                    names.append(name)
        return names

    def enabled_cogs(self, community: CommunityRef | None = None) -> frozenset[str]:
        """The cogs that serve ``community``, the core's own included (asked for every event)."""
        key = community.key if community is not None and community.key in self._by_key else ""
        found = self._enabled_cogs.get(key)
        if found is None:
            found = frozenset(self.community(community).cogs) | ALWAYS_ENABLED
            self._enabled_cogs[key] = found
        return found


def load_rule_book(
    directory: Path,
    section_models: Mapping[str, type[BaseModel]],
    *,
    shipped: Path | None = None,
) -> RuleBook:
    """Load and validate the rule book in ``directory``.

    ``section_models`` maps each section name (a cog's name) to its pydantic model; the core
    ``community`` section is added when absent. Raises :class:`RuleBookError` listing every
    problem in every file, each with ``file:line:col`` and key path.

    ``shipped`` is the rule book this version of Jardinier ships: the texts a section's file
    lacks, in a locale the shipped file has, are read from there and listed in
    :attr:`RuleBook.warnings` (see :mod:`bot.ruleconf.newer_texts`). Without it every text is
    required.
    """
    models: dict[str, type[BaseModel]] = {CORE_SECTION: CommunityConfig, **section_models}
    return _RuleBookLoader(Path(directory), models, shipped).load()


@dataclass
class _Context:
    """The sections that apply to one community (the defaults, or defaults plus an override)."""

    documents: dict[str, PositionedDocument]
    sections: dict[str, BaseModel]
    platform: str | None = None
    """The platform of the community an override serves (None for the defaults)."""


class _RuleBookLoader:
    def __init__(
        self, directory: Path, models: dict[str, type[BaseModel]], shipped: Path | None
    ) -> None:
        self.directory = directory
        self.models = models
        same = shipped is not None and shipped.resolve() == directory.resolve()
        self.shipped = None if same else shipped
        self.errors: list[RuleError] = []
        self.warnings: list[RuleWarning] = []
        self.documents: dict[str, PositionedDocument] = {}
        # Sections whose file exists but could not be read: their errors are already reported.
        self.unreadable: set[str] = set()
        self.override_files: set[Path] = set()

    def load(self) -> RuleBook:
        if not self.directory.is_dir():
            raise RuleBookError(
                [
                    RuleError(
                        self.directory,
                        0,
                        0,
                        "",
                        "no rule book here: not an existing directory "
                        "(a rule book is a directory holding community.yaml)",
                        said_in(
                            {
                                "fr": "pas de règles ici : ce dossier n'existe pas (les "
                                "règles sont un dossier qui contient community.yaml)"
                            }
                        ),
                    )
                ]
            )
        self._read_sections()
        overrides = self._read_overrides()
        defaults = self._default_context()
        self._check_context(defaults)
        contexts = {
            key: self._override_context(defaults, doc, platform=key.split("-", 1)[0])
            for key, doc in overrides.items()
        }
        for context in contexts.values():
            self._check_context(context)
        if self.errors:
            unique = list(dict.fromkeys(self.errors))
            unique.sort(key=lambda error: (str(error.file), error.line, error.column))
            raise RuleBookError(unique, overrides_folder=self.directory / OVERRIDES_DIRECTORY)
        return RuleBook(
            directory=self.directory,
            sections=types.MappingProxyType(defaults.sections),
            overrides=types.MappingProxyType(
                {key: types.MappingProxyType(c.sections) for key, c in contexts.items()}
            ),
            override_files=types.MappingProxyType(
                {key: overrides[key].file for key in sorted(overrides)}
            ),
            warnings=tuple(self.warnings),
        )

    def _read_sections(self) -> None:
        self._warn_about_folders()
        for path in _yaml_files(self.directory):
            name = path.stem
            if name not in self.models:
                self._error(path, 1, 1, "", problems.unknown("section", name, self.models))
                continue
            if name in self.documents:
                first = self.documents[name].file.name
                message = {
                    "en": f"section '{name}' is already in {first}; keep one of the two files",
                    "fr": f"la section '{shown(name)}' est déjà dans {shown(first)} ; gardez "
                    "l'un des deux fichiers",
                }
                self._error(path, 1, 1, "", message)
                continue
            document = self._load(path)
            if document is None:
                self.unreadable.add(name)
                continue
            if self.shipped is not None:
                filled = fill_missing_texts(document, self.shipped / f"{name}.yaml")
                document = filled.document
                self.warnings += filled.warnings
            self.documents[name] = document

    def _read_overrides(self) -> dict[str, PositionedDocument]:
        overrides: dict[str, PositionedDocument] = {}
        folder = self.directory / OVERRIDES_DIRECTORY
        if not folder.is_dir():
            return overrides
        for path in _visible_files(folder):
            if path.suffix.lower() not in _YAML_SUFFIXES:
                skipped = {
                    "en": "not read: an override file's name ends in .yaml or .yml",
                    "fr": "non lu : le nom d'un fichier propre à une communauté finit par "
                    ".yaml ou .yml",
                }
                self._warn(path, skipped)
        for path in _yaml_files(folder):
            named = _OVERRIDE_NAME.fullmatch(path.stem)
            if named is None:
                message = {
                    "en": "an override file is named after its community, <platform>-<id>.yaml "
                    "(e.g. discord-123456789.yaml); rename this file",
                    "fr": "un fichier propre à une communauté porte son nom, "
                    "<plateforme>-<id>.yaml (par ex. discord-123456789.yaml) ; renommez ce "
                    "fichier",
                }
                self._error(path, 1, 1, "", message)
                continue
            if named[1] not in PLATFORMS:
                close = difflib.get_close_matches(named[1].lower(), sorted(PLATFORMS), n=1)
                platforms = ", ".join(sorted(PLATFORMS))
                message = {
                    "en": f"unknown platform '{named[1]}'"
                    + (f" (did you mean '{close[0]}'?)" if close else "")
                    + "; an override file is named <platform>-<id>.yaml, the platform one of "
                    + platforms,
                    "fr": f"plateforme inconnue '{shown(named[1])}'"
                    + (f" (vouliez-vous dire '{close[0]}' ?)" if close else "")
                    + " ; un fichier propre à une communauté s'appelle "
                    + f"<plateforme>-<id>.yaml, la plateforme étant l'une de : {platforms}",
                }
                self._error(path, 1, 1, "", message)
                continue
            first = next((f for f in self.override_files if f.stem == path.stem), None)
            if first is not None:
                message = {
                    "en": f"community '{path.stem}' already has {first.name}; keep one of "
                    "the two files",
                    "fr": f"la communauté '{shown(path.stem)}' a déjà {shown(first.name)} ; "
                    "gardez l'un des deux fichiers",
                }
                self._error(path, 1, 1, "", message)
                continue
            self.override_files.add(path)
            document = self._load(path)
            if document is None:
                continue
            for key in list(document.data):
                if key not in self.models:
                    position = document.position_of((key,))
                    unknown = problems.unknown("section", key, self.models)
                    self._error(path, position.line, position.column, key, unknown)
                    del document.data[key]
            overrides[path.stem] = document
        return overrides

    def _warn_about_folders(self) -> None:
        """A folder of YAML files beside the sections, other than the overrides', is not read:
        ``community/`` for ``communities/``, say."""
        for path in sorted(self.directory.iterdir()):
            if path.name.startswith(".") or path.name == OVERRIDES_DIRECTORY or not path.is_dir():
                continue
            try:
                holds_yaml = bool(_yaml_files(path))
            except OSError:  # a folder it may not read is no part of the book either
                continue
            if holds_yaml:
                message = {
                    "en": f"not read: overrides go in {OVERRIDES_DIRECTORY}/<platform>-<id>.yaml",
                    "fr": "non lu : les fichiers propres à une communauté vont dans "
                    f"{OVERRIDES_DIRECTORY}/<plateforme>-<id>.yaml",
                }
                self._warn(path, message)

    def _load(self, path: Path) -> PositionedDocument | None:
        try:
            return load_yaml(path)
        except RuleBookError as exc:
            self.errors.extend(exc.errors)
            return None

    def _default_context(self) -> _Context:
        context = _Context(documents=dict(self.documents), sections={})
        for name, model in self.models.items():
            if name in self.unreadable:
                continue
            document = self.documents.get(name)
            if document is not None:
                self._validate(context, name, document)
                continue
            try:
                context.sections[name] = model.model_validate({})
            except ValidationError:
                # A cog is only required to have its file when enabled (see _check_context).
                if name == CORE_SECTION:
                    path = self.directory / f"{CORE_SECTION}.yaml"
                    message = {
                        "en": "missing: every rule book needs community.yaml, with at least the "
                        "texts for its locale",
                        "fr": "fichier manquant : les règles ont toujours un community.yaml, "
                        "avec au moins les textes de leur langue",
                    }
                    self._error(path, 0, 0, "", message)
        return context

    def _override_context(
        self, defaults: _Context, override: PositionedDocument, *, platform: str
    ) -> _Context:
        context = _Context(
            documents=dict(defaults.documents), sections=dict(defaults.sections), platform=platform
        )
        for name in override.data:
            if name in self.unreadable:
                continue
            base = self.documents.get(name)
            if base is None and name == CORE_SECTION:
                # community.yaml is missing, and said to be: what the override lacks of it
                # (its texts, say) is not the override's fault.
                continue
            layer = override.subtree(name)
            document = layer if base is None else deep_merge(base, layer)
            context.documents[name] = document
            context.sections.pop(name, None)
            self._validate(context, name, document)
        return context

    def _validate(self, context: _Context, name: str, document: PositionedDocument) -> None:
        model = self.models[name]
        try:
            # The platform lets a section check what depends on it (console members' ids).
            section = model.model_validate(document.data, context={"platform": context.platform})
            context.sections[name] = section
            self._booleans_taken_as_numbers(section, document)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            # A key refused as a key (texts.reminder is no locale) need not also have what is
            # under it refused: one error per key, not one per text a locale should have.
            refused = {tuple(e["loc"][: e["loc"].index("[key]")]) for e in errors if _refused(e)}
            self.errors += [
                self._rule_error(error, name, document, context)
                for error in errors
                if _refused(error) or not any(_under(error["loc"], key) for key in refused)
            ]
        except Exception as exc:
            # A validator that fails in a way it did not plan for is a bug of ours; still a
            # start or a reload must report it like any error, not stop on it.
            log.exception("checking section %r of %s failed", name, document.file)
            at = document.root
            failure = f"{type(exc).__name__}: {shown(str(exc)[:200])}"
            message = {
                "en": f"this section could not be checked ({failure}); the bot's log has the "
                "details for Jardinier's developers; meanwhile look at what changed last in this "
                "section",
                "fr": f"cette section n'a pas pu être vérifiée ({failure}) ; le journal du bot "
                "donne les détails aux développeurs de Jardinier ; en attendant, regardez ce "
                "qui a changé en dernier dans cette section",
            }
            self._error(at.file, at.line, at.column, format_key_path(at.key_path), message)

    def _booleans_taken_as_numbers(self, section: BaseModel, document: PositionedDocument) -> None:
        """pydantic reads ``yes`` as 1 for a number, and as 1 second for a duration: a value
        written as a boolean must stay one."""
        for path, position in document.positions.items():
            if not position.boolean:
                continue
            value = _validated_value(section, path)
            if isinstance(value, int | float | timedelta) and not isinstance(value, bool):
                duration = isinstance(value, timedelta)
                message = problems.boolean_not(position.boolean, duration=duration)
                key_path = format_key_path(position.key_path)
                self._error(position.file, position.line, position.column, key_path, message)

    def _rule_error(
        self, error: Any, section: str, document: PositionedDocument, context: _Context
    ) -> RuleError:
        kind = error["type"]
        loc = tuple(error["loc"])
        if kind == LOCALE_WITHOUT_TEXTS:
            return self._locale_error(error["ctx"]["locale"], section, context)
        found, rest = _locate(document.data, loc, missing=kind == "missing")
        position = document.position_of(found)
        key_path = format_key_path((*position.key_path, *rest))
        if kind == "extra_forbidden":
            expected = _expected_keys(self.models[section], found[:-1])
            words = problems.unknown("key", str(loc[-1]), expected)
        else:
            words = {"en": _pydantic_message(error)}
            french = _french(error, self.models[section], loc)
            if french is not None:
                words["fr"] = french
            if isinstance(error.get("input"), bool) and position.boolean and not rest:
                boolean = problems.read_as_boolean(position.boolean)
                words["en"] += f"; {boolean['en']}"
                if "fr" in words:
                    words["fr"] += f" ; {boolean['fr']}"
        return RuleError(
            position.file,
            position.line,
            position.column,
            key_path,
            words["en"],
            said_in(words),
        )

    def _check_context(self, context: _Context) -> None:
        community = context.sections.get(CORE_SECTION)
        document = self._document(context, CORE_SECTION)
        locale: str | None = None
        if isinstance(community, CommunityConfig):
            enabled: list[Any] = list(community.cogs)
            locale = community.locale
        else:
            # The core section has errors of its own; still report what is wrong with its cogs.
            raw = document.data if isinstance(document.data, dict) else {}
            listed = raw.get("cogs")
            enabled = listed if isinstance(listed, list) else []
            written = raw.get("locale", CommunityConfig.model_fields["locale"].default)
            if isinstance(written, str) and LOCALE_PATTERN.fullmatch(written):
                locale = written
        cogs = [name for name in self.models if name != CORE_SECTION]
        for index, cog in enumerate(enabled):
            if not isinstance(cog, str):
                continue
            position = document.position_of(("cogs", index))
            key_path = format_key_path(position.key_path)
            if cog not in cogs:
                message = problems.unknown("cog", cog, cogs)
                self._error(position.file, position.line, position.column, key_path, message)
            elif cog in context.sections:
                texts = getattr(context.sections[cog], "texts", None)
                if locale is not None and isinstance(texts, Mapping) and locale not in texts:
                    self.errors.append(self._locale_error(locale, cog, context))
            elif cog not in context.documents and cog not in self.unreadable:
                # Named in the rule book's folder: the message may be read in a chat.
                missing = f"{cog}.yaml"
                message = {
                    "en": f"cog '{cog}' is enabled but the rule book has no {missing}, and its "
                    "settings have no defaults; create the file or remove the cog from this list",
                    "fr": f"le cog '{shown(cog)}' est activé mais les règles n'ont pas de "
                    f"{missing}, et ses réglages n'ont pas de valeurs par défaut ; créez le "
                    "fichier ou retirez le cog de cette liste",
                }
                self._error(position.file, position.line, position.column, key_path, message)

    def _locale_error(self, locale: str, section: str, context: _Context) -> RuleError:
        """No texts for ``locale`` in ``section``: reported at the section's ``texts`` key, or at
        the ``locale`` key of the override file that chose a locale the texts lack."""
        community = self._document(context, CORE_SECTION)
        document = self._document(context, section)
        texts = document.position_of(("texts",))
        chosen = community.positions.get(("locale",))
        if chosen is not None and chosen.file in self.override_files and chosen.file != texts.file:
            words = {
                "en": f"no {section} texts for locale '{locale}'; "
                f"add {section}.texts.{locale} or change locale",
                "fr": f"aucun texte {section} pour la langue '{locale}' ; "
                f"ajoutez '{section}.texts.{locale}' ou changez 'locale'",
            }
            return RuleError(
                chosen.file,
                chosen.line,
                chosen.column,
                format_key_path(chosen.key_path),
                words["en"],
                said_in(words),
            )
        words = {
            "en": f"no texts for locale '{locale}'; add texts.{locale} or change locale",
            "fr": f"aucun texte pour la langue '{locale}' ; ajoutez 'texts.{locale}' ou "
            "changez 'locale'",
        }
        if section != CORE_SECTION:
            words = {
                "en": words["en"] + f" in {CORE_SECTION}.yaml",
                "fr": words["fr"] + f" dans {CORE_SECTION}.yaml",
            }
        rest = () if ("texts",) in document.positions else ("texts",)
        key_path = format_key_path((*texts.key_path, *rest))
        return RuleError(
            texts.file, texts.line, texts.column, key_path, words["en"], said_in(words)
        )

    def _document(self, context: _Context, section: str) -> PositionedDocument:
        found = context.documents.get(section)
        return found or empty_document(self.directory / f"{section}.yaml")

    def _warn(self, path: Path, message: problems.Words) -> None:
        """Record a warning about a whole file or folder; ``message`` by language, as an
        error's."""
        self.warnings.append(RuleWarning(path, 0, 0, "", message["en"], said_in(message)))

    def _error(
        self, file: Path, line: int, column: int, key_path: str, message: str | problems.Words
    ) -> None:
        """Record an error; ``message`` is English, or the message by language."""
        if isinstance(message, str):
            self.errors.append(RuleError(file, line, column, key_path, message))
            return
        said = said_in(message)
        self.errors.append(RuleError(file, line, column, key_path, message["en"], said))


def _visible_files(folder: Path) -> list[Path]:
    return sorted(
        path for path in folder.iterdir() if not path.name.startswith(".") and path.is_file()
    )


def _yaml_files(folder: Path) -> list[Path]:
    """The YAML files of ``folder``, whatever the case of their extension (``.YAML``)."""
    return [path for path in _visible_files(folder) if path.suffix.lower() in _YAML_SUFFIXES]


def _locate(data: Any, loc: Sequence[str | int], *, missing: bool) -> tuple[KeyPath, KeyPath]:
    """Split a pydantic ``loc`` into the key path present in ``data`` and, for a missing key,
    the part that is absent. Parts naming union members or dict-key checks are skipped."""
    found: list[str | int] = []
    node = data
    for index, part in enumerate(loc):
        if part == "[key]":
            break
        if isinstance(node, dict) and isinstance(part, str):
            if part in node:
                found.append(part)
                node = node[part]
            elif missing and index == len(loc) - 1:
                return tuple(found), (part,)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            found.append(part)
            node = node[part]
    return tuple(found), ()


def _refused(error: Any) -> bool:
    """Whether a pydantic error is about a mapping's key rather than its value."""
    return "[key]" in error["loc"]


def _under(loc: Sequence[str | int], key: tuple[str | int, ...]) -> bool:
    return tuple(loc[: len(key)]) == key


def _validated_value(section: BaseModel, path: KeyPath) -> object:
    """What validation made of the value at ``path`` of a section's data (None when the
    validated section has no such place)."""
    value: object = section
    for part in path:
        if isinstance(value, BaseModel):
            fields = type(value).model_fields
            name = next((n for n, info in fields.items() if (info.alias or n) == part), None)
            value = getattr(value, name) if name is not None else None
        elif isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list | tuple) and isinstance(part, int) and part < len(value):
            value = value[part]
        else:
            return None
    return value


def _expected_keys(model: type[BaseModel], path: KeyPath) -> list[str]:
    """The keys allowed in the mapping at ``path`` of ``model``'s data (empty when unknown)."""
    annotation = _annotation_at(model, path)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [info.alias or name for name, info in annotation.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    """The model inside ``Annotated[...]`` or ``X | None``, or the annotation itself."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        members = [_unwrap(arg) for arg in typing.get_args(annotation) if arg is not type(None)]
        for member in members:
            if isinstance(member, type) and issubclass(member, BaseModel):
                return member
        return members[0] if members else annotation
    return annotation


def _pydantic_message(error: Any) -> str:
    """pydantic's message, with what was written when that helps find the mistake."""
    kind = error["type"]
    message = str(error["msg"])
    if kind == "missing":
        return problems.MISSING_KEY["en"]
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    if kind == "assertion_error":
        return message.removeprefix("Assertion failed, ")
    if kind not in _PYDANTIC_ERROR_TYPES:
        return message
    if kind in _MAPPING_TYPES:
        message = "Input should be a mapping of keys to values"
    message = re.sub(r", unable to .*$", "", message)
    written = error.get("input")
    shown = problems.shown_value(written, container=kind.endswith(("_type", "_parsing")))
    message = f"{message}, got {shown}" if shown else message
    if kind == "string_type" and problems.read_as_placeholders(written):
        message += f"; {problems.QUOTE_A_BRACE['en']}"
    return message


def _french(error: Any, model: type[BaseModel], loc: tuple[Any, ...]) -> str | None:
    """``error`` in French, where the loader words it (see :mod:`bot.ruleconf.problems`)."""
    kind = error["type"]
    if kind == "missing":
        return problems.MISSING_KEY["fr"]
    # A validator's RuleValueError; or one a model put in the context of an error of a type of
    # its own, which it raised to be reported at one of its keys.
    refused = (error.get("ctx") or {}).get("error")
    if isinstance(refused, RuleValueError):
        return dict(refused.said).get("fr")
    if kind == "value_error":
        if _annotation_at(model, loc) is timedelta:
            return _duration_french(error.get("input"))
        return None
    return problems.pydantic_french(error)


def _duration_french(written: object) -> str | None:
    """Why ``written`` is no duration, in French; None when it is one (another check refused
    it: a minimum, say)."""
    # Imported here: bot.durations imports the rule book's number formats.
    from bot.durations import DurationTooLongError, format_duration, parse_duration

    example = "écrivez un nombre et une unité, par ex. 30s, 10m, 2h, 7j, 1w"
    if isinstance(written, str):
        try:
            parse_duration(written)
        except DurationTooLongError as error:
            most = format_duration(error.most).replace("d", "j")  # French days: 7j
            return f"{written[:40]!r} est trop long ; au plus {most}"
        except JardinierError:
            return f"{written[:40]!r} n'est pas une durée ; {example}"
        return None
    if isinstance(written, float) and not math.isfinite(written):
        return f"{written} n'est pas une durée ; {example}"
    if isinstance(written, int | float) and not isinstance(written, bool):
        return f"écrivez les durées avec une unité, par ex. {int(written)}s ou {int(written)}m"
    return None


def _annotation_at(model: type[BaseModel], loc: Sequence[str | int]) -> Any:
    """The type (unwrapped) of the value at pydantic's ``loc`` in ``model``; None when the
    path leaves what the models say (a union's member, say)."""
    annotation: Any = model
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            fields = {info.alias or name: info for name, info in annotation.model_fields.items()}
            if part not in fields:
                return None
            annotation = fields[str(part)].annotation
        elif typing.get_origin(annotation) in (dict, Mapping):
            annotation = typing.get_args(annotation)[1]
        elif typing.get_origin(annotation) in (list, tuple, set, frozenset, Sequence):
            annotation = typing.get_args(annotation)[0]
        else:
            return None
    return _unwrap(annotation)
