"""The shipped French: one inclusive form (the middle dot), the units the bot reads in French,
agreement with the numbers texts hold, and the reader addressed as « vous ».

The register is also checked where members read it, on real messages, in each cog's tests.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from bot.cogloader import available_cogs, command_specs, section_models
from bot.commands.spec import CommandSpec
from bot.resources import shipped_rules_directory
from bot.ruleconf import load_rule_book, render
from bot.ruleconf.plurals import LocalText

PARENTHESISED = re.compile(r"\w\(e?s?\)")
"""``banni(e)``, ``inscrit(e)s``: write ``banni·e``, ``inscrit·es``."""
ENGLISH_UNITS = re.compile(r"\b\d+[dw]\b")
"""``7d``, ``1w``: French reads and writes ``7j`` (the bot reads both)."""

CHECKED_COGS = sorted(available_cogs())
"""Cogs whose French command help is checked here, besides the core's commands: all of them."""
NUMBER_AND_WORD = re.compile(r"(?<![\w,.])([01])[ \u00a0]([^\W\d_][\w'’-]*)")
"""``0 membres``, ``1 points``: a 0 or a 1 and the word after it (French reads both singular)."""
SINGULAR_ENDING_IN_S = frozenset(
    {"concours", "fois", "mois", "temps", "longtemps", "succès", "avis", "cas"}
    | {"pas", "plus", "toujours", "dans", "sous", "sans", "après", "depuis", "vers", "au-dessus"}
    | {"les", "des", "ses", "vos", "nos", "leurs", "mes", "tous", "vous", "nous"}
)
"""Words after a number that end in s and are no plural of a noun: « 1 concours », « 1 sous »,
and what follows a number that is an identifier (« dossier 1 dans … », « /tirage 1 les liste »)."""
TUTOIEMENT = re.compile(r"\b(tu|te|ton|ta|tes|toi|tien|tienne)\b|\bt['’]", re.IGNORECASE)
"""The bot speaks to people as « vous », never « tu »."""
CALQUES = {
    "livre de règles": "« les règles », « le fichier de règles » (rule book)",
    "réduit·e au silence": "« ne peut plus écrire », « exclu·e temporairement » (silenced)",
    "message de fond": "« message substantiel » (substantial message)",
    "messages de fond": "« messages substantiels » (substantial messages)",
}
"""Word-for-word translations a French reader stumbles on, with what to write instead."""


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


def bound_french_texts() -> list[tuple[str, LocalText]]:
    """Every French text of the shipped book as the bot renders it (knowing its locale)."""
    book = load_rule_book(shipped_rules_directory(), section_models())
    found: list[tuple[str, LocalText]] = []

    def walk(node: object, path: str) -> None:
        if isinstance(node, LocalText):
            if node.locale.split("-")[0] == "fr":
                found.append((path, node))
        elif isinstance(node, BaseModel):
            for name in type(node).model_fields:
                walk(getattr(node, name), f"{path}.{name}")
        elif isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif isinstance(node, list | tuple):
            for index, value in enumerate(node):
                walk(value, f"{path}[{index}]")

    for name, section in book.sections.items():
        walk(section, name)
    return found


def placeholders(text: str) -> set[str]:
    """The names of ``text``'s placeholders."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def disagreements(where: str, text: LocalText) -> list[str]:
    """``text`` rendered with 0, 1 and 2 for every placeholder, where a 0 or a 1 is followed by
    a plural word (``1 membres``)."""
    wrong = []
    for number in (0, 1, 2):
        rendered = render(text, **dict.fromkeys(placeholders(text), number))
        for digit, word in NUMBER_AND_WORD.findall(rendered):
            if word.endswith(("s", "x")) and word.casefold() not in SINGULAR_ENDING_IN_S:
                wrong.append(f"{where}: {digit} {word} in {rendered!r}")
    return wrong


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


def test_french_texts_say_0_and_1_in_the_singular_as_french_does() -> None:
    texts = dict(bound_french_texts())
    purged = texts["netiquette.texts.fr.purged"]
    assert [render(purged, count=count) for count in (0, 1, 2)] == [
        "0 message supprimé.",
        "1 message supprimé.",
        "2 messages supprimés.",
    ]


def test_every_french_text_agrees_with_0_1_and_2_in_its_placeholders() -> None:
    texts = bound_french_texts()
    assert len(texts) > 300
    assert [wrong for where, text in texts for wrong in disagreements(where, text)] == []


def test_french_texts_speak_to_people_as_vous() -> None:
    assert [where for where, text in shipped_french() if TUTOIEMENT.search(text)] == []
    texts = [text for spec in command_specs(CHECKED_COGS) for text in french_help(spec)]
    # An example quotes what a member might write ("/regles_tester tu es un idiot").
    said = [
        (where, line)
        for where, text in texts
        for line in text.splitlines()
        if not line.startswith("Exemple")
    ]
    assert [where for where, line in said if TUTOIEMENT.search(line)] == []


def test_french_texts_avoid_word_for_word_translations() -> None:
    texts = shipped_french()
    texts += [text for spec in command_specs(CHECKED_COGS) for text in french_help(spec)]
    found = [
        f"{where}: « {calque} », write {instead}"
        for where, text in texts
        for calque, instead in CALQUES.items()
        if calque in text.casefold()
    ]
    assert found == []


def test_the_checks_catch_what_they_are_for() -> None:
    assert PARENTHESISED.search("vous avez été banni(e)")
    assert PARENTHESISED.search("inscrit(e)s")
    assert not PARENTHESISED.search("vous avez été banni·e (dossier 3)")
    assert ENGLISH_UNITS.search("Combien de temps : 10m, 2h, 1d")
    assert ENGLISH_UNITS.search("au plus 4w")
    assert not ENGLISH_UNITS.search("comme 10m, 2h ou 7j")
    members = LocalText("{count:one=# membre|other=# membres} · {count} nouveaux", "fr")
    assert disagreements("x", members) == [
        "x: 0 nouveaux in '0 membre · 0 nouveaux'",
        "x: 1 nouveaux in '1 membre · 1 nouveaux'",
    ]
    assert disagreements("x", LocalText("{n} concours · /tirage {n} les liste", "fr")) == []
    assert TUTOIEMENT.search("Merci de ta participation")
    assert TUTOIEMENT.search("Présente-toi")
    assert TUTOIEMENT.search("Tu peux voter")
    assert TUTOIEMENT.search("t'as vu")
    assert not TUTOIEMENT.search("Votre participation, tapez /aide, attente, tête")
