"""``match_invites``: invitations to other Discord servers or Telegram groups.

Recognises ``discord.gg/…``, ``discord.com/invite/…``, ``discordapp.com/invite/…``, and
``t.me/…`` / ``telegram.me/…`` links (including ``joinchat`` and ``+`` invitations), in the text
or hidden behind it (a Telegram text link). Codes or group names listed in ``allow`` (your own)
pass.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from cogs.netiquette.regexes import compile_pattern
from cogs.netiquette.subject import Subject
from cogs.netiquette.triggers.base import (
    MISSED,
    Evidence,
    Trigger,
    TriggerConfig,
    TriggerResult,
)

_INVITE = compile_pattern(
    r"(?:^|[^\pL\pN.-]|www\.)"  # the domain itself, not the end of another (about.me)
    r"(?:(?:discord(?:app)?\.com/invite|discord\.gg|dsc\.gg)\s*/\s*([\w-]{2,64})"
    r"|(?:t|telegram)\.me/(?:joinchat/|\+)?([\w+-]{3,64}))"
)


def may_hold_an_invite(lowered: str) -> bool:
    """Whether a case-folded text holds what every invitation holds: the others skip the
    pattern.

    The text's folded reading (:func:`~cogs.netiquette.normalise.fold`) may be asked instead
    of its case-folded link reading: it holds each of these wherever that one does. The link
    reading is the Unicode compatibility forms with invisible characters dropped; folding
    starts from the same forms, case-folded, and only drops characters (marks, invisible
    ones), turns characters beyond ASCII into ASCII ones, digits and signs into letters, and
    joins letters spelled out one by one, none of which a letter or the ``.`` of these words
    stands between (the letter after that ``.`` is never alone). It may hold them where the
    link reading does not (``disc0rd``): the link reading is then asked.
    """
    return "discord" in lowered or "dsc.gg" in lowered or ".me" in lowered


class MatchInvitesConfig(TriggerConfig):
    """Which invitations may be posted."""

    allow: list[Annotated[str, Field(min_length=2, max_length=64)]] = Field(default_factory=list)
    """Invitation codes or group names that pass (your own server or group)."""
    discord: bool = True
    """Fire on Discord invitations."""
    telegram: bool = True
    """Fire on Telegram links (t.me)."""


class MatchInvites(Trigger):
    """Fires on the first invitation that is not allowed."""

    name = "match_invites"
    config_model = MatchInvitesConfig

    def check(
        self, config: MatchInvitesConfig, subject: Subject, evidence: Evidence
    ) -> TriggerResult:
        """Look for invitation links in the text (with invisible characters removed) and behind
        its text links."""
        if not subject.hidden_links:
            folded = subject.folded_if_read
            if folded is not None and not may_hold_an_invite(folded):
                # Nearly every message, told without reading its addresses (see
                # may_hold_an_invite): the words rule folded it already.
                return MISSED if not evidence.explain else TriggerResult.miss("invites_none")
        text = subject.link_text
        if not may_hold_an_invite(text.casefold()):
            return MISSED if not evidence.explain else TriggerResult.miss("invites_none")
        allowed = {code.casefold().lstrip("+") for code in config.allow}
        for found in _INVITE.finditer(text):
            discord_code, telegram_name = found.group(1), found.group(2)
            if (
                discord_code is not None
                and config.discord
                and discord_code.casefold() not in allowed
            ):
                return TriggerResult.hit("invites_discord", code=discord_code)
            if (
                telegram_name is not None
                and config.telegram
                and telegram_name.casefold().lstrip("+") not in allowed
            ):
                return TriggerResult.hit("invites_telegram", name=telegram_name)
        return MISSED if not evidence.explain else TriggerResult.miss("invites_none")


TRIGGER = MatchInvites()
