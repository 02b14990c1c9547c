"""The core section of the rule book, ``community.yaml``: locale, time zone, cogs, moderators,
channels, the console and the texts the core says."""

from __future__ import annotations

import difflib
import re
import zoneinfo
from datetime import timedelta
from functools import cached_property
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from bot.errors import JardinierError
from bot.ruleconf.errors import RuleValueError
from bot.ruleconf.invisible import shown
from bot.ruleconf.locales import Locale, TextsByLocale
from bot.ruleconf.templates import Placeholders

LOCALE_WITHOUT_TEXTS = "locale_without_texts"
"""The pydantic error type raised when ``texts`` lacks the section's locale."""

_COG_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _check_cog_name(value: str) -> str:
    if not _COG_NAME.fullmatch(value):
        raise RuleValueError(
            {
                "en": f"{value[:40]!r} is not a cog name; cog names are lowercase letters, "
                "digits and _",
                "fr": f"{value[:40]!r} n'est pas un nom de cog ; un nom de cog s'écrit en "
                "lettres minuscules, chiffres et _",
            }
        )
    return value


def _id_as_text(value: object) -> object:
    # Platform ids are numbers people write unquoted; they are still ids, not quantities.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


_USER_ID = re.compile(r"-?\d{1,20}")
"""A Discord or Telegram user id (Telegram's chat ids are negative)."""
_CONSOLE_NAME = re.compile(r"[\w.-]{1,32}")
"""A console member's id, which is their name (``alice``)."""


def _check_user_id(value: str, info: ValidationInfo) -> str:
    # People are compared by id, never by name: a name in this list would match no one. Only an
    # override of a console community (its context names the platform) holds console names.
    context = info.context if isinstance(info.context, dict) else {}
    if context.get("platform") == "console":
        if _CONSOLE_NAME.fullmatch(value):
            return value
        raise RuleValueError(
            {
                "en": f"{value[:40]!r} is not a console member's name, such as alice",
                "fr": f"{value[:40]!r} n'est pas le nom d'un membre de la console, comme alice",
            }
        )
    if _USER_ID.fullmatch(value):
        return value
    raise RuleValueError(
        {
            "en": f"{value[:40]!r} is not a user id; write the member's numeric id (e.g. "
            "123456789012345678), or list console members under console.moderators",
            "fr": f"{value[:40]!r} n'est pas un identifiant de membre ; écrivez l'identifiant "
            "numérique du membre (par ex. 123456789012345678), ou listez les membres de la "
            "console sous 'console.moderators'",
        }
    )


KEEP_FOREVER = "never"
"""What ``retention`` reads to keep members' details for ever."""
SHORTEST_RETENTION = timedelta(days=1)
"""The shortest ``retention``: details are forgotten once a day, and kept by the day."""


def _retention(value: object) -> object:
    """``never`` as None, a written duration (``400d``) as a timedelta."""
    # Imported here: bot.durations imports the rule book's package.
    from bot.durations import DurationTooLongError, format_duration, parse_duration

    if isinstance(value, str) and value.strip().lower() == KEEP_FOREVER:
        return None
    if isinstance(value, str):
        try:
            return parse_duration(value)
        except DurationTooLongError as error:
            most = format_duration(error.most)
            raise RuleValueError(
                {
                    "en": f"'{shown(value[:40])}' is too long; write at most {most}, or never",
                    "fr": f"'{shown(value[:40])}' est trop long ; écrivez au plus {most}, ou "
                    "never",
                }
            ) from None
        except JardinierError:
            pass
    elif isinstance(value, timedelta):
        return value
    # null is refused rather than read: it could as well mean "keep nothing".
    raise RuleValueError(
        {
            "en": "write how long members' details are kept, a number of days such as 400d, "
            "or never to keep them for ever",
            "fr": "écrivez combien de temps les données des membres sont gardées, un nombre "
            "de jours comme 400j, ou never pour les garder pour toujours",
        }
    )


def _at_least_a_day(value: timedelta | None) -> timedelta | None:
    if value is not None and value < SHORTEST_RETENTION:
        raise RuleValueError(
            {
                "en": "keep members' details at least 1d (they are forgotten once a day), e.g. "
                "400d, or write never",
                "fr": "gardez les données des membres au moins 1j (elles sont oubliées une fois "
                "par jour), par ex. 400j, ou écrivez never",
            }
        )
    return value


def _written_retention(value: timedelta | None) -> str:
    from bot.durations import format_duration

    return KEEP_FOREVER if value is None else format_duration(value)


Retention = Annotated[
    timedelta | None,
    BeforeValidator(_retention),
    AfterValidator(_at_least_a_day),
    PlainSerializer(_written_retention, return_type=str),
]
"""How long members' day-by-day details are kept (``400d``); ``never`` (None) keeps them."""

