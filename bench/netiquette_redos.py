"""Hostile input for the netiquette matchers: ReDoS bait, huge messages, zalgo, controls.

Times the whole path a message takes through the word and pattern triggers (normalisation
included) on 50 KB inputs, with the ``(a+)+$`` rule loaded, and Python's backtracking ``re`` on
the same pattern with a tiny input for comparison. Prints one JSON object; asserts nothing.
Usage: python bench/netiquette_redos.py
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from typing import Any

import commandline

from bot.events import CommunityRef, MemberRef, UserRef
from cogs.netiquette.activity import Activity
from cogs.netiquette.subject import Subject, Verdicts
from cogs.netiquette.triggers import Evidence
from cogs.netiquette.triggers.match_regex import TRIGGER as MATCH_REGEX
from cogs.netiquette.triggers.match_regex import MatchRegexConfig
from cogs.netiquette.triggers.match_words import TRIGGER as MATCH_WORDS
from cogs.netiquette.triggers.match_words import MatchWordsConfig

BOUND_MS = 50
"""The target: each input's worst time, in milliseconds."""
MEMBER = MemberRef(CommunityRef("bench", "c"), UserRef("bench", "u", "u"))
EVIDENCE = Evidence(activity=Activity(), verdicts=Verdicts())
WORDS = MatchWordsConfig(
    words=["idiot", "crétin", "ass", "cunt", "ta gueule", *(f"weed{n}x" for n in range(200))]
)
PATTERNS = MatchRegexConfig(patterns=["(a+)+$", r"(x+x+)+y", r"free (money|cash)"])
INPUTS = {
    "redos_bait_50kb": "a" * 50_000 + "!",
    "zalgo_50kb": ("i̸̢̛d̴̨̛i̵o̶͎t̷̢ " * 3_000)[:50_000],
    "spelled_out_50kb": ("a " * 25_000)[:49_998] + "ab",
    "controls_50kb": ("\x00\x01\u200bidiot\x7f" * 6_000)[:50_000],
    "nested_quantifier_bait_50kb": "x" * 50_000,
}


def once(text: str) -> tuple[float, bool, bool]:
    """Milliseconds for one message through both triggers (fresh, nothing cached)."""
    start = time.perf_counter()
    subject = Subject("message", MEMBER, datetime.now(UTC), text=text)
    words = MATCH_WORDS.check(WORDS, subject, EVIDENCE).matched
    pattern = MATCH_REGEX.check(PATTERNS, subject, EVIDENCE).matched
    return (time.perf_counter() - start) * 1000, words, pattern


def main() -> None:
    """Run every input a few times; print the worst time of each."""
    once("warm up the tables and programs")
    results: dict[str, Any] = {}
    for name, text in INPUTS.items():
        timings = [once(text) for _ in range(5)]
        results[name] = {
            "chars": len(text),
            "worst_ms": round(max(t[0] for t in timings), 2),
            "words_matched": timings[0][1],
            "pattern_matched": timings[0][2],
        }
    start = time.perf_counter()
    re.search(r"(a+)+$", "a" * 22 + "!")
    results["python_re_same_pattern_23_chars_ms"] = round((time.perf_counter() - start) * 1000, 1)
    results["bound_ms"] = BOUND_MS
    results["within_bound"] = all(
        value["worst_ms"] < BOUND_MS for value in results.values() if isinstance(value, dict)
    )
    print(json.dumps(results))


if __name__ == "__main__":
    command = commandline.parser(
        __doc__, f"each hostile input under {BOUND_MS} ms, in the worst of its runs"
    )
    command.parse_args()
    main()
