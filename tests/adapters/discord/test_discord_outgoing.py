"""What the bot posts (texts as written, mentions, lengths) and how Discord's refusals read to a
manager."""

from __future__ import annotations

import re

import aiohttp
import discord
import pytest

from bot.adapters.discord.outgoing import (
    allowed_mentions,
    audit_reason,
    discord_text,
    send_in_pieces,
    split_text,
)
from bot.adapters.discord.refusals import Attempt, refusal_for
from bot.events import CommunityRef, UserRef
from tests.adapters.discord.discord_world import http_error
from tests.support.refusals import written

ALICE = UserRef("discord", "500000000000000002", "Alice")
EVERYONE_NAMED = UserRef("discord", "500000000000000009", "@everyone")
GARDEN = CommunityRef("discord", "197038439483310086", "Garden")


def test_nobody_is_pinged_unless_named() -> None:
    assert allowed_mentions().to_dict() == {"parse": []}
    assert allowed_mentions([ALICE]).to_dict() == {"parse": [], "users": [500000000000000002]}


def test_a_member_named_everyone_can_be_pinged_alone() -> None:
    text = discord_text("Welcome @@everyone!", [EVERYONE_NAMED])
    assert text == "Welcome <@500000000000000009>!"
    assert allowed_mentions([EVERYONE_NAMED]).to_dict() == {
        "parse": [],
        "users": [500000000000000009],
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Welcome @Alice!", "Welcome <@500000000000000002>!"),
        ("Welcome to the Garden!", "<@500000000000000002> Welcome to the Garden!"),
        ("Hi <@500000000000000002>", "Hi <@500000000000000002>"),
        ("", "<@500000000000000002>"),
    ],
)
def test_the_mentioned_member_is_pinged_where_named_or_first(text: str, expected: str) -> None:
    assert discord_text(text, [ALICE]) == expected


def test_users_of_other_platforms_are_never_mentions() -> None:
    console = UserRef("console", "alice", "alice")
    assert discord_text("Hi @alice", [console]) == "Hi @alice"
    assert allowed_mentions([console]).to_dict() == {"parse": []}


def discord_shows(content: str) -> str:
    """What Discord shows of ``content``: a backslash before anything but a letter, a digit or a
    space escapes it and is not shown."""
    return re.sub(r"\\([^0-9A-Za-z\s])", r"\1", content)


@pytest.mark.parametrize(
    ("text", "sent"),
    [
        # Masked links, even several on one line (discord.py's own escaping misses the second).
        (
            "[a](https://ok.example) or [b](https://evil.example)",
            r"\[a](https://ok.example) or \[b](https://evil.example)",
        ),
        (
            "||@everyone|| ~~no~~ `code` *em* __u__",
            r"\|\|@everyone\|\| \~\~no\~\~ \`code\` \*em\* \_\_u\_\_",
        ),
        (
            "# Heading\n## Sub\n-# small\n> quote\n>>> all",
            "\\# Heading\n\\## Sub\n\\-# small\n\\> quote\n\\>>> all",
        ),
        ("- item\n  * nested\n1. first\n+ plus", "\\- item\n  \\* nested\n1\\. first\n\\+ plus"),
        ("<@1> <@&2> <#3> <t:4:R> <:seed:5>", r"\<@1> \<@&2> \<#3> \<t:4:R> \<:seed:5>"),
        ("a \\*b* c", r"a \\\*b\* c"),
        # Addresses stay whole: a backslash would change where they lead.
        ("https://garden.example/my_page_(1)?q=a*b", "https://garden.example/my_page_(1)?q=a*b"),
        ("<https://garden.example/no_preview>", "<https://garden.example/no_preview>"),
        ("Bonjour, la saison des semis commence !", "Bonjour, la saison des semis commence !"),
    ],
)
def test_a_text_is_shown_as_written_never_as_markdown(text: str, sent: str) -> None:
    assert discord_text(text) == sent
    assert discord_shows(sent) == text


MARK = "\u2060"  # what rendering a rule book's template puts after the < of its author's tags


@pytest.mark.parametrize(
    "tag",
    [
        "<#123>",
        "<@&456>",
        "<:garden:789>",
        "<:green_thumb:789>",
        "<a:wave:790>",
        "<t:1700000000:R>",
        "<t:1700000000>",
        "</plant seed:791>",
    ],
)
def test_the_rule_books_own_discord_tags_are_drawn_a_members_are_not(tag: str) -> None:
    authored = tag.replace("<", "<" + MARK, 1)
    # The welcome text's author wrote the tag; a member named the same is shown as typed.
    text = f"Welcome {tag}! See {authored} *now*"
    sent = discord_text(text)
    member_part, authored_part = sent.split("! See ")
    assert member_part.startswith("Welcome \\<")  # not a tag: escaped
    assert authored_part == f"{tag} \\*now\\*"  # the author's tag, whole
    assert discord_shows(sent) == f"Welcome {tag}! See {tag} *now*"
    assert discord_text(authored + " first") == f"{tag} first"


def test_a_mark_before_anything_discord_does_not_draw_is_dropped() -> None:
    assert discord_text(f"<{MARK}https://garden.example/x_y>") == "<https://garden.example/x_y>"
    assert discord_text(f"<{MARK}#general> <{MARK}:x:1>") == r"\<#general> \<:x:1>"


def test_a_mentioned_members_name_is_found_before_it_is_escaped() -> None:
    rosa = UserRef("discord", "500000000000000003", "rosa_b")
    assert discord_text("Hello @rosa_b, *welcome*", [rosa]) == (
        r"Hello <@500000000000000003>, \*welcome\*"
    )
    assert discord_text("# Rules", [rosa]) == r"<@500000000000000003> \# Rules"


