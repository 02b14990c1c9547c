"""Errors found in a rule book, each pointing at the file, line and column a human should open."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from bot.errors import JardinierError
from bot.ruleconf.invisible import NO_BREAK_SPACE, shown

Said = tuple[tuple[str, str], ...]
"""A message in languages other than English, as ``(language, message)`` pairs: ``(("fr",
"clé inconnue …"),)``."""


def said_in(said: Mapping[str, str]) -> Said:
    """``said`` (language → message) as a :data:`Said`, English left out (it is the message)."""
    return tuple((language, text) for language, text in said.items() if language != "en")


@dataclass(frozen=True)
class RuleError:
    """One problem in a rule book file.

    ``line`` and ``column`` are 1-based. ``line == 0`` means the problem concerns a whole file or
    directory (one that does not exist, say), and the position is left out of the text.
    ``message`` is English; ``said`` holds it in other languages, for the chats of communities
    that speak them (the log and ``jardinier check-rules`` read English). A message in another
    language writes what the user wrote through :func:`~bot.ruleconf.invisible.shown`: its own
    no-break spaces (French typography) are then told from the user's.
    """

    file: Path | str
    line: int
    column: int
    key_path: str
    message: str
    said: Said = field(default=(), compare=False)
    in_chat: str | None = field(default=None, compare=False)
    """The English message as a chat reads it, where ``message`` names a path of the server."""

    def __str__(self) -> str:
        return self.text()

    @property
    def subject(self) -> tuple[str, str]:
        """What the problem is about, its file and key path: the same problem whatever its line
        (a line added above moves it) and its words (a count in them goes down as it is fixed)."""
        return (str(self.file), self.key_path)

    def message_in(self, locale: str | None) -> str:
        """The message in the language of ``locale`` (``fr-CA`` is French), else English."""
        translated = self._translated(locale)
        return self.message if translated is None else translated

    def _translated(self, locale: str | None) -> str | None:
        language = (locale or "en").split("-")[0]
        return next((text for lang, text in self.said if lang == language), None)

    def text(self, locale: str | None = None, *, folder: Path | None = None) -> str:
        """``file:line:col: key.path: message``, the message in ``locale``'s language; with
        ``folder``, the file is named relative to it, never by a path of the server's own (a
        chat is no place for where the bot's files live)."""
        file = shown(str(self.file if folder is None else relative_name(self.file, folder)))
        where = f"{file}:{self.line}:{self.column}" if self.line > 0 else f"{file}"
        # A key or a value with a no-break space or a zero-width space in it must show it. An
        # English message is all shown so; a translated one already shows the user's values,
        # and keeps the no-break spaces its own typography puts before : ; ! ? and in « ».
        translated = self._translated(locale)
        if translated is None:
            message = shown(
                self.message if folder is None or self.in_chat is None else self.in_chat
            )
        else:
            message = shown(translated, keep=NO_BREAK_SPACE)
        if self.key_path:
            return f"{where}: {shown(self.key_path)}: {message}"
        return f"{where}: {message}"


def relative_name(file: Path | str, folder: Path) -> str:
    """``file`` as named from the rule book ``folder`` (``communities/discord-1.yaml``); a
    file elsewhere, or the folder itself, by its own name."""
    path = Path(file)
    try:
        relative = path.relative_to(folder)
    except ValueError:
        return path.name
    return str(relative) if relative.parts else folder.name


class RuleValueError(ValueError):
    """A value a validator of the rule book refuses, said in English (the exception's message)
    and in other languages: raised inside a pydantic validator, the loader reports it to each
    community in its own language."""

    def __init__(self, said: Mapping[str, str]) -> None:
        super().__init__(said["en"])
        self.said = said_in(said)


class RuleWarning(RuleError):  # noqa: N818 - RuleError is a located problem, not an exception
    """Something in a rule book worth fixing that does not stop it from loading; said in the
    languages an error is said in, and shown in the same language."""


Problem = TypeVar("Problem", bound=RuleError)


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
        """The errors one community may read (see :func:`concerning`)."""
        return concerning(self.errors, community_key, self.overrides_folder)


def concerning(
    problems: Iterable[Problem], community_key: str, overrides_folder: Path | None
) -> list[Problem]:
    """The ``problems`` one community may read: those of the files every community shares, and
    of its own override file (``<platform>-<id>`` in ``overrides_folder``); not another
    community's."""
    return [
        problem
        for problem in problems
        if overrides_folder is None
        or Path(problem.file).parent != overrides_folder
        or Path(problem.file).stem == community_key
    ]
