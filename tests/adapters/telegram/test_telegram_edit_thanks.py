"""Thanks added by an edit, on Telegram end to end: the shipped contributors cog credits them."""

from __future__ import annotations

import time
from pathlib import Path

from tests.adapters.telegram.fake_bot_api import FakeBotApi
from tests.adapters.telegram.harness import StartBot, write_override
from tests.adapters.telegram.payloads import ADMIN, ALICE, BOB, command, message, text_message


async def test_a_member_thanked_by_name_in_an_edit_is_thanked_once(
    start_bot: StartBot, api: FakeBotApi, rules_dir: Path
) -> None:
    """Alice's "great answer" answered no one; she edits it to thank Bob by name (a text
    mention: he has no username), then once more: Bob is thanked, once."""
    write_override(rules_dir, "community:\n  cogs: [contributors]\n")
    bot = await start_bot(stand_ins=False)
    now = int(time.time())
    api.push(text_message(BOB, "Water the tomatoes at dawn, not at noon", date=now - 60))
    api.push(text_message(ALICE, "great answer", message_id=7001, date=now - 30))
    for seconds, text in ((10, "great answer, thanks Bob"), (20, "great answer, thanks Bob!")):
        mention = {"type": "text_mention", "offset": 21, "length": 3, "user": BOB}
        edited = message(
            ALICE,
            text,
            message_id=7001,
            entities=[mention],
            date=now - 30,
            edit_date=now + seconds,
        )
        api.push({"edited_message": edited})
    api.push(command(ADMIN, "/top", date=now + 30))
    await bot.settle()
    await bot.stop()
    [top] = [call.params["text"] for call in api.called("sendMessage")]
    assert any("Bob" in line and "(1 thank-you)" in line for line in top.splitlines()), top
