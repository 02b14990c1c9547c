"""The benchmark scripts run and print their figures (tiny sizes; timings are never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[2] / "bench"


def run(script: str, *args: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    figures = json.loads(lines[0])
    assert isinstance(figures, dict)
    return figures


def test_the_pipeline_bench_prints_its_figures() -> None:
    figures = run("pipeline.py", "200")
    assert {"messages_per_s", "latency_p50_ms", "latency_p99_ms"} <= figures.keys()
    assert figures["toxicity"] is False


def test_the_storage_bench_prints_its_figures() -> None:
    figures = run("storage.py", "500", "50")
    assert {"buffered_events_per_s", "commit_per_event_events_per_s", "speedup"} <= figures.keys()


def test_the_memory_bench_prints_its_figures() -> None:
    figures = run("memory.py", "200", "4")
    assert {"rss_mb_peak", "rss_mb_at_end", "members", "communities"} <= figures.keys()
    assert "tracemalloc_top" not in figures


def test_the_memory_bench_lists_what_holds_memory_when_asked() -> None:
    figures = run("memory.py", "200", "4", "--trace", "5")
    top = figures["tracemalloc_top"]
    assert isinstance(top, list)
    assert len(top) == 5


@pytest.mark.parametrize("script", ["toxicity.py"])
def test_the_toxicity_bench_prints_its_figures(script: str) -> None:
    pytest.importorskip("detoxify")
    figures = run(script, "8", "--tiny")
    assert {"one_at_a_time_messages_per_s", "micro_batching_p95_ms", "speedup"} <= figures.keys()
    # The ceiling any batching could reach on this machine, beside the speedup measured.
    assert figures["gemm_gflops"] > 0
    assert figures["speedup_ceiling"] == pytest.approx(
        figures["compute_bound_messages_per_s"] / figures["one_at_a_time_messages_per_s"], rel=0.01
    )
