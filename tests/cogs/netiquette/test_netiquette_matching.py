"""The normaliser and the word and pattern triggers, on their own."""

from __future__ import annotations

import pytest

from cogs.netiquette.activity import Activity
from cogs.netiquette.normalise import fold, normalise
from cogs.netiquette.regexes import compile_pattern
from cogs.netiquette.subject import Subject, Verdicts
from cogs.netiquette.triggers import Evidence
from cogs.netiquette.triggers.match_regex import TRIGGER as MATCH_REGEX
from cogs.netiquette.triggers.match_regex import MatchRegexConfig
from cogs.netiquette.triggers.match_words import TRIGGER as MATCH_WORDS
from cogs.netiquette.triggers.match_words import MatchWordsConfig
from cogs.netiquette.why import Why
from tests.conftest import START
from tests.support.fake_platform import FakePlatform

EVIDENCE = Evidence(activity=Activity(), verdicts=Verdicts())


def subject(text: str) -> Subject:
    return Subject("message", FakePlatform().member("alice"), START, text=text)


def words_hit(words: list[str], text: str, **options: object) -> bool:
    config = MatchWordsConfig.model_validate({"words": words, **options})
    return MATCH_WORDS.check(config, subject(text), EVIDENCE).matched


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("IDIOT", "idiot"),
        ("ｉｄｉｏｔ", "idiot"),
        ("𝐢𝐝𝐢𝐨𝐭", "idiot"),
        ("іdіоt", "idiot"),  # Cyrillic і and о
        ("ιdιοt", "idiot"),  # Greek iota and omicron
        ("i\u200bd\u200ci\u200do\u2060t\ufeff", "idiot"),
        ("i̸̢̛d̴̨̛i̵o̶͎t̷̢", "idiot"),  # zalgo
        ("i d i o t", "idiot"),
        ("i.d.i.o.t", "idiot"),
        ("i-d-i-o-t", "idiot"),
        ("cr3t1n", "cretin"),
        ("@$$", "ass"),
        ("Crétin", "cretin"),
        ("a b", "a b"),  # two letters are not a spelled-out word
        ("il y a un arbre", "il y a un arbre"),
    ],
)
def test_fold_undoes_evasions(text: str, folded: str) -> None:
    assert fold(text).replace("1", "i") == folded


def test_one_reads_as_i_and_as_l_and_repeats_are_squeezed() -> None:
    assert normalise("1oser").variants == ("ioser", "loser")
    assert normalise("idiiiiot").variants == ("idiiiiot", "idiot", "idiiot")
    assert normalise("hello").variants == ("hello",)


@pytest.mark.parametrize(
    "text",
    [
        "idiot",
        "IDIOT",
        "1d10t",
        "i d i o t",
        "i.d.i.o.t",
        "іdiot",
        "ｉｄｉｏｔ",
        "idiiiiot",
        "i\u200bdiot",
        "crét1n",
        "what an idiot!",
        "«idiot»",
        "iddiot",
    ],
)
def test_listed_words_match_their_evasions(text: str) -> None:
    assert words_hit(["idiot", "crétin"], text)


@pytest.mark.parametrize(
    "text", ["idiotic", "assistance", "classic", "Scunthorpe", "cocktail", "analyse", "as", "bass"]
)
def test_whole_words_spare_longer_words(text: str) -> None:
    assert not words_hit(["idiot", "ass", "cunt", "cock", "anal"], text)


@pytest.mark.parametrize(
    "text", ["you are all idiots", "bande de crétins", "IDIOTS", "quelles idiotes", "1d10ts"]
)
def test_a_listed_word_matches_its_plural(text: str) -> None:
    assert words_hit(["idiot", "crétin"], text)
    assert words_hit(["bitch"], "bitches")
    assert words_hit(["boyau"], "boyaux")


def test_substring_matching_on_request_and_normalisation_off() -> None:
    assert words_hit(["ass"], "classic", substring=True)
    assert not words_hit(["idiot"], "1d10t", normalise=False)
    assert words_hit(["idiot"], "IDIOT", normalise=False)


def test_phrases_match_across_separators() -> None:
    assert words_hit(["ta gueule"], "Ferme TA   GUEULE !")
    assert not words_hit(["ta gueule"], "ta gueulante")


def test_patterns_are_combined_and_the_matching_one_is_named() -> None:
    config = MatchRegexConfig.model_validate({"patterns": [r"(\d+) euros", r"free (money|cash)"]})
    result = MATCH_REGEX.check(config, subject("FREE CA$H now"), EVIDENCE)
    assert result.matched
    assert result.why == Why("pattern_hit", {"pattern": "free (money|cash)"})
    assert not MATCH_REGEX.check(config, subject("hello"), EVIDENCE).matched


def test_hostile_input_stays_linear() -> None:
    # Not a timing assertion (see bench/netiquette_redos.py): these complete at all, and right.
    zalgo = "i̸̢̛d̴̨̛i̵o̶͎t̷̢ " * 5_000
    assert words_hit(["idiot"], zalgo)
    spaced = "a " * 25_000 + "ab"
    assert not words_hit(["idiot"], spaced)
    controls = "\x00\x01idiot\x7f" * 2_000
    assert words_hit(["idiot"], controls)
    config = MatchRegexConfig.model_validate({"patterns": ["(a+)+$"]})
    assert not MATCH_REGEX.check(config, subject("a" * 50_000 + "!"), EVIDENCE).matched


@pytest.mark.parametrize(
    "text",
    ["", "hello", "idiot", "quel crétin", "IDIOT", "un idiot!", "i\ud800diot", "😀 idiot 😀"],
)
def test_a_program_finds_what_the_library_finds(text: str) -> None:
    # Program.search asks re2 directly whether anything matches; a match, or a text the
    # direct way cannot take (a lone surrogate), goes through the library's own search.
    program = compile_pattern(r"(?:^|[^\pL\pN])(idiot|cr[ée]tin)(?:[^\pL\pN]|$)")
    try:
        expected = program.compiled.search(text)
    except UnicodeEncodeError:
        with pytest.raises(UnicodeEncodeError):
            program.search(text)
        return
    found = program.search(text)
    assert (found is None) == (expected is None)
    if found is not None:
        assert found.group(1) == expected.group(1)
        assert found.span() == expected.span()
