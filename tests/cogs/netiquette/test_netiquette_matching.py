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


@pytest.mark.parametrize(
    ("text", "hit"),
    [("idiots savants", False), ("idiot savants", False), ("idiot savant idiots", True)],
)
def test_each_word_of_an_unless_expression_may_be_plural(text: str, hit: bool) -> None:
    assert words_hit(["idiot"], text, unless=["idiot savant"]) is hit


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        ("ta gueule de bois ce matin", False),
        ("TA GUEULE DE BOIIIS", False),
        ("ta gueule, gueule de bois", True),  # the separator between is no one's
        ("ta gueule gueule de bois", True),
        ("gueule de bois ? ta gueule", True),
        ("idiot, avec ta gueule de bois", True),
    ],
)
def test_an_expression_listed_unless_excuses_only_the_words_it_overlaps(
    text: str, hit: bool
) -> None:
    assert words_hit(["ta gueule", "idiot"], text, unless=["gueule de bois"]) is hit


@pytest.mark.parametrize(
    "text", ["t'a gueule", "t’a gueule", "tʼa gueule", "T‘A GUEULE", "t'''a gueule"]
)
def test_an_apostrophe_in_a_listed_word_matches_any_apostrophe(text: str) -> None:
    assert words_hit(["t'a gueule"], text)
    assert words_hit(["t’a gueule"], text)


INSULTS = ["idiot", "crétin", "moron", "dumbass", "bitch", "ass", "cunt", "rapist"]
PHRASES = ["fuck you", "shut up", "ta gueule", "ferme ta gueule"]


@pytest.mark.parametrize(
    "text",
    [
        "what a m o r o n",
        "you are a b i t c h",
        "such a d u m b a s s",
        "espèce d'i d i o t",
        "l'i.d.i.o.t",
        "d' i d i o t",
        "I c r e t i n",
        "he is a i d i o t",
        "a m o r o n s",
        "a s s",
        "a 1 d 1 o t",
    ],
)
def test_a_spelled_out_word_after_a_one_letter_word_or_an_elision(text: str) -> None:
    # The run takes the lone "a", "I" or the elided "l'" in ("amoron", "lidiot"): the letter
    # is also read apart from it.
    assert words_hit(INSULTS, text)


@pytest.mark.parametrize(
    "text",
    [
        "f u c k  y o u",
        "fuckyou",
        "FUCKYOUUU",
        "s.h.u.t u.p",
        "shutup",
        "t.a.g.u.e.u.l.e",
        "tagueule",
        "ferme tagueule",
        "I s h u t u p",
        "Shut up and take my money",
    ],
)
def test_a_phrase_matches_with_its_space_lost(text: str) -> None:
    assert words_hit(PHRASES, text)


@pytest.mark.parametrize(
    "text",
    [
        "a m a z i n g",
        "I d o n t know",
        "a s s i s t a n c e",
        "a t h e r a p i s t",
        "b a s s",
        "a b a s s",
        "a b c",
        "classic",
        "assistance",
        "Scunthorpe",
        "therapist",
        "l'idiotie",
        "l'i d i o t i e",
        "l'arrosoir",
        "d'accord",
        "qu'il pleut",
        "il y a un arbre",
        "ta gueulante",
        "shut upper",
        "fuckyourself",
    ],
)
def test_reading_letters_apart_spares_innocent_texts(text: str) -> None:
    assert not words_hit(INSULTS + PHRASES, text)


def test_a_run_after_a_one_letter_word_is_read_both_ways() -> None:
    assert normalise("what a m o r o n").spellings == ("what amoron", "what a moron")
    assert normalise("l'i.d.i.o.t").variants == ("lidiot", "l'idiot")
    assert normalise("a 1 d 1 o t").spellings == ("aidiot", "aldlot", "a idiot", "a ldlot")
    assert normalise("b a s s").spellings == ("bass",)
    assert normalise("il y a un arbre").apart is None


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
