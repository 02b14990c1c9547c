"""Commands every community has, whatever cogs it enables: help, rule reloads, members' data."""

from __future__ import annotations

import asyncio
import math
import shutil
import tempfile
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from bot.cog import Cog
from bot.commands import CommandContext, CommandSpec, Permission, Power, command
from bot.commands.runner import answer_command, may_run, refusal
from bot.durations import SpokenDuration
from bot.events import CommunityRef, MemberRef, UserRef
from bot.memberdata import MemberData, erase_member, export_member
from bot.ruleconf import CoreTexts, RuleBookError
from bot.ruleconf.book import OVERRIDES_DIRECTORY
from bot.ruleconf.errors import RuleWarning, concerning
from bot.ruleconf.plaintext import plain_name
from bot.ruleconf.templates import render

if TYPE_CHECKING:
    from bot.core import Jardinier


RELOAD_ERRORS_SHOWN = 10
"""The errors a failed reload shows in a chat; the rest are counted (a file dedented by mistake
makes hundreds, more than a message may hold)."""
RELOAD_EVERY = timedelta(seconds=10)
"""How often ``/rules_reload`` may run, whoever asks: reading and checking the whole book takes
a fraction of a second of the process that serves every community."""


def reload_failed_text(
    texts: CoreTexts, error: RuleBookError, community: CommunityRef, *, locale: str, folder: Path
) -> str:
    """What a failed reload tells ``community``: the errors of the files it reads (those every
    community shares, and its own override), never those of another community's override; the
    first :data:`RELOAD_ERRORS_SHOWN` of them, in the language of ``locale`` where the loader
    words them, then how many more and where to read them. Files are named from the rule book's
    ``folder``: a chat never reads where the server keeps them."""
    concerning = error.concerning(community.key)
    if not concerning:
        return render(texts.rules_reload_failed_elsewhere)
    lines = [e.text(locale, folder=folder) for e in concerning[:RELOAD_ERRORS_SHOWN]]
    if len(concerning) > RELOAD_ERRORS_SHOWN:
        count = len(concerning) - RELOAD_ERRORS_SHOWN
        lines.append(render(texts.rules_reload_more, count=count, directory=folder.name))
    return render(texts.rules_reload_failed, errors="\n".join(lines))


def reloaded_warnings_text(
    texts: CoreTexts, warnings: Sequence[RuleWarning], *, locale: str, folder: Path
) -> str:
    """What a reload that loaded says of ``warnings`` (those of the files a community reads):
    how many, and the first :data:`RELOAD_ERRORS_SHOWN` of them in the language of ``locale``,
    then "…". Files are named from the rule book's ``folder``, as errors are."""
    if not warnings:
        return render(texts.rules_reloaded)
    lines = [warning.text(locale, folder=folder) for warning in warnings[:RELOAD_ERRORS_SHOWN]]
    if len(warnings) > RELOAD_ERRORS_SHOWN:
        lines.append("…")
    shown = "\n".join(lines)
    return render(texts.rules_reloaded_warnings, count=len(warnings), warnings=shown)


def data_parts_named(texts: CoreTexts, parts: Sequence[str]) -> str:
    """``parts`` of a member's data (``member``, ``netiquette``…) as the community's texts call
    them (``data_parts``), comma-separated; a part they leave out by its identifier."""
    return ", ".join(texts.data_parts.get(part, part) for part in parts)


def who_may_run(texts: CoreTexts, spec: CommandSpec, locale: str) -> str:
    """Who may run ``spec``, a moderator's command, in ``texts`` (those of ``locale``):
    moderators, with the power it needs if any."""
    named = spec.name_for(locale)
    if spec.power is None:
        return render(texts.help_who, command=named)
    power = getattr(texts.powers, spec.power.value)
    return render(texts.help_who_power, command=named, power=power)


