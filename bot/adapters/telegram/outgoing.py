"""What the bot posts on Telegram: its texts as escaped HTML in pieces Telegram takes, a file
first with the text as its caption when it fits, and answers to one member where only they see
them (see :mod:`.answers`).

Every message sent is remembered, and kept between runs, with the forum topic it went to: the Bot
API does not say which topic a reacted message is in (:mod:`.directory`, :mod:`.kept`).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.constants import ParseMode

from bot.adapters.telegram.answers import NOTICE, UNSENT, Asked, Asking, PrivateChats
from bot.adapters.telegram.calls import refusal, without_waiting
from bot.adapters.telegram.connection import Connection
from bot.adapters.telegram.formatting import MAX_CAPTION, render_html
from bot.adapters.telegram.kept import KeptState, KeptThreads
from bot.events import ChannelRef, CommunityRef, MessageRef, UserRef
from bot.platform import Button, PlatformError

log = logging.getLogger(__name__)

PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp"})
MAX_PHOTO_BYTES = 10 * 1024 * 1024
# The Bot API takes uploads of 50 MB at most; a larger one is refused before it is read.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def _read_upload(file: Path) -> bytes | None:
    """The file's content, or None when it is larger than the Bot API takes (found without
    reading it whole)."""
    with file.open("rb") as stream:
        if os.fstat(stream.fileno()).st_size > MAX_UPLOAD_BYTES:
            return None
        content = stream.read(MAX_UPLOAD_BYTES + 1)
    return None if len(content) > MAX_UPLOAD_BYTES else content


class Outgoing:
    """Posts in the chats, and answers one member privately where they can."""

    def __init__(
        self,
        connection: Connection,
        threads: KeptThreads,
        private_chats: KeptState[PrivateChats],
    ) -> None:
        self._connection = connection
        self._threads = threads
        self._private_chats = private_chats

    async def answer_alone(
        self,
        asked: Asking,
        channel: ChannelRef,
        text: str,
        *,
        buttons: Sequence[Button],
        file: Path | None,
        mention: Sequence[UserRef],
    ) -> MessageRef | None:
        """Answer the member who asked, where only they see it; None to answer in the channel
        (a command's answer to a member who has not started the bot)."""
        if buttons:
            # A notice holds none, and a button pressed in a private chat is no group's.
            return None
        if asked.kind is Asked.PRESS and file is None:
            asked.notices.append(text)
            return MessageRef(channel, NOTICE)
        sent = await self._privately(asked.user_id, text, channel.community, file, mention)
        if sent is not None:
            private = ChannelRef(channel.community, str(asked.user_id), "")
            return MessageRef(private, str(sent[-1].message_id))
        if asked.kind is Asked.MESSAGE:
            return None
        # A reaction (or a press answered with a file): they see what they did counted.
        log.info(
            "%s has not started the bot: the answer to their %s is not sent (%r)",
            asked.user_id,
            asked.kind.value,
            text[:60],
        )
        return MessageRef(channel, UNSENT)

    async def _privately(
        self,
        user_id: int,
        text: str,
        community: CommunityRef,
        file: Path | None,
        mention: Sequence[UserRef],
    ) -> list[Message] | None:
        """Write ``text`` to ``user_id`` privately if they have started the bot (tried once
        when the bot does not know); None if they have not."""
        if (await self._private_chats.get()).is_open(user_id) is False:
            return None
        try:
            with without_waiting():
                sent = await self.post(
                    user_id,
                    None,
                    text,
                    mention=mention,
                    file=file,
                    community=community,
                    action="dm",
                    subject=str(user_id),
                )
        except PlatformError as error:
            if error.key != "not_started":
                raise
            await self._private_chats.change(lambda chats: chats.closed(user_id))
            return None
        await self._private_chats.change(lambda chats: chats.opened(user_id))
        return sent

    async def private_chat_link(self, asked: Asking) -> tuple[str, str] | None:
        """Under a moderator's command answered in the group, once (kept between runs): a
        button opening the private chat with the bot, where such answers go once it is
        started."""
        username = self._connection.identity.username
        if not username:
            return None
        chat_id, user_id = asked.chat_id, asked.user_id
        if not await self._private_chats.change(lambda chats: chats.offer(chat_id, user_id)):
            return None
        return f"✉️ @{username}", f"https://t.me/{username}"

    async def post(
        self,
        chat_id: int,
        thread_id: int | None,
        text: str,
        *,
        mention: Sequence[UserRef] = (),
        file: Path | None = None,
        reply: ReplyParameters | None = None,
        markup: InlineKeyboardMarkup | None = None,
        community: CommunityRef | None,
        action: str = "send",
        subject: str = "",
    ) -> list[Message]:
        """Post ``text`` (and ``file`` first, the text as its caption when it fits) in a chat;
        the messages sent, each remembered as it goes."""
        chunks = render_html(text, mention)
        sent: list[Message] = []
        if file is not None:
            captions = render_html(text, mention, limit=MAX_CAPTION)
            caption = captions[0] if len(captions) == 1 else None
            last = caption is not None or not chunks
            sent.append(
                await self._send_file(
                    chat_id,
                    thread_id,
                    file,
                    caption,
                    reply,
                    markup if last else None,
                    community,
                    action=action,
                    subject=subject,
                )
            )
            self._threads.remember(sent[-1].chat_id, sent[-1].message_id, thread_id, own=True)
            if last:
                chunks = []
            reply = None
        for index, chunk in enumerate(chunks):
            sent.append(
                await self._send_text(
                    chat_id,
                    chunk,
                    thread_id=thread_id,
                    reply=reply if index == 0 else None,
                    markup=markup if index == len(chunks) - 1 else None,
                    community=community,
                    action=action,
                    subject=subject,
                )
            )
            self._threads.remember(sent[-1].chat_id, sent[-1].message_id, thread_id, own=True)
        return sent

    async def _send_text(
        self,
        chat_id: int,
        text: str,
        *,
        thread_id: int | None = None,
        reply: ReplyParameters | None = None,
        markup: InlineKeyboardMarkup | None = None,
        community: CommunityRef | None = None,
        action: str = "send",
        subject: str = "",
    ) -> Message:
        return await self._connection.in_chat(
            action,
            chat_id,
            lambda bot, chat: bot.send_message(
                chat,
                text,
                parse_mode=ParseMode.HTML,
                message_thread_id=thread_id,
                reply_parameters=reply,
                reply_markup=markup,
            ),
            community=community,
            subject=subject,
        )

    async def _send_file(
        self,
        chat_id: int,
        thread_id: int | None,
        file: Path,
        caption: str | None,
        reply: ReplyParameters | None,
        markup: InlineKeyboardMarkup | None,
        community: CommunityRef | None,
        *,
        action: str = "send",
        subject: str = "",
    ) -> Message:
        try:
            content = await asyncio.to_thread(_read_upload, file)
        except OSError as error:
            log.warning("could not read %s to send it: %s", file, error.strerror)
            raise refusal(action, "file_unreadable", community=community, file=file.name) from None
        if content is None:
            raise refusal(
                action,
                "file_too_large",
                community=community,
                file=file.name,
                megabytes=MAX_UPLOAD_BYTES // (1024 * 1024),
            )
        photo = file.suffix.lower() in PHOTO_SUFFIXES and len(content) <= MAX_PHOTO_BYTES

        async def upload(bot: Bot, chat: int) -> Message:
            common: dict[str, Any] = {
                "caption": caption,
                "parse_mode": ParseMode.HTML if caption else None,
                "message_thread_id": thread_id,
                "reply_parameters": reply,
                "reply_markup": markup,
                "filename": file.name,
            }
            if photo:
                return await bot.send_photo(chat, content, **common)
            return await bot.send_document(chat, content, **common)

        return await self._connection.in_chat(
            action, chat_id, upload, community=community, subject=subject
        )
