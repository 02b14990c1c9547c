"""Every script in bench/ has a real command line: ``--help`` says what it measures, its
arguments and its target without running anything; a wrong argument is refused (status 2)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[2] / "bench"
BENCHMARKS = {
    "pipeline.py": ["events", "--toxicity", "--breakdown", "default: 20000", "20,000 messages/s"],
    "toxicity.py": ["messages", "--tiny", "default: 128", "3 times the one-at-a-time rate"],
    "storage.py": ["events", "baseline_events", "default: 200000", "50,000 events/s"],
    "memory.py": ["members", "communities", "--trace N", "default: 100000", "200 MB"],
    "contributors_write_path.py": ["events", "default: 20000"],
    "contributors_buffer_memory.py": ["messages", "default:"],
    "netiquette_throughput.py": ["messages", "default: 3000"],
    "netiquette_redos.py": ["50 ms"],
}
WRONG_ARGUMENTS = {
    "pipeline.py": ["--no-such-option"],  # flags it did not know were silently ignored
    "toxicity.py": ["lots", "--tiny"],
    "storage.py": ["lots"],
    "memory.py": ["200", "--trace"],
    "contributors_write_path.py": ["lots"],
    "contributors_buffer_memory.py": ["0"],
    "netiquette_throughput.py": ["lots"],
    "netiquette_redos.py": ["--no-such-option"],
    "chatstream.py": ["--no-such-option"],
}
# Runs a script as `python bench/<script>` would, but as if PyTorch and Detoxify were absent.
WITHOUT_TORCH = (
    "import runpy, sys; sys.modules.update(torch=None, detoxify=None); sys.argv = sys.argv[1:]; "
    "sys.path[0] = str(__import__('pathlib').Path(sys.argv[0]).parent); "
    "runpy.run_path(sys.argv[0], run_name='__main__')"
)


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *command], capture_output=True, text=True, check=False, timeout=120
    )


@pytest.mark.parametrize(("script", "expected"), BENCHMARKS.items())
def test_help_says_what_a_bench_measures_and_runs_nothing(
    script: str, expected: list[str]
) -> None:
    result = run(str(BENCH / script), "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: {script} [-h]")
    what = ast.get_docstring(ast.parse((BENCH / script).read_text(encoding="utf-8")))
    assert what is not None
    assert what.splitlines()[0] in result.stdout
    assert "Target:" in result.stdout
    words = " ".join(result.stdout.split())  # argparse wraps to the terminal's width
    for text in expected:
        assert text in words
    assert "{" not in result.stdout  # no figures: the benchmark did not run


def test_the_chat_stream_says_it_is_no_benchmark() -> None:
    helped = run(str(BENCH / "chatstream.py"), "--help")
    assert helped.returncode == 0
    assert helped.stdout.startswith("usage: chatstream.py [-h]")
    assert "Not a benchmark" in helped.stdout
    ran = run(str(BENCH / "chatstream.py"))
    assert ran.returncode == 1
    assert ran.stdout == ""
    assert "not a benchmark" in ran.stderr
    assert "bench/pipeline.py" in ran.stderr


@pytest.mark.parametrize(("script", "arguments"), WRONG_ARGUMENTS.items())
def test_a_wrong_argument_is_refused_before_anything_runs(
    script: str, arguments: list[str]
) -> None:
    result = run(str(BENCH / script), *arguments)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"usage: {script} [-h]")
    assert f"{script}: error: " in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "arguments", [["toxicity.py", "8", "--tiny"], ["pipeline.py", "200", "--toxicity"]]
)
def test_without_the_toxicity_extra_a_bench_says_how_to_install_it(arguments: list[str]) -> None:
    script, *rest = arguments
    result = run("-c", WITHOUT_TORCH, str(BENCH / script), *rest)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"{script}: the toxicity model needs packages")
    assert "PyTorch" in result.stderr
    assert "Detoxify" in result.stderr
    assert "pip install -e '.[toxicity]'" in result.stderr
