"""Digits that are not ASCII (``"²".isdigit()`` is true, ``int("²")`` raises) are no number:
the member lookup answers nobody and the settings say what to fix, rather than raising."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.adapters.telegram.settings import TelegramSettings
from bot.errors import JardinierError
from bot.events import CommunityRef
from tests.adapters.telegram.fake_bot_api import FakeBotApi
from tests.adapters.telegram.harness import StartBot, write_override
from tests.adapters.telegram.payloads import ADMIN, GROUP_ID
from tests.adapters.telegram.payloads import command as tg_command

GARDEN = CommunityRef("telegram", str(GROUP_ID), "Garden")


async def test_a_member_typed_as_a_superscript_digit_is_nobody(start_bot: StartBot) -> None:
    """The lookup answers nobody, not an error."""
    bot = await start_bot()
    assert await bot.platform.resolve_member(GARDEN, "²") is None


async def test_a_ban_of_a_superscript_digit_answers_the_moderator(
    start_bot: StartBot, api: FakeBotApi, rules_dir: Path
) -> None:
    """``/ban ² spam``: the moderator is told no member goes by that, not left without a word
    while the error escapes."""
    write_override(rules_dir, "community:\n  cogs: [netiquette]\n")
    api.administrators[GROUP_ID] = [ADMIN["id"]]
    bot = await start_bot(stand_ins=False)
    api.push(tg_command(ADMIN, "/ban ² spam", date=int(time.time())))
    await bot.settle()
    assert not api.called("banChatMember")
    texts = [call.params["text"] for call in api.called("sendMessage")]
    assert texts, "the moderator got no answer"


@pytest.mark.parametrize(
    "port", ["²", "\uff18\uff14\uff14\uff13"], ids=["superscript", "fullwidth"]
)
def test_a_webhook_port_in_other_digits_says_what_to_fix(port: str) -> None:
    with pytest.raises(JardinierError, match="TELEGRAM_WEBHOOK_PORT must be a port number"):
        TelegramSettings.from_environ(
            {
                "TELEGRAM_TOKEN": "123456:AAE-secret_token-value",
                "TELEGRAM_WEBHOOK_URL": "https://b.example.org/h",
                "TELEGRAM_WEBHOOK_PORT": port,
            }
        )
