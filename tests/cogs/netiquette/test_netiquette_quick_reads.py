"""The shortcuts of the per-message checks read every text as the long way does."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime

import pytest

from bot.events import ChannelRef, CommunityRef, MemberRef, UserRef
from cogs.netiquette.activity import Activity
from cogs.netiquette.normalise import fold, skeleton, visible
from cogs.netiquette.subject import NO_VERDICTS, Subject
from cogs.netiquette.triggers.base import Evidence
from cogs.netiquette.triggers.match_invites import (
    TRIGGER as INVITES,
)
from cogs.netiquette.triggers.match_invites import (
    MatchInvitesConfig,
    may_hold_an_invite,
)
from tests.cogs.netiquette.test_netiquette_folding import TRICKY, tricky_texts

COMMUNITY = CommunityRef("console", "1")
MEMBER = MemberRef(COMMUNITY, UserRef("console", "u1", "ana"))
CHANNEL = ChannelRef(COMMUNITY, "c1", "#general")
AT = datetime(2026, 12, 7, 12, tzinfo=UTC)

INVITE_PIECES = (
    "discord",
    "DISCORD",
    "Discord.gg/abc",
    "discord.com/invite/xyz",
    "dsc.gg/x",
    "DSC.GG/x",
    "t.me/abc",
    "T.ME/+abc",
    "telegram.me/joinchat/abc",
    ".me",
    ".ME",
    "ｄｉｓｃｏｒｄ．ｇｇ/Ab",
    "．ｍｅ",
    "ｔ．ｍｅ/ab",
    "disc\u00adord.gg/a",
    "d\u200biscord",
    "dİscord",
    "dıscord",
    "ⅾiscord",
    "d\u0301iscord",
    "t.m\u0435/abc",
    "t.me\u0301/abc",
    "dsc\u2024gg",
    "disc0rd.gg/a",
    "d i s c o r d",
    "a b t.me/abc",
    "x t.me/ab",
    "d.s.c.g.g",
    "t .me",
    "dsc. gg",
    "@",
    " ",
    ".",
    "/",
)


def invite_texts() -> list[str]:
    """Texts built of pieces of invitations and of characters that folding changes."""
    pick = random.Random(20261207)
    texts = []
    for _ in range(20_000):
        parts = [
            pick.choice(INVITE_PIECES) if pick.random() < 0.6 else pick.choice(TRICKY)
            for _ in range(pick.randint(1, 6))
        ]
        texts.append("".join(parts))
    return texts + tricky_texts()[:20_000]


def test_a_text_whose_link_reading_may_hold_an_invite_folded_may_hold_one_too() -> None:
    held = 0
    for text in invite_texts():
        if may_hold_an_invite(visible(text).casefold()):
            held += 1
            assert may_hold_an_invite(fold(text)), ascii(text)
    assert held > 5_000  # the pieces do make invitations


def subject(text: str, hidden_links: tuple[str, ...] = ()) -> Subject:
    return Subject("message", MEMBER, AT, CHANNEL, None, text, hidden_links=hidden_links)


def read_by_the_words_rule(read: Subject) -> Subject:
    """``read``, folded as the words rule folds it before the invitations rule reads it."""
    assert read.normalised is not None
    assert read.folded_if_read is not None
    return read


@pytest.mark.parametrize("explain", [False, True])
@pytest.mark.parametrize(
    "config",
    [MatchInvitesConfig(), MatchInvitesConfig(allow=["abc", "+abc"], telegram=False)],
)
def test_invites_are_judged_alike_whether_the_text_was_folded_first_or_not(
    explain: bool, config: MatchInvitesConfig
) -> None:
    evidence = Evidence(activity=Activity(), verdicts=NO_VERDICTS, explain=explain)
    fired = 0
    for text in invite_texts()[:25_000]:
        for hidden in ((), ("https://discord.gg/hidden",)):
            fresh = INVITES.check(config, subject(text, hidden), evidence)
            folded_first = read_by_the_words_rule(subject(text, hidden))
            assert INVITES.check(config, folded_first, evidence) == fresh, ascii(text)
            fired += fresh.matched
    assert fired > 1_000


def test_an_invitation_is_still_caught_once_the_words_rule_folded_the_text() -> None:
    config = MatchInvitesConfig()
    evidence = Evidence(activity=Activity(), verdicts=NO_VERDICTS, explain=False)
    for text in ("join ｄｉｓｃｏｒｄ．ｇｇ/Ab", "disc\u00adord.gg/abc now", "T.ME/+secret"):
        folded_first = read_by_the_words_rule(subject(text))
        assert INVITES.check(config, folded_first, evidence).matched, text


_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")


def test_the_skeleton_keeps_the_letters_and_digits_of_any_folded_text() -> None:
    for text in [*tricky_texts(), "jardin 🍅 été, déjà !", "中文 字_x", "a\u0301b", "١٢٣ ok"]:
        folded = fold(text)
        assert skeleton(folded) == _NOT_ALPHANUMERIC.sub("", folded), ascii(text)
