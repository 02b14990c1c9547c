"""A rule book written file by file in a temporary directory, and two sample cog sections.

Everything is handed to tests as fixtures: test modules never import this file, so they keep
working whatever other conftest files and import mode the test suite ends up with.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Annotated

import pytest
import yaml
from pydantic import BaseModel, ConfigDict

from bot.resources import shipped_rules_directory
from bot.ruleconf import Placeholders, RuleBook, TextsByLocale, load_rule_book


def platform_texts(locale: str) -> str:
    """The shipped book's refusal texts in ``locale``, as lines under ``texts:`` ``<locale>:``,
    those that name a power a moderator lacks, and the other core texts no test here reads.

    Refusals are many and no test here reads them: copied, not written out again.
    """
    shipped = yaml.safe_load(
        (shipped_rules_directory() / "community.yaml").read_text(encoding="utf-8")
    )
    groups = {key: shipped["texts"][locale][key] for key in PLATFORM_TEXT_GROUPS}
    return textwrap.indent(yaml.safe_dump(groups, allow_unicode=True, width=1000), "    ")


PLATFORM_TEXT_GROUPS = (
    "refusals",
    "platform_actions",
    "permissions",
    "powers",
    "lacking_power",
    "help_who",
    "help_who_power",
    "commands_too_fast",
    "database_busy",
)

# Line numbers matter: tests assert file:line:col.
COMMUNITY_YAML = """\
locale: en
timezone: Europe/Paris
cogs: [welcome]
moderators:
  roles: [Moderators]
texts:
  en:
    help_header: "Commands of {community}:"
    help_line: "/{command}: {description}"
    unknown_command: "I don't know /{command}."
    usage: "Usage: /{command} {usage} ({error})"
    not_allowed: "/{command} is for moderators."
    rules_reloaded: "Rules reloaded."
    rules_reload_failed: "The rules were not reloaded: {errors}"
    command_failed: "/{command} failed; the moderators have been told."
    data_file: "What is kept about {member} in {community} on {date}."
    data_sent: "Sent privately."
    data_not_sent: "I could not write to you privately."
    data_start_first: "Start a chat with me first: {link}"
    data_incomplete: "Incomplete: {failed}."
    member_data_sent: "Sent what is kept about {member}."
    member_forgotten: "Forgot {member} ({parts})."
    member_forgotten_log: "{moderator} had {member} forgotten ({parts})."
    member_nothing_kept: "Nothing kept about {member}."
    member_forget_failed: "{failed} failed for {member}."
    usage_errors:
      quote_open: "unclosed quote"
      too_long: "over {most} characters"
      missing: "no {option}"
      too_many: "extra {value}"
      not_whole: "{option}: not whole: {value}"
      not_number: "{option}: not a number: {value}"
      not_yes_no: "{option}: not yes/no: {value}"
      not_duration: "{option}: not a duration: {value}"
      not_choice: "{option}: not in {choices}: {value}"
      no_member: "no member {value}"
      no_channel: "no channel {value}"
      out_of_range: "{option}: {value} not in {least}..{most}"
      option_too_long: "{option}: over {most}"
    rules_reload_failed_elsewhere: "Another community's file has errors."
    rules_reload_more: "{count} more: see {directory}"
    rules_reload_refused: "/{command} is for the rule book's own communities."
    rules_reload_too_soon: "Try again in {wait}."
    rules_reloaded_log: "The rules are fixed."
    rules_reloaded_warnings: "Reloaded with {count} warnings: {warnings}"
