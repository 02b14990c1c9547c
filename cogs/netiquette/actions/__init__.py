"""The actions, one module each, registered by name (the module's name).

Each module exposes ``ACTION``, an instance of an :class:`~cogs.netiquette.actions.base.Action`
subclass whose ``name`` is the module name and whose ``config_model`` validates its settings.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from cogs.netiquette.actions.base import Action, ActionConfig, Firing


@cache
def registry() -> dict[str, Action]:
    """Every action, by name, in the order a rule runs them."""
    found: dict[str, Action] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        if info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        action = getattr(module, "ACTION", None)
        if not isinstance(action, Action) or action.name != info.name:
            raise ImportError(f"{module.__name__} must expose ACTION named {info.name!r}")
        found[info.name] = action
    return dict(sorted(found.items(), key=lambda item: (item[1].order, item[0])))


__all__ = ["Action", "ActionConfig", "Firing", "registry"]
