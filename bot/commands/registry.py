"""The commands every loaded cog declared, by name."""

from __future__ import annotations

from collections.abc import Iterator

from bot.commands.spec import CommandSpec, folded


class DuplicateCommandError(ValueError):
    """Two cogs declare the same command name."""


class CommandRegistry:
    """Command specs by name, in the order they were registered."""

    def __init__(self) -> None:
        self._specs: dict[str, CommandSpec] = {}
        # Translated names (/aide for /help) lead to the same command.
        self._aliases: dict[str, str] = {}

    def add(self, spec: CommandSpec) -> None:
        """Register ``spec``; a name already taken by another cog is a bug in a cog."""
        for name in {spec.name, *spec.names.values()}:
            existing = self.get(name)
            if existing is not None:
                raise DuplicateCommandError(
                    f"command name /{name} is declared by both {existing.cog!r} and {spec.cog!r}"
                )
        self._specs[spec.name] = spec
        for translated in spec.names.values():
            if translated != spec.name:
                self._aliases[translated] = spec.name

    def remove_cog(self, cog: str) -> None:
        """Forget every command of ``cog``."""
        self._specs = {name: spec for name, spec in self._specs.items() if spec.cog != cog}
        self._aliases = {
            alias: name for alias, name in self._aliases.items() if name in self._specs
        }

    def get(self, name: str) -> CommandSpec | None:
        """The command called ``name`` or a translation of it, whatever the case and accents
        (``/DÉBANNIR`` is ``/debannir``), if any."""
        name = folded(name)
        return self._specs.get(self._aliases.get(name, name))

    def __iter__(self) -> Iterator[CommandSpec]:
        return iter(sorted(self._specs.values(), key=lambda spec: spec.name))

    def __len__(self) -> int:
        return len(self._specs)
