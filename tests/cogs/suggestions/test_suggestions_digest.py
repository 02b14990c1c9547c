"""The digest: where it went (or did not), the comments it quotes, and members' words as typed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from bot.events import ChannelRef, CommunityRef
from tests.cogs.suggestions.board import Board
from tests.support.rulebook import edit_section

NNBSP = "\N{NARROW NO-BREAK SPACE}"
"""What CLDR puts between an English hour and its AM or PM."""
ARRIVED = (
    "Counted from Nov 2, 2026, when I arrived: there are no suggestions from the days before."
)
"""The last line of a digest of days before the bot came (on the tests' first day)."""


def without_channel(board: Board, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """The community has no channel called ``name`` (every other one exists)."""
    resolve = board.platform.resolve_channel

    async def resolving(community: CommunityRef, text: str) -> ChannelRef | None:
        return None if text.lstrip("#") == name else await resolve(community, text)

    monkeypatch.setattr(board.platform, "resolve_channel", resolving)


def french(board: Board, rules_dir: Path) -> None:
    community = rules_dir / "community.yaml"
    community.write_text(community.read_text().replace("locale: en", "locale: fr"))


async def test_digest_posted_for_leadership_is_only_confirmed_to_the_moderator(
    board: Board,
) -> None:
    await board.run("alice", "/suggest A monthly seed swap in the library")
    await board.run("bob", "/suggest Workshops on composting for beginners")

    answer = await board.run("mod", "/digest")

    # On Telegram a moderator's answer is seen by the whole group: it must not hold the digest.
    assert answer.text == (
        "The suggestions digest (2 suggestions) is posted in #leadership, with its Markdown file."
    )
    assert answer.details["file"] is None
    [posted] = board.sent("leadership")
    assert "1. #1 A monthly seed swap in the library" in posted.text
    assert posted.details["file"] is not None
    assert not board.dms("mod")


async def test_digest_tells_the_moderator_when_leadership_has_no_channel(
    board: Board, monkeypatch: pytest.MonkeyPatch
) -> None:
    await board.run("alice", "/suggest A monthly seed swap in the library")
    without_channel(board, monkeypatch, "leadership")

    answer = await board.run("mod", "/digest")

    assert answer.text.splitlines() == [
        "⚠️ This digest was NOT posted for leadership: there is no channel “leadership” here."
        " Create it, or set digest.channel in suggestions.yaml.",
        "I sent it to you in a private message instead.",
    ]
    assert answer.details["file"] is None
    assert not board.sent("leadership")
    [digest] = [action for action in board.done("dm") if action.target.name == "mod"]
    assert "Top suggestions by votes" in digest.text.splitlines()
    assert digest.details["file"].suffix == ".md"
    assert not digest.details["file"].exists()  # members' names and texts are not kept


async def test_a_digest_with_no_channel_set_goes_to_the_moderator_alone(
    board: Board, rules_dir: Path
) -> None:
    edit_section(rules_dir, "suggestions", {"digest": {"channel": None}})
    assert await board.core.reload_rules() is None
    await board.run("alice", "/suggest A monthly seed swap in the library")

    answer = await board.run("mod", "/digest")

    assert answer.text.splitlines() == [
        "This digest is not posted for leadership: no channel is set for it"
        " (digest.channel in suggestions.yaml).",
        "I sent it to you in a private message instead.",
    ]
    [digest] = board.dms("mod")
    assert "1. #1 A monthly seed swap in the library — 👍 0 · 👎 0 — open (by alice)" in digest
    assert not board.sent("leadership")


async def test_a_digest_the_moderator_cannot_receive_privately_is_not_shown_in_the_channel(
    board: Board, monkeypatch: pytest.MonkeyPatch
) -> None:
    await board.run("alice", "/suggest A monthly seed swap in the library")
    without_channel(board, monkeypatch, "leadership")
    board.platform.refuse["dm"] = ("no_direct_messages", {"target": "mod"})
    board.clear()

    answer = await board.run("mod", "/digest")

    assert answer.text.splitlines()[1] == (
        "I could not send it to you privately either. Allow direct messages from this community"
        " (on Telegram, start a chat with me first), then run /digest again."
    )
    assert not any("seed swap" in text for text in board.texts())
    assert answer.details["file"] is None


async def test_a_weekly_digest_with_nowhere_to_go_is_reported_in_the_mod_log(
    board: Board, monkeypatch: pytest.MonkeyPatch, rules_dir: Path
) -> None:
    french(board, rules_dir)
    assert await board.core.reload_rules() is None
    await board.run("alice", "/suggerer Un troc de graines chaque mois")
    without_channel(board, monkeypatch, "leadership")
    board.clear()

    await board.wait(timedelta(days=7))

    assert not board.sent("leadership")
    assert board.texts("mod-log") == [
        "⚠️ La synthèse hebdomadaire des suggestions n'a pas été publiée\u00a0: il n'y a pas de"
        " salon «\u00a0leadership\u00a0» ici. Créez-le, ou changez digest.channel dans"
        " suggestions.yaml\u00a0; /synthese l'affiche en attendant."
    ]


async def test_a_status_without_a_comment_keeps_the_comment_given_before(board: Board) -> None:
    await board.run("alice", "/suggest A monthly seed swap in the library")
    await board.run("mod", "/suggestion 1 planned We start in March at the library")
    await board.run("mod", "/suggestion 1 done")

    digest = await board.digest()

    lines = digest.text.splitlines()
    feedback = lines[lines.index("Notable feedback") + 1]
    assert (
        feedback
        == "- #1 A monthly seed swap in the library — done: We start in March at the library"
    )
    exported = await board.core.cogs["suggestions"].export_member_data(
        board.platform.community, board.member("alice").user
    )
    [mine] = exported["suggestions"]["suggestions"]
    assert (mine["status"], mine["comment"]) == ("done", "We start in March at the library")


async def test_a_comment_of_an_earlier_period_is_not_this_periods_feedback(board: Board) -> None:
    await board.run("alice", "/suggest A monthly seed swap in the library")
    await board.run("mod", "/suggestion 1 planned We start in March at the library")
    await board.wait(timedelta(days=8))
    await board.run("mod", "/suggestion 1 done")

    digest = await board.digest()

    lines = digest.text.splitlines()
    assert lines[lines.index("Notable feedback") + 1] == "None."
    assert "1. #1 A monthly seed swap in the library — 👍 0 · 👎 0 — done (by alice)" in lines


async def test_the_digest_writes_names_texts_and_comments_as_typed(board: Board) -> None:
    board.member("discord.gg/freeseeds")
    await board.run(
        "discord.gg/freeseeds",
        "/suggest Add **more** benches [here](http://evil.example) <b>now</b>\u202e",
    )
    await board.run("mod", "/suggestion 1 accepted Sure_thing `soon` \u202ereversed")
    files = board.read_files()

    digest = await board.digest()

    # The message is plain text, as every platform shows it: the words as typed, no escapes.
    line = next(line for line in digest.text.splitlines() if line.startswith("1. "))
    assert line == (
        "1. #1 Add **more** benches [here](http://evil.example) <b>now</b>"
        " — 👍 0 · 👎 0 — accepted (by discord.\u2060gg/freeseeds)"
    )
    assert "— accepted: Sure_thing `soon` reversed" in digest.text
    assert "\u202e" not in digest.text
    # The Markdown file escapes them, so that it shows them as typed too.
    written = files[digest.details["file"].name]
    assert (
        r"1. \#1 Add \*\*more\*\* benches \[here\]\(http://evil.example\) \<b\>now\</b\>"
        " — 👍 0 · 👎 0 — accepted \\(by discord.\u2060gg/freeseeds\\)"
    ) in written.splitlines()
    assert r"— accepted: Sure\_thing \`soon\` reversed" in written
    assert "\u202e" not in written


async def test_the_digest_reads_as_plain_text_and_its_file_as_markdown(board: Board) -> None:
    await board.run("alice", "/suggest A monthly seed swap in the library")
    files = board.read_files()

    digest = await board.digest()

    assert digest.text.splitlines()[:6] == [
        "Suggestions digest — Garden, Oct 27, 2026 to Nov 2, 2026",
        "",
        "Top suggestions by votes",
        "1. #1 A monthly seed swap in the library — 👍 0 · 👎 0 — open (by alice)",
        "",
        "New this period",
    ]
    # The bot came today: the days before hold nothing, and the digest says so last.
    assert digest.text.splitlines()[-4:] == ["Notable feedback", "None.", "", ARRIVED]
    assert digest.details["file"].name.endswith("-2026-11-02.md")  # a file name stays ISO
    assert files[digest.details["file"].name].splitlines() == [
        "# Suggestions digest — Garden, Oct 27, 2026 to Nov 2, 2026",
        "",
        "## Top suggestions by votes",
        r"1. \#1 A monthly seed swap in the library — 👍 0 · 👎 0 — open \(by alice\)",
        "",
        "## New this period",
        r"- \#1 A monthly seed swap in the library — 👍 0 · 👎 0 — open \(by alice\)",
        "",
        "## Notable feedback",
        "_None._",
        "",
        ARRIVED,
    ]


async def test_a_french_digest_shows_no_markdown_nor_backslashes_to_leadership(
    board: Board, rules_dir: Path
) -> None:
    french(board, rules_dir)
    assert await board.core.reload_rules() is None
    await board.run("alice", "/suggerer Créer un salon (semis) pour les_tomates")
    await board.run("mod", "/suggestion_statut 1 prévue On ouvre #semis lundi")

    digest = await board.digest()

    # Telegram shows the text as it is: leadership must read words, not Markdown.
    lines = digest.text.splitlines()
    assert lines[0] == "Synthèse des suggestions — Garden, du 27 oct. 2026 au 2 nov. 2026"
    assert "Suggestions les mieux votées" in lines
    assert "Retours notables" in lines
    feedback = lines[lines.index("Retours notables") + 1]
    assert "Créer un salon (semis) pour les_tomates" in feedback
    assert feedback.endswith("On ouvre #semis lundi")
    assert "\\" not in digest.text
    assert not [line for line in lines if line.startswith(("#", "_"))]


async def test_a_rule_book_written_for_the_markdown_digest_still_reads_as_plain_text(
    board: Board, rules_dir: Path
) -> None:
    edit_section(
        rules_dir,
        "suggestions",
        {
            "texts": {
                "en": {
                    "digest_title": "# Our digest — {community}",
                    "digest_feedback": "## Feedback",
                    "digest_none": "_Nothing._",
                }
            }
        },
    )
    assert await board.core.reload_rules() is None
    await board.run("alice", "/suggest A monthly seed swap in the library")
    files = board.read_files()

    digest = await board.digest()

    assert digest.text.splitlines()[0] == "Our digest — Garden"
    assert digest.text.splitlines()[-4:-2] == ["Feedback", "Nothing."]
    written = files[digest.details["file"].name].splitlines()
    assert written[0] == "# Our digest — Garden"
    assert written[-4:-2] == ["## Feedback", "_Nothing._"]


async def test_a_digest_missed_while_offline_is_reported_with_its_local_time(
    board: Board,
) -> None:
    await board.run("alice", "/suggest A monthly seed swap in the library")
    [job] = board.core.scheduler.pending("suggestions:digest:")
    board.clear()
    # Due at 07:30 UTC, 2 November: 08:30 in Paris, winter time.
    late_by = timedelta(hours=1, minutes=29, seconds=30)
    await board.core.cogs["suggestions"].on_job_missed(
        job.handler, job.id, dict(job.kwargs), late_by
    )
    assert board.texts("mod-log") == [
        f"The suggestions digest due on Mon, Nov 2, 2026, 8:30{NNBSP}AM (CET) was missed "
        "while I was offline;"
        " /digest posts it now."
    ]


async def test_the_weekly_digest_names_the_last_day_it_covers(board: Board) -> None:
    await board.run("alice", "/suggest A monthly seed swap in the library")  # Monday 2 November
    board.clear()

    # Monday 9 November, 09:00: the complete days before, as the weekly activity report.
    await board.wait(timedelta(days=7))

    [posted] = board.sent("leadership")
    lines = posted.text.splitlines()
    assert lines[0] == "Suggestions digest — Garden, Nov 2, 2026 to Nov 8, 2026"
    assert lines[lines.index("New this period") + 1].startswith("- #1 A monthly seed swap")


async def test_digest_on_demand_covers_the_days_up_to_today(board: Board) -> None:
    await board.run("alice", "/suggest A monthly seed swap in the library")  # Monday 2 November
    await board.wait(timedelta(days=6, hours=12))  # Sunday 8 November, 22:00 in Paris
    await board.run("bob", "/suggest Workshops on composting for beginners")

    digest = await board.digest()

    lines = digest.text.splitlines()
    assert lines[0] == "Suggestions digest — Garden, Nov 2, 2026 to Nov 8, 2026"
    new = lines[lines.index("New this period") + 1 : lines.index("Notable feedback") - 1]
    assert [line[:4] for line in new] == ["- #1", "- #2"]


async def test_no_digest_of_nothing_for_the_week_before_the_bot_came(
    board: Board, rules_dir: Path
) -> None:
    # The bot comes on Monday 2 November at 10:00 in Paris; the digest is due at 23:00.
    path = rules_dir / "suggestions.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["digest"]["hour"] = 23
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    assert await board.core.reload_rules() is None
    await board.run("alice", "/suggest A monthly seed swap in the library")

    await board.wait(timedelta(hours=14))  # Monday 23:00: the week before, the bot never saw

    [first] = board.sent("leadership")
    assert first.text == (
        "💡 No suggestions digest for Oct 26, 2026 to Nov 1, 2026: I only arrived on Nov 2, 2026."
        " The next digest will count from then on."
    )
    assert not first.details.get("file")
    # A week the bot saw whole is a full digest, with no word of its arrival.
    await board.wait(timedelta(days=7))
    posted = board.sent("leadership")[-1]
    assert "- #1 A monthly seed swap in the library" in posted.text
    assert "when I arrived" not in posted.text


async def test_a_digest_reaching_back_before_the_bot_came_says_from_when_it_counts(
    board: Board, rules_dir: Path
) -> None:
    await board.run("alice", "/suggest A monthly seed swap in the library")
    files = board.read_files()

    digest = await board.digest()  # the last 7 days, up to today: the bot came today

    assert digest.text.splitlines()[-1] == ARRIVED
    assert files[digest.details["file"].name].splitlines()[-1].startswith("Counted from")
    french(board, rules_dir)
    assert await board.core.reload_rules() is None
    last = (await board.digest()).text.splitlines()[-1]
    assert last.replace("\u00a0", " ") == (
        "Compté à partir du 2 nov. 2026, jour de mon arrivée : il n'y a pas de suggestions"
        " des jours d'avant."
    )
