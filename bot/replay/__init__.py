"""Replay an exported chat history through the real cogs, as a dry run, and report what they did.

Reads DiscordChatExporter JSON, Telegram Desktop ``result.json`` and simple CSV / JSONL files
(:mod:`bot.replay.detect`) a piece at a time, so that files of gigabytes replay in the memory
small ones take, feeds their events in time order to a core that serves only a
recording platform (:mod:`bot.replay.recorder`) and a clock that follows the messages'
timestamps (:mod:`bot.replay.session`), and summarises what the bot would have done
(:mod:`bot.replay.report`).
"""

from bot.replay.detect import load_history
from bot.replay.history import History
from bot.replay.report import ReplayReport
from bot.replay.session import replay

__all__ = ["History", "ReplayReport", "load_history", "replay"]
