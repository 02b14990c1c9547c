"""The event loop the bot runs on: uvloop where it is installed, asyncio's own otherwise.

uvloop (libuv under asyncio's API) schedules callbacks and polls sockets for less than asyncio's
pure-Python loop: about a tenth more messages per second through the whole pipeline
(``bench/pipeline.py``). It is installed with Jardinier except on Windows, where it does not
exist. ``JARDINIER_EVENT_LOOP=asyncio`` runs on asyncio's own loop (to rule the loop out when
chasing a bug); ``uvloop`` insists on uvloop.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, TypeVar

from bot.errors import JardinierError

VARIABLE = "JARDINIER_EVENT_LOOP"
CHOICES = ("auto", "uvloop", "asyncio")

T = TypeVar("T")


def loop_factory(
    environ: Mapping[str, str] | None = None,
) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """What makes the loop: uvloop's when installed (or asked for), None for asyncio's."""
    environ = os.environ if environ is None else environ
    choice = environ.get(VARIABLE, "").strip().casefold() or "auto"
    if choice not in CHOICES:
        raise JardinierError(
            f"{VARIABLE}={environ[VARIABLE]!r} is not an event loop: "
            f"use one of {', '.join(CHOICES)}"
        )
    if choice == "asyncio":
        return None
    try:
        import uvloop
    except ImportError:
        if choice == "uvloop":
            raise JardinierError(
                f"{VARIABLE}=uvloop but uvloop is not installed: install it "
                f"(pip install uvloop) or unset {VARIABLE}"
            ) from None
        return None
    return uvloop.new_event_loop


def run(main: Coroutine[Any, Any, T], environ: Mapping[str, str] | None = None) -> T:
    """Run ``main`` to completion on a new loop of the chosen kind, as ``asyncio.run`` does."""
    try:
        factory = loop_factory(environ)
    except JardinierError:
        main.close()  # it never ran: closed, Python does not warn that it was never awaited
        raise
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(main)
