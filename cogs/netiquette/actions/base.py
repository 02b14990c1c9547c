"""The blueprint every action follows: a name, a config model, its strike points, and a run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from cogs.netiquette.cases import CaseRecord
from cogs.netiquette.subject import Subject
from cogs.netiquette.wording import pick

if TYPE_CHECKING:
    from cogs.netiquette.engine import Outcome
    from cogs.netiquette.sanctions import Sanctions


class ActionConfig(BaseModel):
    """Base of every action's settings: unknown keys are errors, values never change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass
class Firing:
    """One rule firing on one subject: what the actions need to know."""

    rule: str
    subject: Subject
    matched: str
    locale: str
    charter: str
    case: CaseRecord
    deleted: bool = False
    """The message was deleted by this firing (a reply then stands on its own)."""


class Action:
    """A kind of action. Subclasses set ``name``, ``config_model``, ``order`` and ``run``."""

    name: ClassVar[str]
    config_model: ClassVar[type[ActionConfig]]
    order: ClassVar[int] = 50
    """Actions of a rule run in this order: delete first, sanctions after the notices."""
    needs_message: ClassVar[bool] = False
    """Only meaningful on a message (delete, reply): skipped for joins."""
    immediate: ClassVar[bool] = False
    """Runs as the rule fires, before its case is written (:meth:`run_now`): it announces
    nothing, and later listeners must see its effect (a deleted message)."""

    def points(self, config: Any) -> int:
        """Strike points this action adds."""
        return int(config.points) if "points" in _field_names(type(config)) else 0

    def reason(self, config: Any, locale: str) -> str | None:
        """The reason this action gives, in ``locale``, if it has one."""
        # Asked of the model's fields first: reading a missing attribute of a pydantic model
        # raises and catches an AttributeError, for every rule that fires.
        if "reason" not in _field_names(type(config)):
            return None
        return pick(config.reason, locale)

    async def run(self, config: Any, firing: Firing, sanctions: Sanctions) -> str | None:
        """Do it; return a short note when it could not be done."""
        raise NotImplementedError

    async def run_now(
        self, config: Any, subject: Subject, sanctions: Sanctions, outcome: Outcome
    ) -> str | None:
        """Do it as the rule fires (``immediate`` actions); a short note when it could not."""
        raise NotImplementedError


_FIELD_NAMES: dict[type[BaseModel], frozenset[str]] = {}
"""Per action config model (a few classes), its field names."""


def _field_names(model: type[BaseModel]) -> frozenset[str]:
    """The fields of an action's config model, read once: ``model_fields`` is worked out at each
    read, for every rule that fires."""
    names = _FIELD_NAMES.get(model)
    if names is None:
        names = _FIELD_NAMES[model] = frozenset(model.model_fields)
    return names
