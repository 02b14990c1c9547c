"""The ``netiquette`` section of the rule book: ordered rules (triggers → actions), strikes and
their ladder, the toxicity model, and the texts.

Each trigger and each action validates its own settings (its module's config model); the entry
models below are built from the registries, so an unknown trigger name is an error at
``file:line:col`` that suggests the closest one.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    create_model,
    field_validator,
    model_validator,
)

from bot.durations import Duration, duration_words
from bot.ruleconf import Placeholders, TextsByLocale
from bot.ruleconf.community import ChannelName
from bot.ruleconf.errors import RuleValueError
from cogs.netiquette.actions import registry as action_registry
from cogs.netiquette.triggers import registry as trigger_registry
from cogs.netiquette.wording import Localised

RuleName = Annotated[str, Field(pattern=r"^[a-z0-9_]{1,64}$")]
MAX_RULES = 200
MAX_TRIGGERS = 20


def _switch(value: Any) -> Any:
    # `delete: true` turns an action (or a trigger) on with its defaults; `false` leaves it off.
    if value is True:
        return {}
    if value is False:
        return None
    return value


def _exactly_one(entry: BaseModel) -> BaseModel:
    chosen = [name for name in type(entry).model_fields if getattr(entry, name) is not None]
    if len(chosen) != 1:
        names = ", ".join(trigger_registry())
        listed = ", ".join(chosen)
        raise RuleValueError(
            {
                "en": f"write exactly one trigger per list item (one of: {names}); got "
                f"{listed or 'none'}",
                "fr": f"écrivez un seul déclencheur par élément de la liste (l'un de : {names})"
                + (f" ; ici : {listed}" if chosen else " ; ici aucun"),
            }
        )
    return entry


def _entry_model(name: str, doc: str, models: dict[str, type[BaseModel]], *, one: bool) -> Any:
    fields: dict[str, Any] = {
        key: (Annotated[model | None, BeforeValidator(_switch)], None)
        for key, model in models.items()
    }
    validators = {"_exactly_one": model_validator(mode="after")(_exactly_one)} if one else {}
    return create_model(
        name,
        __config__=ConfigDict(extra="forbid", frozen=True),
        __doc__=doc,
        __validators__=validators,  # type: ignore[arg-type]
        __module__=__name__,
        **fields,
    )


TriggerEntry: Any = _entry_model(
    "TriggerEntry",
    "One trigger of a rule: ``{match_words: {words: [...]}}``.",
    {name: trigger.config_model for name, trigger in trigger_registry().items()},
    one=True,
)
ActionEntries: Any = _entry_model(
    "ActionEntries",
    "The actions of a rule, by name: ``{delete: true, warn: {reason: ...}}``.",
    {name: action.config_model for name, action in action_registry().items()},
    one=False,
)


class ChannelFilter(BaseModel):
    """Where a rule applies: only in ``include`` (when listed), never in ``exclude``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    include: list[ChannelName] = []
    exclude: list[ChannelName] = []

    @cached_property
    def included(self) -> frozenset[str]:
        """``include`` as compared: without ``#``, case-folded."""
        return frozenset(name.lstrip("#").casefold() for name in self.include)

    @cached_property
    def excluded(self) -> frozenset[str]:
        """``exclude`` as compared: without ``#``, case-folded."""
        return frozenset(name.lstrip("#").casefold() for name in self.exclude)


