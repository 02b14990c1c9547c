"""Lone surrogates in JSON exports, read as U+FFFD.

JSON may escape half of a surrogate pair alone (``"hi \\ud800"``): valid JSON, which Python's
:mod:`json` reads as a string UTF-8 cannot encode, so the database, and any UTF-8 reader, would
refuse the message that holds it. Every JSON value the importers read passes through
:func:`json_value`, which gives each lone surrogate one U+FFFD, as a UTF-8 decoder gives a byte
it cannot read. A pair (``\\ud83d\\ude00``) is one character once decoded, and stays so.
"""

from __future__ import annotations

import re
from typing import Any

REPLACEMENT = "\ufffd"
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
"""A surrogate in decoded text: always a lone one, as the decoder joins each pair."""
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
"""How a surrogate is written in JSON text read from UTF-8 (which holds none as such); it may
also be a backslash escaped before ``ud800`` written as it is, which only costs a look."""


def without_lone_surrogates(text: str) -> str:
    """``text`` with each lone surrogate replaced by one U+FFFD; ``text`` itself when it has
    none (ASCII text is not searched)."""
    if text.isascii() or not LONE_SURROGATE.search(text):
        return text
    return LONE_SURROGATE.sub(REPLACEMENT, text)


def json_value(value: Any, source: str, start: int = 0, end: int | None = None) -> Any:
    """``value``, decoded from ``source[start:end]`` (JSON text read from UTF-8), with the lone
    surrogates of its strings (object keys aside) replaced by U+FFFD, in place.

    The text is searched for a surrogate's escape first, in one pass of the regular-expression
    engine: a value without one, nearly all of them, is returned without being walked.
    """
    stop = len(source) if end is None else end
    if not SURROGATE_ESCAPE.search(source, start, stop):
        return value
    if isinstance(value, str):
        return without_lone_surrogates(value)
    # A loop, not a recursion: the decoder takes values nested as deep as Python recurses.
    containers = [value]
    while containers:
        container = containers.pop()
        if isinstance(container, dict):
            entries: Any = container.items()
        elif isinstance(container, list):
            entries = enumerate(container)
        else:
            continue
        for key, item in entries:
            if isinstance(item, str):
                replaced = without_lone_surrogates(item)
                if replaced is not item:
                    # An existing key or index: the container keeps its size while walked.
                    container[key] = replaced
            elif isinstance(item, dict | list):
                containers.append(item)
    return value
