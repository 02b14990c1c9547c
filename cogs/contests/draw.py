"""The reproducible draw behind giveaways and randomly judged challenges.

Anyone can re-run a draw from what the result announces: the seed, the winners count and the
entrants (``/giveaway_entrants`` lists them, with the hash to check the list is the one drawn
from). The algorithm is short enough to rewrite in any language:

1. sort the entrant ids as strings (Unicode code points) and drop duplicates;
2. for round ``k = 0, 1, …``: ``h = SHA-256(f"{seed}:{k}")`` read as a big-endian integer;
   the winner is the entrant at index ``h mod n`` of those left (``n`` of them), who leaves the
   list.

The entrants' hash is ``SHA-256`` of the sorted ids joined by newlines, in hexadecimal.
From a checkout: ``python -m cogs.contests.draw SEED WINNERS ID [ID …]``.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable, Sequence


def canonical(entrants: Iterable[str]) -> list[str]:
    """The entrants as the draw sees them: sorted, each once."""
    return sorted(set(entrants))


def entrants_hash(entrants: Iterable[str]) -> str:
    """The SHA-256 (hex) of the sorted entrant ids joined by newlines."""
    return hashlib.sha256("\n".join(canonical(entrants)).encode("utf-8")).hexdigest()


def draw(seed: str, entrants: Iterable[str], winners: int) -> list[str]:
    """Draw ``winners`` distinct entrants (all of them if fewer), in winning order."""
    pool = canonical(entrants)
    chosen: list[str] = []
    for round_ in range(min(max(winners, 0), len(pool))):
        digest = hashlib.sha256(f"{seed}:{round_}".encode()).digest()
        chosen.append(pool.pop(int.from_bytes(digest, "big") % len(pool)))
    return chosen


def main(arguments: Sequence[str]) -> int:
    """``SEED WINNERS ID…``: print the entrants' hash and the winners, one per line."""
    if len(arguments) < 2 or not arguments[1].isdigit():
        print("usage: python -m cogs.contests.draw SEED WINNERS ID [ID …]", file=sys.stderr)
        return 2
    seed, winners, entrants = arguments[0], int(arguments[1]), arguments[2:]
    print(f"entrants hash: {entrants_hash(entrants)}")
    for rank, winner in enumerate(draw(seed, entrants, winners), start=1):
        print(f"{rank}. {winner}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