class RuleConfig(BaseModel):
    """One rule: triggers (the first that matches wins) and actions (all applied)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    dry_run: bool = False
    """Only log (and post to the mod-log) what the rule would do."""
    charter: Localised | None = None
    """The charter rule it protects, as ``{charter}`` in the reminder texts."""
    triggers: Annotated[list[TriggerEntry], Field(min_length=1, max_length=MAX_TRIGGERS)]
    actions: ActionEntries = Field(default_factory=lambda: ActionEntries())
    channels: ChannelFilter = ChannelFilter()
    exempt_roles: list[str] = []
    exempt_moderators: bool = True
    cooldown: Duration | None = None
    """After firing, the rule rests this long (for that member, or for everyone)."""
    cooldown_per: Literal["member", "community"] = "member"
    """``community``: one firing per cooldown in the whole community (raid alerts)."""
    allow_further_rules: bool = False
    """Go on checking the next rules after this one fired."""

    # The rule book never changes once loaded: what every message asks is worked out once.
    def triggers_in_order(self) -> tuple[tuple[str, Any], ...]:
        """``(name, config)`` of each trigger, in the order written."""
        return self._triggers

    def actions_in_order(self) -> tuple[tuple[str, Any], ...]:
        """``(name, config)`` of each action, in the order they run."""
        return self._actions

    @cached_property
    def _triggers(self) -> tuple[tuple[str, Any], ...]:
        return tuple(
            (name, config)
            for entry in self.triggers
            for name in type(entry).model_fields
            for config in [getattr(entry, name)]
            if config is not None
        )

    @cached_property
    def _actions(self) -> tuple[tuple[str, Any], ...]:
        return tuple(
            (name, getattr(self.actions, name))
            for name in action_registry()
            if getattr(self.actions, name) is not None
        )

    @cached_property
    def checks(self) -> tuple[tuple[str, Any, Any], ...]:
        """``(name, trigger, config)`` of each trigger, in the order written."""
        return tuple((name, trigger_registry()[name], config) for name, config in self._triggers)

    def checks_for(self, kind: str) -> tuple[tuple[tuple[str, Any, Any], ...], str | None]:
        """The fast checks that look at ``kind`` (``message``, ``edit``, ``join``), in order, and
        the name of the slow trigger left for later (the last written; None: none)."""
        return self._checks_by_kind.get(kind, ((), None))

    @cached_property
    def _checks_by_kind(self) -> dict[str, tuple[tuple[tuple[str, Any, Any], ...], str | None]]:
        plans = {}
        for kind in self.kinds:
            looking = [check for check in self.checks if kind in check[1].kinds]
            slow = [name for name, trigger, _config in looking if trigger.slow]
            fast = tuple(check for check in looking if not check[1].slow)
            plans[kind] = (fast, slow[-1] if slow else None)
        return plans

    @cached_property
    def exempt(self) -> frozenset[str]:
        """``exempt_roles`` as a set."""
        return frozenset(self.exempt_roles)

    @cached_property
    def kinds(self) -> frozenset[str]:
        """What the rule looks at (``message``, ``edit``, ``join``), from its triggers."""
        return frozenset(
            kind for name, _config in self._triggers for kind in trigger_registry()[name].kinds
        )


class LadderStep(BaseModel):
    """An escalation: reaching ``points`` within ``within`` brings a sanction."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    points: int = Field(ge=1, le=1000)
    within: Duration | None = timedelta(days=7)
    """Points given in this window count (``null``: all points still active)."""
    action: Literal["timeout", "kick", "ban"]
    duration: Duration | None = None
    """How long the timeout (or a temporary ban) lasts."""

    @model_validator(mode="after")
    def _timeout_has_duration(self) -> LadderStep:
        if self.action == "timeout" and self.duration is None:
            raise RuleValueError(
                {
                    "en": "a timeout step needs a duration, e.g. duration: 1h",
                    "fr": "une étape timeout a besoin d'une durée (clé duration), par ex. 1h",
                }
            )
        return self


class StrikesConfig(BaseModel):
    """Strike points: how they fade, and the ladder of sanctions they lead to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    decay: Literal["expiry", "half_life"] = "expiry"
    """``expiry``: a point counts fully until ``expiry``; ``half_life``: it halves every
    ``half_life``."""
    expiry: Duration = timedelta(days=30)
    half_life: Duration = timedelta(days=7)
    manual_warn_points: int = Field(default=1, ge=0, le=100)
    """Points a moderator's ``/warn`` adds."""
    ladder: list[LadderStep] = []

    @field_validator("expiry", "half_life")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise RuleValueError(
                {
                    "en": "write a positive duration, e.g. 7d",
                    "fr": "écrivez une durée positive, par ex. 7j",
                }
            )
        return value

    @field_validator("ladder")
    @classmethod
    def _ascending(cls, ladder: list[LadderStep]) -> list[LadderStep]:
        points = [step.points for step in ladder]
        if points != sorted(set(points)):
            raise RuleValueError(
                {
                    "en": "list the steps by increasing points, each number once",
                    "fr": "rangez les étapes par points croissants, chaque nombre une seule fois",
                }
            )
        return ladder


