"""The folding's quick paths give what the whole-text steps give, character for character."""

from __future__ import annotations

import random
import re
import sys
import unicodedata

import pytest

from cogs.netiquette import normalise
from cogs.netiquette.normalise import DECOMPOSED_BELOW, fold, visible

TRICKY = (
    "aAbBiIlLoO0134@$ .-_*·•,;:/\\|+~'\"`\t\n\x00\x1f\x7f"
    "éÉèàùçÇßẞİıſKÅΣσςͅ\u0301\u0300\u0315\u0308\u034f\u0904\u05b1\u093e\u0940"
    "\u200b\u200d\u00ad\ufeff\ufe0f\u2028\u00a0\u3000ｉＩ𝐢𝐈ⅰⅣ①ﬁﬀ㎏"
    "ᄀ가각\u1161\u11a8ᄁ한ꭰᏸ\u09be\u09c7ো\u0b47\u0b3e\u0dd9\u0dcf"
    "ǅǆ΅ΐ̈́ᾷ🌧🙏👍❤😂🇫🇷\u1d165\U0001d165\U0001d16d\U0001d15f"
)


def whole_text(text: str) -> tuple[str, str | None]:
    """The folding as the steps read, on the whole text at once, without the quick paths."""
    if text.isascii():
        text = text.lower()
    else:
        text = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text).casefold())
        text = normalise._COMBINING_MARKS.sub("", text)
        text = normalise._BEYOND_ASCII.sub(normalise._fold_run, text)
    text = (
        text.encode("utf-8", "surrogatepass")
        .translate(normalise._ASCII_TABLE)
        .decode("utf-8", "surrogatepass")
    )
    joined = normalise._SPELLED_OUT.sub(normalise._join_spelled_out, text)
    if joined == text:
        return text, None
    apart = normalise._SPELLED_OUT.sub(normalise._join_keeping_a_word_apart, text)
    return joined, None if apart == joined else apart


def tricky_texts() -> list[str]:
    pick = random.Random(20261207)
    texts = [
        "".join(pick.choice(TRICKY) for _ in range(pick.randint(1, 12))) for _ in range(60_000)
    ]
    texts += [
        "i d i o t",
        "a m o r o n",
        "l'i.d.i.o.t",
        "I c r e t i n",
        "x a b",
        "é t é",
        "ι δ ι ο τ",
        "a·b·c",
        "a•b•c 🌧",
        "🌧 a b c",
        "中·文·字",
        "a\u00a0b\u00a0c",
        "e\u0301 a b c",
        "Ｉ Ｄ Ｉ Ｏ Ｔ",
        "il y a un arbre",
        "a b",
        "ab c d",
        "ｄｉｓｃｏｒｄ．ｇｇ/Ａｂ",
        "disc\u00adord.gg",
    ]
    return texts


def test_folding_character_by_character_is_folding_the_whole_text() -> None:
    for text in tricky_texts():
        assert normalise._fold(text) == whole_text(text), ascii(text)


def visible_whole(text: str) -> str:
    """What a reader sees, the compatibility forms read on the whole text at once."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(character for character in text if unicodedata.category(character) != "Cf")


def test_what_shows_character_by_character_is_what_the_whole_text_shows() -> None:
    for text in tricky_texts():
        assert visible(text) == visible_whole(text), ascii(text)


def test_a_spelled_out_run_is_found_in_an_ascii_text() -> None:
    assert fold("so i d i o t!") == "so idiot!"
    assert fold("xy a b c") == "xy abc"
    assert fold("a b") == "a b"
    assert fold("un a b arbre") == "un a b arbre"


def test_no_character_beyond_the_bound_has_a_decomposition() -> None:
    assert not any(
        unicodedata.decomposition(chr(code))
        for code in range(DECOMPOSED_BELOW, sys.maxunicode + 1)
    )


def test_the_run_shape_is_linear() -> None:
    shape = b"a " + b" " * 200_000 + b"#"
    assert normalise._RUN_SHAPE.search(shape) is None
    assert re.fullmatch(rb"[a #]*", shape)


def test_a_text_of_every_character_fills_no_table_past_its_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Characters are kept worked out up to a bound: a message of every code point, sent to
    fill the bot's memory, is read the same and leaves the tables no larger."""
    tables = (normalise._BEYOND_TABLE, normalise._INVISIBLE, normalise._QUICK_FOLD)
    tables += (normalise._QUICK_VISIBLE,)
    for table in tables:
        table.clear()  # a cache: it fills again as texts are read
    monkeypatch.setattr(normalise, "TABLE_LIMIT", 40)
    flood = "".join(chr(code) for code in range(0x400, 0x600))  # Cyrillic, Armenian, Hebrew
    for text in (flood, flood, *tricky_texts()):
        assert normalise._fold(text) == whole_text(text), ascii(text)
        assert visible(text) == visible_whole(text), ascii(text)
    assert all(len(table) <= 40 for table in tables)
    assert max(len(table) for table in tables) == 40
