"""Folding chat text as the thanks finders read it, checked against its definition."""

from __future__ import annotations

import random
import re
import sys
import unicodedata

from bot.wholewords import WholeWords, ascii_letters, folded, words


def reference_folded(text: str) -> str:
    """Folding as defined: case-folded, decomposed, without the combining marks."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def test_folding_reads_only_the_characters_beyond_ascii_and_agrees_with_its_definition() -> None:
    pick = random.Random(7)
    alphabet = [*"aZ ty.,!-_1\u0301\u0327", "ß", "ẞ", "İ", "Σ", "K", "ﬀ", "Ｍ", "🙏", "№", "ᴬ"]
    alphabet += ["é", "É", "ç", "спасибо", "MERCI", "e\u0301"]
    for _ in range(20_000):
        text = "".join(pick.choice(alphabet) for _ in range(pick.randint(0, 10)))
        assert folded(text) == reference_folded(text), text
        assert words(text) == re.findall(r"\w+", reference_folded(text)), text
        plain = reference_folded(text).encode("ascii", "ignore").decode().lower()
        assert ascii_letters(text) == plain, text


def test_decomposing_alone_tells_what_folding_leaves_in_ascii_for_every_character() -> None:
    # What lets most messages skip the folding: checked for every character there is.
    for code in range(0x80, sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        expected = reference_folded(char).encode("ascii", "ignore").decode().lower()
        assert ascii_letters(char) == expected, hex(code)


def test_the_same_phrases_give_one_finder_that_answers_again_what_it_found() -> None:
    first = WholeWords.of_phrases(["merci", "Thank you", "thx"])
    assert WholeWords.of_phrases(["THX", "thank  you", "Mérci"]) is first
    assert WholeWords.of_phrases(["merci"]) is not first
    texts = ["Merci !", "mercis", "thank-you", "thanks", "Thank you!", "ok thx", "", "É thx"]
    for text in [*texts, *reversed(texts), *texts]:
        expected = any(re.search(pattern, folded(text)) for pattern in THANKS_PATTERNS)
        assert first.found(text) is expected, text
        assert first.found(text) is expected, text  # asked again about the same message
        assert first.found("".join(text)) is expected, text  # equal, not the same string


THANKS_PATTERNS = (r"(?<!\w)merci(?!\w)", r"(?<!\w)thank\W+you(?!\w)", r"(?<!\w)thx(?!\w)")
