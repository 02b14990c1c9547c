"""Texts a newer Jardinier added, read from its shipped rule book when a copy lacks them.

``jardinier init`` copies the shipped rule book for a community to edit. When a later version
adds a text (a new command's answer, a new reason the netiquette gives), that copy lacks it, and
every text is required. Rather than refuse to start after an upgrade, the loader takes each
missing text from the shipped file, for the locales both files have, and says so as a warning
naming the file, the line and the texts to copy, in English and in French as errors are. A locale
the shipped book does not have (``de``, say) is not filled: its missing texts stay errors, as no
German text could stand in.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.ruleconf.errors import RuleBookError, RuleWarning, said_in
from bot.ruleconf.positioned import (
    Position,
    PositionedDocument,
    format_key_path,
    load_yaml,
)

SHOWN_KEYS = 6
"""A warning names this many of the texts it filled, then counts the rest."""


@dataclass(frozen=True)
class Filled:
    """A section document with the missing texts taken from the shipped one, and the warnings."""

    document: PositionedDocument
    warnings: tuple[RuleWarning, ...]


def fill_missing_texts(document: PositionedDocument, shipped_file: Path) -> Filled:
    """``document`` with every text its locales lack taken from ``shipped_file``.

    Only keys under ``texts.<locale>`` are filled, only for locales both documents have, and a
    text that is written (even wrongly) is never replaced. ``document`` is not modified.
    """
    shipped = _shipped_document(shipped_file)
    if shipped is None:
        return Filled(document, ())
    ours, theirs = document.data.get("texts"), shipped.data.get("texts")
    if not isinstance(ours, dict) or not isinstance(theirs, dict):
        return Filled(document, ())
    data = copy.copy(document.data)
    data["texts"] = dict(ours)
    positions = dict(document.positions)
    warnings = []
    for locale, written in ours.items():
        offered = theirs.get(locale)
        if not isinstance(written, dict) or not isinstance(offered, dict):
            continue
        missing = list(_missing(offered, written, ()))
        if not missing:
            continue
        filled = copy.deepcopy(written)
        for path in missing:
            _put(filled, path, copy.deepcopy(_get(offered, path)))
        # Each filled key points into the shipped file, where its text can be read and copied.
        for key_path, position in shipped.positions.items():
            unwritten = key_path[:2] == ("texts", locale) and key_path not in positions
            if unwritten and _holds(filled, key_path[2:]):
                positions[key_path] = position
        data["texts"][locale] = filled
        warnings.append(_warning(document.position_of(("texts", locale)), missing, shipped_file))
    if not warnings:
        return Filled(document, ())
    return Filled(
        PositionedDocument(data, positions, document.file, document.origin), tuple(warnings)
    )


def _missing(
    offered: dict[str, Any], written: dict[str, Any], prefix: tuple[str, ...]
) -> Iterator[tuple[str, ...]]:
    """The paths of the texts in ``offered`` that ``written`` lacks (a whole group: each text)."""
    for key, value in offered.items():
        if key not in written:
            yield from _texts_in(value, (*prefix, key))
        elif isinstance(value, dict) and isinstance(written[key], dict):
            yield from _missing(value, written[key], (*prefix, key))


def _texts_in(value: Any, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _texts_in(inner, (*path, key))
    else:
        yield path


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


def _holds(data: Any, path: tuple[str | int, ...]) -> bool:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return False
        data = data[key]
    return True


def _put(data: Any, path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        data = data.setdefault(key, {})
    data[path[-1]] = value


def _warning(at: Position, missing: list[tuple[str, ...]], shipped_file: Path) -> RuleWarning:
    names = [format_key_path(path) for path in missing]
    listed_en = listed_fr = ", ".join(names[:SHOWN_KEYS])
    if len(names) > SHOWN_KEYS:
        listed_en += f" and {len(names) - SHOWN_KEYS} more"
        listed_fr += f" et {len(names) - SHOWN_KEYS} autres"
    count = "1 text is" if len(names) == 1 else f"{len(names)} texts are"
    english = (
        f"{count} missing, added since this file was written ({listed_en}); the shipped ones "
        f"are used: copy them from {{}} to rewrite them"
    )
    # Read in a chat: the shipped file is named, not where the server keeps it.
    if len(names) == 1:
        french = (
            f"1 texte manque, ajouté depuis l'écriture de ce fichier ({listed_fr}) ; celui des "
            f"règles livrées avec Jardinier est utilisé : copiez-le depuis leur "
            f"{shipped_file.name} pour le réécrire"
        )
    else:
        french = (
            f"{len(names)} textes manquent, ajoutés depuis l'écriture de ce fichier "
            f"({listed_fr}) ; ceux des règles livrées avec Jardinier sont utilisés : "
            f"copiez-les depuis leur {shipped_file.name} pour les réécrire"
        )
    return RuleWarning(
        at.file,
        at.line,
        at.column,
        format_key_path(at.key_path),
        english.format(shipped_file),
        said_in({"fr": french}),
        in_chat=english.format(f"the shipped {shipped_file.name}"),
    )


def _shipped_document(path: Path) -> PositionedDocument | None:
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return None
    return _load_once(path, stamp)


@functools.lru_cache(maxsize=32)
def _load_once(path: Path, stamp: int) -> PositionedDocument | None:
    """The shipped file, read again only when it changes (``stamp`` is its mtime)."""
    del stamp
    try:
        document = load_yaml(path)
    except RuleBookError:
        return None
    return document if isinstance(document.data, dict) else None
