"""A sanction the platform refuses, or a lift that keeps failing on the bot's own error: the
moderator and the mod-log learn what failed and why."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from bot.events import MessageRef
from bot.localtime import moment_text
from bot.platform import Capability, PlatformError
from tests.cogs.netiquette.conftest import ForumFactory
from tests.cogs.netiquette.forum import NO_INSULTS, Forum, write_locale
from tests.support.fake_platform import FakePlatform


async def with_mod_and_bob(open_forum: ForumFactory) -> Forum:
    """Garden with the insults rule, a moderator and bob."""
    forum = await open_forum(NO_INSULTS)
    forum.member("mod", moderator=True)
    forum.member("bob")
    return forum


LACKING = {"permission": "moderate_members", "where": "Garden"}
"""A refusal's values: the Moderate Members permission, missing in Garden."""


@pytest.mark.parametrize(
    ("line", "refused", "permission", "named"),
    [
        ("/timeout bob 10m Flooding", "timeout", "moderate_members", "Moderate Members"),
        ("/kick bob Spam", "kick", "kick_members", "Kick Members"),
        ("/ban bob Spam", "ban", "ban_members", "Ban Members"),
    ],
)
async def test_a_refused_sanction_is_recorded_and_the_moderator_told_why(
    open_forum: ForumFactory, line: str, refused: str, permission: str, named: str
) -> None:
    forum = await with_mod_and_bob(open_forum)
    forum.platform.refuse[refused] = (
        "lacking_permission",
        {"permission": permission, "where": "Garden"},
    )
    await forum.run("mod", line)
    reason = f"I lack the {named} permission in Garden"
    assert forum.answers() == [f"Case 1 is recorded, but {refused} failed: {reason}."]
    assert forum.modlog()[-1].endswith(f" ({refused} failed: {reason})")
    assert forum.core.scheduler.pending("netiquette:") == []
    assert await forum.cog.casebook.get(forum.platform.community, 1) is not None


@pytest.mark.parametrize(
    ("line", "refused", "notice", "withdrawn"),
    [
        (
            "/kick bob Spam",
            "kick",
            "bob, you have been removed from Garden: Spam (case 1).",
            "bob, the removal from Garden announced above did not happen (case 1).",
        ),
        (
            "/ban bob Spam",
            "ban",
            "bob, you have been banned from Garden: Spam (case 1).",
            "bob, the ban from Garden announced above did not happen (case 1).",
        ),
    ],
)
async def test_a_member_told_of_a_removal_the_platform_refused_is_told_it_did_not_happen(
    open_forum: ForumFactory, line: str, refused: str, notice: str, withdrawn: str
) -> None:
    forum = await with_mod_and_bob(open_forum)
    forum.platform.refuse[refused] = ("administrator", {"target": "bob", "where": "Garden"})
    await forum.run("mod", line)
    assert [dm.text for dm in forum.done("dm")] == [notice, withdrawn]
    assert forum.done(refused) == []
    # Carried out, the removal is announced once, and not withdrawn.
    del forum.platform.refuse[refused]
    await forum.run("mod", line)
    assert [dm.text for dm in forum.done("dm")][2:] == [notice.replace("case 1", "case 2")]


@pytest.mark.parametrize(
    ("line", "refused", "notice"),
    [
        ("/kick bob Spam", "kick", "bob, you have been removed from Garden: Spam (case 1)."),
        ("/ban bob Spam", "ban", "bob, you have been banned from Garden: Spam (case 1)."),
    ],
)
@pytest.mark.parametrize("unclear", ["no_answer", "server_error", "unreachable"])
async def test_a_removal_the_platform_did_not_answer_for_is_not_said_to_have_failed(
    open_forum: ForumFactory, line: str, refused: str, notice: str, unclear: str
) -> None:
    # The platform may well have removed bob: telling him it did not happen could be false.
    forum = await with_mod_and_bob(open_forum)
    forum.platform.refuse[refused] = (unclear, {"platform": "Discord", "where": "Garden"})
    await forum.run("mod", line)
    assert [dm.text for dm in forum.done("dm")] == [notice]


