"""What the suggestions cog's parts share: settings, texts, the book, names of statuses."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from bot.cog import Cog
from bot.events import CommunityRef
from bot.keyedlocks import KeyedLocks
from bot.ruleconf import one_line
from bot.weekly import WeeklyJob
from cogs.suggestions.config import SuggestionsConfig, SuggestionTexts
from cogs.suggestions.records import SuggestionBook

if TYPE_CHECKING:
    from bot.core import Jardinier

MAX_SHOWN = 120
"""Characters of a suggestion quoted in lists and notices."""


def shorten(text: str, limit: int = MAX_SHOWN) -> str:
    """A suggestion on one line, cut to ``limit`` characters."""
    return one_line(text, limit)


class SuggestionsBase(Cog):
    """Settings, texts and the suggestion book shared by the cog's parts."""

    name: ClassVar[str] = "suggestions"
    config_model = SuggestionsConfig

    def __init__(self, core: Jardinier) -> None:
        super().__init__(core)
        self.book = SuggestionBook(core.db)
        # One /suggest at a time per community (by its id): a suggestion is posted or
        # discarded before the next one is compared with it.
        self.suggesting: KeyedLocks[int] = KeyedLocks()
        self.weekly_digest = WeeklyJob(
            self, "digest", "post_digest", lambda community: self.settings(community).digest
        )

    def settings(self, community: CommunityRef | None = None) -> SuggestionsConfig:
        """The suggestions section as it applies to ``community``."""
        config: SuggestionsConfig = self.config(community)
        return config

    def texts(self, community: CommunityRef) -> SuggestionTexts:
        """The suggestions texts in the community's locale."""
        return self.settings(community).texts[self.core.community_config(community).locale]

    def status_label(self, community: CommunityRef, status: str) -> str:
        """``accepted`` in the community's language."""
        label: str = getattr(self.texts(community), f"status_{status}")
        return label

    def ensure_digest(self, community: CommunityRef) -> None:
        """Schedule (or cancel) the community's digest job as the rule book says."""
        self.weekly_digest.ensure(community)

    async def rules_applied(self) -> None:
        """Bring the digest jobs of the communities seen since start in line with the rules."""
        self.weekly_digest.rules_applied()
