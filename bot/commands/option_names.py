"""The options most commands share, by the names each language gives them.

A command's usage line, its usage errors and Discord's option labels use these; a command may
name its own options (or rename these) with ``@command(option_names=...)``. Nobody types an
option's name (options are positional on the text platforms, picked from a form on Discord), so
a name is written as its language writes it, accents included (``durée``), within Discord's rule
for option names: lower-case letters of any alphabet, digits, ``_`` and ``-``.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.ruleconf.numbers import LocaleValue

COMMON_OPTION_NAMES: Mapping[str, Mapping[str, str]] = {
    "fr": {
        "case": "dossier",
        "channel": "salon",
        "command": "commande",
        "comment": "commentaire",
        "count": "nombre",
        "days": "jours",
        "delay": "délai",
        "description": "description",
        "duration": "durée",
        "id": "id",
        "member": "membre",
        "number": "numéro",
        "reason": "raison",
        "start": "début",
        "status": "statut",
        "text": "texte",
        "title": "titre",
        "window": "période",
    },
}


class OptionName(LocaleValue):
    """An option's name as a text of some locale writes it (``member``, ``membre``)."""

    def __init__(self, name: str, names: Mapping[str, str]) -> None:
        self.name = name
        self.names = names

    def in_locale(self, locale: str | None) -> str:
        """The option's name in ``locale`` (the language's when the region has none)."""
        return localised(self.name, self.names, locale or "")

    def __str__(self) -> str:
        return self.name


def localised(name: str, names: Mapping[str, str], locale: str) -> str:
    """``names[locale]``, else the language's (``fr`` for ``fr-CA``), else ``name``."""
    language = locale.split("-", 1)[0]
    return names.get(locale) or names.get(language) or name
