"""Finding the methods a decorator marked on a class (commands, listeners, jobs)."""

from __future__ import annotations


def marked_attributes(klass: type, mark: str) -> list[str]:
    """Names of the attributes of ``klass`` (and its bases) carrying ``mark``, bases first."""
    names: dict[str, None] = {}
    for base in reversed(klass.__mro__):
        for attribute, value in vars(base).items():
            if hasattr(value, mark):
                names[attribute] = None
    return list(names)
