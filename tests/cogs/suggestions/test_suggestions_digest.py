"""The digest: where it went (or did not), the comments it quotes, and members' words as typed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.events import ChannelRef, CommunityRef
from tests.cogs.suggestions.board import Board


def without_channel(board: Board, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """The community has no channel called ``name`` (every other one exists)."""
    resolve = board.platform.resolve_channel

    async def resolving(community: CommunityRef, text: str) -> ChannelRef | None:
        return None if text.lstrip("#") == name else await resolve(community, text)

    monkeypatch.setattr(board.platform, "resolve_channel", resolving)


def french(board: Board, rules_dir: Path) -> None:
    community = rules_dir / "community.yaml"
    community.write_text(community.read_text().replace("locale: en", "locale: fr"))


async def test_digest_tells_the_moderator_when_leadership_has_no_channel(
    board: Board, monkeypatch: pytest.MonkeyPatch
) -> None:
    await board.run("alice", "/suggest A monthly seed swap in the library")
    without_channel(board, monkeypatch, "leadership")

    answer = await board.run("mod", "/digest")

    assert answer.text.splitlines()[0] == (
        "⚠️ This digest was NOT posted for leadership: there is no channel “leadership” here."
        " Create it, or set digest.channel in suggestions.yaml."
    )
    assert "## Top suggestions by votes" in answer.text.splitlines()
    assert not board.sent("leadership")


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
        "⚠️ La synthèse hebdomadaire des suggestions n'a pas été publiée : il n'y a pas de salon"
        " « leadership » ici. Créez-le, ou changez digest.channel dans suggestions.yaml ;"
        " /synthese l'affiche en attendant."
    ]


async def test_a_status_without_a_comment_keeps_the_comment_given_before(board: Board) -> None:
    await board.run("alice", "/suggest A monthly seed swap in the library")
    await board.run("mod", "/suggestion 1 planned We start in March at the library")
    await board.run("mod", "/suggestion 1 done")

    digest = await board.run("mod", "/digest")

    lines = digest.text.splitlines()
    feedback = lines[lines.index("## Notable feedback") + 1]
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

    digest = await board.run("mod", "/digest")

    lines = digest.text.splitlines()
    assert lines[lines.index("## Notable feedback") + 1] == "_None._"
    assert "1. #1 A monthly seed swap in the library — 👍 0 · 👎 0 — done (by alice)" in lines


async def test_the_digest_writes_names_texts_and_comments_as_typed(board: Board) -> None:
    board.member("discord.gg/freeseeds")
    await board.run(
        "discord.gg/freeseeds",
        "/suggest Add **more** benches [here](http://evil.example) <b>now</b>\u202e",
    )
    await board.run("mod", "/suggestion 1 accepted Sure_thing `soon` \u202ereversed")
    files = board.read_files()

    digest = await board.run("mod", "/digest")

    line = next(line for line in digest.text.splitlines() if line.startswith("1. "))
    assert line == (
        r"1. #1 Add \*\*more\*\* benches \[here\]\(http://evil.example\) \<b\>now\</b\>"
        " — 👍 0 · 👎 0 — accepted (by discord.\u2060gg/freeseeds)"
    )
    assert r"— accepted: Sure\_thing \`soon\` reversed" in digest.text
    assert "\u202e" not in digest.text
    [posted] = board.sent("leadership")
    assert files[posted.details["file"].name] == posted.text
    assert line in posted.text.splitlines()


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
        "The suggestions digest due on 2026-11-02 08:30 CET was missed while I was offline;"
        " /digest posts it now."
    ]
