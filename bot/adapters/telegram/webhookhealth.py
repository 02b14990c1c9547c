"""Whether Telegram manages to deliver the updates to the webhook.

The Bot API answering (``getMe``) says the bot can act, not that it hears: a wrong
``TELEGRAM_WEBHOOK_URL``, a proxy down or a certificate Telegram refuses, and no update ever
comes, with nothing in the log. Telegram says so in ``getWebhookInfo``: when its last delivery
failed and why (``last_error_date``, ``last_error_message``) and how many updates wait
(``pending_update_count``). :class:`WebhookHealth` asks shortly after the webhook is registered,
then every :data:`CHECK_EVERY` seconds (one small request), and the heartbeat file says the
platform is degraded, hearing nothing, while Telegram's deliveries fail.

A failure counts when it is later than both the registration (errors before it are the last
run's, or of the time the bot was down) and the last update that arrived (deliveries worked
since), and updates wait. The webhook Telegram holds no longer being this bot's (another
process registered its own, or went back to polling) counts too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from telegram import WebhookInfo
from telegram.error import TelegramError

from bot.connections import Degraded

log = logging.getLogger(__name__)

FIRST_CHECK_AFTER = 10.0
"""Seconds after the registration before the first check: Telegram delivers what waits at once,
and a failure is then known."""
CHECK_EVERY = 60.0
"""Seconds between two checks."""
WARN_AGAIN_AFTER = timedelta(hours=1)
"""Deliveries that fail now and then (a proxy that comes and goes) are warned of once in this
time; their other failures, and their ends, are said at INFO."""
_DEFAULT_PORTS = {"https": 443, "http": 80}


def _now() -> datetime:
    return datetime.now(UTC)


class WebhookHealth:
    """What Telegram says of its deliveries to the webhook at ``url``.

    ``ask`` calls ``getWebhookInfo``; ``scrub`` masks the token in a text that may quote it.
    """

    def __init__(
        self,
        url: str,
        ask: Callable[[], Awaitable[WebhookInfo]],
        *,
        scrub: Callable[[str], str] = str,
        now: Callable[[], datetime] = _now,
    ) -> None:
        self._url = url
        self._ask = ask
        self._scrub = scrub
        self._now = now
        self._registered_at: datetime | None = None
        self._arrived_at: datetime | None = None
        self._failing: str | None = None
        self._warned_at: datetime | None = None
        self._loud = False
        """Whether the failure going on was said at WARNING (so is its end)."""

    def registered(self) -> None:
        """The webhook was registered now: the failures before are not this run's."""
        self._registered_at = self._now()

    def arrived(self) -> None:
        """An update arrived now: deliveries work."""
        self._arrived_at = self._now()
        self._set(None)

    def degraded(self) -> Degraded | None:
        """The heartbeat's word while deliveries fail (hearing nothing), else None."""
        return None if self._failing is None else Degraded(self._failing, deaf=True)

    async def check(self) -> None:
        """Ask Telegram how its deliveries fare; when it cannot answer, the last verdict
        stands."""
        try:
            info = await self._ask()
        except TelegramError as error:
            log.info("could not ask Telegram how the webhook fares: %s", self._scrub(str(error)))
            return
        self._set(self._failure(info))

    async def watch(self) -> None:
        """Check shortly after the registration, then every :data:`CHECK_EVERY` seconds,
        until cancelled."""
        await asyncio.sleep(FIRST_CHECK_AFTER)
        while True:
            try:
                await self.check()
            except Exception:
                log.exception("could not check the Telegram webhook")
            await asyncio.sleep(CHECK_EVERY)

    def _failure(self, info: WebhookInfo) -> str | None:
        if _address(info.url) != _address(self._url):
            return (
                "Telegram's webhook is not this bot's any more (another process with the same "
                "token registered its own, or polls)"
            )
        failed_at = info.last_error_date
        if failed_at is None or not info.pending_update_count:
            return None
        since = max(
            (moment for moment in (self._registered_at, self._arrived_at) if moment is not None),
            default=None,
        )
        if since is not None and failed_at <= since:
            return None
        message = self._scrub(info.last_error_message or "no reason given")
        return (
            f"Telegram cannot deliver updates to the webhook: {message} "
            f"({info.pending_update_count} waiting)"
        )

    def _set(self, failing: str | None) -> None:
        # Said once when deliveries start failing, not at each check (the count waiting grows),
        # and at WARNING once an hour at most: a proxy that comes and goes would flip it at
        # every check.
        if failing is not None and self._failing is None:
            now = self._now()
            self._loud = self._warned_at is None or now - self._warned_at >= WARN_AGAIN_AFTER
            if self._loud:
                self._warned_at = now
            log.log(
                logging.WARNING if self._loud else logging.INFO,
                "%s; check TELEGRAM_WEBHOOK_URL, the reverse proxy and its certificate",
                failing,
            )
        elif failing is None and self._failing is not None:
            level = logging.WARNING if self._loud else logging.INFO
            log.log(level, "Telegram delivers updates to the webhook again")
        self._failing = failing


def _address(url: str) -> tuple[str, str, int | None, str, str]:
    """``url`` as compared: its scheme and host in lower case, the scheme's default port as
    none, no trailing slash (Telegram may give back the address it was told otherwise
    written)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port == _DEFAULT_PORTS.get(scheme):
        port = None
    return scheme, (parts.hostname or "").lower(), port, parts.path.rstrip("/"), parts.query
