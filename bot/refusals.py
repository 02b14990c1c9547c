"""A platform's refusal as the community reads it: the adapter's key and values, in its words."""

from __future__ import annotations

from bot.platform import PlatformError
from bot.ruleconf import CoreTexts
from bot.ruleconf.templates import render_named

MAX_VALUE = 200
"""Characters of a value a refusal quotes at most: an id or the platform's own words may be
anything. Cut only here, once the adapter has scrubbed its secrets from the whole value."""


def refusal_text(error: PlatformError, texts: CoreTexts) -> str:
    """``error`` written with ``texts``: its action and permission named in the same language."""
    values: dict[str, object] = {
        "action": _named(texts.platform_actions, error.action),
        **{
            name: value[:MAX_VALUE] if isinstance(value, str) else value
            for name, value in error.values.items()
        },
    }
    permission = error.values.get("permission")
    if isinstance(permission, str):
        values["permission"] = _named(texts.permissions, permission)
    return render_named(texts.refusals, error.key, values)


def _named(words: object, identifier: str) -> str:
    # An action or permission an adapter added before the texts knew it: its identifier, readable.
    word = getattr(words, identifier, None)
    return word if isinstance(word, str) else identifier.replace("_", " ")