CogName = Annotated[str, AfterValidator(_check_cog_name)]
UserId = Annotated[str, BeforeValidator(_id_as_text), AfterValidator(_check_user_id)]
"""A moderator's user id: digits (Discord, Telegram), or a name in a console override."""
ChannelName = Annotated[str, BeforeValidator(_id_as_text)]
"""A channel's name, or its id (Telegram chat ids are negative numbers people write unquoted)."""


def missing_locale_texts(locale: str) -> PydanticCustomError:
    """The error for a ``texts`` mapping without an entry for ``locale``."""
    return PydanticCustomError(
        LOCALE_WITHOUT_TEXTS,
        "no texts for locale '{locale}'; add texts.{locale} or change locale",
        {"locale": locale},
    )


class ModeratorsConfig(BaseModel):
    """Who moderates, besides those the platform already makes moderators."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    roles: list[str] = []
    """Role names granting moderator rights."""
    users: list[UserId] = []
    """User ids of moderators (numeric; a console override lists console names)."""

    @cached_property
    def role_set(self) -> frozenset[str]:
        """``roles`` as a set (asked on every message)."""
        return frozenset(self.roles)

    @cached_property
    def user_set(self) -> frozenset[str]:
        """``users`` as a set (asked on every message)."""
        return frozenset(self.users)


class ChannelsConfig(BaseModel):
    """Channel names the core and the cogs refer to; ``None`` when the community has none."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mod_log: ChannelName | None = "mod-log"
    """Where the bot reports moderation actions and rule book errors."""
    rules: ChannelName | None = None
    welcome: ChannelName | None = None
    introductions: ChannelName | None = None
    announcements: ChannelName | None = None


class ConsoleConfig(BaseModel):
    """The console platform used to try the bot locally."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    moderators: list[str] = ["mod"]
    """Console member names who are moderators."""
    community_name: str = "Console"


class UsageErrorTexts(BaseModel):
    """Why a command's arguments do not fit, in one locale (``{value}``: the word typed)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    quote_open: Annotated[str, Placeholders()]
    too_long: Annotated[str, Placeholders("most")]
    missing: Annotated[str, Placeholders("option")]
    too_many: Annotated[str, Placeholders("value")]
    not_whole: Annotated[str, Placeholders("option", "value")]
    not_number: Annotated[str, Placeholders("option", "value")]
    not_yes_no: Annotated[str, Placeholders("option", "value")]
    not_duration: Annotated[str, Placeholders("option", "value")]
    not_choice: Annotated[str, Placeholders("option", "choices", "value")]
    no_member: Annotated[str, Placeholders("value")]
    no_channel: Annotated[str, Placeholders("value")]
    out_of_range: Annotated[str, Placeholders("option", "least", "most", "value")]
    option_too_long: Annotated[str, Placeholders("option", "most")]


_Text = Annotated[str, Placeholders()]
"""A word or phrase that has no placeholder (an action, a permission)."""


