"""Arguments as people type them on text platforms."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

import pytest

from bot.cogloader import available_cogs
from bot.commands import CommandContext, Days, Text, command
from bot.commands.parsing import (
    LONGEST_PASSED,
    ChannelRefusedError,
    UsageError,
    parse_arguments,
)
from bot.commands.spec import ChoiceNames, build_spec, declared_commands
from bot.events import ChannelRef, CommunityRef, MemberRef, UserRef
from bot.ruleconf.community import UsageErrorTexts
from tests.support.rulebook import shipped_texts

COMMUNITY = CommunityRef("fake", "c1")
ALICE = MemberRef(COMMUNITY, UserRef("fake", "42", "alice"))
GENERAL = ChannelRef(COMMUNITY, "7", "#general")


def usage_errors(locale: str) -> UsageErrorTexts:
    """The shipped rule book's texts for bad arguments, in ``locale``."""
    return shipped_texts(locale).usage_errors


async def find_member(text: str) -> MemberRef | None:
    return ALICE if text.lstrip("@") in ("alice", "42") else None


async def find_channel(text: str) -> ChannelRef | None:
    if text == ELSEWHERE:
        raise ChannelRefusedError(text)
    return GENERAL if text == "#general" else None


ELSEWHERE = "-100999"
"""A channel of another community, as Telegram finds one by its id."""


A_WEEK = Days(7)


class Sample:
    @command()
    async def warn(
        self,
        ctx: CommandContext,
        member: Annotated[MemberRef, "Who"],
        reason: Annotated[Text, "Why"],
    ) -> None:
        """Warn a member."""

    @command()
    async def top(
        self,
        ctx: CommandContext,
        window: Annotated[Literal["7d", "30d", "all"] | None, "Which period"] = None,
    ) -> None:
        """Show the top contributors."""

    @command()
    async def contest(
        self,
        ctx: CommandContext,
        title: Annotated[str, "Title"],
        duration: Annotated[timedelta, "How long"],
        entries: Annotated[int, "Entries per member"] = 1,
        public: Annotated[bool, "Announce it"] = True,
        where: Annotated[ChannelRef | None, "Channel"] = None,
    ) -> None:
        """Create a contest."""

    @command()
    async def suggest(self, ctx: CommandContext, text: Annotated[Text, "What to suggest"]) -> None:
        """Suggest something."""

    @command()
    async def announce(
        self,
        ctx: CommandContext,
        delay: Annotated[timedelta, "When"],
        text: Annotated[Text, "What"],
    ) -> None:
        """Schedule an announcement."""

    @command()
    async def status(
        self,
        ctx: CommandContext,
        number: Annotated[int, "Which suggestion"],
        status: Annotated[
            Literal["accepted", "declined"],
            "What it becomes",
            ChoiceNames({"fr": {"accepted": "acceptée", "declined": "refusée"}}),
        ],
    ) -> None:
        """Answer a suggestion."""

    @command()
    async def profile(
        self,
        ctx: CommandContext,
        member: Annotated[MemberRef | None, "Whose profile"] = None,
        window: Annotated[Literal["7d", "30d", "all"], "Which period"] = "7d",
    ) -> None:
        """Show a member's profile."""

    @command()
    async def report(
        self, ctx: CommandContext, days: Annotated[Days, "How many days"] = A_WEEK
    ) -> None:
        """Report on the last days."""

    @command()
    async def giveaway(
        self,
        ctx: CommandContext,
        where: Annotated[ChannelRef | None, "Where to hold it"] = None,
        winners: Annotated[int, "How many win"] = 1,
    ) -> None:
        """Start a giveaway."""

    @command()
    async def note(
        self,
        ctx: CommandContext,
        member: Annotated[MemberRef | None, "About whom"] = None,
        text: Annotated[Text, "What"] = "",
    ) -> None:
        """Write a note."""


async def parse(name: str, args: str) -> dict[str, object]:
    spec = build_spec(getattr(Sample(), name))
    return await parse_arguments(
        spec, args, resolve_member=find_member, resolve_channel=find_channel
    )


async def test_positional_member_then_rest_of_line() -> None:
    values = await parse("warn", "@alice stop shouting, please")
    assert values == {"member": ALICE, "reason": "stop shouting, please"}


