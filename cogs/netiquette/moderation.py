"""The moderators' sanction commands: /warn, /timeout, /untimeout, /kick, /ban, /unban, /purge.

Each is refused to non-moderators (by the core) and never acts against a moderator, the owner
or a bot. Each records a case, committed before the member, the moderator or the mod-log hear
of it. When the platform refuses the act (a missing permission, a member gone), the moderator
is told so and why, and the mod-log line says it too: the case stays, as the record of what the
moderator asked. A lift with nothing to lift (none on record, and the platform says the member
is not banned, or gone) is answered so, and recorded nowhere.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from bot.commands import CommandContext, Permission, Power, Text, UsageError, command
from bot.durations import SpokenDuration
from bot.errors import JardinierError
from bot.events import MemberRef, ModerationLifted
from bot.ruleconf import one_line, plain_name, render
from cogs.netiquette.automod import Automod
from cogs.netiquette.cases import CaseRecord, NewCase
from cogs.netiquette.sanctions import Lifted, as_notes, lift_job_id

_DAYS_LIKE = re.compile(r"(\d{1,2})\s*[dDjJ]?")
"""A last word of a reason that reads as a number of days (``3``, ``1d``, ``2j``)."""


class Moderation(Automod):
    """Commands that sanction members."""

    def _check_target(self, ctx: CommandContext, member: MemberRef) -> None:
        texts = self.texts(ctx.community)
        name = plain_name(member.name)
        if member.user.is_bot:
            raise JardinierError(render(texts.refused_bot, member=name))
        if self.core.is_moderator(member):
            raise JardinierError(render(texts.refused_moderator, member=name))

    async def _record(
        self,
        ctx: CommandContext,
        member: MemberRef,
        action: str,
        reason: str,
        *,
        points: int = 0,
        expires: timedelta | None = None,
    ) -> CaseRecord:
        now = self.core.clock.now()
        return await self.casebook.record(
            ctx.community,
            NewCase(
                member=member,
                action=action,
                at=now,
                moderator=ctx.member,
                reason=reason,
                points=points,
                expires_at=now + expires if expires is not None else None,
            ),
        )

    async def _announce(
        self,
        ctx: CommandContext,
        case: CaseRecord,
        member: MemberRef,
        *,
        failure: str | None = None,
        lifted: str = "",
        on_record: bool = True,
        note: str | None = None,
        gone: bool = False,
    ) -> None:
        """Write the case to the mod-log and answer the moderator.

        ``failure`` says why the platform did not carry the act out; ``lifted`` names what a lift
        ended, and ``on_record`` whether the bot had it on record (else it was set by hand on the
        platform, or there was none); ``gone``, that the ban the lift ended on record was no
        longer held by the platform. ``note`` is a line added to the answer of an act done.
        """
        texts = self.texts(ctx.community)
        name = plain_name(member.name)
        action = texts.action_names.text(case.action)
        gone_note = render(texts.ban_gone_note, member=name) if gone else None
        await self.core.modlog(
            ctx.community,
            render(
                texts.modlog_manual,
                case=case.id,
                action=action,
                member=name,
                moderator=plain_name(ctx.member.name),
                reason=one_line(case.reason) or "—",
                notes=as_notes([failure, gone_note]),
            ),
        )
        if failure is not None:
            await ctx.reply(
                render(texts.not_carried_out, case=case.id, member=name, failure=failure)
            )
        elif gone:
            await ctx.reply(render(texts.ban_gone, member=name))
        elif lifted:
            template = texts.lifted if on_record else texts.lifted_unrecorded
            await ctx.reply(render(template, action=texts.action_names.text(lifted), member=name))
        else:
            done = render(texts.done, case=case.id, action=action, member=name)
            await ctx.reply(done if note is None else f"{done}\n{note}")

    async def _lift_now(self, ctx: CommandContext, member: MemberRef, kind: Lifted) -> None:
        """Lift ``member``'s ``kind``, close its cases on record, record the lift and say so.

        Where there is nothing to lift, none on record and none the platform could lift (the
        member is not banned, or no longer here), the moderator is told so and nothing is
        recorded. A timeout on record that the platform finds no member to lift of (its lift
        left to the moderators, the member since banned for good) is over: its cases are
        closed, as a planned lift closes them, and the moderator reads it lifted. A ban on
        record the platform no longer holds (lifted in its own settings) is over too: its cases
        are closed, its planned lift cancelled, the other cogs told (``ModerationLifted``, as
        a planned lift tells them), and the moderator and the mod-log read that it was no
        longer banned on the platform.
        """
        self._check_target(ctx, member)
        attempt = await self.sanctions.try_lift(member, kind)
        if attempt.moot and not await self.sanctions.open_cases(member, kind):
            texts = self.texts(ctx.community)
            nothing = texts.not_banned if kind == "ban" else texts.not_timed_out
            raise JardinierError(render(nothing, member=plain_name(member.name)))
        failure = None if attempt.moot else attempt.failure
        ended = [] if failure else await self.sanctions.close_open_cases(member, kind)
        if attempt.moot:
            # Closed here: its planned lift, if any, has nothing left to do or to say.
            self.core.scheduler.cancel(lift_job_id(kind, member.community, member.user.id))
        case = await self._record(ctx, member, f"un{kind}", "")
        gone = kind == "ban" and attempt.moot and bool(ended)
        if gone:
            await self.publish(
                ModerationLifted(
                    at=self.core.clock.now(), member=member, case_id=ended[0].id, action=kind
                )
            )
        await self._announce(
            ctx,
            case,
            member,
            failure=failure,
            lifted=kind,
            on_record=bool(ended),
            gone=gone,
        )

    @command(
        permission=Permission.MODERATOR,
        names={"fr": "avertir"},
        descriptions={"fr": "Avertir un membre (ajoute des points de sanction)"},
        helps={
            "fr": """Avertir un membre : il reçoit le motif, et l'avertissement ajoute des points.

            Exemple : /avertir @alice Restez courtois, s'il vous plaît
            """
        },
    )
    async def warn(
        self,
        ctx: CommandContext,
        member: Annotated[MemberRef, "Who to warn", {"fr": "Qui avertir"}],
        reason: Annotated[Text, "Why", {"fr": "Pourquoi"}],
    ) -> None:
        """Warn a member: they are told why, and the warning adds strike points.

        Example: /warn alice Stay courteous, please
        """
        self._check_target(ctx, member)
        points = self.settings(ctx.community).strikes.manual_warn_points
        case = await self._record(ctx, member, "warn", reason, points=points)
        await self.sanctions.notify_warned(member, reason, case.id, None)
        await self._announce(ctx, case, member)
        await self.sanctions.escalate(member, case)

    @command(
        permission=Permission.MODERATOR,
        power=Power.TIMEOUT,
        names={"fr": "exclure_temporairement"},
        descriptions={"fr": "Exclure temporairement un membre pour une durée"},
        helps={
            "fr": """Exclure temporairement un membre ; le bot lève l'exclusion au terme du délai.

            De 30 secondes à 28 jours sur Discord, de 40 secondes à 365 jours sur Telegram.
            Exemple : /exclure_temporairement @alice 10m Flood
            """
        },
    )
    async def timeout(
        self,
        ctx: CommandContext,
        member: Annotated[MemberRef, "Who to silence", {"fr": "Qui exclure temporairement"}],
        duration: Annotated[
            timedelta, "How long: 10m, 2h, 1d", {"fr": "Combien de temps : 10m, 2h, 1j"}
        ],
        reason: Annotated[Text | None, "Why", {"fr": "Pourquoi"}] = None,
    ) -> None:
        """Silence a member for a while; the bot lifts it when the time is up.

        From 30 seconds to 28 days on Discord, from 40 seconds to 365 days on Telegram.
        Example: /timeout alice 10m Flooding
        """
        self._check_target(ctx, member)
        allowed = self.sanctions.timeout_range(ctx.community)
        if allowed is not None and not allowed.least <= duration <= allowed.most:
            raise UsageError(
                "out_of_range",
                option="duration",
                least=SpokenDuration(allowed.least),
                most=SpokenDuration(allowed.most),
                value=SpokenDuration(duration),
            )
        case = await self._record(ctx, member, "timeout", reason or "", expires=duration)
        silenced = await self.sanctions.silence(member, duration, reason or "", case)
        await self._announce(ctx, case, member, failure=silenced.failure)

    @command(
        permission=Permission.MODERATOR,
        power=Power.TIMEOUT,
        names={"fr": "fin_exclusion"},
        descriptions={"fr": "Lever l'exclusion temporaire d'un membre"},
        helps={"fr": """Lever dès maintenant l'exclusion temporaire d'un membre."""},
    )
    async def untimeout(
        self,
        ctx: CommandContext,
        member: Annotated[
            MemberRef, "Whose timeout to lift", {"fr": "De qui lever l'exclusion temporaire"}
        ],
    ) -> None:
        """Lift a member's timeout now."""
        await self._lift_now(ctx, member, "timeout")

    @command(
        permission=Permission.MODERATOR,
        power=Power.KICK,
        names={"fr": "expulser"},
        descriptions={"fr": "Expulser un membre (il peut revenir)"},
        helps={
            "fr": """Expulser un membre de la communauté (il peut revenir).

            Exemple : /expulser @alice Spam
            """
        },
    )
    async def kick(
        self,
        ctx: CommandContext,
        member: Annotated[MemberRef, "Who to remove", {"fr": "Qui expulser"}],
        reason: Annotated[Text | None, "Why", {"fr": "Pourquoi"}] = None,
    ) -> None:
        """Remove a member from the community (they may come back).

        Example: /kick alice Spam
        """
        self._check_target(ctx, member)
        case = await self._record(ctx, member, "kick", reason or "")
        failure = await self.sanctions.kick(member, reason or "", case)
        await self._announce(ctx, case, member, failure=failure)

    @command(
        permission=Permission.MODERATOR,
        power=Power.BAN,
        names={"fr": "bannir"},
        descriptions={"fr": "Bannir un membre"},
        option_names={"fr": {"delete_days": "jours_effaces"}},
        helps={
            "fr": """Bannir un membre, en effaçant éventuellement ses messages récents.

            Sur les plateformes textuelles, un motif de plusieurs mots se met entre guillemets
            seulement pour le faire suivre de jours_effaces.
            Exemple : /bannir @alice "Insultes répétées" 1
            """
        },
    )
    async def ban(
        self,
        ctx: CommandContext,
        member: Annotated[MemberRef, "Who to ban", {"fr": "Qui bannir"}],
        reason: Annotated[
            str | None,
            "Why (in quotes on text platforms)",
            {"fr": "Pourquoi (entre guillemets sur les plateformes de texte)"},
        ] = None,
        delete_days: Annotated[
            int,
            "Delete their messages of the last days (0 to 7)",
            {"fr": "Supprimer ses messages des derniers jours (0 à 7)"},
        ] = 0,
    ) -> None:
        """Ban a member, optionally deleting their recent messages.

        On text platforms, quote a reason of several words only to follow it with delete_days.
        Example: /ban alice "Repeated insults" 1
        """
        self._check_target(ctx, member)
        if not 0 <= delete_days <= 7:
            raise UsageError(
                "out_of_range", option="delete_days", least=0, most=7, value=delete_days
            )
        case = await self._record(ctx, member, "ban", reason or "")
        failure = await self.sanctions.ban(member, reason or "", case, delete_days=delete_days)
        note = self._days_in_reason(ctx, reason) if delete_days == 0 else None
        await self._announce(ctx, case, member, failure=failure, note=note)

    def _days_in_reason(self, ctx: CommandContext, reason: str | None) -> str | None:
        """The line telling the moderator that nothing was deleted, and how to ask for it,
        when an unquoted reason of several words ends with what reads as days (``/ban alice
        broke rule 3``, ``/ban alice spam 1d``): the parser took it all as the reason rather
        than delete messages on a guess. None otherwise."""
        typed = ctx.event.args.rstrip()
        if ctx.event.options is not None or not reason or not typed.endswith(reason):
            return None  # typed options, or a quoted reason: the days were asked for apart
        head, _, last = reason.rpartition(" ")
        found = _DAYS_LIKE.fullmatch(last)
        if not head.strip() or found is None or not 1 <= int(found[1]) <= 7:
            return None
        before = typed[: len(typed) - len(reason)]
        example = f'/{ctx.event.name} {before}"{head.strip()}" {int(found[1])}'
        texts = self.texts(ctx.community)
        return render(texts.ban_nothing_deleted, word=last, example=one_line(example))

    @command(
        permission=Permission.MODERATOR,
        power=Power.BAN,
        names={"fr": "debannir"},
        descriptions={"fr": "Lever le bannissement d'un membre"},
        helps={"fr": """Lever le bannissement d'un membre."""},
    )
    async def unban(
        self,
        ctx: CommandContext,
        member: Annotated[MemberRef, "Whose ban to lift", {"fr": "De qui lever le bannissement"}],
    ) -> None:
        """Lift a member's ban."""
        await self._lift_now(ctx, member, "ban")

    @command(
        permission=Permission.MODERATOR,
        power=Power.DELETE,
        names={"fr": "purger"},
        descriptions={"fr": "Supprimer les derniers messages du salon (d'un membre)"},
        helps={
            "fr": """Supprimer les derniers messages du salon (d'un seul membre, s'il est nommé).

            Seuls les messages que le bot a vus depuis son démarrage peuvent être supprimés.
            Exemple : /purger 20 @alice
            """
        },
    )
    async def purge(
        self,
        ctx: CommandContext,
        count: Annotated[int, "How many recent messages", {"fr": "Combien de messages récents"}],
        member: Annotated[
            MemberRef | None,
            "Only this member's messages",
            {"fr": "Seulement les messages de ce membre"},
        ] = None,
    ) -> None:
        """Delete the last messages of this channel (only one member's, if named).

        Only messages the bot saw since it started can be purged.
        Example: /purge 20 alice
        """
        texts = self.texts(ctx.community)
        most = self.settings(ctx.community).purge_max
        if not 1 <= count <= most:
            raise JardinierError(render(texts.purge_count, most=most))
        if member is not None:
            self._check_target(ctx, member)
        recent = self.activity.recent_in(ctx.channel)
        chosen = [
            message
            for message, author in reversed(recent)
            if member is None or author == member.user.id
        ][:count]
        if not chosen:  # nothing done: no mod-log line
            if member is None:
                raise JardinierError(render(texts.purge_none))
            raise JardinierError(render(texts.purge_none_of, member=plain_name(member.name)))
        purged = await self.sanctions.purge(ctx.community, chosen)
        moderator = plain_name(ctx.member.name)
        await self.core.modlog(
            ctx.community,
            render(
                texts.modlog_manual,
                case="—",
                action=f"{texts.action_names.purge} {purged.deleted}",
                member=plain_name(member.name) if member else ctx.channel.name,
                moderator=moderator,
                reason="—",
                notes=as_notes([purged.failure]),
            ),
        )
        await ctx.reply(render(texts.purged, count=purged.deleted) + as_notes([purged.failure]))
