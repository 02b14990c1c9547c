"""Settings from the environment: checked before anything connects, secrets never echoed."""

from __future__ import annotations

import pytest

from bot.adapters.telegram import create_platform
from bot.adapters.telegram.settings import TelegramSettings
from bot.errors import JardinierError
from bot.platform import Capability, Platform

TOKEN = "123456:AAE-secret_token-value"


def test_defaults_poll_the_official_api() -> None:
    settings = TelegramSettings.from_environ({"TELEGRAM_TOKEN": TOKEN})
    assert settings.api_url == "https://api.telegram.org/bot"
    assert settings.file_url == "https://api.telegram.org/file/bot"
    assert settings.webhook is None
    assert settings.bot_id == "123456"
    assert TOKEN not in repr(settings)


def test_another_bot_api_server() -> None:
    settings = TelegramSettings.from_environ(
        {"TELEGRAM_TOKEN": TOKEN, "TELEGRAM_API_URL": "http://127.0.0.1:8081/bot"}
    )
    assert settings.api_url == "http://127.0.0.1:8081/bot"
    assert settings.file_url == "http://127.0.0.1:8081/file/bot"


def test_webhook_settings_with_their_defaults() -> None:
    settings = TelegramSettings.from_environ(
        {"TELEGRAM_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/tg/hook"}
    )
    webhook = settings.webhook
    assert webhook is not None
    assert (webhook.listen, webhook.port, webhook.path) == ("0.0.0.0", 8443, "/tg/hook")
    assert len(webhook.secret) >= 32  # a fresh secret when none is configured
    assert webhook.secret not in repr(settings)
    explicit = TelegramSettings.from_environ(
        {
            "TELEGRAM_TOKEN": TOKEN,
            "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/tg/hook",
            "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
            "TELEGRAM_WEBHOOK_PORT": "8080",
            "TELEGRAM_WEBHOOK_PATH": "inner",
            "TELEGRAM_WEBHOOK_SECRET": "s3cret-Value_1",
        }
    ).webhook
    assert explicit is not None
    assert (explicit.listen, explicit.port, explicit.path, explicit.secret) == (
        "127.0.0.1",
        8080,
        "/inner",
        "s3cret-Value_1",
    )


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"TELEGRAM_TOKEN": "not a token"}, "does not look like a bot token"),
        (
            {"TELEGRAM_TOKEN": TOKEN, "TELEGRAM_API_URL": "127.0.0.1:8081/bot"},
            "must be an http(s) URL",
        ),
        (
            {"TELEGRAM_TOKEN": TOKEN, "TELEGRAM_API_URL": "http://127.0.0.1:8081/"},
            "up to and including /bot",
        ),
        ({"TELEGRAM_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_URL": "bot.example.org"}, "public https"),
        (
            {
                "TELEGRAM_TOKEN": TOKEN,
                "TELEGRAM_WEBHOOK_URL": "https://b.example.org/h",
                "TELEGRAM_WEBHOOK_PORT": "99999",
            },
            "TELEGRAM_WEBHOOK_PORT must be a port number",
        ),
        (
            {
                "TELEGRAM_TOKEN": TOKEN,
                "TELEGRAM_WEBHOOK_URL": "https://b.example.org/h",
                "TELEGRAM_WEBHOOK_SECRET": "has spaces",
            },
            "TELEGRAM_WEBHOOK_SECRET may only hold",
        ),
    ],
    ids=["token", "url scheme", "url path", "webhook url", "port", "secret"],
)
def test_wrong_settings_say_what_to_fix(environ: dict[str, str], message: str) -> None:
    with pytest.raises(JardinierError, match=message.replace("(", r"\(").replace(")", r"\)")):
        TelegramSettings.from_environ(environ)


def test_a_malformed_token_is_never_echoed() -> None:
    secret = "123456 AAE-this-is-secret"
    with pytest.raises(JardinierError) as caught:
        TelegramSettings.from_environ({"TELEGRAM_TOKEN": secret})
    assert secret not in str(caught.value)
    assert "AAE-this-is-secret" not in str(caught.value)


async def test_the_platform_is_named_telegram_and_has_no_roles() -> None:
    platform = create_platform(
        {"TELEGRAM_TOKEN": TOKEN, "TELEGRAM_API_URL": "http://127.0.0.1:9/bot"}
    )
    assert isinstance(platform, Platform)
    assert platform.name == "telegram"
    assert Capability.ROLES not in platform.capabilities
    assert {Capability.SEND, Capability.TIMEOUT, Capability.BUTTONS, Capability.FILES} <= (
        platform.capabilities
    )
    await platform.stop()
