"""Commands every community has, whatever cogs it enables: ``/help`` and ``/rules_reload``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from bot.cog import Cog
from bot.commands import CommandContext, Permission, command
from bot.commands.runner import may_run
from bot.ruleconf.templates import render

if TYPE_CHECKING:
    from bot.core import Jardinier


class CoreCog(Cog):
    """The core's own commands. Its settings are the ``community`` section."""

    name = "core"

    def __init__(self, core: Jardinier) -> None:
        super().__init__(core)

    @command(
        names={"fr": "aide"},
        descriptions={"fr": "Afficher les commandes que vous pouvez utiliser"},
    )
    async def help(
        self,
        ctx: CommandContext,
        command: Annotated[str | None, "A command to explain in full"] = None,
    ) -> None:
        """Show the commands you can use, or explain one of them.

        Example: /help announce
        """
        texts = self.core.texts(ctx.community)
        if command is not None:
            spec = self.core.commands.get(command.lstrip("/"))
            if spec is None or not may_run(self.core, spec, ctx.member):
                await ctx.reply(render(texts.unknown_command, command=command.lstrip("/")[:32]))
                return
            await ctx.reply(f"{spec.usage}\n{spec.help}")
            return
        lines = [render(texts.help_header, community=ctx.community.name or ctx.community.id)]
        for spec in self.core.commands:
            if may_run(self.core, spec, ctx.member):
                description = spec.description_for(ctx.locale)
                lines.append(render(texts.help_line, command=spec.usage, description=description))
        await ctx.reply("\n".join(lines))

    @command(
        permission=Permission.MODERATOR,
        names={"fr": "regles_recharger"},
        descriptions={"fr": "Recharger le livre de règles (il est validé avant)"},
    )
    async def rules_reload(self, ctx: CommandContext) -> None:
        """Reload the rule book; a broken file keeps the running rules and shows the errors."""
        error = await self.core.reload_rules()
        texts = self.core.texts(ctx.community)
        if error is None:
            await ctx.reply(render(texts.rules_reloaded))
        else:
            await ctx.reply(render(texts.rules_reload_failed, errors=str(error)))
