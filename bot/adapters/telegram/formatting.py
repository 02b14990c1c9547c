"""Outgoing text as Telegram HTML: everything escaped, nobody pinged unless a cog names them.

Cogs write plain text, and parts of it come from members (a name, a quoted message). The whole
text is HTML-escaped, so a first name ``<b>x</b>`` shows as typed. Telegram also turns any
``@word`` into a mention that notifies that user, whatever the parse mode: a word joiner after each
``@`` keeps the text looking the same while pinging no one (an ``@`` inside a web address or an
e-mail address is left alone: it pings no one, and a joiner would break the link). Only the users a
cog lists in ``mention`` become real mentions, as links to their account: their name in the text
(as written, or as cogs write names), else their name in front of it. Texts longer than Telegram
allows are split between lines.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.events import UserRef
from bot.ruleconf.plaintext import plain_name
from bot.utf16 import utf16_length

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_BUTTON_DATA = 64
WORD_JOINER = "\u2060"
_MENTION_LIKE = re.compile(r"@(?=[A-Za-z0-9_])")
# What Telegram makes a link of, so that an ``@`` inside is no mention: a web address with its
# scheme, a host and a path (``https://mastodon.social/@alice``), and an e-mail address (whose
# ``@`` follows a letter or digit, which never starts a mention). A word joiner would end the link
# at the ``@``. Of an e-mail address's local part only its last character is matched: what tells
# an address is the ``@`` with a letter or digit before it, and a whole local part, matched from
# each letter of a long word in turn, took seconds on a long text (the search is linear now).
_ADDRESS = re.compile(
    r"(?:https?|ftp)://[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?::\d{1,5})?[/?#]"
    r"[^\s<>\"\u00a0\u00ab\u00bb\u1680\u2000-\u206f\u3000]*"
    r"|[a-z0-9_]@[a-z0-9-]+(?:\.[a-z0-9-]+)+",
    re.ASCII | re.IGNORECASE,
)
_NUMERIC_ID = re.compile(r"^\d{1,20}$")


@dataclass(frozen=True)
class _Piece:
    text: str
    user: UserRef | None = None


def neutralise_mentions(text: str) -> str:
    """``@name`` → ``@\u2060name``: looks the same, notifies no one. An ``@`` inside a web or
    e-mail address stays as it is."""
    if "@" not in text:
        return text
    addresses = [match.span() for match in _ADDRESS.finditer(text) if "@" in match[0]]
    if not addresses:
        return _MENTION_LIKE.sub("@" + WORD_JOINER, text)

    def neutralised(match: re.Match[str]) -> str:
        at = match.start()
        if any(begin <= at < end for begin, end in addresses):
            return "@"
        return "@" + WORD_JOINER

    return _MENTION_LIKE.sub(neutralised, text)


def _find(text: str, name: str, spans: list[tuple[int, int, UserRef]]) -> tuple[int, int] | None:
    """Where ``name`` is written in ``text`` outside the spans already taken: the first place
    it stands as a word of its own ("Al" in "thanks to Al!", not in "Alice"), else the first
    place at all."""
    first = None
    start = 0
    while (index := text.find(name, start)) != -1:
        end = index + len(name)
        if all(end <= begin or index >= stop for begin, stop, _ in spans):
            if _stands_alone(text, index, end):
                return index, end
            if first is None:
                first = index, end
        start = index + 1
    return first


def _stands_alone(text: str, begin: int, end: int) -> bool:
    """Whether ``text[begin:end]`` has no letter or digit right before or after it."""
    before = text[begin - 1] if begin > 0 else ""
    after = text[end] if end < len(text) else ""
    return not before.isalnum() and not after.isalnum()


def _pieces(text: str, mention: Sequence[UserRef]) -> list[_Piece]:
    spans: list[tuple[int, int, UserRef]] = []
    absent: list[_Piece] = []
    for user in dict.fromkeys(mention):
        if not user.name or not _NUMERIC_ID.fullmatch(user.id):
            continue
        # Cogs write a member's name cleaned (bounded, on one line, never a link).
        written = plain_name(user.name)
        found = _find(text, user.name, spans)
        if found is None and written:
            found = _find(text, written, spans)
        if found is not None:
            spans.append((*found, user))
        elif written:
            absent.append(_Piece(written, user))
    # A member the text does not name is named in front of it, as Discord puts their ping.
    pieces: list[_Piece] = []
    if absent and text.strip():
        for piece in absent:
            pieces += [piece, _Piece(" ")]
    cursor = 0
    for begin, end, user in sorted(spans, key=lambda span: span[0]):
        if begin > cursor:
            pieces.append(_Piece(text[cursor:begin]))
        pieces.append(_Piece(text[begin:end], user))
        cursor = end
    if cursor < len(text):
        pieces.append(_Piece(text[cursor:]))
    return pieces


def _cut(text: str, room: int) -> int:
    """Where to cut ``text`` for its head to fit ``room`` units: at a line, else a word."""
    units, limit = 0, 0
    for index, character in enumerate(text):
        units += utf16_length(character)
        if units > room:
            break
        limit = index + 1
    head = text[:limit]
    for separator in ("\n", " "):
        at = head.rfind(separator)
        if at >= limit // 2 and at > 0:
            return at + 1
    return limit


def _render(pieces: list[_Piece]) -> str:
    out = []
    for piece in pieces:
        escaped = html.escape(piece.text, quote=False)
        if piece.user is None:
            out.append(escaped)
        else:
            out.append(f'<a href="tg://user?id={piece.user.id}">{escaped}</a>')
    return "".join(out)


def render_html(text: str, mention: Sequence[UserRef] = (), *, limit: int = MAX_TEXT) -> list[str]:
    """``text`` as Telegram HTML, in as many messages as it takes (none for an empty text)."""
    chunks: list[list[_Piece]] = []
    current: list[_Piece] = []
    size = 0

    def flush() -> None:
        nonlocal current, size
        if current:
            chunks.append(current)
        current, size = [], 0

    for piece in _pieces(text, mention):
        visible = neutralise_mentions(piece.text)
        if piece.user is not None:
            length = utf16_length(visible)
            if size + length > limit:
                flush()
            current.append(_Piece(visible, piece.user))
            size += length
            continue
        while visible:
            room = limit - size
            if utf16_length(visible) <= room:
                current.append(_Piece(visible))
                size += utf16_length(visible)
                break
            at = _cut(visible, room) if room > 0 else 0
            if at == 0:
                if not current:
                    raise ValueError(f"a limit of {limit} cannot hold one character")
                flush()
                continue
            current.append(_Piece(visible[:at]))
            visible = visible[at:]
            flush()
    flush()
    return [_render(chunk) for chunk in chunks if "".join(p.text for p in chunk).strip()]


def keyboard(
    buttons: Sequence[tuple[str, str]], *, link: tuple[str, str] | None = None
) -> InlineKeyboardMarkup | None:
    """An inline keyboard, one button per row, from ``(id, label)`` pairs, and last the button
    ``link`` (``(label, url)``) opening a link, if any.

    Raises ``ValueError`` when an id does not fit Telegram's 64 bytes of callback data.
    """
    if not buttons and link is None:
        return None
    rows = []
    for button_id, label in buttons:
        if not 1 <= len(button_id.encode()) <= MAX_BUTTON_DATA:
            raise ValueError(
                f"the button id {button_id[:70]!r} does not fit Telegram's {MAX_BUTTON_DATA} bytes"
            )
        rows.append([InlineKeyboardButton(label, callback_data=button_id)])
    if link is not None:
        rows.append([InlineKeyboardButton(link[0], url=link[1])])
    return InlineKeyboardMarkup(rows)
