"""``python -m bot`` is ``jardinier``."""

from bot.cli import main

main()
