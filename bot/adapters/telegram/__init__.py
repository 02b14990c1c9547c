"""The Telegram adapter (python-telegram-bot): groups and supergroups are communities.

``jardinier run`` calls :func:`create_platform` when ``TELEGRAM_TOKEN`` is set. The command menus
(:mod:`bot.adapters.telegram.commands`) are pure functions, also used by
``jardinier commands --platform telegram``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.adapters.telegram.adapter import TelegramPlatform
    from bot.state import StateStore


def create_platform(
    environ: Mapping[str, str], state: StateStore | None = None
) -> TelegramPlatform:
    """The Telegram platform configured from ``environ`` (see :mod:`.settings`).

    Raises :class:`bot.errors.JardinierError` when a setting is wrong, before anything connects.
    """
    from bot.adapters.telegram.adapter import TelegramPlatform
    from bot.adapters.telegram.settings import TelegramSettings

    return TelegramPlatform(TelegramSettings.from_environ(environ), state)
