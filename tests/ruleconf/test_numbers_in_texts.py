"""Numbers in texts are written the way the text's language writes them."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel

from bot.ruleconf import Placeholders, TextsByLocale, percent_text, render


class Scored(BaseModel):
    score: Annotated[str, Placeholders("member", "points", "case")]


class Section(BaseModel):
    texts: TextsByLocale[Scored]


SECTION = Section.model_validate(
    {
        "texts": {
            "en": {"score": "Case {case}: {member} has {points:one=# point|other=# points}"},
            "fr": {"score": "Dossier {case} : {member} a {points:one=# point|other=# points}"},
            "xx-YY": {"score": "{case} {member} {points}"},
        }
    }
)


@pytest.mark.parametrize(
    ("locale", "points", "expected"),
    [
        ("en", 12.5, "Case 1234: ana has 12.5 points"),
        ("fr", 12.5, "Dossier 1234 : ana a 12,5 points"),
        # A whole float reads as the whole number, and takes its plural form.
        ("en", 1.0, "Case 1234: ana has 1 point"),
        # French puts 1.5 in the singular (CLDR: i = 0 or 1), as it is written.
        ("fr", 1.5, "Dossier 1234 : ana a 1,5 point"),
        ("en", 2 / 3, "Case 1234: ana has 0.67 points"),
        # Thousands grouped the language's way; an int (an id, a count) is left as typed.
        ("fr", 12345.5, "Dossier 1234 : ana a 12\u202f345,5 points"),
        ("en", 3, "Case 1234: ana has 3 points"),
    ],
)
def test_a_fraction_is_written_as_the_language_writes_it(
    locale: str, points: float, expected: str
) -> None:
    assert render(SECTION.texts[locale].score, member="ana", points=points, case=1234) == expected


def test_an_unknown_language_or_a_plain_string_reads_as_english() -> None:
    assert render(SECTION.texts["xx-YY"].score, member="ana", points=0.25, case=7) == "7 ana 0.25"
    assert render("{points}", points=0.5) == "0.5"


@pytest.mark.parametrize(
    ("locale", "share", "digits", "signed", "expected"),
    [
        ("en", 0.5, 0, False, "50%"),
        ("fr", 0.5, 0, False, "50\xa0%"),
        ("fr", 0.1234, 1, False, "12,3\xa0%"),
        ("en", 0.75, 0, True, "+75%"),
        ("fr", -0.03, 0, True, "-3\xa0%"),
        ("en", 0.001, 0, True, "±0%"),
        ("en", -0.001, 0, True, "±0%"),
        ("de", 0.333, 0, False, "33\xa0%"),
    ],
)
def test_shares_are_written_as_percentages_of_the_language(
    locale: str, share: float, digits: int, signed: bool, expected: str
) -> None:
    assert percent_text(share, locale, digits=digits, signed=signed) == expected
