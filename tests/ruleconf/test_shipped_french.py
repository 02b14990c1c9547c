"""The shipped French: one inclusive form (the middle dot), the units the bot reads in French,
agreement with the numbers texts hold, the reader addressed as « vous », and French typography.

French puts a space before : ; ! ? and inside « », and a line must never break there (a ? alone
at the start of a line). The shipped texts write a no-break space (U+00A0) in these places, the
one Babel writes between a number and its unit (« 2 jours », « 50 % »), which every font
has: not the narrow one (U+202F), which some fonts of Discord and Telegram clients lack.

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

from bot.adapters.discord.outgoing import split_text
from bot.adapters.telegram.formatting import render_html
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
NBSP = "\u00a0"
SPACE_BEFORE_PUNCTUATION = re.compile(r"[^\u00a0]([:;!?])(?=\s|$|[\"'»)\]])")
"""``Merci !`` or ``Merci!``, where French writes ``Merci\u00a0!`` (not ``https://``, ``18:00``,
``{count:one=…}``)."""
GUILLEMETS = re.compile(r"«(?!\u00a0)|(?<!\u00a0)»")
"""``« texte »``, where French writes ``«\u00a0texte\u00a0»``."""
UNIT_OR_NUMERO = re.compile(
    r"[\d}] (?:secondes?|minutes?|heures?|jours?|semaines?|Mo)\b|n°(?!\u00a0)"
)
"""``48 heures``, ``n°3``, where French (and Babel) write ``48\u00a0heures``, ``n°\u00a03``."""
OTHER_SPACES = re.compile(r"[\u2009\u202f]")
"""The thin and narrow no-break spaces: the shipped texts make one choice, U+00A0."""


def typography_mistakes(text: str) -> list[str]:
    """Where ``text`` breaks French typography as the shipped texts write it."""
    found = []
    for pattern in (SPACE_BEFORE_PUNCTUATION, GUILLEMETS, UNIT_OR_NUMERO, OTHER_SPACES):
        found += [text[max(0, m.start() - 12) : m.end() + 2] for m in pattern.finditer(text)]
    return found


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


def test_french_texts_keep_no_break_spaces_where_french_puts_a_space() -> None:
    texts = shipped_french()
    texts += [text for spec in command_specs(CHECKED_COGS) for text in french_help(spec)]
    assert [
        (where, typography_mistakes(text)) for where, text in texts if typography_mistakes(text)
    ] == []
    assert sum(NBSP in text for _, text in texts) > 200


def test_no_break_spaces_survive_each_platforms_formatting() -> None:
    texts = dict(bound_french_texts())
    said = render(texts["netiquette.texts.fr.test_header"], text="<b>Merci</b>")
    assert said == f"Règles pour «{NBSP}<b>Merci</b>{NBSP}»{NBSP}:"
    # Telegram: escaped as HTML, where a no-break space is a character like any other.
    assert render_html(said) == [f"Règles pour «{NBSP}&lt;b&gt;Merci&lt;/b&gt;{NBSP}»{NBSP}:"]
    # A long text is cut at a line or a plain space, never at a no-break space.
    long = " ".join(["Bienvenue" + NBSP + "!"] * 500)
    for pieces in (split_text(long), render_html(long)):
        assert len(pieces) > 1
        assert all(piece.startswith("Bienvenue") for piece in pieces)
        assert all(piece.rstrip().endswith(NBSP + "!") for piece in pieces)


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
    assert len(typography_mistakes("Merci ! Ça va ? Règles : ici ; là")) == 4
    for wrong in ("Merci!", "« ici »", "48 heures", "n°3", "3\u202f000", "Voir\u2009:"):
        assert typography_mistakes(wrong), wrong
    good = f"Merci{NBSP}! «{NBSP}ici{NBSP}» 48{NBSP}heures, n°{NBSP}3{NBSP}; https://t.me 18:00"
    assert typography_mistakes(good + " {count:one=# x|other=# xs}") == []
