"""Where the default rule book and the migrations are: the checkout, else the installed package."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent
_SHIPPED = _PACKAGE / "_shipped"


def _first_existing(name: str, marker: str) -> Path:
    for candidate in (_CHECKOUT / name, _SHIPPED / name):
        if (candidate / marker).exists():
            return candidate
    raise FileNotFoundError(
        f"the {name} shipped with Jardinier are missing; reinstall the package"
    )


def shipped_rules_directory() -> Path:
    """The default rule book (``rules/`` of a checkout, or the copy inside the package)."""
    return _first_existing("rules", "community.yaml")


def migrations_directory() -> Path:
    """The Alembic migrations (``migrations/`` of a checkout, or the copy inside the package)."""
    return _first_existing("migrations", "env.py")