async def test_a_text_cut_in_pieces_shows_as_written_in_each_piece() -> None:
    sent: list[str] = []

    async def send(piece: str, first: bool, final: bool) -> None:
        sent.append(piece)

    # A cut within a line starts a message with what would be a heading there.
    await send_in_pieces("x" * 1998 + " #seedlings are here", send)
    assert sent == ["x" * 1998, r"\#seedlings are here"]
    # A cut with no space to cut at never parts a backslash from what it escapes.
    sent.clear()
    await send_in_pieces("*" * 3000, send)
    assert all(len(piece) <= 2000 for piece in sent)
    assert [discord_shows(piece) for piece in sent] == ["*" * 999, "*" * 999, "*" * 999, "***"]


def test_texts_are_cut_at_line_ends_then_spaces_then_anywhere() -> None:
    assert split_text("short") == ["short"]
    assert split_text("ab\ncd", limit=3) == ["ab", "cd"]
    assert split_text("aa bb cc", limit=5) == ["aa bb", "cc"]
    assert split_text("abcdefgh", limit=3) == ["abc", "def", "gh"]
    lines = "\n".join(f"{n:04d}" + "x" * 95 for n in range(50))
    pieces = split_text(lines)
    assert all(len(piece) <= 2000 for piece in pieces)
    assert "\n".join(pieces) == lines


async def test_a_reply_points_from_the_first_piece_and_buttons_follow_the_last() -> None:
    sent: list[tuple[str, bool, bool]] = []

    async def send(piece: str, first: bool, final: bool) -> int:
        sent.append((piece[:4], first, final))
        return len(sent)

    lines = "\n".join(f"{n:04d}" + "x" * 95 for n in range(50))
    assert await send_in_pieces(lines, send) == 3
    assert sent == [("0000", True, False), ("0020", False, False), ("0040", False, True)]
    sent.clear()
    assert await send_in_pieces("short", send) == 1
    assert sent == [("shor", True, True)]


GENERAL = Attempt("delete", "#general", GARDEN, permission="manage_messages")


def test_an_audit_log_reason_fits_discords_512_characters() -> None:
    assert audit_reason("") is None
    assert audit_reason("spam") == "spam"
    assert audit_reason("a" * 512) == "a" * 512
    # Emoji count twice where Discord counts UTF-16 units: cut whole, never halved.
    cut = audit_reason("flood " + "🌱" * 600)
    assert cut is not None
    assert cut == "flood " + "🌱" * 252 + "…"
    assert len(cut.encode("utf-16-le")) // 2 <= 512


@pytest.mark.parametrize(
    ("attempt", "error", "reason"),
    [
        (
            GENERAL,
            http_error(discord.Forbidden, 403, 50013, "Missing Permissions"),
            "I lack the Manage Messages permission in #general",
        ),
        (
            GENERAL,
            http_error(discord.Forbidden, 403, 50001, "Missing Access"),
            "I cannot see #general; give me the View Channel permission there",
        ),
        (
            Attempt("kick", "Garden", GARDEN, permission="kick_members", target="Alice"),
            http_error(discord.Forbidden, 403, 50013, "Missing Permissions"),
            "I lack the Kick Members permission in Garden, or Alice's highest role is not below "
            "mine",
        ),
        (
            Attempt("dm", "Garden", GARDEN, target="Alice"),
            http_error(discord.Forbidden, 403, 50007, "Cannot send messages to this user"),
            "Alice does not accept direct messages",
        ),
        (
            Attempt("unban", "Garden", GARDEN, permission="ban_members", target="Alice"),
            http_error(discord.NotFound, 404, 10026, "Unknown Ban"),
            "Alice is not banned from Garden",
        ),
        (
            Attempt("timeout", "Garden", GARDEN, target="Alice"),
            http_error(discord.NotFound, 404, 10007, "Unknown Member"),
            "Alice is no longer a member of Garden",
        ),
        (
            GENERAL,
            discord.RateLimited(42.0),
            "Discord is rate-limiting me in #general; some actions were dropped",
        ),
        (
            GENERAL,
            http_error(discord.HTTPException, 429, 0, "You are being rate limited."),
            "Discord is rate-limiting me in #general; some actions were dropped",
        ),
        (
            GENERAL,
            http_error(discord.DiscordServerError, 503, 0, "Service Unavailable"),
            "Discord had a server error when I tried to delete a message in #general",
        ),
        (
            Attempt("send", "#general", GARDEN),
            http_error(discord.HTTPException, 400, 50035, "Invalid Form Body"),
            "Discord refused to let me post in #general: Invalid Form Body",
        ),
        (
            Attempt("send", "#general", GARDEN),
            aiohttp.ClientConnectionError("reset"),
            "I could not reach Discord to post in #general",
        ),
    ],
)
def test_refusals_say_what_to_fix(attempt: Attempt, error: Exception, reason: str) -> None:
    refused = refusal_for(attempt, error)
    assert written(refused) == reason
    assert refused.community == GARDEN
    assert refused.action == attempt.action


def test_a_french_community_reads_discords_refusals_in_french() -> None:
    attempt = Attempt("kick", "Garden", GARDEN, permission="kick_members", target="Alice")
    error = http_error(discord.Forbidden, 403, 50013, "Missing Permissions")
    assert written(refusal_for(attempt, error), "fr") == (
        "Il me manque la permission «\u00a0Expulser des membres\u00a0» dans Garden, ou le rôle"
        " le plus haut d'Alice n'est pas sous le mien"
    )
    rate_limited = refusal_for(GENERAL, discord.RateLimited(42.0))
    assert written(rate_limited, "fr") == (
        "Discord limite mon débit dans #general\u00a0; certaines actions n'ont pas été effectuées"
    )
