"""What every part of the netiquette cog shares: settings, texts, the case book, the engine,
recent activity, the toxicity worker and the sanctions.

The cog is split by concern (Red-DiscordBot style): the automod (``automod.py``), the sanction
commands (``moderation.py``) and the case commands (``casework.py``) are mixins over this base.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, cast

from bot.cog import Cog
from bot.events import CommunityRef, MemberRef, ModerationRecorded
from bot.localtime import local_time
from cogs.netiquette.activity import Activity
from cogs.netiquette.cases import CaseBook, CaseRecord, NewCase
from cogs.netiquette.config import NetiquetteConfig, NetiquetteTexts
from cogs.netiquette.engine import Engine
from cogs.netiquette.sanctions import Sanctions
from cogs.netiquette.toxicity import (
    NOT_INSTALLED,
    OFF_LOG,
    Classifier,
    DetoxifyClassifier,
    ModelChoice,
    ToxicityWorker,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from pydantic import BaseModel

    from bot.core import Jardinier


def detoxify_installed() -> bool:
    """Whether the detoxify package can be imported (without importing it: torch is heavy)."""
    if "detoxify" in sys.modules:
        return sys.modules["detoxify"] is not None
    try:
        return importlib.util.find_spec("detoxify") is not None
    except (ImportError, ValueError):
        return False


class NetiquetteBase(Cog):
    """Settings, texts and services shared by the netiquette cog's parts."""

    name: ClassVar[str] = "netiquette"
    config_model = NetiquetteConfig

    def __init__(self, core: Jardinier) -> None:
        super().__init__(core)
        self.casebook = CaseBook(core.db, core.members, recorded=self._announce_case)
        self.engine = Engine()
        self.activity = Activity()
        self.sanctions = Sanctions(self)
        self.classifier_factory: Callable[[ModelChoice], Classifier] = DetoxifyClassifier
        """Builds the classifier in the worker thread; tests may swap it."""
        self._workers: dict[ModelChoice, ToxicityWorker] = {}
        self._toxicity_off: str | None = None
        """Why toxicity checks cannot run, once said in the log at start."""

    async def _announce_case(
        self, community: CommunityRef, new: NewCase, record: CaseRecord
    ) -> None:
        # Other cogs (reports) count moderation by rule from this, never from our tables.
        member = (
            new.member if isinstance(new.member, MemberRef) else MemberRef(community, new.member)
        )
        await self.publish(
            ModerationRecorded(
                at=new.at,
                member=member,
                case_id=record.id,
                action=record.action,
                rule=record.rule,
                moderator=new.moderator,
                matched=record.matched if record.rule else "",
            )
        )

    # -- rule book ------------------------------------------------------------------------------

    def settings(self, community: CommunityRef | None = None) -> NetiquetteConfig:
        """The netiquette section as it applies to ``community``."""
        config: NetiquetteConfig = self.config(community)
        return config

    def locale(self, community: CommunityRef) -> str:
        """The community's locale."""
        return self.core.community_config(community).locale

    def texts(self, community: CommunityRef) -> NetiquetteTexts:
        """The netiquette texts in the community's locale."""
        return self.settings(community).texts[self.locale(community)]

    def local_time(self, community: CommunityRef, moment: datetime) -> str:
        """``moment`` in the community's time zone, written as the bot writes every moment (the
        zone named): ``2026-12-07 10:05 CET``."""
        return local_time(moment, self.core.community_config(community).zone)

    def untouchable(self, member: MemberRef) -> bool:
        """Moderators (the owner among them) and bots are never sanctioned."""
        return member.user.is_bot or self.core.is_moderator(member)

    # -- toxicity -------------------------------------------------------------------------------

    def worker(self, community: CommunityRef) -> ToxicityWorker:
        """The toxicity worker for the model the community's rules name (created on first use)."""
        model = self.settings(community).toxicity
        choice = ModelChoice(model.model, model.checkpoint, model.config_dir, model.max_tokens)
        worker = self._workers.get(choice)
        if worker is None:
            factory = self.classifier_factory
            # Only Detoxify's own classifier needs detoxify (tests swap in others).
            known = self._toxicity_off if factory is DetoxifyClassifier else None
            worker = self._workers[choice] = ToxicityWorker(
                lambda: factory(choice),
                batch_size=model.batch_size,
                batch_wait=model.batch_wait_ms / 1000,
                max_characters=model.max_characters,
                unavailable=known,
            )
        return worker

    @classmethod
    def cannot_run_here(cls, section: BaseModel) -> list[str]:
        """What the enabled rules of ``section`` need and this machine lacks, one line each
        (``jardinier check-rules`` warns of it; the book is valid all the same)."""
        if detoxify_installed():
            return []
        config = cast(NetiquetteConfig, section)
        return [
            f"netiquette rule {name!r} cannot run here: {NOT_INSTALLED}"
            for name, rule in config.rules.items()
            if rule.enabled and "toxicity" in dict(rule.triggers_in_order())
        ]

    async def setup(self) -> None:
        """Say at once, in the log, when toxicity rules cannot run (and only then: the workers
        know it and stay quiet)."""
        uses_detoxify = self.classifier_factory is DetoxifyClassifier
        if uses_detoxify and self.settings().uses_toxicity() and not detoxify_installed():
            self._toxicity_off = NOT_INSTALLED
            self.log.error(OFF_LOG, NOT_INSTALLED)

    async def teardown(self) -> None:
        """Stop the toxicity workers and the background checks."""
        for worker in self._workers.values():
            await worker.close()
        self._workers.clear()