""" + platform_texts("en")

CORE_TEXTS_FR = """\
    help_header: "Commandes de {community} :"
    help_line: "/{command} : {description}"
    unknown_command: "Je ne connais pas /{command}."
    usage: "Usage : /{command} {usage} ({error})"
    not_allowed: "/{command} est réservée aux modérateurs."
    rules_reloaded: "Règles rechargées."
    rules_reload_failed: "Les règles n'ont pas été rechargées : {errors}"
    command_failed: "/{command} a échoué ; les modérateurs sont prévenus."
    data_file: "Ce qui est gardé sur {member} dans {community} au {date}."
    data_sent: "Envoyé en privé."
    data_not_sent: "Impossible de vous écrire en privé."
    data_start_first: "Démarrez d'abord une conversation avec moi : {link}"
    data_incomplete: "Incomplet : {failed}."
    member_data_sent: "Envoyé ce qui est gardé sur {member}."
    member_forgotten: "{member} oublié ({parts})."
    member_forgotten_log: "{moderator} a fait oublier {member} ({parts})."
    member_nothing_kept: "Rien sur {member}."
    member_forget_failed: "Échec pour {failed} ({member})."
    usage_errors:
      quote_open: "guillemet ouvert"
      too_long: "plus de {most} caractères"
      missing: "pas de {option}"
      too_many: "en trop : {value}"
      not_whole: "{option} : pas entier : {value}"
      not_number: "{option} : pas un nombre : {value}"
      not_yes_no: "{option} : ni oui ni non : {value}"
      not_duration: "{option} : pas une durée : {value}"
      not_choice: "{option} : pas dans {choices} : {value}"
      no_member: "pas de membre {value}"
      no_channel: "pas de salon {value}"
      out_of_range: "{option} : {value} hors de {least}..{most}"
      option_too_long: "{option} : plus de {most}"
    rules_reload_failed_elsewhere: "Le fichier d'une autre communauté a des erreurs."
    rules_reload_more: "{count} de plus : voir {directory}"
    rules_reload_refused: "/{command} est réservée aux communautés des règles."
    rules_reload_too_soon: "Réessayez dans {wait}."
    rules_reloaded_log: "Les règles sont corrigées."
    rules_reloaded_warnings: "Rechargées avec {count} avertissements : {warnings}"
""" + platform_texts("fr")

WELCOME_YAML = """\
max_mentions: 3
texts:
  en:
    greeting: "Welcome {member} to {community}!"
"""


class WelcomeTexts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    greeting: Annotated[str, Placeholders("member", "community")]


class WelcomeConfig(BaseModel):
    """A cog section that cannot be built without its file (its texts are required)."""

    model_config = ConfigDict(extra="forbid")

    max_mentions: int = 5
    texts: TextsByLocale[WelcomeTexts]


class NetiquetteConfig(BaseModel):
    """A cog section whose settings all have defaults."""

    model_config = ConfigDict(extra="forbid")

    strikes_before_mute: int = 3
    caps_ratio: float = 0.7


SECTION_MODELS: dict[str, type[BaseModel]] = {
    "welcome": WelcomeConfig,
    "netiquette": NetiquetteConfig,
}


class RuleDir:
    """A rule book directory under construction."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, name: str, text: str) -> Path:
        """Write ``text`` (dedented) to ``name``, relative to the rule book directory."""
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")
        return target

    def load(self) -> RuleBook:
        return load_rule_book(self.path, SECTION_MODELS)


@pytest.fixture
def community_yaml() -> str:
    """A valid community.yaml enabling the welcome cog, texts in English."""
    return COMMUNITY_YAML


@pytest.fixture
def welcome_yaml() -> str:
    """A valid welcome.yaml with English texts."""
    return WELCOME_YAML


@pytest.fixture
def core_texts_fr() -> str:
    """The French core texts, each line indented by four spaces (under ``texts:`` ``fr:``)."""
    return CORE_TEXTS_FR


@pytest.fixture
def section_models() -> dict[str, type[BaseModel]]:
    """The cog sections of the test rule books: welcome and netiquette."""
    return dict(SECTION_MODELS)


@pytest.fixture
def rules(tmp_path: Path) -> RuleDir:
    """An empty rule book directory."""
    directory = tmp_path / "rules"
    directory.mkdir()
    return RuleDir(directory)


@pytest.fixture
def valid_rules(rules: RuleDir) -> RuleDir:
    """A rule book that loads: community.yaml enabling welcome, and welcome.yaml."""
    rules.write("community.yaml", COMMUNITY_YAML)
    rules.write("welcome.yaml", WELCOME_YAML)
    return rules
