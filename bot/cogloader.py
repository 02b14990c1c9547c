"""Finding the cogs: every package under ``cogs/`` that exposes its class as ``COG``."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from pydantic import BaseModel, ConfigDict

import cogs
from bot.cog import Cog
from bot.commands.spec import CommandSpec, build_spec, declared_commands


class NoConfig(BaseModel):
    """The section of a cog that has no settings: it must stay empty."""

    model_config = ConfigDict(extra="forbid")


class CogLoadError(ImportError):
    """A cog package is broken (a bug, not a rule-book error)."""


@cache
def available_cogs() -> dict[str, type[Cog]]:
    """Every cog shipped in the ``cogs`` package, by name."""
    found: dict[str, type[Cog]] = {}
    for module_info in sorted(pkgutil.iter_modules(cogs.__path__), key=lambda info: info.name):
        if not module_info.ispkg or module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"cogs.{module_info.name}")
        cog_class = getattr(module, "COG", None)
        if not (isinstance(cog_class, type) and issubclass(cog_class, Cog)):
            raise CogLoadError(f"cogs.{module_info.name} does not expose its Cog class as COG")
        if cog_class.name != module_info.name:
            raise CogLoadError(
                f"cogs.{module_info.name}.COG is named {cog_class.name!r}; use the package name"
            )
        found[cog_class.name] = cog_class
    return found


def section_models() -> dict[str, type[BaseModel]]:
    """The rule-book section model of every cog (``NoConfig`` for cogs without settings)."""
    return {name: cog.config_model or NoConfig for name, cog in available_cogs().items()}


def import_all_models() -> None:
    """Import every table (core and cogs), so SQLModel's metadata knows them all."""
    importlib.import_module("bot.models")
    for name in available_cogs():
        try:
            importlib.import_module(f"cogs.{name}.models")
        except ModuleNotFoundError as exc:
            if exc.name != f"cogs.{name}.models":
                raise


def command_specs(cog_names: list[str]) -> list[CommandSpec]:
    """The commands the core and the named cogs declare, without running anything."""
    from bot.builtin import CoreCog

    catalogue = available_cogs()
    classes: list[type[Cog]] = [CoreCog, *(catalogue[name] for name in cog_names)]
    return [
        build_spec(function, cog=cog_class.name)
        for cog_class in classes
        for function in declared_commands(cog_class)
    ]
