"""The connection to the Telegram Bot API: python-telegram-bot's ``Application``, from the first
call to the last.

:meth:`Connection.serve` initialises the application, starts it, then polls (or serves the
webhook) until :meth:`Connection.stop`; it never owns the event loop or the signals (the core
does). A network failure is waited out, trying again later and later; a refused token ends it at
once, saying what to fix. Every call goes through :func:`bot.adapters.telegram.calls.call_api`,
which honours flood control and turns refusals into :class:`PlatformError`, to the chat by the id
Telegram gives it now (:mod:`.migrations`). The updates in hand are kept until handled, and those
a crash left are handled at the next start (:mod:`.unhandled`). With a webhook, whether Telegram
manages to deliver to it is checked now and then (:mod:`.webhookhealth`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any, TypeVar

from telegram import Bot, Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import Application, ApplicationBuilder, TypeHandler

from bot.adapters.telegram.calls import call_api, refusal, retry_after_seconds
from bot.adapters.telegram.convert import BotIdentity, parse_channel_id
from bot.adapters.telegram.migrations import Migrations
from bot.adapters.telegram.ordering import PerChatOrder
from bot.adapters.telegram.settings import TelegramSettings
from bot.adapters.telegram.unhandled import KeepingQueue, KeepingRequest, UnhandledUpdates
from bot.adapters.telegram.webhookhealth import WebhookHealth
from bot.clock import Clock
from bot.connections import Degraded
from bot.errors import JardinierError
from bot.events import CommunityRef
from bot.platform import PlatformError
from bot.state import StateStore

log = logging.getLogger(__name__)

T = TypeVar("T")

ALLOWED_UPDATES = (
    "message",
    "edited_message",
    "chat_member",
    "my_chat_member",
    "message_reaction",
    "callback_query",
)
POLL_TIMEOUT = timedelta(seconds=25)
MAX_RECONNECT_DELAY = 60.0
RECOVERED_AFTER = 60.0
"""Seconds without a failed poll after which polling works again: python-telegram-bot tries
again within 30 s of a failure, and a long poll that succeeds lasts :data:`POLL_TIMEOUT`."""
POLLING_TASK = "Updater:start_polling:polling_task"
"""The name python-telegram-bot gives the task that polls (it offers no other handle on it; a
test fails should the name change)."""

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
UpdateHandler = Callable[[object, Any], Coroutine[Any, Any, None]]


class Connection:
    """The Bot API as the adapter calls it: who the bot is, the calls, and the life cycle."""

    def __init__(
        self,
        settings: TelegramSettings,
        migrations: Migrations,
        state: StateStore | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        self.migrations = migrations
        self.identity = BotIdentity(int(settings.bot_id), "")
        self._stopping = asyncio.Event()
        self._connected = asyncio.Event()
        self._initialising = asyncio.Lock()
        self._starting = False
        self._closed = False
        self._polling: asyncio.Task[Any] | None = None
        self._poll_failed_at: float | None = None
        polling = settings.webhook is None
        self.unhandled = UnhandledUpdates(state, settings.bot_id, polling=polling, clock=clock)
        self.webhook_health = (
            None
            if settings.webhook is None
            else WebhookHealth(
                settings.webhook.url,
                lambda: self.application.bot.get_webhook_info(),
                scrub=self.without_token,
            )
        )
        """What Telegram says of its deliveries to the webhook (None when polling)."""
        self._watching: asyncio.Task[None] | None = None
        arrived = None if self.webhook_health is None else self.webhook_health.arrived
        builder = (
            ApplicationBuilder()
            .token(settings.token)
            .base_url(settings.api_url)
            .base_file_url(settings.file_url)
            .job_queue(None)  # the core has its own scheduler
            .update_queue(KeepingQueue(self.unhandled, keep_first=not polling, arrived=arrived))
            .concurrent_updates(PerChatOrder(handled=self.unhandled.handled))
        )
        if polling:
            builder = builder.get_updates_request(KeepingRequest(self.unhandled))
        self.application: AnyApplication = builder.build()

    def listen(self, on_update: UpdateHandler, on_error: UpdateHandler) -> None:
        """Hand every update to ``on_update``, and what it raised to ``on_error``."""
        self.application.add_handler(TypeHandler(Update, on_update))
        self.application.add_error_handler(on_error)

    # -- life cycle -------------------------------------------------------------------------------

    async def serve(self, on_connected: Callable[[], Awaitable[None]]) -> None:
        """Connect, call ``on_connected``, then receive updates until :meth:`stop`."""
        self._starting = True
        try:
            if self._stopping.is_set() or self._closed:
                return  # stopped before it started
            if await self._unless_stopped(self._connect(on_connected)):
                await self._until_stopped()
        finally:
            await self._disconnect()

    async def _until_stopped(self) -> None:
        """Wait for :meth:`stop`; raise should polling end for good before it."""
        polling = self._polling
        if polling is None:
            await self._stopping.wait()
            return
        stopped = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({polling, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()
        if self._stopping.is_set():
            return
        # python-telegram-bot retries network failures for ever, but ends polling when the
        # token is refused (revoked in BotFather): the bot would go on, deaf.
        error = None if polling.cancelled() else polling.exception()
        if isinstance(error, InvalidToken):
            raise JardinierError(
                "Telegram refused TELEGRAM_TOKEN while polling (revoked in BotFather?); copy "
                "the token again from BotFather"
            )
        raise JardinierError(
            "Telegram polling ended unexpectedly"
            + (f": {self.without_token(str(error))}" if error is not None else "")
        )

    def reconnecting(self) -> bool:
        """Whether polling failed lately (less than :data:`RECOVERED_AFTER` ago) and is being
        tried again."""
        failed_at = self._poll_failed_at
        return failed_at is not None and time.monotonic() - failed_at < RECOVERED_AFTER

    def degraded(self) -> Degraded | None:
        """Whether Telegram says its deliveries to the webhook fail (the bot can act, but
        hears nothing); None when they work, or when polling."""
        return None if self.webhook_health is None else self.webhook_health.degraded()

    async def ready(self) -> None:
        """Return once the Bot API answers (the bot knows who it is and can act)."""
        await self._connected.wait()

    async def stop(self) -> None:
        """Stop polling (or serving the webhook); :meth:`serve` returns promptly."""
        self._stopping.set()
        if not self._starting:
            await self._disconnect()

    async def _unless_stopped(self, work: Coroutine[Any, Any, bool]) -> bool:
        """Run ``work`` unless :meth:`stop` comes first (then cancel it and return False)."""
        task = asyncio.ensure_future(work)
        stopped = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if task.done():
                return task.result()
            return False
        finally:
            for pending in (task, stopped):
                if not pending.done():
                    pending.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await pending

    async def _connect(self, on_connected: Callable[[], Awaitable[None]]) -> bool:
        await self._retrying("reach the Telegram Bot API", self._initialise)
        await self.application.start()
        self._connected.set()
        await on_connected()
        for update in await self.unhandled.left_by_the_last_run(self.application.bot):
            self.application.update_queue.put_nowait(update)  # kept already, not sent again
        updater = self.application.updater
        assert updater is not None
        webhook = self.settings.webhook
        if webhook is None:
            await self._retrying(
                "start polling",
                lambda: updater.start_polling(
                    timeout=POLL_TIMEOUT,
                    allowed_updates=ALLOWED_UPDATES,
                    bootstrap_retries=0,
                    error_callback=self._polling_failed,
                ),
            )
            self._polling = next(
                (task for task in asyncio.all_tasks() if task.get_name() == POLLING_TASK), None
            )
            if self._polling is None:  # python-telegram-bot renamed it (a test says so too)
                log.warning(
                    "python-telegram-bot's polling task %r is not found: should polling end "
                    "for good (a revoked token), the bot would not notice",
                    POLLING_TASK,
                )
            log.info("polling Telegram for updates")
        else:
            try:
                await self._retrying(
                    "register the webhook",
                    lambda: updater.start_webhook(
                        listen=webhook.listen,
                        port=webhook.port,
                        url_path=webhook.path,
                        webhook_url=webhook.url,
                        secret_token=webhook.secret,
                        allowed_updates=ALLOWED_UPDATES,
                        bootstrap_retries=0,
                    ),
                )
            except OSError as error:
                raise JardinierError(
                    f"cannot listen for the Telegram webhook on {webhook.listen}:{webhook.port} "
                    f"({error.strerror or error}); set TELEGRAM_WEBHOOK_LISTEN and "
                    "TELEGRAM_WEBHOOK_PORT"
                ) from None
            log.info("serving the Telegram webhook on %s:%s", webhook.listen, webhook.port)
            health = self.webhook_health
            assert health is not None
            health.registered()
            self._watching = asyncio.create_task(health.watch(), name="telegram webhook health")
        return True

    async def _retrying(self, what: str, call: Callable[[], Awaitable[object]]) -> None:
        """Run ``call`` until it succeeds, waiting longer after each network failure."""
        delay = 1.0
        while True:
            try:
                await call()
            except InvalidToken:
                raise JardinierError(
                    "Telegram refused TELEGRAM_TOKEN; copy the token again from BotFather"
                ) from None
            except RetryAfter as error:
                wait = retry_after_seconds(error)
                log.warning("Telegram's flood control: waiting %.0f s to %s", wait, what)
            except (BadRequest, Forbidden) as error:
                raise JardinierError(
                    f"Telegram refused to {what}: {self.without_token(error.message)}"
                ) from None
            except NetworkError as error:
                wait = delay
                delay = min(delay * 2, MAX_RECONNECT_DELAY)
                log.warning(
                    "could not %s (%s); trying again in %.0f s",
                    what,
                    self.without_token(str(error)),
                    wait,
                )
            except TelegramError as error:
                raise JardinierError(
                    f"Telegram refused to {what}: {self.without_token(error.message)}"
                ) from None
            else:
                return
            await asyncio.sleep(wait)

    async def _initialise(self, action: str = "connect") -> None:
        if self._closed:
            raise refusal(action, "closing")
        async with self._initialising:
            await self.application.initialize()
        me = self.application.bot.bot
        self.identity = BotIdentity(me.id, me.username or "")

    async def _disconnect(self) -> None:
        self._closed = True
        if self._watching is not None:
            self._watching.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watching
        application = self.application
        steps: list[tuple[str, Callable[[], Awaitable[object]]]] = []
        if application.updater is not None and application.updater.running:
            steps.append(("the updater", application.updater.stop))
        if application.running:
            steps.append(("the application", application.stop))
        steps.append(("the application", application.shutdown))
        # An initialisation that failed half-way (getMe refused) leaves the HTTP client open.
        steps.append(("the Bot API client", application.bot.shutdown))
        for what, step in steps:
            try:
                await step()
            except InvalidToken:
                pass  # polling ended on a refused token, and serve() said so
            except Exception:
                log.exception("could not stop %s cleanly", what)

    def _polling_failed(self, error: Exception) -> None:
        self._poll_failed_at = time.monotonic()
        log.warning("polling Telegram failed (%s); trying again", error)

    # -- calling the Bot API ---------------------------------------------------------------------

    async def api(
        self,
        action: str,
        call: Callable[[Bot], Awaitable[T]],
        *,
        community: CommunityRef | None = None,
        subject: str = "",
    ) -> T:
        """``call`` on the bot, once connected; a refusal is a :class:`PlatformError` for
        ``action``, never naming the token."""

        async def attempt() -> T:
            await self._initialise(action)
            return await call(self.application.bot)

        try:
            return await call_api(action, attempt, community=community, subject=subject)
        except PlatformError as error:
            # Reasons reach the mod-log, a chat: the token must never be in one.
            scrubbed = {
                name: clean
                for name, value in error.values.items()
                if isinstance(value, str) and (clean := self.without_token(value)) != value
            }
            if not scrubbed:
                raise
            raise error.with_values(**scrubbed) from None

    async def in_chat(
        self,
        action: str,
        chat_id: int,
        call: Callable[[Bot, int], Awaitable[T]],
        *,
        community: CommunityRef | None = None,
        subject: str = "",
    ) -> T:
        """``call`` on the chat ``chat_id``, by the id Telegram gives it now: a group upgraded
        to a supergroup is followed there, even when the bot learns it from a refused call."""
        await self.migrations.load()

        async def in_chat(bot: Bot) -> T:
            target = self.migrations.now(chat_id)
            try:
                return await call(bot, target)
            except ChatMigrated as error:
                if error.new_chat_id == target:
                    raise
                await self.migrations.moved(target, error.new_chat_id)
                return await call(bot, error.new_chat_id)

        return await self.api(action, in_chat, community=community, subject=subject)

    async def chat(self, action: str, community: CommunityRef) -> int:
        """The id the community's chat has now."""
        try:
            chat_id, _ = parse_channel_id(community.id)
        except ValueError:
            raise refusal(action, "not_a_chat", community=community, target=community.id) from None
        await self.migrations.load()
        return self.migrations.now(chat_id)

    def without_token(self, text: str) -> str:
        """``text`` with the bot's token masked, in any case (python-telegram-bot lower-cases
        the descriptions it quotes, a proxy may quote the request's path)."""
        return re.sub(re.escape(self.settings.token), "***", text, flags=re.IGNORECASE)