class RefusalTexts(BaseModel):
    """Why a platform refused what the bot did, in one locale, for the mod-log.

    ``{platform}`` is Discord or Telegram, ``{action}`` what the bot was doing (in the words of
    ``platform_actions``), ``{where}`` the server, group or channel, ``{target}`` a member's name,
    ``{permission}`` a permission as the platform's settings name it (``permissions``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    rate_limited: Annotated[str, Placeholders("platform", "where")]
    server_error: Annotated[str, Placeholders("platform", "action", "where")]
    refused: Annotated[str, Placeholders("platform", "action", "where", "detail")]
    forbidden: Annotated[str, Placeholders("platform", "action", "where")]
    not_found: Annotated[str, Placeholders("platform", "action", "where")]
    unreachable: Annotated[str, Placeholders("platform", "action", "where")]
    no_answer: Annotated[str, Placeholders("platform", "action")]
    closing: Annotated[str, Placeholders("platform")]
    invalid_token: Annotated[str, Placeholders("platform")]
    lacking_permission: Annotated[str, Placeholders("permission", "where")]
    lacking_permission_or_rank: Annotated[str, Placeholders("permission", "where", "target")]
    lacking_permission_or_role: Annotated[str, Placeholders("permission", "where", "role")]
    lacking_right: Annotated[str, Placeholders("permission", "action", "where")]
    lacking_rights: Annotated[str, Placeholders("action", "where")]
    cannot_see: Annotated[str, Placeholders("where")]
    cannot_post_in: Annotated[str, Placeholders("channel")]
    cannot_delete_old: Annotated[str, Placeholders("permission", "action", "where")]
    not_in_server: Annotated[str, Placeholders("where")]
    removed_from_chat: Annotated[str, Placeholders("action", "where")]
    no_direct_messages: Annotated[str, Placeholders("target")]
    not_started: Annotated[str, Placeholders("target")]
    owner: Annotated[str, Placeholders("target", "where")]
    outranks_me: Annotated[str, Placeholders("target", "where")]
    administrator: Annotated[str, Placeholders("target", "where", "action")]
    no_role: Annotated[str, Placeholders("role", "where")]
    role_above_me: Annotated[str, Placeholders("role", "where")]
    message_gone: Annotated[str, Placeholders("where")]
    member_gone: Annotated[str, Placeholders("target", "where")]
    channel_gone: Annotated[str, Placeholders("where")]
    role_gone: Annotated[str, Placeholders("role", "where")]
    topic_gone: Annotated[str, Placeholders("action")]
    not_banned: Annotated[str, Placeholders("target", "where")]
    unknown_chat: Annotated[str, Placeholders("platform", "action", "where")]
    unknown_member: Annotated[str, Placeholders("platform", "target", "where")]
    interaction_expired: Annotated[str, Placeholders()]
    reaction_not_allowed: Annotated[str, Placeholders("platform", "where")]
    file_unreadable: Annotated[str, Placeholders("file")]
    file_too_large: Annotated[str, Placeholders("file", "megabytes", "where")]
    empty_message: Annotated[str, Placeholders()]
    button_too_long: Annotated[str, Placeholders("platform")]
    not_a_user: Annotated[str, Placeholders("platform", "target")]
    not_a_chat: Annotated[str, Placeholders("platform", "target")]
    not_a_message: Annotated[str, Placeholders("platform", "target")]
    no_read_only: Annotated[str, Placeholders("platform")]
    no_roles: Annotated[str, Placeholders("platform")]
    chat_migrated: Annotated[str, Placeholders("chat")]


class PlatformActionTexts(BaseModel):
    """What the bot was doing when a platform refused, as ``{action}`` in a refusal."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    send: _Text
    dm: _Text
    delete: _Text
    purge: _Text
    timeout: _Text
    restrict: _Text
    unrestrict: _Text
    kick: _Text
    ban: _Text
    unban: _Text
    add_role: _Text
    remove_role: _Text
    react: _Text
    answer: _Text
    answer_button: _Text
    sync_commands: _Text
    list_administrators: _Text
    find_member: _Text
    connect: _Text


class PermissionTexts(BaseModel):
    """Permissions (Discord) and administrator rights (Telegram) as their settings show them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    view_channel: _Text
    send_messages: _Text
    send_messages_in_threads: _Text
    attach_files: _Text
    read_message_history: _Text
    add_reactions: _Text
    manage_messages: _Text
    moderate_members: _Text
    kick_members: _Text
    ban_members: _Text
    manage_roles: _Text
    can_delete_messages: _Text
    can_restrict_members: _Text


class PowerTexts(BaseModel):
    """What each power lets a member do, as ``{power}`` in ``lacking_power`` (``ban
    members``): the same words on every platform."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ban: _Text
    kick: _Text
    timeout: _Text
    delete: _Text
    manage: _Text


