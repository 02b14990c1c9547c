"""Members' words as every cog writes them back: nothing in a name or a text can turn the bot's
line around, hide in it, or pass for empty."""

from __future__ import annotations

import pytest

from bot.ruleconf import has_words, one_line, plain_name, visible

RLO = "\u202e"
"""The right-to-left override: what follows it shows reversed."""


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain words", "plain words"),
        (f"evil{RLO} name", "evil name"),
        ("zero\u200bwidth", "zerowidth"),
        ("bell\x07 and escape\x1b[31m", "bell and escape[31m"),
        ("two\nlines\r\nhere\u2028too", "two\nlines\nhere\ntoo"),
        ("tab\there", "tab here"),
        ("farmer 👩\u200d🌾 and 👍", "farmer 👩\u200d🌾 and 👍"),  # the joiner shapes the emoji
        ("lone \u200d joiner", "lone  joiner"),
        ("\u3164\u2800", ""),  # blank stand-ins for an empty name
        ("pink \U0001fa77 goose \U0001fabf", "pink \U0001fa77 goose \U0001fabf"),  # newer emoji
        (
            "wales \U0001f3f4\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f",
            "wales \U0001f3f4\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f",
        ),
        ("hidden\U000e0041\U000e0042 tags", "hidden tags"),  # tags spelling no flag
        ("\u05e9\u05dc\u05d5\u05dd\u200e (shalom)", "\u05e9\u05dc\u05d5\u05dd\u200e (shalom)"),
    ],
)
def test_visible_keeps_what_shows_and_the_line_breaks(text: str, shown: str) -> None:
    assert visible(text) == shown


def test_one_line_and_plain_name_write_only_what_shows() -> None:
    assert one_line(f"a\n{RLO}b  c") == "a b c"
    assert one_line("x" * 10, 5) == "xxxx…"
    assert plain_name(f"{RLO}discord.gg/seeds\nline2") == "discord.\u2060gg/seeds line2"
    assert plain_name("\u200b\u3164") == ""
    assert len(plain_name("n" * 3000)) == 64


def test_words_are_letters_or_digits_one_can_see() -> None:
    assert has_words("🌱 seeds")
    assert has_words("42")
    assert not has_words("🌱🌱🌱")
    assert not has_words("\u3164\u3164")


def test_texts_kept_as_they_are_are_those_the_walk_would_not_change() -> None:
    """The shortcut for printable texts gives what reading each character gives, for every kind
    of character a member may send."""
    from random import Random

    from bot.ruleconf.plaintext import _walked

    kinds = [
        "a",
        "é",
        "ß",
        " ",
        "\u00a0",  # no-break space
        "\u3000",  # ideographic space
        "\t",
        "\n",
        "\u2028",
        "\x07",
        "\u200b",
        "\u200d",
        RLO,
        "\u200e",
        "\u3164",  # Hangul filler
        "\u2800",  # blank braille
        "\U0001f3f4",
        "\U000e0067",
        "👍",
        "\U0001fa77",
        "\ue000",  # private use
        "\U000e0001",  # language tag
        "\u0301",  # combining accent
        "ש",
    ]
    pick = Random(7)
    for _ in range(5_000):
        text = "".join(pick.choice(kinds) for _ in range(pick.randint(0, 8)))
        assert visible(text) == _walked(text), ascii(text)