async def test_quoted_strings_and_typed_values() -> None:
    values = await parse("contest", '"Best photo of autumn" 7d 3 no #general')
    assert values == {
        "title": "Best photo of autumn",
        "duration": timedelta(days=7),
        "entries": 3,
        "public": False,
        "where": GENERAL,
    }


async def test_curly_and_french_quotes_group_words_and_apostrophes_are_plain() -> None:
    assert (await parse("contest", "“Plus bel arbre” 2h"))["title"] == "Plus bel arbre"
    assert (await parse("contest", "«L'arbre d'or» 2h"))["title"] == "L'arbre d'or"
    assert (await parse("contest", "l'arbre 2h"))["title"] == "l'arbre"


async def test_optional_options_take_their_defaults() -> None:
    assert await parse("contest", "Photo 1d") == {
        "title": "Photo",
        "duration": timedelta(days=1),
        "entries": 1,
        "public": True,
        "where": None,
    }
    assert await parse("top", "") == {"window": None}


async def test_choices_are_case_insensitive() -> None:
    assert await parse("top", "ALL") == {"window": "all"}


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("warn", "", "member is missing"),
        ("warn", "@bob rude", "no member called '@bob' here"),
        ("warn", "@alice", "reason is missing"),
        ("top", "year", "window should be one of 7d, 30d, all, not 'year'"),
        ("top", "7d extra", "too many arguments, starting at 'extra'"),
        ("contest", "Photo 1 fortnight", "duration should be a duration such as 10m, 2h or 7d"),
        ("contest", "Photo 1d many", "entries should be a whole number, not 'many'"),
        ("contest", "Photo 1d 2 maybe", "public should be yes or no, not 'maybe'"),
        ("contest", "Photo 1d 2 yes #nowhere", "no channel called '#nowhere' here"),
        ("contest", '"Photo 1d', "a quote is not closed"),
    ],
)
async def test_bad_arguments_say_what_is_wrong(name: str, args: str, message: str) -> None:
    with pytest.raises(UsageError) as error:
        await parse(name, args)
    assert error.value.text(usage_errors("en")).startswith(message)


async def test_a_channel_of_another_community_is_refused_as_the_channel_typed() -> None:
    """``-100999`` is a whole number too: left out as a channel, it was taken for the number of
    winners, and the member was told about that option instead of the channel they typed."""
    assert await parse("giveaway", "3") == {"where": None, "winners": 3}
    assert await parse("giveaway", "#general 3") == {"where": GENERAL, "winners": 3}
    for args in (ELSEWHERE, f"{ELSEWHERE} 3"):
        with pytest.raises(UsageError) as error:
            await parse("giveaway", args)
        assert error.value.text(usage_errors("en")) == f"no channel called '{ELSEWHERE}' here"


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("warn", "", "il manque l'argument «\u00a0member\u00a0»"),
        ("top", "year", "window doit être l'un de\u00a0: 7d, 30d, all, pas 'year'"),
        ("contest", "Photo 1d 2 peut-être", "public doit être oui ou non, pas 'peut-être'"),
        ("contest", "Photo 1d 2 oui #nulle_part", "aucun salon ne s'appelle '#nulle_part' ici"),
    ],
)
async def test_bad_arguments_are_explained_in_french(name: str, args: str, message: str) -> None:
    with pytest.raises(UsageError) as error:
        await parse(name, args)
    assert error.value.text(usage_errors("fr")) == message


async def test_a_duration_however_long_reaches_the_command_which_says_its_range() -> None:
    # Refused here, it would be told a range of its own, not the command's.
    assert (await parse("contest", "Photo 5201w"))["duration"] == timedelta(weeks=5201)
    # Read to the end, as long as it may be: more digits than any duration needs too.
    assert (await parse("contest", "Photo " + "9" * 30 + "w"))["duration"] == LONGEST_PASSED


async def test_french_examples_of_durations_use_french_units() -> None:
    with pytest.raises(UsageError) as error:
        await parse("contest", "Photo 1 quinzaine")
    assert error.value.text(usage_errors("fr")) == (
        "duration doit être une durée comme 10m, 2h ou 7j, pas '1'"
    )
    assert (await parse("contest", "Photo 7j"))["duration"] == timedelta(days=7)