async def test_a_removal_refused_is_withdrawn_in_the_community_s_language(
    open_forum: ForumFactory, rules_dir: Path
) -> None:
    write_locale(rules_dir, "fr")
    forum = await with_mod_and_bob(open_forum)
    forum.platform.refuse["kick"] = ("member_gone", {"target": "bob", "where": "Garden"})
    await forum.run("mod", "/expulser bob Spam")
    assert [dm.text for dm in forum.done("dm")] == [
        "bob, vous avez été expulsé·e de la communauté Garden\u00a0: Spam (dossier 1).",
        "bob, l'expulsion de la communauté Garden annoncée ci-dessus n'a pas eu lieu (dossier 1).",
    ]


async def test_the_refusal_is_told_each_time_though_the_alert_is_posted_once(
    open_forum: ForumFactory,
) -> None:
    forum = await with_mod_and_bob(open_forum)
    forum.platform.refuse["timeout"] = ("lacking_permission", LACKING)
    await forum.run("mod", "/timeout bob 10m")
    await forum.run("mod", "/timeout bob 10m")
    failed = "timeout failed: I lack the Moderate Members permission in Garden"
    assert forum.answers() == [
        f"Case 1 is recorded, but {failed}.",
        f"Case 2 is recorded, but {failed}.",
    ]
    assert forum.modlog() == [
        "⚠️ I lack the Moderate Members permission in Garden",
        f"🛡️ Case 1 · timeout · bob by mod: — ({failed})",
        f"🛡️ Case 2 · timeout · bob by mod: — ({failed})",
    ]


async def test_untimeout_says_when_the_bot_had_no_timeout_on_record(
    open_forum: ForumFactory,
) -> None:
    forum = await with_mod_and_bob(open_forum)
    await forum.run("mod", "/untimeout bob")
    assert forum.answers()[-1] == (
        "bob had no timeout on record here; any set directly on the platform is lifted now."
    )
    # Lifted all the same: a timeout a moderator set by hand on the platform ends too.
    assert len(forum.done("unrestrict")) == 1
    await forum.run("mod", "/timeout bob 1h")
    await forum.run("mod", "/untimeout bob")
    assert forum.answers()[-1] == "The timeout of bob is lifted."


async def test_a_refused_untimeout_keeps_the_timeout_open_and_its_lift_planned(
    open_forum: ForumFactory,
) -> None:
    forum = await with_mod_and_bob(open_forum)
    await forum.run("mod", "/timeout bob 1h")
    forum.platform.refuse["unrestrict"] = ("lacking_permission", LACKING)
    await forum.run("mod", "/untimeout bob")
    assert forum.answers()[-1] == (
        "Case 2 is recorded, but untimeout failed: "
        "I lack the Moderate Members permission in Garden."
    )
    assert "⚠️ I lack the Moderate Members permission in Garden" in forum.modlog()
    timeout_case = await forum.cog.casebook.get(forum.platform.community, 1)
    assert timeout_case is not None
    assert timeout_case.lifted_at is None
    assert len(forum.core.scheduler.pending("netiquette:timeout:")) == 1
    # Once the permission is given, the same command lifts it.
    del forum.platform.refuse["unrestrict"]
    await forum.run("mod", "/untimeout bob")
    assert forum.answers()[-1] == "The timeout of bob is lifted."
    assert forum.core.scheduler.pending("netiquette:") == []


NOT_BANNED = ("not_banned", {"target": "bob", "where": "Garden"})
GONE = ("member_gone", {"target": "bob", "where": "Garden"})


async def test_unban_of_a_member_neither_on_record_nor_banned_records_nothing(
    open_forum: ForumFactory, rules_dir: Path
) -> None:
    forum = await with_mod_and_bob(open_forum)
    forum.platform.refuse["unban"] = NOT_BANNED
    await forum.run("mod", "/unban bob")
    assert forum.answers() == ["bob is not banned: there is nothing to lift."]
    assert await forum.cog.casebook.of_member(forum.platform.community, "id-bob") == []
    # Nothing happened: the mod-log hears nothing, not even a warning of the refusal.
    assert forum.modlog() == []
    write_locale(rules_dir, "fr")
    assert await forum.core.reload_rules() is None
    await forum.run("mod", "/debannir bob")
    assert forum.answers()[-1] == "bob n'est pas banni·e\u00a0: il n'y a rien à lever."
    assert await forum.cog.casebook.of_member(forum.platform.community, "id-bob") == []


