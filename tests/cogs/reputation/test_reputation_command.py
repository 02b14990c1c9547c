"""/reputation and the weekly summary: mentions per day, the shares by tone, the change against
the period before; what to do with no names; the rule book's refusals."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import ChannelRef, CommunityRef
from cogs.reputation.models import ReputationDay
from tests.cogs.reputation.newsroom import Newsroom
from tests.ruleconf.test_shipped_french import typography_mistakes
from tests.support.rulebook import edit_section, refusal_read_in_french


async def a_week_then_another(newsroom: Newsroom, clock: ManualClock) -> None:
    """Last week 2 mentions (1 positive); this week 4 (1 positive, 2 negative), 2 today."""
    await newsroom.say("alice", "Jardinier is great")
    await newsroom.say("bob", "I use Jardinier")
    clock.advance(timedelta(days=7))
    await newsroom.say("alice", "Merci Jardinier")
    await newsroom.say("bob", "Jardinier is broken")
    clock.advance(timedelta(days=5))
    await newsroom.say("chloe", "Graines Bio: arnaque")
    await newsroom.say("dave", "Graines Bio arrived")


async def test_reputation_gives_the_days_the_shares_and_the_change(
    newsroom: Newsroom, clock: ManualClock
) -> None:
    await a_week_then_another(newsroom, clock)

    answer = await newsroom.run("mod", "/reputation 7")

    assert answer.text.splitlines() == [
        "📣 Reputation — Garden, Nov 8, 2026 to Nov 14, 2026",
        "Mentions: 4 (+100% against the 7 days before)",
        "Positive 25% (-25 pts) · negative 50% (+50 pts) · neutral 25% (-25 pts)",
        "Per day:",
        "Nov 8, 2026: 0 (👍 0 · 👎 0)",
        "Nov 9, 2026: 2 (👍 1 · 👎 1)",
        "Nov 10, 2026: 0 (👍 0 · 👎 0)",
        "Nov 11, 2026: 0 (👍 0 · 👎 0)",
        "Nov 12, 2026: 0 (👍 0 · 👎 0)",
        "Nov 13, 2026: 0 (👍 0 · 👎 0)",
        "Nov 14, 2026: 2 (👍 0 · 👎 1)",
        "The period before is counted from Nov 2, 2026, when I started watching the names: the"
        " changes are against its days since.",
        "Tone from the words in reputation.yaml, and the toxicity model's hostile scores when it"
        " is on.",
    ]


async def test_reputation_in_french_from_the_first_day_counted(
    newsroom: Newsroom, clock: ManualClock, core: Jardinier, rules_dir: Path
) -> None:
    edit_section(rules_dir, "community", {"locale": "fr"})
    assert await core.reload_rules() is None
    await newsroom.say("alice", "Jardinier, bravo")

    answer = await newsroom.run("mod", "/reputation 2")

    assert answer.text.splitlines()[:6] == [
        "📣 Réputation — Garden, du 1 nov. 2026 au 2 nov. 2026",
        "Mentions\u00a0: 1",
        "Positives 100\u00a0% (—) · négatives 0\u00a0% (—) · neutres 0\u00a0% (—)",
        "Par jour\u00a0:",
        "2 nov. 2026\u00a0: 1 (👍 1 · 👎 0)",
        "Compté à partir du 2 nov. 2026, jour où j'ai commencé à suivre les noms\u00a0: il n'y a"
        " pas de chiffres des jours d'avant, ni de période précédente à comparer.",
    ]


async def test_reputation_says_how_to_watch_names_when_none_are(
    newsroom: Newsroom, core: Jardinier, rules_dir: Path
) -> None:
    edit_section(rules_dir, "reputation", {"names": []})
    assert await core.reload_rules() is None
    await newsroom.say("alice", "Jardinier is great")

    answer = await newsroom.run("mod", "/reputation")

    assert answer.text == (
        "No names are watched yet: list the organisation's names and products under names: in"
        " reputation.yaml, then /rules_reload."
    )
    assert await newsroom.days() == {}
    assert core.scheduler.pending("reputation:") == []


async def test_reputation_is_for_moderators_and_bounded(newsroom: Newsroom) -> None:
    assert (await newsroom.run("alice", "/reputation")).text == (
        "Sorry, /reputation is for moderators."
    )
    refused = await newsroom.run("mod", "/reputation 90")
    assert "days should be from 1 to 31, not 90" in refused.text


async def test_the_summary_is_posted_for_leadership_every_monday(
    newsroom: Newsroom, clock: ManualClock, core: Jardinier
) -> None:
    # The tests' first day is Monday, Nov 2, 2026, 09:00 UTC.
    await newsroom.say("alice", "Jardinier is great")
    assert [job.id for job in core.scheduler.pending("reputation:")] == [
        "reputation:summary:fake-c1"
    ]
    await newsroom.wait(timedelta(days=1))
    await newsroom.say("bob", "Jardinier is broken")

    await newsroom.wait(timedelta(days=6))

    [summary] = newsroom.texts("leadership")
    assert summary.splitlines()[:2] == [
        "📣 Reputation — Garden, Nov 2, 2026 to Nov 8, 2026",
        "Mentions: 2",
    ]
    assert summary.splitlines()[-2] == (
        "No change against the period before: it ended before I started watching the names,"
        " on Nov 2, 2026."
    )
    assert newsroom.texts("mod-log") == []


async def test_a_summary_with_nowhere_to_go_is_said_in_the_mod_log(
    newsroom: Newsroom, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolve = newsroom.platform.resolve_channel

    async def resolving(community: CommunityRef, text: str) -> ChannelRef | None:
        return None if text.lstrip("#") == "leadership" else await resolve(community, text)

    monkeypatch.setattr(newsroom.platform, "resolve_channel", resolving)
    await newsroom.say("alice", "Jardinier is great")

    await newsroom.wait(timedelta(days=7))

    assert newsroom.texts("mod-log") == [
        "⚠️ The reputation summary was not posted: there is no channel “leadership” here."
        " Create it, or set channel in reputation.yaml; /reputation shows the figures meanwhile."
    ]


async def test_an_empty_schedule_turns_the_summary_off(
    newsroom: Newsroom, core: Jardinier, rules_dir: Path
) -> None:
    await newsroom.say("alice", "Jardinier is great")
    edit_section(rules_dir, "reputation", {"summary": {"schedule": ""}})
    assert await core.reload_rules() is None

    assert core.scheduler.pending("reputation:") == []
    await newsroom.wait(timedelta(days=8))
    assert newsroom.texts("leadership") == []


async def test_names_added_late_count_from_that_day_with_nothing_before_to_compare(
    newsroom: Newsroom, clock: ManualClock, core: Jardinier, rules_dir: Path
) -> None:
    # The bot knows the community for ten days before a manager lists the names.
    edit_section(rules_dir, "reputation", {"names": []})
    assert await core.reload_rules() is None
    await newsroom.say("alice", "Jardinier is great")
    await newsroom.wait(timedelta(days=10))
    edit_section(rules_dir, "reputation", {"names": ["Jardin Bio", "Jardinier"]})
    assert await core.reload_rules() is None
    await newsroom.say("alice", "I love Jardinier, thanks")

    answer = await newsroom.run("mod", "/reputation")

    assert answer.text.splitlines() == [
        "📣 Reputation — Garden, Nov 6, 2026 to Nov 12, 2026",
        "Mentions: 1",
        "Positive 100% (—) · negative 0% (—) · neutral 0% (—)",
        "Per day:",
        "Nov 12, 2026: 1 (👍 1 · 👎 0)",
        "Counted from Nov 12, 2026, when I started watching the names: there are no figures of"
        " the days before, and no period before to compare with.",
        "Tone from the words in reputation.yaml, and the toxicity model's hostile scores when it"
        " is on.",
    ]


async def test_names_watched_again_count_from_that_day_not_from_the_first_one(
    newsroom: Newsroom, core: Jardinier, rules_dir: Path
) -> None:
    await newsroom.say("alice", "Jardinier is great")  # counted from Nov 2
    # The names are taken out of the book for ten days, then listed again.
    edit_section(rules_dir, "reputation", {"names": []})
    assert await core.reload_rules() is None
    await newsroom.say("bob", "Is Jardinier down?")
    await newsroom.wait(timedelta(days=10))
    edit_section(rules_dir, "reputation", {"names": ["Jardin Bio", "Jardinier"]})
    assert await core.reload_rules() is None
    await newsroom.say("alice", "I love Jardinier, thanks")

    answer = await newsroom.run("mod", "/reputation")

    # The days with no name watched were not counted: no zeros for them, nothing to compare.
    assert answer.text.splitlines() == [
        "📣 Reputation — Garden, Nov 6, 2026 to Nov 12, 2026",
        "Mentions: 1",
        "Positive 100% (—) · negative 0% (—) · neutral 0% (—)",
        "Per day:",
        "Nov 12, 2026: 1 (👍 1 · 👎 0)",
        "Counted from Nov 12, 2026, when I started watching the names: there are no figures of"
        " the days before, and no period before to compare with.",
        "Tone from the words in reputation.yaml, and the toxicity model's hostile scores when it"
        " is on.",
    ]


async def test_the_summaries_after_names_are_added_leave_out_the_days_not_counted(
    newsroom: Newsroom, core: Jardinier, rules_dir: Path
) -> None:
    edit_section(rules_dir, "reputation", {"names": []})
    assert await core.reload_rules() is None
    await newsroom.say("alice", "Hello")
    await newsroom.wait(timedelta(days=2))  # Wednesday, Nov 4: the names are listed
    edit_section(rules_dir, "reputation", {"names": ["Jardinier"]})
    assert await core.reload_rules() is None
    await newsroom.say("alice", "Jardinier is great")

    await newsroom.wait(timedelta(days=5))  # Monday, Nov 9: the first summary
    await newsroom.say("bob", "Jardinier is great")
    await newsroom.say("chloe", "I use Jardinier")
    await newsroom.wait(timedelta(days=7))  # Monday, Nov 16: the second one

    first, second = (text.splitlines() for text in newsroom.texts("leadership"))
    assert first[:2] == ["📣 Reputation — Garden, Nov 2, 2026 to Nov 8, 2026", "Mentions: 1"]
    assert first[3:] == [
        "Per day:",
        "Nov 4, 2026: 1 (👍 1 · 👎 0)",
        "Nov 5, 2026: 0 (👍 0 · 👎 0)",
        "Nov 6, 2026: 0 (👍 0 · 👎 0)",
        "Nov 7, 2026: 0 (👍 0 · 👎 0)",
        "Nov 8, 2026: 0 (👍 0 · 👎 0)",
        "Counted from Nov 4, 2026, when I started watching the names: there are no figures of"
        " the days before, and no period before to compare with.",
        first[-1],
    ]
    assert second[1] == "Mentions: 2 (+100% against the 7 days before)"
    assert second[-2] == (
        "The period before is counted from Nov 4, 2026, when I started watching the names: the"
        " changes are against its days since."
    )


async def test_counts_kept_before_the_first_day_was_remembered_still_show(
    newsroom: Newsroom, clock: ManualClock, core: Jardinier
) -> None:
    # A database from before the bot remembered when it started counting: its counts stand.
    community_id = await core.members.community_id(newsroom.platform.community)
    async with core.db.session() as session:
        session.add(ReputationDay(community_id=community_id, day=date(2026, 11, 2), mentions=3))
        await session.commit()
    clock.advance(timedelta(days=2))
    await newsroom.say("alice", "Jardinier is great")

    answer = await newsroom.run("mod", "/reputation 3")

    assert answer.text.splitlines()[1:7] == [
        "Mentions: 4",
        "Positive 25% (—) · negative 0% (—) · neutral 75% (—)",
        "Per day:",
        "Nov 2, 2026: 3 (👍 0 · 👎 0)",
        "Nov 3, 2026: 0 (👍 0 · 👎 0)",
        "Nov 4, 2026: 1 (👍 1 · 👎 0)",
    ]
    assert answer.text.splitlines()[7] == (
        "No change against the period before: it ended before I started watching the names,"
        " on Nov 2, 2026."
    )


@pytest.mark.parametrize(
    ("changes", "key_path", "english", "french"),
    [
        (
            {"names": ["Jardinier", ""]},
            "names[1]",
            "'' holds no letter or digit: write a word or a phrase, or remove the entry",
            "'' ne contient ni lettre ni chiffre\u00a0: écrivez un mot ou une expression, ou"
            " retirez la ligne",
        ),
        (
            {"tone_words": {"en": {"negative": ["scam", ":-\\"]}}},
            "tone_words.en.negative[1]",
            # Written as in the file: one backslash, not the two of a Python literal.
            "':-\\' holds no letter or digit: write a word or a phrase, or remove the entry",
            "':-\\' ne contient ni lettre ni chiffre\u00a0: écrivez un mot ou une expression,"
            " ou retirez la ligne",
        ),
        (
            {"alert": {"within": "0s"}},
            "alert.within",
            "within must be between 1m and 1w",
            "within doit être entre 1m et 1w",
        ),
    ],
)
def test_a_french_community_reads_the_reputation_section_s_refusals_in_french(
    rules_dir: Path, changes: dict[str, object], key_path: str, english: str, french: str
) -> None:
    error = refusal_read_in_french(rules_dir, "reputation", changes)
    assert (error.key_path, error.message) == (key_path, english)
    assert error.text("fr").endswith(f": {french}")
    assert typography_mistakes(french) == []
