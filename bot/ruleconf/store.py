"""The rule book currently in force, and its atomic reload."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel

from bot.ruleconf.book import RuleBook, load_rule_book


class RuleStore:
    """Holds the current :class:`RuleBook` of one directory.

    Loading happens at construction (raising :class:`~bot.ruleconf.errors.RuleBookError` on any
    problem) and on :meth:`reload`; ``shipped`` is as for :func:`load_rule_book`. Loading reads
    files: from a coroutine, call ``reload`` through ``asyncio.to_thread``.
    """

    def __init__(
        self,
        directory: Path,
        section_models: Mapping[str, type[BaseModel]],
        *,
        shipped: Path | None = None,
    ) -> None:
        self._directory = Path(directory)
        self._section_models = dict(section_models)
        self._shipped = shipped
        self.current: RuleBook = self._load()
        """The rule book in force (read on every event: an attribute, not a property)."""

    @property
    def directory(self) -> Path:
        """The rule book directory this store loads from."""
        return self._directory

    def reload(self) -> RuleBook:
        """Load the directory again and put the new book in force, returning it.

        Everything is validated before the swap: on any error
        :class:`~bot.ruleconf.errors.RuleBookError` is raised and the current book stays.
        """
        book = self._load()
        self.current = book
        return book

    def _load(self) -> RuleBook:
        return load_rule_book(self._directory, self._section_models, shipped=self._shipped)