async def test_untimeout_of_a_member_gone_with_no_timeout_on_record_records_nothing(
    open_forum: ForumFactory, rules_dir: Path
) -> None:
    forum = await with_mod_and_bob(open_forum)
    forum.platform.refuse["unrestrict"] = GONE
    await forum.run("mod", "/untimeout bob")
    assert forum.answers() == ["bob has no timeout: there is nothing to lift."]
    assert await forum.cog.casebook.of_member(forum.platform.community, "id-bob") == []
    assert forum.modlog() == []
    write_locale(rules_dir, "fr")
    assert await forum.core.reload_rules() is None
    await forum.run("mod", "/fin_exclusion bob")
    assert forum.answers()[-1] == (
        "bob n'est pas exclu·e temporairement\u00a0: il n'y a rien à lever."
    )
    assert await forum.cog.casebook.of_member(forum.platform.community, "id-bob") == []


async def test_unban_of_a_ban_on_record_the_platform_no_longer_holds_is_still_recorded(
    open_forum: ForumFactory,
) -> None:
    forum = await with_mod_and_bob(open_forum)
    await forum.run("mod", "/ban bob Spam")
    forum.platform.refuse["unban"] = NOT_BANNED
    await forum.run("mod", "/unban bob")
    # Lifted by hand on the platform: the ban on record is over, and closed.
    assert forum.answers()[-1] == (
        "bob was no longer banned on the platform: the ban on record is now closed."
    )
    # The case's line says it; a warning besides would say it twice.
    assert forum.modlog()[-1] == (
        "🛡️ Case 2 · unban · bob by mod: — "
        "(bob was no longer banned on the platform; the ban on record is closed)"
    )
    assert [line for line in forum.modlog() if line.startswith("⚠️")] == []


async def test_untimeout_of_a_member_gone_where_a_timeout_lifts_a_timeout_says_nothing_to_lift(
    open_forum: ForumFactory,
) -> None:
    # Discord has no restrictions: a timeout is lifted by a timeout that ends now.
    forum = await with_mod_and_bob(open_forum)
    forum.platform.capabilities = frozenset(Capability) - {Capability.RESTRICT}
    forum.platform.refuse["timeout"] = GONE
    await forum.run("mod", "/untimeout bob")
    assert forum.answers() == ["bob has no timeout: there is nothing to lift."]
    assert forum.modlog() == []
    # A timeout refused for the same reason is a failure the mod-log hears of.
    await forum.run("mod", "/timeout bob 10m")
    assert forum.modlog()[0] == "⚠️ bob is no longer a member of Garden"


async def test_unban_of_a_ban_set_by_hand_on_the_platform_lifts_and_records_it(
    open_forum: ForumFactory,
) -> None:
    forum = await with_mod_and_bob(open_forum)
    await forum.run("mod", "/unban bob")
    assert forum.answers() == [
        "bob had no ban on record here; any set directly on the platform is lifted now."
    ]
    assert len(forum.done("unban")) == 1
    [case] = await forum.cog.casebook.of_member(forum.platform.community, "id-bob")
    assert case.action == "unban"


