"""References: compared by ids only, hashed once, and carried across processes without a hash."""

from __future__ import annotations

import dataclasses
import pickle
import subprocess
import sys

from bot.events import ChannelRef, CommunityRef, MemberRef, MessageRef, UserRef

GARDEN = CommunityRef("discord", "42", "Garden")
GENERAL = ChannelRef(GARDEN, "7", "#general")


def test_names_take_no_part_in_equality() -> None:
    renamed = CommunityRef("discord", "42", "Jardin")
    assert renamed == GARDEN
    assert hash(renamed) == hash(GARDEN)
    alice = UserRef("discord", "1", "alice")
    assert MemberRef(GARDEN, alice, frozenset({"mod"})) == MemberRef(
        renamed, UserRef("discord", "1")
    )
    assert {MessageRef(GENERAL, "5"): "found"}[
        MessageRef(ChannelRef(renamed, "7"), "5")
    ] == "found"


def test_references_of_different_kinds_or_ids_differ() -> None:
    assert UserRef("discord", "42") != CommunityRef("discord", "42")
    assert MessageRef(GENERAL, "5") != MessageRef(ChannelRef(GARDEN, "8"), "5")
    assert MessageRef(GENERAL, "5") != MessageRef(GENERAL, "6")
    assert CommunityRef("telegram", "42") != GARDEN


def test_a_message_knows_its_community_and_replace_rebuilds_it() -> None:
    message = MessageRef(GENERAL, "5")
    assert message.community == GARDEN
    moved = dataclasses.replace(message, channel=ChannelRef(CommunityRef("telegram", "9"), "1"))
    assert moved.community == CommunityRef("telegram", "9")
    assert moved != message


def test_a_pickled_reference_is_found_by_its_ids_in_another_process() -> None:
    pickled = pickle.dumps({MessageRef(GENERAL, "5"): "found"})
    # Another interpreter hashes strings differently (PYTHONHASHSEED): a hash carried along
    # would be stale there, and the lookup would miss.
    script = (
        "import pickle, sys\n"
        "from bot.events import ChannelRef, CommunityRef, MessageRef\n"
        "table = pickle.loads(sys.stdin.buffer.read())\n"
        "print(table[MessageRef(ChannelRef(CommunityRef('discord', '42'), '7'), '5')])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        input=pickled,
        capture_output=True,
        check=True,
        env={"PYTHONHASHSEED": "12345"},
    )
    assert result.stdout.decode().strip() == "found"