class CoreCog(Cog):
    """The core's own commands. Its settings are the ``community`` section."""

    name = "core"

    def __init__(self, core: Jardinier) -> None:
        super().__init__(core)
        self._reloaded_at: datetime | None = None
        """When ``/rules_reload`` last ran (see :data:`RELOAD_EVERY`)."""

    @command(
        names={"fr": "aide"},
        descriptions={"fr": "Afficher les commandes que vous pouvez utiliser"},
        helps={
            "fr": """Afficher les commandes que vous pouvez utiliser, ou expliquer l'une d'elles.

            Exemple : /aide annonce
            """
        },
    )
    async def help(
        self,
        ctx: CommandContext,
        command: Annotated[
            str | None,
            "A command to explain in full",
            {"fr": "Une commande à expliquer en détail"},
        ] = None,
    ) -> None:
        """Show the commands you can use, or explain one of them.

        Example: /help announce
        """
        texts = self.core.texts(ctx.community)
        if command is not None:
            spec = self.core.commands.get(command.lstrip("/"))
            # As when the command is typed: a cog off here has no commands here, and a refusal
            # is the asker's alone.
            if spec is None or not self.core.cog_enabled(spec.cog, ctx.community):
                unknown = render(texts.unknown_command, command=command.lstrip("/")[:32])
                await answer_command(self.core, ctx.event, unknown)
                return
            explained = f"{spec.usage_for(ctx.locale)}\n{spec.help_for(ctx.locale)}"
            if refusal(self.core, spec, ctx.member) is not None:
                # Explained all the same, with who may run it: the asker's alone.
                who = who_may_run(texts, spec, ctx.locale)
                await answer_command(self.core, ctx.event, f"{explained}\n\n{who}")
                return
            await ctx.reply(explained, private=spec.permission is Permission.MODERATOR)
            return
        lines = [render(texts.help_header, community=ctx.community.name or ctx.community.id)]
        moderators_only = False
        for spec in sorted(self.core.commands, key=lambda spec: spec.name_for(ctx.locale)):
            if self._may_list(spec, ctx.member):
                description = spec.description_for(ctx.locale)
                usage = spec.usage_for(ctx.locale)
                lines.append(render(texts.help_line, command=usage, description=description))
                moderators_only |= spec.permission is Permission.MODERATOR
        # The moderators' list is theirs, where the platform can answer one member alone
        # (not Telegram): members need not read how sanctions are given.
        await ctx.reply("\n".join(lines), private=moderators_only)

    def _may_list(self, spec: CommandSpec, member: MemberRef) -> bool:
        """Whether ``/help`` lists ``spec`` to ``member``: a command they may run, and
        ``/rules_reload`` only to those it serves (see :meth:`Jardinier.may_reload_rules`)."""
        if not may_run(self.core, spec, member):
            return False
        return spec.name != "rules_reload" or self.core.may_reload_rules(member)

    @command(
        permission=Permission.MODERATOR,
        power=Power.MANAGE,
        names={"fr": "regles_recharger"},
        descriptions={"fr": "Recharger les règles (vérifiées avant d'être appliquées)"},
        helps={
            "fr": """Recharger les fichiers de règles.

            Si un fichier est invalide, les règles en vigueur restent appliquées et les erreurs
            vous sont affichées.
            Pour les modérateurs d'une communauté qui a son fichier dans communities/, les
            personnes listées dans moderators.users et les modérateurs de la console ; une fois
            toutes les 10 secondes.
            """
        },
    )
    async def rules_reload(self, ctx: CommandContext) -> None:
        """Reload the rule book; a broken file keeps the running rules and shows you the errors.

        For the moderators of a community the rule book has a file for in communities/, those
        it lists in moderators.users, and the console's; once every 10 seconds.
        """
        texts = self.core.texts(ctx.community)
        if not self.core.may_reload_rules(ctx.member):
            await ctx.reply(
                render(texts.rules_reload_refused, command=ctx.spec.name_for(ctx.locale))
            )
            return
        wait = self._reload_wait(ctx.community)
        if wait is not None:
            await ctx.reply(render(texts.rules_reload_too_soon, wait=SpokenDuration(wait)))
            return
        # The errors are the asker's: every mod-log hears of them from the reloads of a saved
        # file or SIGHUP, once. The warnings of a book that loads go to the mod-logs too: that
        # book is now in force for every community, and the other moderators read the mod-log.
        error = await self.core.reload_rules(tell_modlogs=False)
        texts = self.core.texts(ctx.community)
        config = self.core.community_config(ctx.community)
        if error is None:
            await ctx.reply(self._reloaded_text(texts, ctx.community, config.locale))
            return
        failed = reload_failed_text(
            texts, error, ctx.community, locale=config.locale, folder=self.core.rules.directory
        )
        await ctx.reply(failed)

    def _reloaded_text(self, texts: CoreTexts, community: CommunityRef, locale: str) -> str:
        """What a reload that loaded tells ``community``: with the warnings about the files it
        reads (not another community's override), in its language, the first
        :data:`RELOAD_ERRORS_SHOWN` of them."""
        folder = self.core.rules.directory
        warnings = concerning(
            self.core.rules.current.warnings, community.key, folder / OVERRIDES_DIRECTORY
        )
        return reloaded_warnings_text(texts, warnings, locale=locale, folder=folder)

    def _reload_wait(self, community: CommunityRef) -> timedelta | None:
        """How long until ``/rules_reload`` may run again (None: now, and it is noted as run).

        The console's typist runs the bot, and its clock moves only when told: not limited.
        """
        if community.platform == "console":
            return None
        now = self.core.clock.now()
        last = self._reloaded_at
        if last is not None and last <= now < last + RELOAD_EVERY:
            # In whole seconds, rounded up: "try again in 1 second" is never too soon.
            return timedelta(seconds=math.ceil((last + RELOAD_EVERY - now).total_seconds()))
        self._reloaded_at = now
        return None

    # -- members' data --------------------------------------------------------------------------

    @command(
        names={"fr": "mes_donnees"},
        private=True,
        descriptions={"fr": "Recevoir en privé ce que le bot garde sur vous ici"},
        helps={
            "fr": """Recevoir en privé tout ce que le bot garde sur vous ici (un fichier JSON)."""
        },
    )
    async def mydata(self, ctx: CommandContext) -> None:
        """Get, in a private message, everything the bot keeps about you here (a JSON file)."""
        data = await export_member(self.core, ctx.community, ctx.member.user)
        texts = self.core.texts(ctx.community)
        # Where the bot may not write first (Telegram), a link opens the private chat and runs
        # this command again there; once started there, a refusal has no such way out.
        link = (
            None
            if ctx.event.private
            else self.core.actions.start_link(ctx.community, ctx.spec.name)
        )
        await self._send_export(
            ctx,
            data,
            ctx.member.user,
            render(texts.data_sent),
            not_sent=render(texts.data_start_first, link=link) if link else None,
        )

    @command(
        permission=Permission.MODERATOR,
        power=Power.MANAGE,
        names={"fr": "donnees_membre"},
        descriptions={"fr": "Recevoir en privé ce que le bot garde sur un membre"},
        helps={
            "fr": """Recevoir en privé tout ce que le bot garde sur un membre (un fichier JSON).

            Pour répondre à une demande reçue autrement ; les membres obtiennent leurs propres
            données avec /mes_donnees.
            Exemple : /donnees_membre @alice
            """
        },
    )
    async def member_data(
        self,
        ctx: CommandContext,
        member: Annotated[
            MemberRef, "Whose data to send you", {"fr": "Le membre dont vous voulez les données"}
        ],
    ) -> None:
        """Get, in a private message, everything the bot keeps about a member (a JSON file).

        For a request made to you another way; members can ask for their own with /mydata.
        Example: /member_data @alice
        """
        data = await export_member(self.core, ctx.community, member.user)
        texts = self.core.texts(ctx.community)
        await self._send_export(
            ctx,
            data,
            ctx.member.user,
            render(texts.member_data_sent, member=plain_name(member.name)),
        )

    @command(
        permission=Permission.MODERATOR,
        power=Power.MANAGE,
        names={"fr": "oublier_membre"},
        descriptions={"fr": "Effacer tout ce que le bot garde sur un membre"},
        helps={
            "fr": """Effacer ce que le bot garde ici sur un membre, dossiers de modération compris.

            C'est irréversible ; ce que le membre fait ensuite est de nouveau compté, comme pour
            un nouveau venu.
            Exemple : /oublier_membre @alice
            """
        },
    )
    async def forget_member(
        self,
        ctx: CommandContext,
        member: Annotated[MemberRef, "Whom to forget", {"fr": "Qui oublier"}],
    ) -> None:
        """Erase everything the bot keeps about a member here, moderation cases included.

        It cannot be undone; what they do afterwards is counted again, as for a newcomer.
        Example: /forget_member @alice
        """
        erasure = await erase_member(self.core, ctx.community, member.user)
        texts = self.core.texts(ctx.community)
        name = plain_name(member.name)
        erased = data_parts_named(texts, erasure.erased)
        if erasure.failed:
            failed = data_parts_named(texts, erasure.failed)
            await ctx.reply(render(texts.member_forget_failed, member=name, failed=failed))
        elif not erasure.erased:
            await ctx.reply(render(texts.member_nothing_kept, member=name))
            return
        else:
            await ctx.reply(render(texts.member_forgotten, member=name, parts=erased))
        if erasure.erased:
            await self.core.modlog(
                ctx.community,
                render(
                    texts.member_forgotten_log,
                    member=name,
                    moderator=plain_name(ctx.member.name),
                    parts=erased,
                ),
                # The log is kept beyond the erasure's reach: it keeps no name.
                logged=render(
                    texts.member_forgotten_log,
                    member=member.user.id,
                    moderator=ctx.member.user.id,
                    parts=erased,
                ),
            )

    async def _send_export(
        self,
        ctx: CommandContext,
        data: MemberData,
        recipient: UserRef,
        sent: str,
        *,
        not_sent: str | None = None,
    ) -> None:
        """Send ``data`` to ``recipient`` privately, and say in the channel whether it went
        (``sent``, else ``not_sent`` or the community's ``data_not_sent``)."""
        texts = self.core.texts(ctx.community)
        community = ctx.community
        folder = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="jardinier-data-"))
        try:
            path = await asyncio.to_thread(data.write, folder)
            note = render(
                texts.data_file,
                community=community.name or community.id,
                member=data.user.name or data.user.id,
                date=data.exported_at.astimezone(self.core.community_config(community).zone)
                .date()
                .isoformat(),
            )
            delivered = await self.core.actions.dm(recipient, note, community=community, file=path)
        finally:
            await asyncio.to_thread(shutil.rmtree, folder, True)
        answer = sent if delivered else (not_sent or render(texts.data_not_sent))
        if delivered and data.failed:
            # Named as /forget_member names them: a member reads no cog's code name.
            failed = data_parts_named(texts, data.failed)
            answer += "\n" + render(texts.data_incomplete, failed=failed)
        await ctx.reply(answer)
