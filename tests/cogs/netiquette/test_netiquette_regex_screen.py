"""A program answers a miss from its pattern compiled without groups: the same texts match."""

from __future__ import annotations

import pytest

from cogs.netiquette.regexes import compile_pattern


@pytest.mark.parametrize(
    ("pattern", "texts"),
    [
        (r"(?P<x>ab)+c", ["ababc", "abd", "xabcx", ""]),
        (r"(a)|(b)", ["a", "c", "zb", "ÉB"]),
        (r"\bfoo(bar)?", ["foo", "afoo", "foobar", "FOO"]),
        (r"(?:^|[^\pL\pN])(i+d+i+o+t+)(?:[^\pL\pN]|$)", ["an idiot", "idiotic", "IDIOOT!"]),
        (r"plain", ["plain", "PLAIN", "plan"]),
    ],
)
def test_a_program_matches_what_its_pattern_matches(pattern: str, texts: list[str]) -> None:
    program = compile_pattern(pattern)
    for text in texts:
        found = program.search(text)
        expected = program.compiled.search(text)
        assert (found is None) == (expected is None), text
        if found is not None:
            assert found.span() == expected.span()
            assert found.groups() == expected.groups()