class ToxicityModelConfig(BaseModel):
    """The Detoxify model behind the ``toxicity`` trigger."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: Literal["original", "unbiased", "multilingual"] = "multilingual"
    """``multilingual`` reads French; ``original`` and ``unbiased`` are English only."""
    checkpoint: Path | None = None
    """A local checkpoint file (offline deployments); else Detoxify downloads its own."""
    config_dir: Path | None = None
    """A local folder with the model's Hugging Face config and tokenizer (offline)."""
    batch_size: int = Field(default=32, ge=1, le=256)
    """The most messages scored together; more wait for the next batch."""
    batch_wait_ms: int = Field(default=0, ge=0, le=1000)
    """How long a batch may wait for more messages, counted from its oldest message's arrival.
    0: a batch takes what is queued as soon as the model is free (under load, the next batch
    gathers while one is scored, so waiting buys nothing but latency)."""
    max_characters: int = Field(default=2000, ge=50, le=20_000)
    """Longer messages are cut before scoring."""
    max_tokens: int = Field(default=256, ge=16, le=512)
    """Only a message's first ``max_tokens`` tokens are scored (a token is a word or a piece of
    one: 256 is about 1,000 characters of English). Lower is faster for long messages."""


Text = Annotated[str, Placeholders()]


class WhyTexts(BaseModel):
    """Why a rule fired or did not (cases, the mod-log, ``/rules_test``), in one locale."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: Annotated[str, Placeholders("trigger", "why")]
    """One trigger's reason after its name: ``{trigger}: {why}``."""
    separator: str
    """Between the reasons of the triggers of a rule that did not fire."""
    # The engine's own reasons.
    not_checked: Annotated[str, Placeholders("rule")]
    disabled: Text
    ignores_message: Text
    ignores_edit: Text
    ignores_join: Text
    not_in_channels: Text
    channel_excluded: Text
    moderators_exempt: Text
    role_exempt: Annotated[str, Placeholders("role")]
    cooldown_member: Text
    cooldown_community: Text
    pending: Text
    # The triggers' reasons, by trigger.
    caps_few_letters: Annotated[str, Placeholders("letters", "least")]
    caps_hit: Annotated[str, Placeholders("share")]
    caps_miss: Annotated[str, Placeholders("share", "ratio")]
    duplicates_short: Text
    duplicates_hit: Annotated[str, Placeholders("count", "within")]
    duplicates_miss: Annotated[str, Placeholders("count", "within", "least")]
    flood_hit: Annotated[str, Placeholders("count", "within")]
    flood_miss: Annotated[str, Placeholders("count", "within", "least")]
    join_raid_hit: Annotated[str, Placeholders("count", "within")]
    join_raid_miss: Annotated[str, Placeholders("count", "within", "least")]
    mentions_everyone: Text
    mentions_hit: Annotated[str, Placeholders("count")]
    mentions_miss: Annotated[str, Placeholders("count", "least")]
    new_account_joins_only: Text
    new_account_messages_only: Text
    new_account_unknown: Text
    new_account_hit: Annotated[str, Placeholders("age")]
    new_account_miss: Annotated[str, Placeholders("age", "limit")]
    invites_none: Text
    invites_discord: Annotated[str, Placeholders("code")]
    invites_telegram: Annotated[str, Placeholders("name")]
    links_none: Text
    links_none_forbidden: Text
    links_denied: Annotated[str, Placeholders("domain")]
    links_not_allowed: Annotated[str, Placeholders("domain")]
    pattern_hit: Annotated[str, Placeholders("pattern")]
    pattern_miss: Text
    word_hit: Annotated[str, Placeholders("word")]
    word_miss: Text
    toxicity_short: Text
    toxicity_unchecked: Annotated[str, Placeholders("reason")]
    toxicity_no_score: Text
    toxicity_hit: Annotated[str, Placeholders("label", "score")]
    toxicity_miss: Annotated[str, Placeholders("scores")]
    toxicity_no_label: Text