async def test_huge_arguments_are_refused_quickly() -> None:
    with pytest.raises(UsageError) as error:
        await parse("warn", "@alice " + "a" * 100_000)
    assert error.value.text(usage_errors("en")) == (
        "the arguments are too long (at most 4000 characters)"
    )


async def test_hostile_text_is_taken_literally() -> None:
    zalgo = "h̸̢̛e̵͇͝l̴̡̛l̶̰̈o̸͙͝ \x00\x1b[31m"
    values = await parse("warn", f"@alice {zalgo}")
    assert values["reason"] == zalgo.strip()


def test_usage_line_shows_required_optional_and_choices() -> None:
    assert build_spec(Sample().warn).usage == "/warn <member> <reason…>"
    assert build_spec(Sample().top).usage == "/top [7d|30d|all]"
    assert build_spec(Sample().contest).usage == (
        "/contest <title> <duration> [entries] [public] [where]"
    )


async def test_the_rest_of_the_line_keeps_its_quotes_as_typed() -> None:
    assert (await parse("announce", "1m The «big» day is “here”"))["text"] == (
        "The «big» day is “here”"
    )
    assert (await parse("suggest", 'Il a dit « bonjour » et "salut"'))["text"] == (
        'Il a dit « bonjour » et "salut"'
    )


async def test_an_unclosed_quote_in_the_rest_of_the_line_is_just_a_character() -> None:
    assert await parse("suggest", 'My 5" screen is too small') == {
        "text": 'My 5" screen is too small'
    }
    assert await parse("warn", '@alice "be nice') == {"member": ALICE, "reason": '"be nice'}


async def test_a_rest_of_the_line_wholly_quoted_loses_its_quotes() -> None:
    assert (await parse("warn", '@alice "be nice"'))["reason"] == "be nice"
    assert (await parse("warn", "@alice « soyez aimable »"))["reason"] == "soyez aimable"
    assert (await parse("warn", '@alice "be" nice"'))["reason"] == '"be" nice"'


async def test_other_quotes_inside_a_quoted_title_are_kept() -> None:
    values = await parse("contest", '"Photo «nature»" 2h')
    assert (values["title"], values["duration"]) == ("Photo «nature»", timedelta(hours=2))
    values = await parse("contest", "« Photo “nature” » 2h")
    assert (values["title"], values["duration"]) == ("Photo “nature”", timedelta(hours=2))


async def test_whole_numbers_may_be_written_as_the_bot_writes_ids() -> None:
    assert (await parse("contest", "Photo 1d #3"))["entries"] == 3
    assert (await parse("status", "#12 accepted"))["number"] == 12
    with pytest.raises(UsageError) as error:
        await parse("status", "#x accepted")
    assert error.value.text(usage_errors("en")) == "number should be a whole number, not '#x'"


async def test_a_choice_may_be_typed_as_any_locale_names_it() -> None:
    assert (await parse("status", "1 accepted"))["status"] == "accepted"
    assert (await parse("status", "1 acceptée"))["status"] == "accepted"
    assert (await parse("status", "1 REFUSEE"))["status"] == "declined"
    spec = build_spec(Sample().status)
    assert spec.usage_for("fr") == "/status <numéro> <acceptée|refusée>"
    assert spec.usage_for("en") == "/status <number> <accepted|declined>"
    with pytest.raises(UsageError) as error:
        await parse("status", "1 peut-être")
    assert error.value.text(usage_errors("fr")) == (
        "status doit être l'un de\u00a0: acceptée, refusée, pas 'peut-être'"
    )
    assert error.value.text(usage_errors("en")).startswith(
        "status should be one of accepted, declined"
    )


async def test_a_duration_choice_is_met_by_the_same_duration_written_otherwise() -> None:
    assert await parse("top", "7j") == {"window": "7d"}
    assert await parse("top", "1w") == {"window": "7d"}
    assert await parse("top", "30J") == {"window": "30d"}


