"""A case's excerpt and the mod-log's shorter one read as the plain-text rules write them."""

from __future__ import annotations

import random

import pytest

from bot.ruleconf import one_line
from cogs.netiquette.cases import EXCERPT_LENGTH, excerpt

PIECES = ["abc", " ", "é", "\u200b", "\u200d", "👩", "\n", "\t", "\u2800", "xyz", "\u202e", "…"]


@pytest.mark.parametrize("seed", range(5))
def test_excerpts_of_any_length_are_those_of_one_line(seed: int) -> None:
    pick = random.Random(seed)
    for _ in range(500):
        text = "".join(pick.choice(PIECES) for _ in range(pick.randint(0, 150)))
        assert excerpt(text) == one_line(text, EXCERPT_LENGTH)
        for length in (1, 2, 10, 120, EXCERPT_LENGTH, 400):
            assert excerpt(text, length) == one_line(text, length)
