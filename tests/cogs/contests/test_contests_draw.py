"""The reproducible draw: a pure function of the seed, the entrants and the winners count."""

from __future__ import annotations

import hashlib

import pytest

from cogs.contests.draw import canonical, draw, entrants_hash, main


def test_the_same_seed_and_entrants_give_the_same_winners_whatever_their_order() -> None:
    entrants = [f"user{n}" for n in range(50)]
    first = draw("a1b2", entrants, 3)
    assert draw("a1b2", list(reversed(entrants)), 3) == first
    assert draw("a1b2", entrants + entrants[:5], 3) == first  # duplicates count once
    assert len(set(first)) == 3
    assert set(first) <= set(entrants)


def test_the_algorithm_is_the_documented_one() -> None:
    pool = canonical(["carol", "alice", "bob"])
    expected = []
    for round_ in range(2):
        digest = hashlib.sha256(f"seed:{round_}".encode()).digest()
        expected.append(pool.pop(int.from_bytes(digest, "big") % len(pool)))
    assert draw("seed", ["bob", "carol", "alice"], 2) == expected
    assert entrants_hash(["bob", "alice"]) == hashlib.sha256(b"alice\nbob").hexdigest()


def test_different_seeds_pick_differently_and_every_entrant_can_win() -> None:
    entrants = ["a", "b", "c", "d"]
    winners = {draw(f"seed{n}", entrants, 1)[0] for n in range(200)}
    assert winners == set(entrants)


@pytest.mark.parametrize(("count", "size"), [(0, 0), (2, 2), (10, 4)])
def test_never_more_winners_than_entrants(count: int, size: int) -> None:
    assert len(draw("s", ["a", "b", "c", "d"], count)) == size
    assert draw("s", [], 3) == []


def test_the_command_line_re_runs_a_draw(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["seed", "2", "carol", "alice", "bob"]) == 0
    lines = capsys.readouterr().out.splitlines()
    winners = draw("seed", ["alice", "bob", "carol"], 2)
    assert lines == [
        f"entrants hash: {entrants_hash(['alice', 'bob', 'carol'])}",
        f"1. {winners[0]}",
        f"2. {winners[1]}",
    ]
    assert main(["seed"]) == 2