ActionName = Annotated[str, Placeholders(), Field(min_length=1, max_length=60)]


class ActionNames(BaseModel):
    """What each action is called in one locale, where texts name it (``{action}``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # The rules' actions.
    delete: ActionName
    reply: ActionName
    dm: ActionName
    warn: ActionName
    timeout: ActionName
    kick: ActionName
    ban: ActionName
    notify_mods: ActionName
    log: ActionName
    # The moderators' own.
    untimeout: ActionName
    unban: ActionName
    note: ActionName
    purge: ActionName

    def text(self, actions: str) -> str:
        """A case's stored actions (``delete, reply``; ``purge 12``) in this locale's words."""
        words = []
        for action in actions.split(", "):
            name, space, rest = action.partition(" ")
            known = name in type(self).model_fields
            words.append((getattr(self, name) if known else name) + space + rest)
        return ", ".join(words)


class NetiquetteTexts(BaseModel):
    """What the netiquette cog says, in one locale."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reminder: Annotated[str, Placeholders("member", "rule", "charter", "community", "reason")]
    dm_notice: Annotated[str, Placeholders("member", "rule", "charter", "community", "reason")]
    warned: Annotated[str, Placeholders("member", "reason", "case", "community")]
    timed_out: Annotated[str, Placeholders("member", "reason", "case", "duration", "community")]
    kicked: Annotated[str, Placeholders("member", "reason", "case", "community")]
    banned: Annotated[str, Placeholders("member", "reason", "case", "community")]
    kicked_withdrawn: Annotated[str, Placeholders("member", "reason", "case", "community")]
    """Sent after ``kicked`` when the platform then refused the kick: the member is still in."""
    banned_withdrawn: Annotated[str, Placeholders("member", "reason", "case", "community")]
    """Sent after ``banned`` when the platform then refused the ban."""
    alert: Annotated[str, Placeholders("rule", "member", "channel", "matched", "excerpt", "case")]
    modlog_rule: Annotated[
        str, Placeholders("case", "rule", "member", "actions", "matched", "excerpt", "notes")
    ]
    modlog_dry_run: Annotated[str, Placeholders("rule", "member", "actions", "matched", "excerpt")]
    modlog_manual: Annotated[
        str, Placeholders("case", "action", "member", "moderator", "reason", "notes")
    ]
    modlog_ladder: Annotated[
        str, Placeholders("case", "action", "member", "points", "within", "notes")
    ]
    modlog_ladder_any_time: Annotated[
        str, Placeholders("case", "action", "member", "points", "notes")
    ]
    """``modlog_ladder`` for a step with no window (``within: null``)."""
    ladder_reason: Annotated[str, Placeholders("points", "within")]
    """The reason a ladder step's case gives (the member reads it too)."""
    ladder_reason_any_time: Annotated[str, Placeholders("points")]
    """``ladder_reason`` for a step with no window (``within: null``)."""
    ladder_by: Text
    """Who gave a ladder step's case, where /cases and /case name who acted (a moderator's
    name, a rule's)."""
    modlog_lifted: Annotated[str, Placeholders("case", "action", "member", "notes")]
    modlog_lift_retry: Annotated[str, Placeholders("case", "action", "member", "notes", "when")]
    """A planned lift the platform refused for a passing reason: tried again at ``when``."""
    modlog_lift_failed: Annotated[
        str, Placeholders("case", "action", "member", "notes", "command")
    ]
    """A planned lift the platform refused for good: a moderator lifts it with ``command``."""
    modlog_lift_given_up: Annotated[str, Placeholders("case", "action", "member", "command")]
    """A planned lift that failed on an error of the bot's every time it was tried (the
    scheduler gave it up; the bot's log has the error): a moderator lifts it with ``command``."""
    modlog_pardoned: Annotated[str, Placeholders("case", "member", "moderator")]
    toxicity_off: Annotated[str, Placeholders("reason")]
    done: Annotated[str, Placeholders("case", "action", "member")]
    ban_nothing_deleted: Annotated[str, Placeholders("word", "example")]
    """Added to /ban's answer when an unquoted reason ended with what reads as days (``word``):
    nothing was deleted; ``example`` is the command that would delete them."""
    refused_moderator: Annotated[str, Placeholders("member")]
    refused_bot: Annotated[str, Placeholders("member")]
    lifted: Annotated[str, Placeholders("action", "member")]
    lifted_unrecorded: Annotated[str, Placeholders("action", "member")]
    """/untimeout or /unban of a member the bot had not sanctioned (one set by hand is lifted)."""
    not_timed_out: Annotated[str, Placeholders("member")]
    """/untimeout of a member with no timeout on record, where the platform has none to lift
    either (the member is gone): nothing is done, nothing recorded."""
    not_banned: Annotated[str, Placeholders("member")]
    """/unban of a member with no ban on record, whom the platform says is not banned: nothing
    is done, nothing recorded."""
    ban_gone: Annotated[str, Placeholders("member")]
    """The answer to /unban of a member banned on record whom the platform says is not banned
    (lifted in its own settings): the ban on record is closed."""
    ban_gone_note: Annotated[str, Placeholders("member")]
    """The mod-log's note on that /unban's line: what ``ban_gone`` says."""
    failed: Annotated[str, Placeholders("action")]
    """An act the platform did not carry out, with no reason given (a note in the mod-log)."""
    failed_because: Annotated[str, Placeholders("action", "reason")]
    """An act the platform refused, and why (the refusal as the mod-log words it)."""
    may_have_failed: Annotated[str, Placeholders("action", "reason")]
    """An act the platform did not answer for (no answer, an outage), and why: it may have
    been done, and is taken as done."""
    not_carried_out: Annotated[str, Placeholders("case", "member", "failure")]
    """The answer to a moderator whose sanction was recorded but refused by the platform."""
    command_refused: Annotated[str, Placeholders("rule", "matched")]
    """The answer to a member whose command's text a rule would have removed as a message."""
    purged: Annotated[str, Placeholders("count")]
    purge_left: Annotated[str, Placeholders("count", "reason")]
    """A note after ``purged`` (answer and mod-log): ``count`` messages the platform could not
    delete, and why."""
    purge_count: Annotated[str, Placeholders("most")]
    purge_none: Text
    """The answer to a /purge that found no message to delete in the channel (nothing is
    written in the mod-log)."""
    purge_none_of: Annotated[str, Placeholders("member")]
    """The answer to a /purge of ``member``'s messages that found none in the channel."""
    timeout_shortened: Annotated[str, Placeholders("asked", "duration")]
    """A mod-log note: a rule's or a ladder step's timeout ``asked`` is longer than the
    platform allows; the member is silenced for ``duration``, its longest."""
    timeout_lengthened: Annotated[str, Placeholders("asked", "duration")]
    """A mod-log note: the timeout ``asked`` is shorter than the platform allows; the member is
    silenced for ``duration``, its shortest."""
    no_case: Annotated[str, Placeholders("case")]
    case_detail: Annotated[
        str,
        Placeholders(
            "case",
            "action",
            "member",
            "by",
            "when",
            "reason",
            "matched",
            "excerpt",
            "points",
            "status",
        ),
    ]
    case_line: Annotated[str, Placeholders("case", "when", "action", "by", "reason", "status")]
    cases_header: Annotated[str, Placeholders("member", "count")]
    no_cases: Annotated[str, Placeholders("member")]
    note_added: Annotated[str, Placeholders("case", "member")]
    strikes: Annotated[str, Placeholders("member", "points", "steps")]
    strikes_step: Annotated[str, Placeholders("points", "needed", "within", "action")]
    """One step of the ladder in /strikes' ``{steps}``: the member's ``points`` counted in its
    window ``within``, of the ``needed`` ones that bring its ``action``."""
    strikes_step_any_time: Annotated[str, Placeholders("points", "needed", "action")]
    """``strikes_step`` for a step with no window (``within: null``): all active points count."""
    pardoned: Annotated[str, Placeholders("case", "member")]
    already_pardoned: Annotated[str, Placeholders("case")]
    status_pardoned: Text
    status_lifted: Text
    status_left: Text
    """A case whose lift the bot could not carry out, left to the moderators (the mod-log asked
    them once)."""
    status_until: Annotated[str, Placeholders("when")]
    test_header: Annotated[str, Placeholders("text")]
    test_fires: Annotated[str, Placeholders("rule", "detail", "actions")]
    test_dry_run: Annotated[str, Placeholders("rule", "detail", "actions")]
    test_silent: Annotated[str, Placeholders("rule", "detail")]
    test_none: Text
    why: WhyTexts
    action_names: ActionNames


