"""The Telegram adapter's settings, read from the environment and checked before anything starts.

``TELEGRAM_TOKEN`` is the bot's token from BotFather. ``TELEGRAM_API_URL`` points the bot at
another Bot API server (a self-hosted one, or a local fake in tests): the base up to and including
``/bot``. ``TELEGRAM_WEBHOOK_URL`` switches from long polling to a webhook, served on
``TELEGRAM_WEBHOOK_LISTEN``:``TELEGRAM_WEBHOOK_PORT`` at ``TELEGRAM_WEBHOOK_PATH`` and checked
against ``TELEGRAM_WEBHOOK_SECRET``.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.errors import JardinierError

DEFAULT_API_URL = "https://api.telegram.org/bot"
# Every interface: the webhook usually sits behind a reverse proxy or in a container.
DEFAULT_WEBHOOK_LISTEN = "0.0.0.0"
DEFAULT_WEBHOOK_PORT = 8443
_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,100}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


@dataclass(frozen=True)
class WebhookSettings:
    """Where Telegram posts updates, and where the bot listens for them."""

    url: str
    listen: str = DEFAULT_WEBHOOK_LISTEN
    port: int = DEFAULT_WEBHOOK_PORT
    path: str = ""
    secret: str = field(default="", repr=False)


@dataclass(frozen=True)
class TelegramSettings:
    """Everything the adapter needs from the environment."""

    token: str = field(repr=False)
    api_url: str = DEFAULT_API_URL
    webhook: WebhookSettings | None = None

    @property
    def bot_id(self) -> str:
        """The bot's user id: the part of the token before the colon (not a secret)."""
        return self.token.partition(":")[0]

    @property
    def file_url(self) -> str:
        """The base URL of file downloads on the same server (``…/file/bot``)."""
        return self.api_url.removesuffix("/bot") + "/file/bot"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> TelegramSettings:
        """Read and check the settings; a :class:`JardinierError` says what to fix."""
        token = environ.get("TELEGRAM_TOKEN", "").strip()
        if not _TOKEN.fullmatch(token):
            # Never echo the value: it is a secret even when malformed.
            raise JardinierError(
                "TELEGRAM_TOKEN does not look like a bot token (digits, a colon, then letters); "
                "copy it again from BotFather"
            )
        api_url = environ.get("TELEGRAM_API_URL", "").strip() or DEFAULT_API_URL
        parts = urlsplit(api_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise JardinierError(
                f"TELEGRAM_API_URL must be an http(s) URL, such as http://127.0.0.1:8081/bot; "
                f"got {api_url[:80]!r}"
            )
        if not api_url.endswith("/bot"):
            raise JardinierError(
                "TELEGRAM_API_URL is the Bot API base up to and including /bot "
                f"(e.g. http://127.0.0.1:8081/bot); got {api_url[:80]!r}"
            )
        return cls(token=token, api_url=api_url, webhook=_webhook(environ))


def _webhook(environ: Mapping[str, str]) -> WebhookSettings | None:
    url = environ.get("TELEGRAM_WEBHOOK_URL", "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise JardinierError(
            "TELEGRAM_WEBHOOK_URL must be the public https URL Telegram posts updates to, "
            f"such as https://bot.example.org/telegram; got {url[:80]!r}"
        )
    port_text = environ.get("TELEGRAM_WEBHOOK_PORT", "").strip() or str(DEFAULT_WEBHOOK_PORT)
    # ASCII only: str.isdigit() also holds for "²", which int() refuses.
    if not (port_text.isascii() and port_text.isdigit()) or not 1 <= int(port_text) <= 65535:
        raise JardinierError(
            f"TELEGRAM_WEBHOOK_PORT must be a port number (1-65535); got {port_text[:20]!r}"
        )
    secret = environ.get("TELEGRAM_WEBHOOK_SECRET", "").strip()
    if secret and not _SECRET.fullmatch(secret):
        raise JardinierError(
            "TELEGRAM_WEBHOOK_SECRET may only hold 1 to 256 letters, digits, _ and -"
        )
    path = environ.get("TELEGRAM_WEBHOOK_PATH", "").strip() or parts.path or "/"
    return WebhookSettings(
        url=url,
        listen=environ.get("TELEGRAM_WEBHOOK_LISTEN", "").strip() or DEFAULT_WEBHOOK_LISTEN,
        port=int(port_text),
        path="/" + path.lstrip("/"),
        # Without a configured secret, a fresh one per start still keeps strangers out: the
        # webhook is registered again with it at every start.
        secret=secret or secrets.token_urlsafe(32),
    )