async def test_days_are_typed_as_a_number_or_as_days_and_a_window_alike() -> None:
    """``/classement 30`` as ``/classement 30j``, ``/rapport 30j`` as ``/rapport 30``."""
    assert await parse("top", "30") == {"window": "30d"}
    assert await parse("profile", "30") == {"member": None, "window": "30d"}
    for typed in ("30", "30d", "30j", "30J"):
        assert await parse("report", typed) == {"days": 30}
    assert await parse("report", "2w") == {"days": 14}
    for typed in ("36h", "30x", "1d12h"):
        with pytest.raises(UsageError) as error:
            await parse("report", typed)
        assert error.value.text(usage_errors("en")) == (
            f"days should be a whole number, not {typed!r}"
        )
    with pytest.raises(UsageError):
        await parse("top", "14")


async def test_an_optional_option_is_left_out_when_the_word_is_the_next_ones() -> None:
    """``/profile 30d``: one's own profile over 30 days, not a member called "30d"."""
    assert await parse("profile", "30d") == {"member": None, "window": "30d"}
    assert await parse("profile", "alice 30d") == {"member": ALICE, "window": "30d"}
    assert await parse("profile", "@alice") == {"member": ALICE, "window": "7d"}
    for args in ("bob", "bob 30d"):
        with pytest.raises(UsageError) as error:
            await parse("profile", args)
        assert error.value.text(usage_errors("en")) == "no member called 'bob' here"
    with pytest.raises(UsageError) as error:
        await parse("profile", "30d all")
    assert error.value.text(usage_errors("en")).startswith("too many arguments, starting at 'all'")


async def test_a_word_for_an_option_taking_any_text_does_not_leave_one_out() -> None:
    """A typo in a member's name is said, not swallowed by the text after it."""
    with pytest.raises(UsageError) as error:
        await parse("note", "bobb was rude")
    assert error.value.text(usage_errors("en")) == "no member called 'bobb' here"


async def parse_shipped(name: str, args: str) -> dict[str, object]:
    """``args`` typed for the shipped command ``name``, as a cog declares it."""
    [spec] = [
        build_spec(method, cog=cog)
        for cog, cog_class in available_cogs().items()
        for method in declared_commands(cog_class)
        if build_spec(method, cog=cog).name == name
    ]
    return await parse_arguments(
        spec, args, resolve_member=find_member, resolve_channel=find_channel
    )


async def test_a_reason_or_comment_of_several_words_needs_no_quotes() -> None:
    """What moderators type in a hurry: the free text at the end of the line is taken whole."""
    assert await parse_shipped("ban", "alice spamming entries") == {
        "member": ALICE,
        "reason": "spamming entries",
        "delete_days": 0,
    }
    assert (await parse_shipped("kick", "alice spamming entries"))["reason"] == "spamming entries"
    assert (await parse_shipped("warn", "alice rude to other members"))["reason"] == (
        "rude to other members"
    )
    assert await parse_shipped("timeout", "alice 10m flooding the channel") == {
        "member": ALICE,
        "duration": timedelta(minutes=10),
        "reason": "flooding the channel",
    }
    assert await parse_shipped("suggestion", "12 declined not this year, sorry") == {
        "number": 12,
        "status": "declined",
        "comment": "not this year, sorry",
    }


async def test_a_free_text_followed_by_options_keeps_them_when_they_fit() -> None:
    """``/ban`` is followed by how many days of messages to delete: typed after one word or a
    quoted reason, as before; after several unquoted words, they are all the reason (no
    message deleted on a guess)."""
    assert await parse_shipped("ban", "alice spam 1") == {
        "member": ALICE,
        "reason": "spam",
        "delete_days": 1,
    }
    assert await parse_shipped("ban", 'alice "spamming entries" 1') == {
        "member": ALICE,
        "reason": "spamming entries",
        "delete_days": 1,
    }
    assert (await parse_shipped("ban", "alice broke rule 3"))["reason"] == "broke rule 3"
    assert (await parse_shipped("ban", "alice broke rule 3"))["delete_days"] == 0
    assert (await parse_shipped("ban", 'alice "spam')) == {
        "member": ALICE,
        "reason": '"spam',
        "delete_days": 0,
    }
    assert await parse_shipped("ban", "alice") == {
        "member": ALICE,
        "reason": None,
        "delete_days": 0,
    }
    with pytest.raises(UsageError) as error:
        await parse_shipped("ban", "bob spamming entries")
    assert error.value.text(usage_errors("en")) == "no member called 'bob' here"
