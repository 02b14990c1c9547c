"""``jardinier run`` on Telegram, as an operator runs it: a subprocess pointed at a Bot API server
on 127.0.0.1, stopped with SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.adapters.telegram.fake_bot_api import FakeBotApi
from tests.adapters.telegram.payloads import ALICE, GROUP_ID, command
from tests.support.waiting import eventually

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

# Loaded by the bot's interpreter at start: records every name it resolves and every address it
# connects to, so the test can tell whom the bot talked to.
SITECUSTOMIZE = """
import json, os, socket

_log = os.environ["JARDINIER_TEST_NETWORK_LOG"]
_connect = socket.socket.connect
_getaddrinfo = socket.getaddrinfo


def _record(kind, value):
    with open(_log, "a") as log:
        log.write(json.dumps([kind, value]) + "\\n")


def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _record("connect", [address[0], address[1]])
    return _connect(self, address)


def getaddrinfo(host, *args, **kwargs):
    _record("resolve", host if isinstance(host, str) else repr(host))
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = connect
socket.getaddrinfo = getaddrinfo

# On uvloop (the bot's loop) connections are made by libuv, not by Python's socket module: the
# loop's own resolving and connecting are recorded too.
import uvloop


class RecordingLoop(uvloop.Loop):
    def __init__(self):
        super().__init__()
        _record("loop", type(self).__name__)

    async def getaddrinfo(self, host, *args, **kwargs):
        _record("resolve", host if isinstance(host, str) else repr(host))
        return await super().getaddrinfo(host, *args, **kwargs)

    async def create_connection(self, protocol_factory, host=None, port=None, **kwargs):
        if host is not None:
            _record("connect", [host, port])
        return await super().create_connection(protocol_factory, host, port, **kwargs)

    async def sock_connect(self, sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            _record("connect", [address[0], address[1]])
        return await super().sock_connect(sock, address)


uvloop.new_event_loop = RecordingLoop
"""


async def test_run_talks_only_to_the_given_bot_api_and_stops_on_sigterm(
    api: FakeBotApi, tmp_path: Path
) -> None:
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(SITECUSTOMIZE)
    network_log = tmp_path / "network.jsonl"
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DISCORD_", "TELEGRAM_", "JARDINIER_"))
    }
    environment.update(
        {
            "TELEGRAM_TOKEN": "123:TEST",
            "TELEGRAM_API_URL": f"http://127.0.0.1:{api.port}/bot",
            "JARDINIER_DATABASE_URL": f"sqlite:///{tmp_path / 'jardinier.db'}",
            "JARDINIER_TEST_NETWORK_LOG": str(network_log),
            "PYTHONPATH": os.pathsep.join(
                [str(hooks), *filter(None, [os.environ.get("PYTHONPATH")])]
            ),
        }
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await eventually(lambda: api.polls > 0, "the bot polls", within=90)
        # It serves the group through that server: a member's /help is answered there.
        api.push(command(ALICE, "/help", message_id=500))
        [answer] = await api.wait_for("sendMessage", within=20)
        assert answer.chat_id == GROUP_ID
        assert answer.params["text"].startswith("Commands you can use")
        process.send_signal(signal.SIGTERM)
        # Twice the shut-down's grace: what is slow on a loaded machine is not a hang.
        stdout, stderr = await asyncio.wait_for(process.communicate(), 10)
    finally:
        if process.returncode is None:
            process.kill()
            await process.communicate()
    errors = stderr.decode()
    assert process.returncode == 0, errors
    assert "stopping anyway" not in errors  # nothing held the stop until its grace ran out
    assert "123:TEST" not in errors + stdout.decode()
    records = [json.loads(line) for line in network_log.read_text().splitlines()]
    assert ["loop", "RecordingLoop"] in records  # the hook saw the loop the bot really ran on
    connections = {tuple(value) for kind, value in records if kind == "connect"}
    lookups = {value for kind, value in records if kind == "resolve"}
    assert connections == {("127.0.0.1", api.port)}
    assert lookups <= {"127.0.0.1"}
    assert {"getMe", "setMyCommands", "deleteWebhook"} <= {call.method for call in api.calls}


async def test_a_refused_token_stops_run_with_a_clear_message_and_no_traceback(
    api: FakeBotApi, tmp_path: Path
) -> None:
    token = "999:WRONG-secret-token-value"
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DISCORD_", "TELEGRAM_", "JARDINIER_"))
    }
    environment.update(
        {
            "TELEGRAM_TOKEN": token,
            "TELEGRAM_API_URL": f"http://127.0.0.1:{api.port}/bot",
            "JARDINIER_DATABASE_URL": f"sqlite:///{tmp_path / 'jardinier.db'}",
        }
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), 90)
    finally:
        if process.returncode is None:
            process.kill()
            await process.communicate()
    errors = stderr.decode()
    assert process.returncode == 1
    assert "Traceback" not in errors
    assert "TELEGRAM_TOKEN" in errors
    assert token not in errors + stdout.decode()
