"""The shipped French: one inclusive form (the middle dot) and the units the bot reads in French.

The register (« vous ») is checked where members read it, on real messages, in each cog's tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from bot.cogloader import command_specs
from bot.commands.spec import CommandSpec
from bot.resources import shipped_rules_directory

PARENTHESISED = re.compile(r"\w\(e?s?\)")
"""``banni(e)``, ``inscrit(e)s``: write ``banni·e``, ``inscrit·es``."""
ENGLISH_UNITS = re.compile(r"\b\d+[dw]\b")
"""``7d``, ``1w``: French reads and writes ``7j`` (the bot reads both)."""

CHECKED_COGS = ["announcements", "contests", "netiquette", "welcome"]
"""Cogs whose French command help is checked here, besides the core's commands."""


def french_texts(node: Any, path: str = "", *, french: bool = False) -> Iterator[tuple[str, str]]:
    """Every text under a ``fr`` key of ``node``, with its key path."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from french_texts(value, f"{path}.{key}", french=french or key == "fr")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from french_texts(value, f"{path}[{index}]", french=french)
    elif isinstance(node, str) and french:
        yield path, node


def shipped_french() -> list[tuple[str, str]]:
    """Every French text of the shipped rule book, with its file and key path."""
    texts = []
    for file in sorted(Path(shipped_rules_directory()).glob("*.yaml")):
        book = yaml.safe_load(file.read_text(encoding="utf-8"))
        texts += [(f"{file.name}:{key}", text) for key, text in french_texts(book)]
    return texts


def french_help(spec: CommandSpec) -> list[tuple[str, str]]:
    """A command's French description and help, and its options' descriptions."""
    name = f"/{spec.name}"
    texts = [(name, spec.description_for("fr")), (name, spec.help_for("fr"))]
    texts += [(f"{name} {option.name}", option.description_for("fr")) for option in spec.options]
    return texts


def test_the_shipped_book_has_french_texts_to_check() -> None:
    files = {where.split(":")[0] for where, _ in shipped_french()}
    assert {"community.yaml", "netiquette.yaml", "welcome.yaml", "contests.yaml"} <= files


def test_french_texts_write_inclusive_forms_with_the_middle_dot() -> None:
    assert [where for where, text in shipped_french() if PARENTHESISED.search(text)] == []


def test_french_texts_write_durations_in_french_units() -> None:
    assert [where for where, text in shipped_french() if ENGLISH_UNITS.search(text)] == []


def test_french_command_help_writes_durations_in_french_units_and_the_middle_dot() -> None:
    texts = [text for spec in command_specs(CHECKED_COGS) for text in french_help(spec)]
    assert [where for where, text in texts if ENGLISH_UNITS.search(text)] == []
    assert [where for where, text in texts if PARENTHESISED.search(text)] == []


def test_the_checks_catch_what_they_are_for() -> None:
    assert PARENTHESISED.search("vous avez été banni(e)")
    assert PARENTHESISED.search("inscrit(e)s")
    assert not PARENTHESISED.search("vous avez été banni·e (dossier 3)")
    assert ENGLISH_UNITS.search("Combien de temps : 10m, 2h, 1d")
    assert ENGLISH_UNITS.search("au plus 4w")
    assert not ENGLISH_UNITS.search("comme 10m, 2h ou 7j")
