"""The moderators' record commands: /case, /cases, /note, /strikes, /pardon, and /rules_test
(which rules a text would fire, which not, and why)."""

from __future__ import annotations

from typing import Annotated

from bot.commands import CommandContext, Permission, Text, command
from bot.errors import JardinierError
from bot.events import MemberRef, ModerationPardoned, UserRef
from bot.ruleconf import one_line, plain_name, render
from bot.ruleconf.numbers import number_text
from cogs.netiquette.cases import MAX_LISTED, CaseRecord, NewCase, excerpt
from cogs.netiquette.config import describe_within
from cogs.netiquette.moderation import Moderation
from cogs.netiquette.strikes import LADDER_RULE, active_points
from cogs.netiquette.subject import Subject, Verdicts

PROBE_USER = "rules-test"
TIMED_KINDS = ("timeout", "ban")
"""The acts a case's status speaks of: those with a lift, which the platform may refuse."""


class Casework(Moderation):
    """Commands that read and annotate the case book, and try the rules."""

    def _when(self, ctx: CommandContext, case: CaseRecord) -> str:
        return self.local_time(ctx.community, case.created_at)

    def _by(self, ctx: CommandContext, case: CaseRecord) -> str:
        """Who acted, as /case and /cases name them: a moderator, a rule, the strike ladder."""
        if case.moderator_id is None and case.rule == LADDER_RULE:
            return render(self.texts(ctx.community).ladder_by)
        return plain_name(case.by)

    def _status(self, ctx: CommandContext, case: CaseRecord) -> str:
        texts = self.texts(ctx.community)
        if case.pardoned_at is not None:
            return render(texts.status_pardoned)
        if case.lifted_at is not None:  # a ban for good lifted by /unban too
            return render(texts.status_lifted)
        imposed = [kind for kind in TIMED_KINDS if case.imposes(kind)]
        refused = [
            f"({render(texts.failed, action=texts.action_names.text(kind))})"
            for kind in TIMED_KINDS
            if case.refuses(kind)
        ]
        if case.lift_left_at is not None and not case.lifts_left:
            # Recorded before the case kept which lift was left: it cannot say.
            return " ".join([render(texts.status_left), *refused])
        if any(case.lift_left(kind) for kind in imposed):
            # Each kind says where it stands, named when the case imposes both: one lift can
            # be left to the moderators while the bot still plans the other.
            now = self.core.clock.now()
            named = []
            for kind in imposed:
                ends = case.ban_ends_at if kind == "ban" else case.expires_at
                if case.lift_left(kind):
                    status = render(texts.status_left)
                elif ends is not None and ends > now:
                    status = render(texts.status_until, when=self.local_time(ctx.community, ends))
                else:
                    continue
                name = texts.action_names.text(kind)
                named.append(f"{name} {status}" if len(imposed) > 1 else status)
            return " ".join([", ".join(named), *refused])
        if case.expires_at is not None and imposed:
            until = render(
                texts.status_until, when=self.local_time(ctx.community, case.expires_at)
            )
            return " ".join([until, *refused])
        return " ".join(refused)

    @command(
        permission=Permission.MODERATOR,
        names={"fr": "dossier"},
        descriptions={"fr": "Afficher un dossier de modération"},
        helps={"fr": """Afficher un dossier de modération en entier."""},
    )
    async def case(
        self,
        ctx: CommandContext,
        case: Annotated[int, "The case number", {"fr": "Le numéro du dossier"}],
    ) -> None:
        """Show one moderation case in full."""
        texts = self.texts(ctx.community)
        record = await self.casebook.get(ctx.community, case)
        if record is None:
            raise JardinierError(render(texts.no_case, case=case))
        await ctx.reply(
            render(
                texts.case_detail,
                case=record.id,
                action=texts.action_names.text(record.action),
                member=plain_name(record.user_name or record.user_id),
                by=self._by(ctx, record),
                when=self._when(ctx, record),
                reason=one_line(record.reason) or "—",
                matched=record.matched or "—",
                excerpt=record.excerpt or "—",
                points=record.points,
                status=self._status(ctx, record),
            ).strip()
        )

    @command(
        permission=Permission.MODERATOR,
        names={"fr": "dossiers"},
        descriptions={"fr": "Lister les dossiers de modération d'un membre"},
        helps={
            "fr": """Lister les dossiers de modération d'un membre, les plus récents d'abord."""
        },
    )
    async def cases(
        self,
        ctx: CommandContext,
        member: Annotated[MemberRef, "Whose cases", {"fr": "Le membre concerné"}],
    ) -> None:
        """List a member's moderation cases, newest first."""
        texts = self.texts(ctx.community)
        name = plain_name(member.name)
        records = await self.casebook.of_member(ctx.community, member.user.id)
        if not records:
            await ctx.reply(render(texts.no_cases, member=name))
            return
        lines = [render(texts.cases_header, member=name, count=len(records))]
        for record in records[:MAX_LISTED]:
            lines.append(
                render(
                    texts.case_line,
                    case=record.id,
                    when=self._when(ctx, record),
                    action=texts.action_names.text(record.action),
                    by=self._by(ctx, record),
                    reason=excerpt(record.reason, 80) or "—",
                    status=self._status(ctx, record),
                ).rstrip()
            )
        await ctx.reply("\n".join(lines))

    @command(
        permission=Permission.MODERATOR,
        names={"fr": "note"},
        descriptions={"fr": "Ajouter une note au dossier d'un membre"},
        helps={
            "fr": """Ajouter une note au dossier d'un membre.

            Il n'en est pas prévenu, mais elle figure dans l'export de ses données (/mes_donnees).
            """
        },
    )
    async def note(
        self,
        ctx: CommandContext,
        member: Annotated[MemberRef, "About whom", {"fr": "Le membre concerné"}],
        text: Annotated[Text, "The note", {"fr": "La note"}],
    ) -> None:
        """Add a note to a member's record.

        They are not told, but the note is in the export of their data (/mydata).
        """
        case = await self.casebook.record(
            ctx.community,
            NewCase(
                member=member,
                action="note",
                at=self.core.clock.now(),
                moderator=ctx.member,
                reason=text,
            ),
        )
        texts = self.texts(ctx.community)
        await self.core.modlog(
            ctx.community,
            render(
                texts.modlog_manual,
                case=case.id,
                action=texts.action_names.note,
                member=plain_name(member.name),
                moderator=plain_name(ctx.member.name),
                reason=excerpt(text, 200),
                notes="",
            ),
        )
        await ctx.reply(render(texts.note_added, case=case.id, member=plain_name(member.name)))

    @command(
        permission=Permission.MODERATOR,
        names={"fr": "points"},
        descriptions={"fr": "Points de sanction actifs d'un membre et l'échelle"},
        helps={
            "fr": """Afficher les points de sanction actifs d'un membre, et où il en est sur
            l'échelle des sanctions."""
        },
    )
    async def strikes(
        self,
        ctx: CommandContext,
        member: Annotated[MemberRef, "Whose", {"fr": "Le membre concerné"}],
    ) -> None:
        """Show a member's active strike points, and where they stand on the ladder."""
        config = self.settings(ctx.community).strikes
        records = await self.casebook.strikes(ctx.community, member.user.id)
        now = self.core.clock.now()
        points = active_points(records, now, config)
        texts, locale = self.texts(ctx.community), self.locale(ctx.community)
        steps = []
        for step in config.ladder:
            counted = active_points(records, now, config, within=step.within)
            if step.within is None:
                template, within = texts.strikes_step_any_time, ""
            else:
                template, within = texts.strikes_step, describe_within(step.within, locale)
            steps.append(
                render(
                    template,
                    points=number_text(counted, locale),
                    needed=step.points,
                    within=within,
                    action=texts.action_names.text(step.action),
                )
            )
        await ctx.reply(
            render(
                texts.strikes,
                member=plain_name(member.name),
                points=points,
                steps=", ".join(steps) or "—",
            )
        )

    @command(
        permission=Permission.MODERATOR,
        names={"fr": "pardonner"},
        descriptions={"fr": "Pardonner un dossier : ses points ne comptent plus"},
        helps={"fr": """Pardonner un dossier : ses points de sanction ne comptent plus."""},
    )
    async def pardon(
        self,
        ctx: CommandContext,
        case: Annotated[int, "The case number", {"fr": "Le numéro du dossier"}],
    ) -> None:
        """Pardon a case: its strike points no longer count."""
        texts = self.texts(ctx.community)
        record = await self.casebook.get(ctx.community, case)
        if record is None:
            raise JardinierError(render(texts.no_case, case=case))
        if record.pardoned_at is not None:
            raise JardinierError(render(texts.already_pardoned, case=case))
        marked = await self.casebook.mark(
            record.id, pardoned_at=self.core.clock.now(), pardoned_by=ctx.member.user.id
        )
        assert marked is not None
        name = plain_name(record.user_name or record.user_id)
        user = UserRef(ctx.community.platform, record.user_id, record.user_name)
        await self.publish(
            ModerationPardoned(
                at=self.core.clock.now(),
                member=MemberRef(ctx.community, user),
                case_id=record.id,
                action=record.action,
                recorded_at=record.created_at,
            )
        )
        await self.core.modlog(
            ctx.community,
            render(
                texts.modlog_pardoned,
                case=record.id,
                member=name,
                moderator=plain_name(ctx.member.name),
            ),
        )
        await ctx.reply(render(texts.pardoned, case=record.id, member=name))

    @command(
        permission=Permission.MODERATOR,
        names={"fr": "regles_tester"},
        descriptions={"fr": "Quelles règles ce texte déclencherait, et pourquoi"},
        helps={
            "fr": """Tester un message : quelles règles se déclencheraient ou non, et pourquoi.

            Le message est jugé comme si un membre (pas un modérateur) l'avait publié
            dans ce salon ; rien n'est fait et aucun délai de récupération (cooldown) ne démarre.
            Exemple : /regles_tester tu es un idiot
            """
        },
    )
    async def rules_test(
        self,
        ctx: CommandContext,
        text: Annotated[Text, "A message to try", {"fr": "Un message à essayer"}],
    ) -> None:
        """Try a message against the rules: which would fire, which would not, and why.

        The message is judged as if a member (not a moderator) posted it in this channel;
        nothing is done and no cooldown starts.
        Example: /rules_test you are an idiot
        """
        texts = self.texts(ctx.community)
        config = self.settings(ctx.community)
        member = MemberRef(ctx.community, UserRef(ctx.community.platform, PROBE_USER, PROBE_USER))
        subject = Subject("message", member, self.core.clock.now(), channel=ctx.channel, text=text)
        verdicts = Verdicts()
        if config.uses_toxicity():
            verdicts = await self.toxicity_verdicts(subject)
        evidence = await self.evidence(subject, probe=True, verdicts=verdicts)
        outcomes = self.engine.evaluate(config, subject, evidence, moderator=False, stage="all")
        lines = [render(texts.test_header, text=excerpt(text, 80))]
        for outcome in outcomes:
            rule = config.rules[outcome.rule]
            named = ", ".join(name for name, _ in rule.actions_in_order()) or "log"
            actions = texts.action_names.text(named)
            detail = outcome.explained(texts.why)
            if outcome.fired:
                template = texts.test_dry_run if outcome.dry_run else texts.test_fires
                lines.append(render(template, rule=outcome.rule, detail=detail, actions=actions))
            else:
                lines.append(render(texts.test_silent, rule=outcome.rule, detail=detail))
        if not outcomes:
            lines.append(render(texts.test_none))
        await ctx.reply("\n".join(lines))
