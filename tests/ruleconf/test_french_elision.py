"""French texts elide before a vowel: « Dossiers d'Alice », never « Dossiers de Alice »."""

from __future__ import annotations

import pytest

from bot.ruleconf import render
from bot.ruleconf.plurals import LocalText


def french(template: str, **values: object) -> str:
    return render(LocalText(template, "fr"), **values)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Alice", "Dossiers d'Alice"),
        ("Émilie", "Dossiers d'Émilie"),
        ("ulysse", "Dossiers d'ulysse"),
        ("Yves", "Dossiers d'Yves"),
        ("Bob", "Dossiers de Bob"),
        # y before a vowel is a consonant; h may be aspirated: both are left as written.
        ("Yann", "Dossiers de Yann"),
        ("Hugo", "Dossiers de Hugo"),
        # A sign first (a handle, a channel, a Discord mention) reads as it is written.
        ("@alice", "Dossiers de @alice"),
        ("<@1234>", "Dossiers de <@1234>"),
    ],
)
def test_de_elides_before_a_name_that_starts_with_a_vowel(name: str, expected: str) -> None:
    assert french("Dossiers de {member}", member=name) == expected


def test_que_and_its_compounds_elide_and_capitals_are_kept() -> None:
    assert french("Plus ancien que {member}", member="Anna") == "Plus ancien qu'Anna"
    assert french("Attendez jusque {when}", when="avril") == "Attendez jusqu'avril"
    assert french("De {member} : merci", member="Inès") == "D'Inès : merci"
    assert french("(de {member})", member="Oscar") == "(d'Oscar)"


def test_only_the_word_right_before_the_placeholder_elides() -> None:
    # « le » and « la » introduce dates and numbers, which never elide; « monde » is not « de ».
    assert french("ouvre le {when}", when="1er avril") == "ouvre le 1er avril"
    assert french("le monde {member}", member="Alice") == "le monde Alice"
    assert french("de  {member}", member="Alice") == "de  Alice"
    assert french("Nombre de {count:one=# ami|other=# amis}", count=8) == "Nombre de 8 amis"
    assert french("Il y a {count:one=# an|other=# ans} de {what}", count=1, what="attente") == (
        "Il y a 1 an d'attente"
    )


def test_other_languages_never_elide() -> None:
    assert render(LocalText("Cases de {member}", "en"), member="Alice") == "Cases de Alice"
    assert render("Cases de {member}", member="Alice") == "Cases de Alice"


def test_french_of_canada_elides_too() -> None:
    assert render(LocalText("Dossiers de {member}", "fr-CA"), member="Alice") == (
        "Dossiers d'Alice"
    )
