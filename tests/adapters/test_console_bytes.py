"""Whatever bytes come in and whoever reads what goes out, `jardinier console` writes valid UTF-8,
every JSON line parses, and it ends: a stray byte in the input, a reader that goes away."""

from __future__ import annotations

import asyncio
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.console.session import run_console
from bot.errors import JardinierError
from bot.terminal import json_line

STDIN_DECODINGS = {
    # UTF-8 mode (as under the C or POSIX locale): Python reads stdin with surrogateescape.
    "utf-8 mode": {"PYTHONUTF8": "1"},
    # What an en_US.UTF-8 locale or PYTHONIOENCODING gives: a strict decoder.
    "strict utf-8": {"PYTHONIOENCODING": "utf-8", "PYTHONUTF8": "0"},
}


def environment(cwd: Path, env: dict[str, str]) -> dict[str, str]:
    """This environment on ``cwd``'s own database, without tokens, rules nor I/O settings."""
    result = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DISCORD_TOKEN", "TELEGRAM_TOKEN", "JARDINIER_RULES", "PYTHONIOENCODING")
    }
    result["JARDINIER_DATABASE_URL"] = f"sqlite:///{cwd / 'data' / 'test.db'}"
    result.update(env)
    return result


def console_bytes(
    *options: str, stdin: bytes, cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[bytes]:
    """``jardinier console`` fed raw bytes, its output kept as bytes."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "console", *options],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        env=environment(cwd, env),
        timeout=120,
        check=False,
    )


def strict_json_lines(output: bytes) -> list[dict[str, Any]]:
    """Every line of ``output``, decoded as strict UTF-8, as one JSON object."""
    records = [json.loads(line) for line in output.decode("utf-8").splitlines()]
    assert all(isinstance(record, dict) for record in records)
    return records


@pytest.mark.parametrize("env", STDIN_DECODINGS.values(), ids=STDIN_DECODINGS.keys())
def test_a_stray_byte_is_a_replacement_character_and_the_console_reads_on(
    tmp_path: Path, env: dict[str, str]
) -> None:
    stdin = b"alice: ok\nalice: bad \xff byte\nalice: after\n"

    result = console_bytes("--jsonl", stdin=stdin, cwd=tmp_path, env=env)

    assert result.returncode == 0, result.stderr
    assert strict_json_lines(result.stderr) == []
    texts = [record["text"] for record in strict_json_lines(result.stdout)]
    assert texts == ["ok", "bad \ufffd byte", "after"]


def test_a_stray_byte_shows_as_a_replacement_character_in_text_mode(tmp_path: Path) -> None:
    result = console_bytes(
        stdin=b"alice: bad \xff byte\n", cwd=tmp_path, env=STDIN_DECODINGS["strict utf-8"]
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.decode("utf-8").endswith("alice: bad \ufffd byte\n")


@pytest.mark.parametrize("options", [("--jsonl",), ()], ids=["jsonl", "text"])
def test_a_reader_that_goes_away_ends_the_console_quietly(
    tmp_path: Path, options: tuple[str, ...]
) -> None:
    """As `commands` or `replay --json -` whose reader went away: nothing said, exit 1 (the
    command line's answer to a closed pipe); what was read before is kept."""
    read_end, write_end = os.pipe()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "console", *options],
        stdin=subprocess.PIPE,
        stdout=write_end,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=environment(tmp_path, {}),
    )
    os.close(write_end)
    try:
        assert process.stdin is not None
        with os.fdopen(read_end, "rb") as reader:
            process.stdin.write(b"alice: one\n")
            process.stdin.flush()
            assert b"one" in reader.readline()
        _, errors = process.communicate(b"alice: two\nalice: three\n", timeout=120)
    finally:
        process.kill()
        process.wait()

    assert (process.returncode, errors) == (1, b"")
    again = console_bytes("--jsonl", stdin=b"alice: four\n", cwd=tmp_path, env={})
    assert again.returncode == 0, again.stderr
    [four] = strict_json_lines(again.stdout)
    # The session before ended as at the end of its input: it saved its next number exactly
    # (a killed one leaves the numbers it had reserved ahead unused).
    assert four["message_id"] in (3, 4)


@pytest.mark.parametrize("code", [0xD800, 0xDCFF, 0xDFFF], ids=["high", "escaped byte", "low"])
def test_a_json_line_escapes_lone_surrogates(code: int) -> None:
    text = f"x{chr(code)}y"

    line = json_line({"text": text})

    assert line == f'{{"text": "x\\u{code:04x}y"}}'
    assert json.loads(line.encode("utf-8")) == {"text": text}


def test_a_json_line_keeps_text_as_it_is_otherwise() -> None:
    text = "é 😀 \u2028"

    line = json_line({"text": text})

    assert line == '{"text": "é 😀 \\u2028"}'
    assert json.loads(line) == {"text": text}


def test_a_json_line_refuses_what_json_cannot_say() -> None:
    with pytest.raises(ValueError, match="JSON"):
        json_line({"figure": math.nan})


async def test_an_input_that_cannot_be_read_ends_the_console_saying_why(
    rules_dir: Path, tmp_path: Path
) -> None:
    """A stream whose decoder refuses a byte (not the console's own stdin, which replaces it)
    ends the session with its reason, after the lines read before it, rather than hanging."""
    stdin = io.TextIOWrapper(io.BytesIO(b"alice: ok\nalice: \xff\n"), encoding="utf-8")
    output, errors = io.StringIO(), io.StringIO()

    with pytest.raises(JardinierError, match=r"the input could not be read past line \d+ \("):
        await asyncio.wait_for(
            run_console(
                rules_dir=rules_dir,
                database_url=f"sqlite:///{tmp_path / 'j.db'}",
                input=stdin,
                output=output,
                jsonl=True,
                files_dir=tmp_path / "files",
                errors=errors,
            ),
            timeout=60,
        )

    assert errors.getvalue() == ""
