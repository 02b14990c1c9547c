"""The triggers, one module each, registered by name (the module's name).

Each module exposes ``TRIGGER``, an instance of a :class:`~cogs.netiquette.triggers.base.Trigger`
subclass whose ``name`` is the module name and whose ``config_model`` validates its settings.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from cogs.netiquette.triggers.base import (
    MISSED,
    Evidence,
    Trigger,
    TriggerConfig,
    TriggerResult,
)


@cache
def registry() -> dict[str, Trigger]:
    """Every trigger, by name, in alphabetical order."""
    found: dict[str, Trigger] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        if info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        trigger = getattr(module, "TRIGGER", None)
        if not isinstance(trigger, Trigger) or trigger.name != info.name:
            raise ImportError(f"{module.__name__} must expose TRIGGER named {info.name!r}")
        found[info.name] = trigger
    return found


__all__ = ["MISSED", "Evidence", "Trigger", "TriggerConfig", "TriggerResult", "registry"]
