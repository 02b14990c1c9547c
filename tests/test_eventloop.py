"""The event loop the bot runs on: uvloop by default, asyncio's on request, clear errors."""

from __future__ import annotations

import asyncio
import sys
import warnings
from pathlib import Path

import pytest
import uvloop

from bot import eventloop
from bot.errors import JardinierError
from tests.test_cli import jardinier


async def loop_kind() -> type[asyncio.AbstractEventLoop]:
    await asyncio.sleep(0)
    return type(asyncio.get_running_loop())


def test_the_bot_runs_on_uvloop_by_default() -> None:
    assert eventloop.run(loop_kind(), environ={}) is uvloop.Loop


def test_asyncio_s_own_loop_on_request() -> None:
    kind = eventloop.run(loop_kind(), environ={"JARDINIER_EVENT_LOOP": "asyncio"})
    assert not issubclass(kind, uvloop.Loop)
    assert issubclass(kind, asyncio.BaseEventLoop)


def test_without_uvloop_the_bot_falls_back_to_asyncio(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)  # as on Windows: import fails
    assert not issubclass(eventloop.run(loop_kind(), environ={}), uvloop.Loop)


def test_insisting_on_uvloop_without_it_says_how_to_fix_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)
    with pytest.raises(JardinierError, match="uvloop is not installed"):
        eventloop.run(loop_kind(), environ={"JARDINIER_EVENT_LOOP": "uvloop"})


def test_an_unknown_loop_is_refused_without_a_never_awaited_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "coroutine … was never awaited" would fail the test
        with pytest.raises(JardinierError, match="auto, uvloop, asyncio") as refused:
            eventloop.run(loop_kind(), environ={"JARDINIER_EVENT_LOOP": "trio"})
    assert "'trio'" in str(refused.value)


def test_the_command_line_reports_an_unknown_loop(tmp_path: Path) -> None:
    result = jardinier(
        "console", stdin="alice: hello\n", cwd=tmp_path, env={"JARDINIER_EVENT_LOOP": "fast"}
    )
    assert result.returncode == 1
    assert "JARDINIER_EVENT_LOOP='fast' is not an event loop" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_console_community_works_on_asyncio_s_loop_too(tmp_path: Path) -> None:
    result = jardinier(
        "console", stdin="alice: /nosuch\n", cwd=tmp_path, env={"JARDINIER_EVENT_LOOP": "asyncio"}
    )
    assert result.returncode == 0, result.stderr
    assert "I don't know /nosuch." in result.stdout
