"""A fake Telegram Bot API served on 127.0.0.1, for the real python-telegram-bot to talk to.

It answers ``POST /bot<token>/<method>`` like Telegram does: ``getMe``, ``getUpdates`` (honouring
``offset``: the updates below it are confirmed and forgotten, as Telegram forgets them; with a
short long-poll so shutdown stays quick), ``sendMessage`` and the file uploads returning a
Message (privately, only to someone who started the bot), ``deleteMessage`` and
``deleteMessages`` refusing as Telegram does, any call to a group upgraded to a supergroup refused
with the new chat id, ``getWebhookInfo`` saying what ``setWebhook`` registered and how its
deliveries fare (``delivery_failed``), and ``{"ok": true, "result": true}`` for the rest. Tests
push updates, script failures (``fail``), and read every call the bot made (``calls``,
``wait_for``).
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER = {
    "id": 123,
    "is_bot": True,
    "first_name": "Jardinier",
    "username": "jardinier_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": True,
    "supports_inline_queries": False,
}
LONG_POLL = 0.3
SENDING = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
NOT_STARTED = "Forbidden: bot can't initiate conversation with a user"


@dataclass
class Call:
    """One request the bot made: the method and its parameters as sent (strings)."""

    method: str
    params: dict[str, str]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    result: Any = None

    def json(self, name: str) -> Any:
        """A parameter PTB sent as JSON (keyboards, permissions, scopes, lists, numbers)."""
        return json.loads(self.params[name])

    @property
    def chat_id(self) -> int:
        """The chat the call is about."""
        return int(self.params["chat_id"])


class FakeBotApi:
    """The Bot API, as far as the adapter uses it."""

    def __init__(self, token: str = "123:TEST") -> None:
        self.token = token
        self.calls: list[Call] = []
        self.polls = 0
        self.poll_params: list[dict[str, str]] = []
        self.administrators: dict[int, list[int]] = {}
        self.started: set[int] = set()
        """Users who have started the bot: Telegram refuses to write privately to anyone else.
        Someone writing to the bot privately (an update pushed) has started it."""
        self.not_started: list[Call] = []
        """Private messages refused because their addressee never started the bot (not in
        ``calls``, which holds what Telegram did or was scripted to refuse)."""
        self.rights: dict[int, dict[str, Any]] = {}
        """Rights of particular administrators by user id, over :data:`ADMIN_RIGHTS` (with
        ``{"status": "creator"}``, the group's owner)."""
        self.statuses: dict[tuple[int, int], str] = {}
        self.undeletable: set[tuple[int, int]] = set()
        """(chat, message) pairs Telegram will not let the bot delete (older than 48 hours, or
        not its own where it lacks the right)."""
        self.gone: set[tuple[int, int]] = set()
        """(chat, message) pairs deleted already: deleteMessage says so, deleteMessages skips
        them."""
        self.unknown_chats: set[int] = set()
        """Chats Telegram does not know (or that the bot has left)."""
        self.upgraded: dict[int, int] = {}
        """Groups that became supergroups, and the supergroup's id: calls to them are refused."""
        self.deleted: list[tuple[int, int]] = []
        self.member_counts: dict[int, int] = {}
        """What ``getChatMemberCount`` answers for each chat (1 for the others)."""
        self.webhook_url = ""
        """What ``setWebhook`` registered ("" when none, or after ``deleteWebhook``)."""
        self.webhook_error: tuple[int, str] | None = None
        """When (a Unix time) and why Telegram last failed to deliver to the webhook."""
        self.webhook_waiting = 0
        """How many updates Telegram holds for the webhook (``pending_update_count``)."""
        self.held: list[Call] = []
        """Calls of a method being held (:meth:`hold`): received, not answered."""
        self._holding: set[str] = set()
        self._released = asyncio.Event()
        self._failures: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update = 1
        self._next_message = 5000
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- serving -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on an ephemeral port of 127.0.0.1."""
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def close(self) -> None:
        """Stop serving."""
        self.release()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        """What ``TELEGRAM_API_URL`` should be."""
        return f"http://127.0.0.1:{self.port}/bot"

    # -- scripting -----------------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> int:
        """Queue an update (without ``update_id``) for the next ``getUpdates``."""
        update_id = self._next_update
        self._next_update += 1
        private = update.get("message", {})
        if private.get("chat", {}).get("type") == "private" and "from" in private:
            self.started.add(private["from"]["id"])
        self._updates.append({"update_id": update_id, **update})
        asyncio.get_running_loop().create_task(self._notify())
        return update_id

    def fail(
        self,
        method: str,
        description: str,
        *,
        code: int = 400,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with an error, as Telegram would."""
        payload: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if retry_after is not None:
            payload["parameters"] = {"retry_after": retry_after}
        self._failures.setdefault(method, []).extend([(code, payload)] * times)

    def hold(self, method: str) -> None:
        """Leave the calls of ``method`` unanswered until :meth:`release` (a bot stuck on them
        can be killed mid-way); they go to ``held``, not ``calls``."""
        self._holding.add(method)

    def release(self) -> None:
        """Answer the held calls with an error (their bot may be gone), and hold no more."""
        self._holding.clear()
        self._released.set()

    def delivery_failed(self, why: str, *, waiting: int = 1, at: float | None = None) -> None:
        """Say, as Telegram would, that its last delivery to the webhook failed (now, or
        ``at``), ``waiting`` updates held."""
        self.webhook_error = (int(time.time() if at is None else at), why)
        self.webhook_waiting = waiting

    def deleted_in(self, chat_id: int) -> list[int]:
        """The messages of ``chat_id`` deleted so far, in the order they went."""
        return [message for chat, message in self.deleted if chat == chat_id]

    def called(self, method: str) -> list[Call]:
        """The calls of ``method`` so far."""
        return [call for call in self.calls if call.method == method]

    async def wait_for(self, method: str, count: int = 1, within: float = 5.0) -> list[Call]:
        """Wait until ``method`` was called ``count`` times; return those calls."""
        deadline = time.monotonic() + within
        async with self._changed:
            while len(self.called(method)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [call.method for call in self.calls]
                    raise AssertionError(
                        f"{method} called {len(self.called(method))} times: {seen}"
                    )
                try:
                    await asyncio.wait_for(self._changed.wait(), left)
                except TimeoutError:
                    continue
        return self.called(method)

    async def wait_for_polls(self, count: int = 1, within: float = 5.0) -> None:
        """Wait until the bot has asked for updates ``count`` times (it is polling)."""
        deadline = time.monotonic() + within
        while self.polls < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"the bot polled {self.polls} times")
            await asyncio.sleep(0.02)

    # -- answering -----------------------------------------------------------------------------

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params: dict[str, str] = {}
        files: dict[str, tuple[str, bytes]] = {}
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                files[name] = (value.filename, value.file.read())
            else:
                params[name] = str(value)
        if method == "getUpdates":
            return await self._get_updates(params)
        call = Call(method, params, files)
        if method in self._holding:
            self.held.append(call)
            await self._notify()
            await self._released.wait()
            payload = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
            return web.json_response(payload, status=500)
        if method in SENDING and 0 < int(params["chat_id"]) not in self.started:
            self.not_started.append(call)
            await self._notify()
            payload = {"ok": False, "error_code": 403, "description": NOT_STARTED}
            return web.json_response(payload, status=403)
        self.calls.append(call)
        upgraded = self.upgraded.get(int(params.get("chat_id", 0)))
        if upgraded is not None:
            await self._notify()
            payload = {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: group chat was upgraded to a supergroup chat",
                "parameters": {"migrate_to_chat_id": upgraded},
            }
            return web.json_response(payload, status=400)
        failures = self._failures.get(method)
        if failures:
            await self._notify()
            status, payload = failures.pop(0)
            return web.json_response(payload, status=status)
        if method in ("deleteMessage", "deleteMessages"):
            refused = self._delete(method, params)
            if refused is not None:
                await self._notify()
                payload = {"ok": False, "error_code": 400, "description": refused}
                return web.json_response(payload, status=400)
        call.result = self._result(method, params, files)
        await self._notify()
        return web.json_response({"ok": True, "result": call.result})

    async def _get_updates(self, params: dict[str, str]) -> web.Response:
        self.polls += 1
        self.poll_params.append(params)
        offset = int(params.get("offset", 0))
        if offset > 0:
            self._updates = [update for update in self._updates if update["update_id"] >= offset]
        wait = min(float(params.get("timeout", 0)), LONG_POLL)
        deadline = time.monotonic() + wait
        while True:
            pending = [update for update in self._updates if update["update_id"] >= offset]
            if pending or time.monotonic() >= deadline:
                return web.json_response({"ok": True, "result": pending})
            await asyncio.sleep(0.02)

    def _delete(self, method: str, params: dict[str, str]) -> str | None:
        """Delete as Telegram does; the description of its refusal, if it refuses.

        deleteMessages skips the messages it cannot find, but refuses all of them for one it may
        not delete.
        """
        chat_id = int(params["chat_id"])
        if chat_id in self.unknown_chats:
            return "Bad Request: chat not found"
        if method == "deleteMessages":
            wanted = [(chat_id, int(message)) for message in json.loads(params["message_ids"])]
        else:
            wanted = [(chat_id, int(params["message_id"]))]
        if any(message in self.undeletable for message in wanted):
            return "Bad Request: message can't be deleted"
        if method == "deleteMessage" and wanted[0] in self.gone:
            return "Bad Request: message to delete not found"
        for message in wanted:
            if message not in self.gone:
                self.gone.add(message)
                self.deleted.append(message)
        return None

    def _message(self, params: dict[str, str], **content: Any) -> dict[str, Any]:
        self._next_message += 1
        chat_id = int(params["chat_id"])
        chat: dict[str, Any] = {"id": chat_id, "type": "supergroup" if chat_id < 0 else "private"}
        message: dict[str, Any] = {
            "message_id": self._next_message,
            "date": int(time.time()),
            "chat": chat,
            "from": BOT_USER,
            **content,
        }
        if "message_thread_id" in params:
            message["message_thread_id"] = int(params["message_thread_id"])
            message["is_topic_message"] = True
        return message

    def _result(
        self, method: str, params: dict[str, str], files: dict[str, tuple[str, bytes]]
    ) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "sendMessage":
            return self._message(params, text=params["text"])
        if method == "sendPhoto":
            photo = {"file_id": "p1", "file_unique_id": "u1", "width": 1, "height": 1}
            return self._message(params, photo=[photo], caption=params.get("caption", ""))
        if method == "sendDocument":
            name = files["document"][0] if "document" in files else "file"
            document = {"file_id": "d1", "file_unique_id": "u2", "file_name": name}
            return self._message(params, document=document, caption=params.get("caption", ""))
        if method == "getChatAdministrators":
            chat_id = int(params["chat_id"])
            return [
                {
                    "status": "administrator",
                    "user": {"id": user_id, "is_bot": False, "first_name": f"Admin{user_id}"},
                    **ADMIN_RIGHTS,
                    **self.rights.get(user_id, {}),
                }
                for user_id in self.administrators.get(chat_id, [])
            ]
        if method == "setWebhook":
            self.webhook_url = params["url"]
        if method == "deleteWebhook":
            self.webhook_url = ""
        if method == "getWebhookInfo":
            info: dict[str, Any] = {
                "url": self.webhook_url,
                "has_custom_certificate": False,
                "pending_update_count": self.webhook_waiting,
            }
            if self.webhook_error is not None:
                info["last_error_date"], info["last_error_message"] = self.webhook_error
            return info
        if method == "getChatMemberCount":
            return self.member_counts.get(int(params["chat_id"]), 1)
        if method == "getChatMember":
            chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
            status = self.statuses.get((chat_id, user_id), "member")
            member: dict[str, Any] = {
                "status": status,
                "user": {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"},
            }
            if status == "kicked":
                member["until_date"] = 0
            if status == "administrator":
                member.update({**ADMIN_RIGHTS, **self.rights.get(user_id, {})})
            return member
        return True


ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
}
