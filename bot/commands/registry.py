"""The commands every loaded cog declared, by name."""

from __future__ import annotations

from collections.abc import Iterator

from bot.commands.spec import CommandSpec


class DuplicateCommandError(ValueError):
    """Two cogs declare the same command name."""


class CommandRegistry:
    """Command specs by name, in the order they were registered."""

    def __init__(self) -> None:
        self._specs: dict[str, CommandSpec] = {}

    def add(self, spec: CommandSpec) -> None:
        """Register ``spec``; a name already taken by another cog is a bug in a cog."""
        existing = self._specs.get(spec.name)
        if existing is not None:
            raise DuplicateCommandError(
                f"command /{spec.name} is declared by both {existing.cog!r} and {spec.cog!r}"
            )
        self._specs[spec.name] = spec

    def remove_cog(self, cog: str) -> None:
        """Forget every command of ``cog``."""
        self._specs = {name: spec for name, spec in self._specs.items() if spec.cog != cog}

    def get(self, name: str) -> CommandSpec | None:
        """The command called ``name`` (case-insensitive), if any."""
        return self._specs.get(name.lower())

    def __iter__(self) -> Iterator[CommandSpec]:
        return iter(sorted(self._specs.values(), key=lambda spec: spec.name))

    def __len__(self) -> int:
        return len(self._specs)
