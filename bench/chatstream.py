"""A generated chat stream for the benchmarks: varied texts, as a platform delivers them.

Realistic in the ways that cost the bot time: every message has its own text (sentences drawn
from an English and a French vocabulary, of chat lengths, some with accents, emoji, links,
mentions or numbers), a third are replies, some thank someone, and the events carry fresh
references, built per event as an adapter converts each native payload (no object is shared
between two events but the strings). Some messages break the shipped rules: insults (some
disguised: capitals, leetspeak, spelled out), invitations, shouting, mass mentions, floods and
copy-pasted spam. Seeded: the same arguments give the same stream.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from bot.events import (
    ChannelRef,
    CommunityRef,
    Event,
    MemberJoined,
    MemberRef,
    MessageCreated,
    MessageRef,
    ReactionAdded,
    UserRef,
)

PLATFORM = "bench"
CHANNELS = ("general", "intros", "photos", "help")
_ENGLISH_WORDS = (
    "the a my our your this that some any every garden plot bed soil compost seeds seedlings "
    "tomatoes peppers basil mint thyme rosemary lettuce beans peas carrots onions garlic leeks "
    "squash zucchini pumpkin marigolds roses tulips dahlias apple pear plum cherry tree hedge "
    "lawn path greenhouse shed wheelbarrow shovel rake hose watering can mulch straw leaves "
    "worms aphids slugs snails ladybirds bees butterflies frost sun rain shade wind morning "
    "evening weekend saturday sunday spring summer autumn winter week month year is are was "
    "were have has had grow grows grew plant planted sow sowed water watered prune pruned pick "
    "picked dig dug bring share shared try tried think know see look found need want love like "
    "finally really still already just also very quite too much more less so well good great "
    "nice lovely beautiful small big tall early late new old fresh dry wet warm cold and or but "
    "because when after before under over near with without for from into about how what why "
    "where who anyone everyone someone here there again today tomorrow yesterday"
)
_FRENCH_WORDS = (
    "le la les un une des mon ma mes notre votre ce cette jardin potager parcelle terre "
    "compost graines semis tomates poivrons basilic menthe thym laitue haricots pois carottes "
    "oignons ail courgettes citrouille rosiers tulipes pommier poirier cerisier haie pelouse "
    "allée serre cabane brouette pelle râteau tuyau arrosoir paillage feuilles vers pucerons "
    "limaces escargots coccinelles abeilles gel soleil pluie ombre vent matin soir été automne "
    "hiver printemps semaine est sont était ont poussé planté semé arrosé taillé cueilli "
    "partagé essayé pense sais vois cherche besoin envie enfin vraiment déjà aussi très trop "
    "plus moins bien belle beau petit grand tôt tard nouveau frais sec humide chaud froid et ou "
    "mais parce quand après avant sous sur près avec sans pour dans comment pourquoi où qui "
    "quelqu'un ici là encore aujourd'hui demain hier merci ça élagué récolté"
)
ENGLISH = tuple(_ENGLISH_WORDS.split())
FRENCH = tuple(_FRENCH_WORDS.split())
EMOJI = ("🌱", "🍅", "🌻", "👍", "😊", "🐝", "🌧️", "🙏", "😂", "❤️")
CLOSERS = (".", "!", "?", "...", "", "", " :)", " !")
THANKS = ("thanks", "thank you", "thx", "merci", "ty")
INSULTS = ("idiot", "moron", "stupid", "crétin", "abruti", "dumbass", "connard")


class ChatStream:
    """Builds the events; ``members`` regulars in one community, ``channels`` channels."""

    def __init__(self, *, members: int = 2_000, seed: int = 42) -> None:
        self.pick = random.Random(seed)
        self.members = members
        self.community_id = "1"
        self.posted: list[tuple[str, str]] = []
        """(channel, message id) of what was posted, for replies and reactions."""
        self.counter = 0

    # -- references, fresh per event as an adapter builds them ------------------------------

    def community(self) -> CommunityRef:
        """The community, as a new reference."""
        return CommunityRef(PLATFORM, self.community_id, "Bench garden")

    def member(self, number: int, community: CommunityRef) -> MemberRef:
        """Regular ``number`` (``u<number>``), as a new reference."""
        return MemberRef(community, UserRef(PLATFORM, f"u{number}", f"member{number}"))

    def message_ref(self, channel: str, message_id: str, community: CommunityRef) -> MessageRef:
        """A message, as a new reference."""
        return MessageRef(ChannelRef(community, channel, f"#{channel}"), message_id)

    # -- texts ----------------------------------------------------------------------------------

    def sentence(self) -> str:
        """A chat message of ordinary content: 2 to 40 words, mostly under 15."""
        pick = self.pick
        french = pick.random() < 0.3
        words = FRENCH if french else ENGLISH
        length = min(40, 2 + int(pick.expovariate(1 / 9)))
        chosen = [pick.choice(words) for _ in range(length)]
        if pick.random() < 0.1:
            chosen.insert(pick.randrange(len(chosen) + 1), str(pick.randint(2, 2026)))
        text = " ".join(chosen)
        text = text[0].upper() + text[1:] + pick.choice(CLOSERS)
        roll = pick.random()
        if roll < 0.12:
            text += " " + pick.choice(EMOJI)
        elif roll < 0.16:
            text += f" https://garden.example/{pick.choice(words)}/{pick.randint(1, 9999)}"
        return text

    def insult(self) -> str:
        """An insult inside an ordinary sentence, sometimes disguised."""
        pick = self.pick
        word = pick.choice(INSULTS)
        roll = pick.random()
        if roll < 0.2:
            word = word.upper()
        elif roll < 0.35:
            word = word.replace("i", "1").replace("o", "0")
        elif roll < 0.45:
            word = " ".join(word)
        return f"{self.sentence()} you {word}"

    # -- the stream -----------------------------------------------------------------------------

    def events(self, count: int, start: datetime) -> Iterator[Event]:
        """``count`` events from ``start``: 80% messages, 15% reactions, 1% joins, and bursts of
        flood or copy-pasted spam now and then."""
        pick = self.pick
        at = start
        emitted = 0
        while emitted < count:
            at += timedelta(milliseconds=pick.randint(50, 400))
            community = self.community()
            roll = pick.random()
            if roll < 0.01:
                self.counter += 1
                newcomer = MemberRef(
                    community,
                    UserRef(PLATFORM, f"new{self.counter}", f"newcomer{self.counter}"),
                )
                yield MemberJoined(at=at, member=newcomer)
                emitted += 1
            elif roll < 0.16 and self.posted:
                channel, message_id = pick.choice(self.posted[-500:])
                yield ReactionAdded(
                    at=at,
                    message=self.message_ref(channel, message_id, community),
                    member=self.member(pick.randrange(self.members), community),
                    emoji=pick.choice(("👍", "❤️", "😂", "🌱")),
                )
                emitted += 1
            elif roll < 0.163:
                # A burst from one member: a flood of short lines, or the same advert pasted.
                author = pick.randrange(self.members)
                pasted = f"Free seeds for everyone, write to me! {pick.randint(1, 99)}"
                flood = pick.random() < 0.5
                for _ in range(min(7, count - emitted)):
                    at += timedelta(milliseconds=pick.randint(300, 1500))
                    text = self.sentence() if flood else pasted
                    yield self.message(at, author, text, pick.choice(CHANNELS))
                    emitted += 1
            else:
                text, mentioned = self.text()
                yield self.message(at, pick.randrange(self.members), text, None, mentioned)
                emitted += 1

    def text(self) -> tuple[str, list[int]]:
        """An ordinary message, most of the time; 3% break a rule. With the members it
        mentions."""
        pick = self.pick
        if pick.random() >= 0.03:
            return self.sentence(), []
        roll = pick.random()
        if roll < 0.5:
            return self.insult(), []
        if roll < 0.7:
            return f"{self.sentence()} discord.gg/garden{pick.randint(1, 999)}", []
        if roll < 0.95:
            return self.sentence().upper() + " WHY DOES NOBODY ANSWER", []
        pinged = [pick.randrange(self.members) for _ in range(6)]
        return " ".join(f"@member{number}" for number in pinged) + " look!", pinged

    def message(
        self,
        at: datetime,
        author: int,
        text: str,
        channel: str | None,
        mentioned: list[int] | None = None,
    ) -> Event:
        """A message by regular ``author``; a third reply to a recent message, some of them
        with thanks, and some mention a member."""
        pick = self.pick
        community = self.community()
        self.counter += 1
        message_id = str(self.counter)
        channel = channel or pick.choice(CHANNELS)
        reply_to = None
        mentioned = list(mentioned or ())
        if self.posted and pick.random() < 0.33:
            replied_channel, replied_id = pick.choice(self.posted[-200:])
            channel = replied_channel
            reply_to = self.message_ref(replied_channel, replied_id, community)
            if pick.random() < 0.15:
                text = f"{pick.choice(THANKS)} {text[0].lower()}{text[1:]}"
        elif not mentioned and pick.random() < 0.05:
            mentioned = [pick.randrange(self.members)]
            text = f"@member{mentioned[0]} {text}"
        self.posted.append((channel, message_id))
        if len(self.posted) > 1_000:
            del self.posted[:500]
        return MessageCreated(
            at=at,
            message=self.message_ref(channel, message_id, community),
            author=self.member(author, community),
            text=text,
            reply_to=reply_to,
            mentions=tuple(UserRef(PLATFORM, f"u{n}", f"member{n}") for n in mentioned),
        )


if __name__ == "__main__":
    command = argparse.ArgumentParser(
        description=__doc__,
        epilog="Not a benchmark: a module the benchmarks import, which measures nothing on its\n"
        "own. python bench/pipeline.py feeds its stream through the bot.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.parse_args()
    command.exit(
        1,
        f"{command.prog}: not a benchmark, it measures nothing on its own: "
        "python bench/pipeline.py feeds its stream through the bot\n",
    )
