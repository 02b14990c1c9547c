"""Bot API calls: flood control waited out a bounded number of times, refusals explained, and
the administrators cache."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.adapters.telegram.administrators import SANCTIONS, Administrator, Administrators
from bot.adapters.telegram.calls import call_api, refusal_for
from bot.events import CommunityRef, Power
from bot.platform import PlatformError
from tests.support.refusals import written

# PTB 22 itself reads the deprecated int form of retry_after when it builds a RetryAfter.
pytestmark = pytest.mark.filterwarnings("ignore:.*attribute `retry_after`:DeprecationWarning")

GARDEN = CommunityRef("telegram", "-100", "Garden")


def script(*outcomes: BaseException | str) -> tuple[Callable[[], Awaitable[str]], list[int]]:
    """A call that fails or succeeds in the given order; the list counts the attempts."""
    attempts: list[int] = []

    async def call() -> str:
        outcome = outcomes[len(attempts)]
        attempts.append(1)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    return call, attempts


async def test_flood_control_is_waited_out_then_the_call_succeeds() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    call, attempts = script(RetryAfter(3), RetryAfter(1), "sent")
    assert await call_api("send", call, sleep=sleep) == "sent"
    assert len(attempts) == 3
    assert [round(wait) for wait in waits] == [3, 1]


async def test_flood_control_is_not_retried_forever() -> None:
    async def sleep(seconds: float) -> None:
        pass

    call, attempts = script(RetryAfter(1), RetryAfter(1), RetryAfter(1), "never")
    with pytest.raises(PlatformError) as refused:
        await call_api("send", call, community=GARDEN, sleep=sleep)
    assert written(refused.value) == (
        "Telegram is rate-limiting me in Garden; some actions were dropped"
    )
    assert len(attempts) == 3


async def test_a_long_flood_wait_is_not_waited() -> None:
    async def sleep(seconds: float) -> None:
        raise AssertionError("should not wait")

    call, attempts = script(RetryAfter(600), "never")
    with pytest.raises(PlatformError) as refused:
        await call_api("delete", call, community=GARDEN, sleep=sleep)
    assert refused.value.key == "rate_limited"
    assert refused.value.community == GARDEN
    assert len(attempts) == 1


@pytest.mark.parametrize(
    ("action", "error", "reason"),
    [
        (
            "delete",
            BadRequest("Message can't be deleted"),
            "I could not delete a message in Garden: I need the «Delete messages» administrator "
            "right, and Telegram lets bots delete only messages younger than 48 hours",
        ),
        (
            "kick",
            BadRequest("Not enough rights to restrict/unrestrict chat member"),
            "I need the «Ban users» administrator right in Garden to remove a member",
        ),
        (
            "ban",
            BadRequest("Can't remove chat owner"),
            "Bob is an administrator of Garden, so I cannot ban a member",
        ),
        (
            "dm",
            Forbidden("Forbidden: bot was blocked by the user"),
            "I cannot write privately to Bob: they have not started a conversation with the bot "
            "(or blocked it)",
        ),
        (
            "send",
            Forbidden("Forbidden: bot was kicked from the supergroup chat"),
            "I was removed from Garden, so I could not post",
        ),
        (
            "react",
            BadRequest("Reaction_invalid"),
            "Telegram does not allow that reaction in Garden",
        ),
        (
            "send",
            ChatMigrated(-1009),
            "The group became the supergroup -1009; the bot follows it there: keep its override "
            "file as it is",
        ),
        (
            "timeout",
            TimedOut(),
            "Telegram did not answer in time; I may not have managed to time a member out",
        ),
        (
            "send",
            BadRequest("Something new"),
            "Telegram refused to let me post in Garden: Something new",
        ),
    ],
)
def test_refusals_are_explained(action: str, error: TelegramError, reason: str) -> None:
    refused = refusal_for(action, error, community=GARDEN, subject="Bob")
    assert written(refused) == reason
    assert refused.community == GARDEN


def test_a_french_group_reads_telegrams_refusals_in_french() -> None:
    refused = refusal_for(
        "delete", BadRequest("Message can't be deleted"), community=GARDEN, subject="Bob"
    )
    assert written(refused, "fr") == (
        "Je n'ai pas pu supprimer un message dans Garden\u00a0: j'ai besoin du droit"
        " d'administrateur «\u00a0Supprimer des messages\u00a0», et Telegram ne laisse les bots"
        " supprimer que les messages de moins de 48\u00a0heures"
    )


def test_a_long_description_from_telegram_is_shortened() -> None:
    refused = refusal_for("send", BadRequest("x" * 5000), community=GARDEN)
    assert len(written(refused)) < 300


OWNER = Administrator(frozenset(Power))
PINNER = Administrator(frozenset())


def staff(*ids: int) -> dict[int, Administrator]:
    """Administrators holding every power."""
    return dict.fromkeys(ids, OWNER)


async def test_administrators_are_cached_and_a_failure_is_retried_soon() -> None:
    now = [0.0]
    answers: list[dict[int, Administrator] | PlatformError] = [
        staff(1),
        PlatformError("list", "no"),
        staff(1, 2),
    ]
    asked: list[int] = []

    async def fetch(chat_id: int) -> dict[int, Administrator]:
        asked.append(chat_id)
        answer = answers.pop(0)
        if isinstance(answer, PlatformError):
            raise answer
        return answer

    administrators = Administrators(fetch, fresh_for=600, monotonic=lambda: now[0])
    assert await administrators.of(-100) == {1: frozenset(Power)}
    assert await administrators.of(-100) == {1: frozenset(Power)}
    assert asked == [-100]
    now[0] = 601
    # Telegram did not answer: the last known list.
    assert set(await administrators.of(-100)) == {1}
    now[0] = 630
    assert set(await administrators.of(-100)) == {1}
    assert len(asked) == 2  # not asked again on every message
    now[0] = 662
    assert set(await administrators.of(-100)) == {1, 2}
    administrators.forget(-100)
    with pytest.raises(IndexError):
        await administrators.of(-100)  # forgotten: asked again at once


async def test_a_failed_question_after_a_change_keeps_the_administrators_known(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A raid's flood control must not strip a group's administrators of their rights."""
    answers: list[dict[int, Administrator] | PlatformError] = [staff(1, 2)]
    asked: list[int] = []

    async def fetch(chat_id: int) -> dict[int, Administrator]:
        asked.append(chat_id)
        answer = answers.pop(0) if answers else PlatformError("list", "rate_limited")
        if isinstance(answer, PlatformError):
            raise answer
        return answer

    administrators = Administrators(fetch, fresh_for=600, monotonic=lambda: 0.0)
    assert set(await administrators.of(-100)) == {1, 2}
    administrators.changed(-100, 3, PINNER)  # promoted, while Telegram says nothing
    assert await administrators.of(-100) == {1: OWNER.powers, 2: OWNER.powers, 3: frozenset()}
    administrators.changed(-100, 2, None)
    assert set(await administrators.of(-100)) == {1, 3}
    # Given the right to ban, and posting anonymously: the group's own posts hold it.
    administrators.changed(-100, 3, Administrator(SANCTIONS, anonymous=True))
    assert (await administrators.of(-100))[3] == SANCTIONS
    assert (await administrators.of(-100))[-100] == SANCTIONS
    administrators.forget(-100)  # the bot's own rights changed
    assert set(await administrators.of(-100)) == {1, 3, -100}
    assert len(asked) == 5  # asked after each change
    failures = [r for r in caplog.records if "could not list the administrators" in r.message]
    assert len(failures) == 1  # said once, not on every retry
