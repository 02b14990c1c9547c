"""The local date of an instant, worked out once per day, and thanks phrases in any writing."""

from __future__ import annotations

import random
import re
import unicodedata
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cogloader import section_models
from bot.localdays import LocalDays
from bot.ruleconf import load_rule_book
from bot.wholewords import folded
from cogs.contributors.config import ContributorsConfig
from cogs.contributors.thanks import ThanksDetector
from cogs.reports.config import ReportsConfig
from cogs.reports.moods import ReactionMoods
from cogs.reports.thanks import ThanksWords

ZONES = [
    "UTC",
    "Europe/Paris",  # daylight saving time at 02:00 / 03:00
    "America/Santiago",  # at midnight: a local day begins at 01:00, another has two midnights
    "Asia/Kolkata",  # +05:30: the date changes in the middle of a UTC hour
    "Australia/Lord_Howe",  # a half-hour daylight saving time
    "Pacific/Chatham",  # +12:45 / +13:45
]


@pytest.mark.parametrize("name", ZONES)
def test_every_instant_gets_its_local_date_in_order_or_not(name: str) -> None:
    zone = ZoneInfo(name)
    days = LocalDays(zone)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    instants = [start + timedelta(minutes=7 * n) for n in range(366 * 24 * 60 // 7)]
    for at in instants:
        assert days.of(at) == at.astimezone(zone).date(), at
    pick = random.Random(3)
    for at in pick.sample(instants, 20_000):
        assert days.of(at) == at.astimezone(zone).date(), at


class LateJump(tzinfo):
    """UTC, then an hour ahead from 23:30 on 28 March: local midnight falls in the gap, and the
    day before ends at 23:30."""

    JUMP = datetime(2026, 3, 28, 23, 30)  # noqa: DTZ001 - a zone reads local wall-clock times
    HOUR = timedelta(hours=1)

    def utcoffset(self, dt: datetime | None) -> timedelta:
        assert dt is not None
        local = dt.replace(tzinfo=None)
        if local < self.JUMP or (local < self.JUMP + self.HOUR and not dt.fold):
            return timedelta(0)
        return self.HOUR

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return "LATE"

    def fromutc(self, dt: datetime) -> datetime:
        if dt.replace(tzinfo=None) < self.JUMP:
            return dt
        return dt + self.HOUR


def test_a_day_whose_offset_changes_is_worked_out_instant_by_instant() -> None:
    zone = LateJump()
    days = LocalDays(zone)
    start = datetime(2026, 3, 27, tzinfo=UTC)
    for minutes in range(0, 4 * 24 * 60, 5):
        at = start + timedelta(minutes=minutes)
        assert days.of(at) == at.astimezone(zone).date(), at


def test_one_date_object_per_day() -> None:
    days = LocalDays(ZoneInfo("Europe/Paris"))
    morning = datetime(2026, 11, 2, 8, tzinfo=UTC)
    assert days.of(morning) is days.of(morning + timedelta(hours=10))


def reference_folded(text: str) -> str:
    """Folding as defined: case-folded, decomposed, without the combining marks."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def test_thanks_phrases_are_found_whole_as_the_folded_text_holds_their_words() -> None:
    pick = random.Random(5)
    alphabet = [*"aZ ty.,!-_1\u0301\u0327", "ß", "ẞ", "İ", "K", "ﬀ", "Ｍ", "🙏", "ᴬ", "é"]
    alphabet += ["merci", "MÉRCI", "thank", "you", "Thx", "спасибо", "ss", "je", "te", "remercie"]
    lists = [
        ["merci", "thanks", "thank you", "thx", "ty", "je te remercie"],
        ["спасибо", "ß"],
        ["\u0301"],
        [],
    ]
    for phrases in lists:
        found = ThanksWords(phrases)
        # Each phrase is its words, whole, with anything that is no word between them.
        read = [re.findall(r"\w+", reference_folded(phrase)) for phrase in phrases]
        alternatives = [r"\W+".join(map(re.escape, each)) for each in read if each]
        pattern = re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)")
        for _ in range(5_000):
            text = "".join(pick.choice(alphabet) for _ in range(pick.randint(0, 8)))
            assert folded(text) == reference_folded(text), text
            expected = bool(alternatives) and bool(pattern.search(reference_folded(text)))
            assert found.found(text) == expected, text


@pytest.mark.parametrize(
    ("text", "thanks"),
    [
        ("Je te remercie pour les graines", True),
        ("je  te\u00a0remercie !", True),
        ("Thank-you all", True),
        ("MERCI BEAUCOUP", True),
        ("mercis", False),
        ("", False),
        ("!!!", False),
    ],
)
def test_the_shipped_thanks_lists_agree_and_match_alike(
    rules_dir: Path, text: str, thanks: bool
) -> None:
    """What earns a thanks in /profile is a thanks in the report: the same phrases, matched the
    same way (whole words, any case and accents, whatever separates a phrase's words)."""
    book = load_rule_book(rules_dir, section_models())
    reports = book.sections["reports"]
    contributors = book.sections["contributors"]
    assert isinstance(reports, ReportsConfig)
    assert isinstance(contributors, ContributorsConfig)
    assert reports.thanks_words == contributors.thanks_words
    assert ThanksWords(reports.thanks_words).found(text) is thanks
    assert ThanksDetector(contributors.thanks_words).thanks(text) is thanks


@pytest.mark.parametrize(
    ("emoji", "mood"),
    [
        ("👍", 1),
        ("👍🏽", 1),  # a skin tone is the same emoji
        ("❤️", 1),  # as Discord sends it
        ("❤", 1),  # as Telegram sends it
        ("<:bravo:1234>", 1),  # a Discord custom emoji, by its name
        ("<a:bravo:1234>", 1),  # animated
        ("custom:5368324170671202286", -1),  # a Telegram custom emoji, by its id
        ("👎", -1),
        ("🤮", -1),
        ("🤔", 0),  # listed nowhere: neither
        ("<:meh:99>", 0),
    ],
)
def test_a_reactions_mood_is_read_from_the_two_lists(emoji: str, mood: int) -> None:
    moods = ReactionMoods(["👍", "❤️", ":bravo:"], ["👎", "🤮", "custom:5368324170671202286"])
    assert moods.of(emoji) == mood


def test_the_shipped_lists_read_telegrams_fixed_reactions(rules_dir: Path) -> None:
    """Telegram's reactions are a fixed set: its thumbs, hearts and angry faces have a mood."""
    shipped = load_rule_book(rules_dir, section_models()).section("reports", None)
    assert isinstance(shipped, ReportsConfig)
    satisfaction = shipped.satisfaction
    moods = ReactionMoods(satisfaction.positive_reactions, satisfaction.negative_reactions)
    positive = ("👍", "❤", "🥰", "👏", "🎉", "🙏", "❤\u200d🔥")
    assert [moods.of(emoji) for emoji in positive] == [1] * 7
    assert [moods.of(emoji) for emoji in ("👎", "🤬", "🤮", "💩", "🖕", "😡")] == [-1] * 6
    assert [moods.of(emoji) for emoji in ("🤔", "😢", "🤯", "😱")] == [0] * 4
