"""The benchmarks' command line: ``--help`` tells what a script measures and against what target,
and a wrong argument is refused by argparse (status 2) before anything runs."""

from __future__ import annotations

import argparse
import textwrap


def parser(description: str | None, target: str) -> argparse.ArgumentParser:
    """A parser whose help is ``description`` (the script's docstring, kept as written) followed
    by the ``target`` its figures are compared with."""
    return argparse.ArgumentParser(
        description=description,
        epilog=textwrap.fill(f"Target: {target}", width=79, break_on_hyphens=False),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def count(text: str) -> int:
    """A positive whole number, as argparse's ``type`` for a count of events or members."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value
