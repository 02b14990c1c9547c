"""The Telegram adapter (python-telegram-bot). The application arrives with its own issue; the
command menus are pure functions already used by ``jardinier commands --platform telegram``."""