class PlannedRule(NamedTuple):
    """A rule as the fast pass reads it for one kind of subject: plain fields, read without
    going through the validated model on every message."""

    name: str
    rule: RuleConfig
    exempt_moderators: bool
    placed: bool
    """Its channels or exempt roles may bar it."""
    cooldown: timedelta | None
    per_member: bool
    """Its cooldown counts per member (else for the whole community)."""
    checks: tuple[tuple[str, Any, Any], ...]
    """``(name, trigger, config)`` of its fast triggers that look at this kind."""
    deferred: str | None
    """Its slow trigger left for later, if any."""
    dry_run: bool
    stops: bool
    """Firing stops the rules after it."""


class NetiquetteConfig(BaseModel):
    """The moderation rules, strikes, the toxicity model and the texts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    normalise: bool = True
    """Undo evasions before word and pattern matching (each trigger may say otherwise)."""
    rules: Annotated[dict[RuleName, RuleConfig], Field(max_length=MAX_RULES)] = {}
    """Checked in order; the first rule that fires stops the others unless it allows them."""
    strikes: StrikesConfig = StrikesConfig()
    toxicity: ToxicityModelConfig = ToxicityModelConfig()
    purge_max: int = Field(default=100, ge=1, le=500)
    """The most messages one /purge removes (among those the bot saw recently)."""
    texts: TextsByLocale[NetiquetteTexts]

    def uses_toxicity(self) -> bool:
        """Whether an enabled rule has a toxicity trigger."""
        return self.uses_trigger("toxicity")

    def uses_trigger(self, trigger: str) -> bool:
        """Whether an enabled rule has a trigger named ``trigger``."""
        return trigger in self._triggers_in_use

    def plan(self, kind: str) -> tuple[PlannedRule, ...]:
        """The enabled rules with a trigger that looks at ``kind``, in order, as the fast pass
        reads them."""
        return self._plans.get(kind, ())

    def screen(self, kind: str) -> tuple[tuple[Any, Any, int], ...] | None:
        """Every fast check of :meth:`plan` in order, flat: ``(check, config, rule index)``.
        None when a rule of that kind waits for a slow trigger (the screen cannot tell)."""
        return self._screens.get(kind, ())

    @cached_property
    def _screens(self) -> dict[str, tuple[tuple[Any, Any, int], ...] | None]:
        return {
            kind: None
            if any(planned.deferred is not None for planned in plan)
            else tuple(
                (trigger.check, settings, index)
                for index, planned in enumerate(plan)
                for _name, trigger, settings in planned.checks
            )
            for kind, plan in self._plans.items()
        }

    @cached_property
    def _plans(self) -> dict[str, tuple[PlannedRule, ...]]:
        kinds = {kind for rule in self.rules.values() for kind in rule.kinds}
        plans = {}
        for kind in kinds:
            planned = []
            for name, rule in self.rules.items():
                if not rule.enabled or kind not in rule.kinds:
                    continue
                checks, deferred = rule.checks_for(kind)
                planned.append(
                    PlannedRule(
                        name,
                        rule,
                        rule.exempt_moderators,
                        bool(rule.channels.include or rule.channels.exclude or rule.exempt),
                        rule.cooldown,
                        rule.cooldown_per == "member",
                        checks,
                        deferred,
                        rule.dry_run,
                        not rule.allow_further_rules and not rule.dry_run,
                    )
                )
            plans[kind] = tuple(planned)
        return plans

    @cached_property
    def _triggers_in_use(self) -> frozenset[str]:
        return frozenset(
            name
            for rule in self.rules.values()
            if rule.enabled
            for name, _config in rule.triggers_in_order()
        )


def describe_within(within: timedelta, locale: str | None) -> str:
    """A ladder window as texts write it, in words of ``locale``: ``1 week``, ``30 jours``."""
    return duration_words(within, locale)
