"""Reasons written once are said again the same: per texts, per values, to the bit."""

from __future__ import annotations

from datetime import timedelta

from bot.durations import SpokenDuration
from bot.ruleconf.numbers import Percent
from bot.ruleconf.templates import render_named
from cogs.netiquette.why import Why, written
from tests.cogs.netiquette.test_netiquette_why import shipped_why

REASONS = [
    Why("word_hit", {"word": "idiot"}),
    Why("flood_hit", {"count": 6, "within": SpokenDuration(timedelta(seconds=10))}),
    Why("duplicates_hit", {"count": 3, "within": SpokenDuration(timedelta(minutes=2))}),
    Why("caps_hit", {"share": Percent(0.8)}),
    Why("mentions_hit", {"count": 6}),
]


def test_a_reason_written_again_reads_as_it_did_in_each_language() -> None:
    for locale in ("en", "fr"):
        texts = shipped_why(locale)
        for why in REASONS:
            first = written(why, texts)
            assert first == render_named(texts, why.key, why.values)
            assert written(why, texts) == first


def test_values_equal_but_written_apart_are_not_mixed_up() -> None:
    texts = shipped_why("en")
    assert written(Why("mentions_hit", {"count": 6}), texts) != written(
        Why("mentions_hit", {"count": 6.5}), texts
    )
    for count in (1, 1.0, True, "1", 0.0, -0.0, Percent(0.0)):
        why = Why("flood_hit", {"count": count, "within": "10 s"})
        written(why, texts)
    for count in (1, 1.0, True, "1", 0.0, -0.0, Percent(0.0)):
        why = Why("flood_hit", {"count": count, "within": "10 s"})
        assert written(why, texts) == render_named(texts, why.key, why.values)


def test_the_same_reason_in_two_languages_is_written_in_each() -> None:
    why = REASONS[1]
    english, french = written(why, shipped_why("en")), written(why, shipped_why("fr"))
    assert "10 seconds" in english
    assert "10\u00a0secondes" in french