async def test_a_rule_s_refused_actions_are_noted_in_its_mod_log_line(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(
        {
            "no_insults": {
                "triggers": [{"match_words": {"words": ["idiot"]}}],
                "actions": {"delete": True, "reply": True, "timeout": {"duration": "10m"}},
            }
        }
    )
    forum.platform.refuse["delete"] = (
        "lacking_permission",
        {"permission": "manage_messages", "where": "#general"},
    )
    forum.platform.refuse["timeout"] = ("member_gone", {"target": "bob", "where": "Garden"})
    await forum.say("bob", "idiot")
    assert forum.modlog()[-1].endswith(
        "“idiot” (delete failed: I lack the Manage Messages permission in #general)"
        " (timeout failed: bob is no longer a member of Garden)"
    )
    assert forum.core.scheduler.pending("netiquette:") == []


async def test_a_ladder_step_and_a_planned_lift_say_when_they_failed(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(NO_INSULTS)
    for _ in range(3):
        await forum.say("bob", "idiot")
    assert forum.modlog()[-1].startswith("⚖️ Case 4 · timeout · bob reached 3 strike points")
    assert "failed" not in forum.modlog()[-1]
    forum.platform.refuse["unrestrict"] = ("member_gone", {"target": "bob", "where": "Garden"})
    await forum.wait(timedelta(hours=1))
    assert forum.modlog()[-1] == (
        "⏱️ The timeout of bob is lifted (case 4)"
        " (untimeout failed: bob is no longer a member of Garden)."
    )
    forum.platform.refuse["timeout"] = ("lacking_permission", LACKING)
    for _ in range(3):
        await forum.say("bob", "idiot")
    assert forum.modlog()[-1].endswith(
        "within 30 days (timeout failed: I lack the Moderate Members permission in Garden)"
    )


async def test_a_purge_the_platform_refused_says_why(open_forum: ForumFactory) -> None:
    forum = await open_forum(NO_INSULTS)
    forum.member("mod", moderator=True)
    await forum.say("alice", "hello")
    forum.platform.refuse["delete"] = (
        "lacking_permission",
        {"permission": "manage_messages", "where": "#general"},
    )
    await forum.run("mod", "/purge 5")
    failed = "purge failed: I lack the Manage Messages permission in #general"
    assert forum.answers() == [f"0 messages deleted. ({failed})"]
    assert forum.modlog()[-1].endswith(f"({failed})")


class PartlyPurging(FakePlatform):
    """Deletes the first ``deletes`` messages of a purge, then refuses the rest as Discord and
    Telegram do: one refusal at the end, counting what stayed but not naming it."""

    def __init__(self) -> None:
        super().__init__()
        self.deletes: int | None = None
        self.asked: list[list[str]] = []
        self.refusal: tuple[str, dict[str, str]] = (
            "rate_limited",
            {"platform": "Discord", "where": "#general"},
        )

    async def delete_many(self, messages: Sequence[MessageRef]) -> None:
        self.asked.append([message.id for message in messages])
        kept = len(messages) if self.deletes is None else self.deletes
        for message in messages[:kept]:
            self._record("delete", message)
        if len(messages) > kept:
            key, values = self.refusal
            raise PlatformError(
                "purge",
                key,
                community=self.community,
                not_deleted=len(messages) - kept,
                **values,
            )


async def test_a_purge_the_platform_partly_refused_counts_what_it_deleted(
    open_forum: ForumFactory,
) -> None:
    platform = PartlyPurging()
    forum = await open_forum(NO_INSULTS, platform=platform)
    forum.member("mod", moderator=True)
    posted = [await forum.say("bob", f"spam {n}") for n in range(5)]
    platform.deletes = 3
    await forum.run("mod", "/purge 5")
    left = (
        "2 messages not deleted:"
        " Discord is rate-limiting me in #general; some actions were dropped"
    )
    assert forum.answers() == [f"3 messages deleted. ({left})"]
    assert forum.modlog()[-1] == f"🛡️ Case — · purge 3 · #general by mod: — ({left})"
    # Which ones stayed is not said: a second purge asks for all five again, harmlessly.
    platform.deletes = None
    await forum.run("mod", "/purge 5")
    assert platform.asked[1] == platform.asked[0] == [m.id for m in reversed(posted)]
    assert forum.answers()[-1] == "5 messages deleted."
    # Those it deleted are forgotten: nothing is left to purge.
    await forum.run("mod", "/purge 5")
    assert len(platform.asked) == 2
    assert forum.answers()[-1].startswith("Nothing deleted: I know of no recent message")


TOO_OLD = ("cannot_delete_old", {"permission": "can_delete_messages", "where": "Garden"})
"""Telegram's refusal of messages over 48 hours old (or of others' without the right)."""


@pytest.mark.parametrize(
    ("locale", "line", "answer"),
    [
        (
            "en",
            "/purge 5",
            "1 message deleted. (4 messages not deleted: I could not delete messages in Garden: "
            "I need the «Delete messages» administrator right, and Telegram lets bots delete "
            "only messages younger than 48 hours)",
        ),
        (
            "fr",
            "/purger 5",
            "1 message supprimé. (4 messages non supprimés\u00a0: Je n'ai pas pu "
            "supprimer des messages dans Garden\u00a0: j'ai besoin du droit d'administrateur "
            "«\u00a0Supprimer des messages\u00a0», et Telegram ne laisse les bots supprimer que "
            "les messages de moins de 48\u00a0heures)",
        ),
    ],
)
async def test_a_purge_telegram_refused_as_too_old_says_messages_not_a_message(
    open_forum: ForumFactory, rules_dir: Path, locale: str, line: str, answer: str
) -> None:
    write_locale(rules_dir, locale)
    platform = PartlyPurging()
    platform.refusal = TOO_OLD
    forum = await open_forum(NO_INSULTS, platform=platform)
    forum.member("mod", moderator=True)
    for n in range(5):
        await forum.say("bob", f"spam {n}")
    platform.deletes = 1
    await forum.run("mod", line)
    assert forum.answers() == [answer]


async def test_notes_read_in_the_community_s_language(
    open_forum: ForumFactory, rules_dir: Path
) -> None:
    write_locale(rules_dir, "fr")
    forum = await with_mod_and_bob(open_forum)
    forum.platform.refuse["delete"] = (
        "lacking_permission",
        {"permission": "manage_messages", "where": "#general"},
    )
    forum.platform.refuse["timeout"] = ("lacking_permission", LACKING)
    await forum.say("bob", "crétin")
    assert forum.modlog()[-1].endswith(
        "«\u00a0crétin\u00a0» (échec de l'action «\u00a0suppression\u00a0»\u00a0: "
        "Il me manque la permission «\u00a0Gérer les messages\u00a0» dans #general)"
    )
    await forum.run("mod", "/exclure_temporairement bob 10m")
    assert forum.answers()[-1] == (
        "Dossier 2 enregistré, mais échec de l'action «\u00a0exclusion temporaire\u00a0»\u00a0: "
        "Il me manque la permission «\u00a0Exclure temporairement des membres\u00a0» dans Garden."
    )


async def banned_for_a_day(open_forum: ForumFactory) -> Forum:
    """bob posted an invite and is banned for a day by the rule; a moderator is around."""
    forum = await open_forum(
        {
            "ads": {
                "triggers": [{"match_invites": True}],
                "actions": {"delete": True, "ban": {"duration": "1d", "reason": "Ads"}},
            }
        }
    )
    forum.member("mod", moderator=True)
    await forum.say("bob", "discord.gg/spam")
    assert len(forum.done("ban")) == 1
    return forum


RATE_LIMITED = ("rate_limited", {"platform": "Discord", "where": "Garden"})


async def test_a_planned_lift_refused_by_a_rate_limit_is_tried_again(
    open_forum: ForumFactory,
) -> None:
    forum = await banned_for_a_day(open_forum)
    forum.platform.refuse["unban"] = RATE_LIMITED
    await forum.wait(timedelta(days=1))
    zone = forum.core.community_config(forum.platform.community).zone
    retry_at = (forum.clock.now() + timedelta(minutes=1)).astimezone(zone)
    assert forum.modlog()[-1] == (
        "⏳ The ban of bob could not be lifted yet (case 1) (unban failed: "
        "Discord is rate-limiting me in Garden; some actions were dropped); "
        f"I will try again on {moment_text(retry_at, 'en')}."
    )
    case = await forum.cog.casebook.get(forum.platform.community, 1)
    assert case is not None
    assert case.lifted_at is None
    del forum.platform.refuse["unban"]
    await forum.wait(timedelta(minutes=1))
    assert len(forum.done("unban")) == 1
    assert forum.modlog()[-1] == "⏱️ The ban of bob is lifted (case 1)."
    case = await forum.cog.casebook.get(forum.platform.community, 1)
    assert case is not None
    assert case.lifted_at is not None
    assert forum.core.scheduler.pending("netiquette:") == []


async def test_a_lift_still_refused_after_every_retry_is_left_to_the_moderators(
    open_forum: ForumFactory,
) -> None:
    forum = await banned_for_a_day(open_forum)
    forum.platform.refuse["unban"] = RATE_LIMITED
    await forum.wait(timedelta(days=2))
    retries = [line for line in forum.modlog() if line.startswith("⏳ The ban of bob")]
    assert len(retries) == 5
    assert forum.modlog()[-1] == (
        "⚠️ The ban of bob is over but I could not lift it (case 1) (unban failed: "
        "Discord is rate-limiting me in Garden; some actions were dropped). "
        "Lift it by hand with /unban: that closes the case."
    )
    assert forum.core.scheduler.pending("netiquette:") == []
    del forum.platform.refuse["unban"]
    await forum.run("mod", "/unban bob")
    assert forum.answers()[-1] == "The ban of bob is lifted."
    case = await forum.cog.casebook.get(forum.platform.community, 1)
    assert case is not None
    assert case.lifted_at is not None


async def test_a_lift_refused_for_good_keeps_the_case_open_and_asks_for_a_hand(
    open_forum: ForumFactory,
) -> None:
    forum = await banned_for_a_day(open_forum)
    forum.platform.refuse["unban"] = (
        "lacking_permission",
        {"permission": "ban_members", "where": "Garden"},
    )
    await forum.wait(timedelta(days=1))
    assert forum.modlog()[-2:] == [
        "⚠️ I lack the Ban Members permission in Garden",
        "⚠️ The ban of bob is over but I could not lift it (case 1) (unban failed: "
        "I lack the Ban Members permission in Garden). "
        "Lift it by hand with /unban: that closes the case.",
    ]
    assert forum.core.scheduler.pending("netiquette:") == []
    case = await forum.cog.casebook.get(forum.platform.community, 1)
    assert case is not None
    assert case.lifted_at is None


async def test_a_lift_with_nothing_left_to_lift_closes_the_case(
    open_forum: ForumFactory,
) -> None:
    forum = await banned_for_a_day(open_forum)
    # A moderator unbanned bob directly on the platform meanwhile.
    forum.platform.refuse["unban"] = ("not_banned", {"target": "bob", "where": "Garden"})
    await forum.wait(timedelta(days=1))
    assert forum.modlog()[-1] == (
        "⏱️ The ban of bob is lifted (case 1) (unban failed: bob is not banned from Garden)."
    )
    assert [line for line in forum.modlog() if line.startswith("⚠️")] == []
    case = await forum.cog.casebook.get(forum.platform.community, 1)
    assert case is not None
    assert case.lifted_at is not None


@pytest.mark.parametrize(
    ("locale", "line"),
    [
        (
            "en",
            "⚠️ The ban of bob is over but lifting it failed on an error of mine every time I "
            "tried (case 1); the bot's log has the details. "
            "Lift it by hand with /unban: that closes the case.",
        ),
        (
            "fr",
            "⚠️ La sanction de bob est terminée mais sa levée a échoué à chaque essai sur une "
            "erreur de ma part\u00a0: bannissement (dossier 1)\u00a0; le journal du bot en "
            "donne le détail. Levez-la à la main avec /debannir\u00a0: cela clôt le dossier.",
        ),
    ],
)
async def test_a_lift_failing_on_an_error_every_try_is_left_to_the_moderators(
    open_forum: ForumFactory,
    rules_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    locale: str,
    line: str,
) -> None:
    write_locale(rules_dir, locale)
    forum = await banned_for_a_day(open_forum)
    sanctions = forum.cog.sanctions
    try_lift = sanctions.try_lift
    tries = []

    async def database_locked(*args: object) -> None:
        tries.append(forum.clock.now())
        raise OperationalError("SELECT", {}, Exception("database is locked"))

    monkeypatch.setattr(sanctions, "try_lift", database_locked)
    await forum.wait(timedelta(days=1, minutes=35))
    assert len(tries) == 3
    assert [text for text in forum.modlog() if text.startswith("⚠️")] == []
    # Told once, after the last try: the scheduler gives up, the case is left open.
    await forum.wait(timedelta(days=2))
    assert len(tries) == 4
    assert [text for text in forum.modlog() if text.startswith("⚠️")] == [line]
    assert forum.core.scheduler.pending("netiquette:") == []
    case = await forum.cog.casebook.get(forum.platform.community, 1)
    assert case is not None
    assert case.lifted_at is None
    assert forum.done("unban") == []
    # The command the line names lifts it and closes the case.
    monkeypatch.setattr(sanctions, "try_lift", try_lift)
    command = "/unban" if locale == "en" else "/debannir"
    await forum.run("mod", f"{command} bob")
    assert len(forum.done("unban")) == 1
    case = await forum.cog.casebook.get(forum.platform.community, 1)
    assert case is not None
    assert case.lifted_at is not None
