"""Errors found in a rule book, each pointing at the file, line and column a human should open."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.errors import JardinierError
from bot.ruleconf.invisible import shown


@dataclass(frozen=True)
class RuleError:
    """One problem in a rule book file.

    ``line`` and ``column`` are 1-based. ``line == 0`` means the problem concerns a whole file or
    directory (one that does not exist, say), and the position is left out of the text.
    """

    file: Path | str
    line: int
    column: int
    key_path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line > 0 else f"{self.file}"
        # A key or a value with a no-break space or a zero-width space in it must show it.
        if self.key_path:
            return shown(f"{where}: {self.key_path}: {self.message}")
        return shown(f"{where}: {self.message}")


class RuleWarning(RuleError):  # noqa: N818 - RuleError is a located problem, not an exception
    """Something in a rule book worth fixing that does not stop it from loading."""


class RuleBookError(JardinierError):
    """A rule book could not be loaded; ``errors`` lists every problem found, in file order.

    ``overrides_folder`` is the folder of the book's community overrides, whose files concern
    one community each (see :meth:`concerning`).
    """

    def __init__(
        self, errors: Iterable[RuleError], *, overrides_folder: Path | None = None
    ) -> None:
        self.errors: list[RuleError] = list(errors)
        self.overrides_folder = overrides_folder
        super().__init__("\n".join(str(error) for error in self.errors))

    @property
    def directory(self) -> Path | None:
        """The rule book's directory, when known (the folder holding its override folder)."""
        return self.overrides_folder.parent if self.overrides_folder is not None else None

    def concerning(self, community_key: str) -> list[RuleError]:
        """The errors one community may read: those of the files every community shares, and of
        its own override file (``<platform>-<id>``); not another community's."""
        return [
            error
            for error in self.errors
            if self.overrides_folder is None
            or Path(error.file).parent != self.overrides_folder
            or Path(error.file).stem == community_key
        ]