class CoreTexts(BaseModel):
    """What the core says, in one locale. Every text is required: the YAML is their only source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    help_header: Annotated[str, Placeholders("community")]
    help_line: Annotated[str, Placeholders("command", "description")]
    unknown_command: Annotated[str, Placeholders("command")]
    usage: Annotated[str, Placeholders("command", "usage", "error")]
    not_allowed: Annotated[str, Placeholders("command")]
    lacking_power: Annotated[str, Placeholders("command", "power")]
    """A moderator's command refused: the platform does not let them do what it does
    (``{power}``, in the words of ``powers``)."""
    help_who: Annotated[str, Placeholders("command")]
    """Under ``/help <command>`` for a member who may not run it: only moderators may."""
    help_who_power: Annotated[str, Placeholders("command", "power")]
    """Under ``/help <command>`` for a member who may not run it: only moderators the platform
    lets do ``{power}`` may."""
    commands_too_fast: Annotated[str, Placeholders("wait")]
    """To a member who ran too many commands in a channel lately, once, privately (see
    :mod:`bot.commands.budget`): ``{wait}``, how long until they may run one again."""
    rules_reloaded: Annotated[str, Placeholders()]
    rules_reloaded_warnings: Annotated[str, Placeholders("count", "warnings")]
    """``/rules_reload`` loaded a book with warnings about the asker's community's files (the
    shared ones and its own override): ``{count}`` of them, ``{warnings}`` the first few, one
    per line. Posted in a mod-log too, after ⚠️, when any reload loads a book with a warning
    about its community's files that the running book did not have."""
    rules_reload_failed: Annotated[str, Placeholders("errors")]
    rules_reload_failed_elsewhere: Annotated[str, Placeholders()]
    """A reload failed on errors in files that concern other communities only."""
    rules_reload_more: Annotated[str, Placeholders("count", "directory")]
    """The last line of ``rules_reload_failed``'s errors when there are more than a chat shows:
    how many were left out, and the rule book directory to check."""
    command_failed: Annotated[str, Placeholders("command")]
    database_busy: Annotated[str, Placeholders("command")]
    """A command the database refused for a while (locked, full, away): it was not done, and
    may be tried again."""
    rules_reload_refused: Annotated[str, Placeholders("command")]
    """``/rules_reload`` asked by a moderator of a community the rule book has no file for."""
    rules_reload_too_soon: Annotated[str, Placeholders("wait")]
    """``/rules_reload`` asked again too soon; ``{wait}``: how long until it may run."""
    rules_reloaded_log: Annotated[str, Placeholders()]
    """Posted in a mod-log told of the rule book's errors, once the book loads again."""
    data_file: Annotated[str, Placeholders("community", "member", "date")]
    data_sent: Annotated[str, Placeholders()]
    data_not_sent: Annotated[str, Placeholders()]
    data_start_first: Annotated[str, Placeholders("link")]
    data_incomplete: Annotated[str, Placeholders("failed")]
    member_data_sent: Annotated[str, Placeholders("member")]
    member_forgotten: Annotated[str, Placeholders("member", "parts")]
    member_forgotten_log: Annotated[str, Placeholders("member", "moderator", "parts")]
    member_nothing_kept: Annotated[str, Placeholders("member")]
    member_forget_failed: Annotated[str, Placeholders("member", "failed")]
    data_parts: dict[str, str] = {}
    """What each part of a member's data is called in the answers to an erasure and in those
    to an export that could not read every part (``member``, ``netiquette``… by name); a part
    left out is named by its identifier."""
    usage_errors: UsageErrorTexts
    refusals: RefusalTexts
    platform_actions: PlatformActionTexts
    permissions: PermissionTexts
    powers: PowerTexts


class CommunityConfig(BaseModel):
    """The core section, ``community.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    locale: Locale = "en"
    timezone: str = "UTC"
    cogs: list[CogName] = []
    """Cogs enabled in the community, by name (``welcome``, ``netiquette``...)."""
    moderators: ModeratorsConfig = ModeratorsConfig()
    channels: ChannelsConfig = ChannelsConfig()
    console: ConsoleConfig = ConsoleConfig()
    retention: Retention = timedelta(days=400)
    """How long the cogs keep each member's details by day (activity, interactions, journeys,
    cases) before the daily sweep forgets them (:mod:`bot.retention`); None: for ever."""
    # Declared after locale: the texts check reads the already validated locale.
    texts: TextsByLocale[CoreTexts]

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The community's time zone."""
        return zoneinfo.ZoneInfo(self.timezone)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        # A region (Europe, Etc) is a folder of the time zone database: opening it is an OSError.
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            known = zoneinfo.available_timezones()
            in_region = sorted(zone for zone in known if zone.startswith(f"{value}/"))
            if in_region:
                example = "Europe/Paris" if "Europe/Paris" in in_region else in_region[0]
                raise RuleValueError(
                    {
                        "en": f"unknown time zone '{value}'; '{value}' is a region; name a time "
                        f"zone in it, e.g. {example}",
                        "fr": f"fuseau horaire inconnu '{shown(value)}' ; '{shown(value)}' est "
                        f"une région : nommez un fuseau horaire de cette région, par ex. "
                        f"{example}",
                    }
                ) from None
            close = difflib.get_close_matches(value, known, n=1)
            hint = {
                "en": "use a name such as Europe/Paris",
                "fr": "utilisez un nom comme Europe/Paris",
            }
            if close:
                hint = {
                    "en": f"did you mean '{close[0]}'?",
                    "fr": f"vouliez-vous dire '{close[0]}' ?",
                }
            raise RuleValueError(
                {
                    "en": f"unknown time zone '{value[:60]}'; {hint['en']}",
                    "fr": f"fuseau horaire inconnu '{shown(value[:60])}' ; {hint['fr']}",
                }
            ) from None
        return value

    @field_validator("cogs")
    @classmethod
    def _cogs_listed_once(cls, value: list[str]) -> list[str]:
        seen: set[str] = set()
        for name in value:
            if name in seen:
                raise RuleValueError(
                    {
                        "en": f"cog '{name}' is listed twice; list each cog once",
                        "fr": f"le cog '{shown(name)}' figure deux fois dans la liste ; "
                        "gardez-en un seul",
                    }
                )
            seen.add(name)
        return value

    @field_validator("texts")
    @classmethod
    def _texts_for_locale(
        cls, value: dict[str, CoreTexts], info: ValidationInfo
    ) -> dict[str, CoreTexts]:
        locale = info.data.get("locale")
        if locale is not None and locale not in value:
            raise missing_locale_texts(locale)
        return value
