"""Loading a rule book directory: what a community manager sees when a file is right or wrong."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pytest
from pydantic import BaseModel, ConfigDict, field_validator

from bot.durations import Duration
from bot.errors import JardinierError
from bot.events import CommunityRef
from bot.ruleconf import CommunityConfig, RuleBookError, load_rule_book
from tests.ruleconf.test_shipped_french import typography_mistakes

if TYPE_CHECKING:
    from conftest import RuleDir

DISCORD_42 = CommunityRef(platform="discord", id="42", name="Les Jardiniers")


def error_lines(rules: RuleDir) -> list[str]:
    with pytest.raises(RuleBookError) as caught:
        rules.load()
    assert str(caught.value) == "\n".join(str(error) for error in caught.value.errors)
    return [str(error) for error in caught.value.errors]


def test_a_valid_rule_book_loads(valid_rules: RuleDir) -> None:
    book = valid_rules.load()

    community = book.community()
    assert isinstance(community, CommunityConfig)
    assert community.locale == "en"
    assert str(community.zone) == "Europe/Paris"
    assert community.cogs == ["welcome"]
    assert community.moderators.roles == ["Moderators"]
    assert community.channels.mod_log == "mod-log"
    assert community.console.moderators == ["mod"]
    assert community.texts["en"].rules_reloaded == "Rules reloaded."
    assert book.section("welcome").max_mentions == 3
    # No netiquette.yaml: its settings all have defaults.
    assert book.section("netiquette").strikes_before_mute == 3
    assert book.override_keys == frozenset()
    assert book.community(DISCORD_42) == community


def test_errors_are_jardinier_errors(rules: RuleDir) -> None:
    with pytest.raises(JardinierError):
        rules.load()


def test_a_missing_directory_says_so(
    tmp_path: Path, section_models: dict[str, type[BaseModel]]
) -> None:
    with pytest.raises(RuleBookError) as caught:
        load_rule_book(tmp_path / "nowhere", section_models)

    assert str(caught.value) == (
        f"{tmp_path / 'nowhere'}: no rule book here: not an existing directory "
        "(a rule book is a directory holding community.yaml)"
    )


def test_a_missing_community_file_is_an_error(rules: RuleDir) -> None:
    assert error_lines(rules) == [
        f"{rules.path}/community.yaml: missing: every rule book needs community.yaml, "
        "with at least the texts for its locale"
    ]


def test_a_value_of_the_wrong_type_names_file_line_column_and_key(
    valid_rules: RuleDir, community_yaml: str
) -> None:
    valid_rules.write("community.yaml", community_yaml.replace("locale: en", "locale: 5"))

    assert error_lines(valid_rules) == [
        f"{valid_rules.path}/community.yaml:1:1: locale: Input should be a valid string, got 5"
    ]


def test_a_scalar_where_a_list_belongs(valid_rules: RuleDir, community_yaml: str) -> None:
    valid_rules.write("community.yaml", community_yaml.replace("[welcome]", "notalist"))

    assert error_lines(valid_rules) == [
        f"{valid_rules.path}/community.yaml:3:1: cogs: "
        "Input should be a valid list, got 'notalist'"
    ]


def test_an_unquoted_placeholder_is_read_as_a_mapping_and_said_to_need_quotes(
    valid_rules: RuleDir, community_yaml: str
) -> None:
    valid_rules.write(
        "community.yaml",
        community_yaml.replace('help_line: "/{command}: {description}"', "help_line: {command}"),
    )

    assert error_lines(valid_rules) == [
        f"{valid_rules.path}/community.yaml:9:5: texts.en.help_line: Input should be a valid "
        "string, got a mapping; a text starting with { must be quoted: put the whole text in "
        "double quotes"
    ]


def test_a_text_where_a_number_belongs(valid_rules: RuleDir, welcome_yaml: str) -> None:
    valid_rules.write("welcome.yaml", welcome_yaml.replace("max_mentions: 3", "max_mentions: abc"))

    assert error_lines(valid_rules) == [
        f"{valid_rules.path}/welcome.yaml:1:1: max_mentions: "
        "Input should be a valid integer, got 'abc'"
    ]


def test_a_text_written_as_a_yaml_boolean_is_said_to_need_quotes(
    valid_rules: RuleDir, community_yaml: str
) -> None:
    # Norwegian: YAML 1.1 reads an unquoted no as false.
    valid_rules.write("community.yaml", community_yaml.replace("locale: en", "locale: no"))

    assert error_lines(valid_rules) == [
        f"{valid_rules.path}/community.yaml:1:1: locale: Input should be a valid string, got "
        "false; 'no' is read as a boolean; put it in quotes to use it as text"
    ]


def test_a_yaml_boolean_is_no_number_and_no_duration(
    valid_rules: RuleDir, welcome_yaml: str, section_models: dict[str, type[BaseModel]]
) -> None:
    class Windowed(BaseModel):
        strikes_before_mute: int = 3
        window: Duration = timedelta(days=1)

    # pydantic alone takes yes as 1, and as 1 second for a duration.
    valid_rules.write("welcome.yaml", welcome_yaml.replace("max_mentions: 3", "max_mentions: yes"))
    valid_rules.write("netiquette.yaml", "window: on\n")

    with pytest.raises(RuleBookError) as caught:
        load_rule_book(valid_rules.path, {**section_models, "netiquette": Windowed})

    assert [str(error) for error in caught.value.errors] == [
        f"{valid_rules.path}/netiquette.yaml:1:1: window: 'on' is read as a boolean, not a "
        "duration; write a duration",
        f"{valid_rules.path}/welcome.yaml:1:1: max_mentions: 'yes' is read as a boolean, not a "
        "number; write a number",
    ]


def test_an_unknown_key_suggests_the_close_one(valid_rules: RuleDir, community_yaml: str) -> None:
    valid_rules.write("community.yaml", community_yaml + "channels:\n  modlog: staff\n")

    line = community_yaml.count("\n") + 2  # the key under the appended "channels:"
    assert error_lines(valid_rules) == [
        f"{valid_rules.path}/community.yaml:{line}:3: channels.modlog: "
        "unknown key 'modlog'; did you mean 'mod_log'?"
    ]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        # A no-break space before the colon, as French is typed.
        ("locale\u00a0", "locale\\xa0: unknown key 'locale\\xa0'; remove the invisible "
         "character U+00A0 (no-break space) to make it 'locale'"),
        ("time\u200bzon", "time\\u200bzon: unknown key 'time\\u200bzon'; remove the invisible "
         "character U+200B (zero width space); did you mean 'timezone'?"),
    ],
)  # fmt: skip
def test_an_invisible_character_in_a_key_is_shown_and_named(
    valid_rules: RuleDir, community_yaml: str, key: str, expected: str
) -> None:
    valid_rules.write("community.yaml", community_yaml.replace("locale: en", f"{key}: en"))

    assert error_lines(valid_rules) == [f"{valid_rules.path}/community.yaml:1:1: {expected}"]


def test_an_unknown_key_with_nothing_close_lists_the_known_keys(
    valid_rules: RuleDir, welcome_yaml: str
) -> None:
    valid_rules.write("welcome.yaml", "colour: green\n" + welcome_yaml)

    assert error_lines(valid_rules) == [
        f"{valid_rules.path}/welcome.yaml:1:1: colour: "
        "unknown key 'colour'; known keys: max_mentions, texts"
    ]


def test_a_missing_text_points_at_its_locale(valid_rules: RuleDir, community_yaml: str) -> None:
    without = "\n".join(
        line for line in community_yaml.splitlines() if "command_failed" not in line
    )
    valid_rules.write("community.yaml", without + "\n")

    assert error_lines(valid_rules) == [
        f"{valid_rules.path}/community.yaml:7:3: texts.en.command_failed: required key is missing"
    ]


def test_broken_indentation_is_a_syntax_error_at_its_line(valid_rules: RuleDir) -> None:
    valid_rules.write(
        "welcome.yaml",
        """\
        max_mentions: 3
        texts:
          en:
           greeting: "Hello"
          fr: x
         de: y
        """,
    )

    assert error_lines(valid_rules) == [
        f"{valid_rules.path}/welcome.yaml:6:2: YAML syntax error: this line's indentation does "
        "not match the lines above it; indent keys of the same mapping by the same number of "
        "spaces"
    ]


def test_a_tab_is_a_syntax_error(valid_rules: RuleDir) -> None:
    valid_rules.write("welcome.yaml", "texts:\n\ten: {}\n")

    assert error_lines(valid_rules) == [
        f"{valid_rules.path}/welcome.yaml:2:1: YAML syntax error: found character '\\t' "
        "that cannot start any token; indent with spaces, not tabs"
    ]


def test_anchors_and_aliases_are_refused(valid_rules: RuleDir, community_yaml: str) -> None:
    valid_rules.write(
        "community.yaml",
        community_yaml.replace("roles: [Moderators]", "roles: &mods [Moderators]")
        + "console:\n  moderators: *mods\n",
    )

    refused = "anchors and aliases are not allowed in the rule book; write the value out"
    line = community_yaml.count("\n") + 2  # the alias under the appended "console:"
    assert error_lines(valid_rules) == [
        f"{valid_rules.path}/community.yaml:5:10: moderators.roles: {refused}",
        f"{valid_rules.path}/community.yaml:{line}:15: console.moderators: {refused}",
    ]


def test_a_duplicate_key_names_the_first(valid_rules: RuleDir, welcome_yaml: str) -> None:
    valid_rules.write("welcome.yaml", welcome_yaml + "max_mentions: 4\n")

    assert error_lines(valid_rules) == [
        f"{valid_rules.path}/welcome.yaml:5:1: max_mentions: "
        "duplicate key 'max_mentions' (first at line 1)"
    ]


def test_a_file_that_is_no_section(valid_rules: RuleDir) -> None:
    valid_rules.write("netiqette.yaml", "strikes_before_mute: 2\n")
    valid_rules.write("gardening.yml", "{}\n")
    valid_rules.write("README.md", "not a section, not read\n")

    assert error_lines(valid_rules) == [
        f"{valid_rules.path}/gardening.yml:1:1: no section named 'gardening'; "
        "known sections: community, netiquette, welcome",
        f"{valid_rules.path}/netiqette.yaml:1:1: no section named 'netiqette'; "
        "did you mean 'netiquette'?",
    ]


def test_an_unknown_cog_points_at_its_list_item(valid_rules: RuleDir, community_yaml: str) -> None:
    valid_rules.write(
        "community.yaml",
        community_yaml.replace("cogs: [welcome]", "cogs:\n  - welcome\n  - netiqete\n  - radio"),
    )

    assert error_lines(valid_rules) == [
        f"{valid_rules.path}/community.yaml:5:5: cogs[1]: unknown cog 'netiqete'; "
        "did you mean 'netiquette'?",
        f"{valid_rules.path}/community.yaml:6:5: cogs[2]: unknown cog 'radio'; "
        "known cogs: netiquette, welcome",
    ]


def test_an_enabled_cog_without_its_file(rules: RuleDir, community_yaml: str) -> None:
    rules.write("community.yaml", community_yaml.replace("[welcome]", "[netiquette, welcome]"))

    assert error_lines(rules) == [
        f"{rules.path}/community.yaml:3:20: cogs[1]: cog 'welcome' is enabled but the rule "
        "book has no welcome.yaml, and its settings have no defaults; create the file or remove "
        "the cog from this list"
    ]


def test_a_cog_listed_twice(valid_rules: RuleDir, community_yaml: str) -> None:
    valid_rules.write("community.yaml", community_yaml.replace("[welcome]", "[welcome, welcome]"))

    assert error_lines(valid_rules) == [
        f"{valid_rules.path}/community.yaml:3:1: cogs: "
        "cog 'welcome' is listed twice; list each cog once"
    ]


def test_an_unknown_time_zone_suggests_a_close_one(
    valid_rules: RuleDir, community_yaml: str
) -> None:
    valid_rules.write("community.yaml", community_yaml.replace("Europe/Paris", "Europe/Pariss"))

    assert error_lines(valid_rules) == [
        f"{valid_rules.path}/community.yaml:2:1: timezone: "
        "unknown time zone 'Europe/Pariss'; did you mean 'Europe/Paris'?"
    ]


@pytest.mark.parametrize(("region", "example"), [("Europe", "Europe/Paris"), ("Etc", "Etc/GMT")])
def test_a_region_is_not_a_time_zone(
    valid_rules: RuleDir, community_yaml: str, region: str, example: str
) -> None:
    # The time zone database keeps a region as a folder: opening it failed with an OSError.
    valid_rules.write("community.yaml", community_yaml.replace("Europe/Paris", region))

    assert error_lines(valid_rules) == [
        f"{valid_rules.path}/community.yaml:2:1: timezone: unknown time zone '{region}'; "
        f"'{region}' is a region; name a time zone in it, e.g. {example}"
    ]


def test_a_validator_that_breaks_is_reported_at_its_section_not_raised(
    valid_rules: RuleDir,
    section_models: dict[str, type[BaseModel]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Fragile(BaseModel):
        strikes_before_mute: int = 3

        @field_validator("strikes_before_mute")
        @classmethod
        def _overflows(cls, value: int) -> int:
            raise OverflowError("cannot convert float infinity to integer")

    valid_rules.write("netiquette.yaml", "strikes_before_mute: 4\n")

    with pytest.raises(RuleBookError) as caught:
        load_rule_book(valid_rules.path, {**section_models, "netiquette": Fragile})

    assert [str(error) for error in caught.value.errors] == [
        f"{valid_rules.path}/netiquette.yaml:1:1: this section could not be checked "
        "(OverflowError: cannot convert float infinity to integer); the bot's log has the "
        "details for Jardinier's developers; meanwhile look at what changed last in this section"
    ]
    assert "Traceback" in caplog.text
    assert "OverflowError" in caplog.text


def test_a_key_refused_as_a_locale_is_one_error_not_one_per_text(valid_rules: RuleDir) -> None:
    # The texts of a locale dedented by mistake: each becomes a locale of its own.
    valid_rules.write(
        "welcome.yaml",
        """\
        texts:
          en:
          greeting: "Welcome {member} to {community}!"
          farewell:
            said: "Bye"
        """,
    )

    assert error_lines(valid_rules) == [
        f"{valid_rules.path}/welcome.yaml:2:3: texts.en: "
        "Input should be a mapping of keys to values, got null",
        f"{valid_rules.path}/welcome.yaml:3:3: texts.greeting: "
        "'greeting' is not a locale; write a language code such as en, fr or fr-CA",
        f"{valid_rules.path}/welcome.yaml:4:3: texts.farewell: "
        "'farewell' is not a locale; write a language code such as en, fr or fr-CA",
    ]


def test_an_unknown_placeholder_in_a_text(valid_rules: RuleDir, welcome_yaml: str) -> None:
    valid_rules.write("welcome.yaml", welcome_yaml.replace("{member}", "{user}"))

    assert error_lines(valid_rules) == [
        f"{valid_rules.path}/welcome.yaml:4:5: texts.en.greeting: "
        "unknown placeholder {user}; allowed: {member}, {community}"
    ]


def test_a_malformed_locale_key(valid_rules: RuleDir, welcome_yaml: str) -> None:
    valid_rules.write("welcome.yaml", welcome_yaml + "  French:\n    greeting: Bienvenue\n")

    assert error_lines(valid_rules) == [
        f"{valid_rules.path}/welcome.yaml:5:3: texts.French: "
        "'French' is not a locale; write a language code such as en, fr or fr-CA"
    ]


def test_the_locale_must_have_core_texts(valid_rules: RuleDir, community_yaml: str) -> None:
    valid_rules.write("community.yaml", community_yaml.replace("locale: en", "locale: de"))

    assert error_lines(valid_rules) == [
        f"{valid_rules.path}/community.yaml:6:1: texts: "
        "no texts for locale 'de'; add texts.de or change locale",
        f"{valid_rules.path}/welcome.yaml:2:1: texts: "
        "no texts for locale 'de'; add texts.de or change locale in community.yaml",
    ]


def test_an_enabled_cog_must_have_texts_for_the_locale(
    valid_rules: RuleDir, community_yaml: str, core_texts_fr: str
) -> None:
    valid_rules.write(
        "community.yaml",
        community_yaml.replace("locale: en", "locale: fr") + "  fr:\n" + core_texts_fr,
    )

    assert error_lines(valid_rules) == [
        f"{valid_rules.path}/welcome.yaml:2:1: texts: "
        "no texts for locale 'fr'; add texts.fr or change locale in community.yaml"
    ]


def test_errors_in_several_files_are_all_reported_together(
    valid_rules: RuleDir, community_yaml: str, welcome_yaml: str
) -> None:
    valid_rules.write(
        "community.yaml",
        community_yaml.replace("locale: en", "locale: 5").replace("  roles:", "  role:"),
    )
    valid_rules.write("welcome.yaml", welcome_yaml.replace("max_mentions: 3", "max_mention: 3"))
    valid_rules.write("netiquette.yaml", "caps_ratio: [1\n")

    assert error_lines(valid_rules) == [
        f"{valid_rules.path}/community.yaml:1:1: locale: Input should be a valid string, got 5",
        f"{valid_rules.path}/community.yaml:5:3: moderators.role: "
        "unknown key 'role'; did you mean 'roles'?",
        f"{valid_rules.path}/netiquette.yaml:2:1: YAML syntax error: expected ',' or ']', "
        "but got '<stream end>' (while parsing a flow sequence that started at 1:13)",
        f"{valid_rules.path}/welcome.yaml:1:1: max_mention: "
        "unknown key 'max_mention'; did you mean 'max_mentions'?",
    ]


class TestOverrides:
    """``communities/<platform>-<id>.yaml`` laid over the defaults for one community."""

    def test_an_override_changes_one_community_only(
        self, valid_rules: RuleDir, core_texts_fr: str
    ) -> None:
        valid_rules.write(
            "communities/discord-42.yaml",
            "community:\n  locale: fr\n  texts:\n    fr:\n"
            + core_texts_fr.replace("    ", "      ")
            + "welcome:\n  texts:\n    fr:\n      greeting: Bienvenue {member} !\n",
        )

        book = valid_rules.load()

        assert book.override_keys == frozenset({"discord-42"})
        assert book.community(DISCORD_42).locale == "fr"
        # Deep merge: what the override does not set comes from the defaults.
        assert book.community(DISCORD_42).moderators.roles == ["Moderators"]
        assert set(book.community(DISCORD_42).texts) == {"en", "fr"}
        assert book.section("welcome", DISCORD_42).max_mentions == 3
        assert book.community().locale == "en"
        assert book.community(CommunityRef(platform="telegram", id="-100")).locale == "en"

    def test_an_override_locale_without_texts_is_reported_in_the_override(
        self, valid_rules: RuleDir
    ) -> None:
        valid_rules.write("communities/discord-42.yaml", "community:\n  locale: fr\n")

        override = f"{valid_rules.path}/communities/discord-42.yaml"
        assert error_lines(valid_rules) == [
            f"{override}:2:3: community.locale: "
            "no community texts for locale 'fr'; add community.texts.fr or change locale",
            f"{override}:2:3: community.locale: "
            "no welcome texts for locale 'fr'; add welcome.texts.fr or change locale",
        ]

    def test_a_wrong_value_in_an_override_names_the_override(self, valid_rules: RuleDir) -> None:
        valid_rules.write(
            "communities/telegram--100123.yaml",
            "# Les Jardiniers on Telegram\nwelcome:\n  max_mentions: lots\n",
        )

        assert error_lines(valid_rules) == [
            f"{valid_rules.path}/communities/telegram--100123.yaml:3:3: welcome.max_mentions: "
            "Input should be a valid integer, got 'lots'"
        ]

    def test_an_unknown_cog_enabled_by_an_override(self, valid_rules: RuleDir) -> None:
        valid_rules.write("communities/discord-42.yaml", "community:\n  cogs: [welcome, quiz]\n")

        assert error_lines(valid_rules) == [
            f"{valid_rules.path}/communities/discord-42.yaml:2:19: community.cogs[1]: "
            "unknown cog 'quiz'; known cogs: netiquette, welcome"
        ]

    def test_a_missing_community_file_is_not_blamed_on_an_override(
        self, valid_rules: RuleDir
    ) -> None:
        valid_rules.write("communities/console-console.yaml", "community:\n  locale: fr\n")
        (valid_rules.path / "community.yaml").unlink()

        assert error_lines(valid_rules) == [
            f"{valid_rules.path}/community.yaml: missing: every rule book needs community.yaml, "
            "with at least the texts for its locale"
        ]

    def test_an_override_of_an_unknown_section(self, valid_rules: RuleDir) -> None:
        valid_rules.write("communities/discord-42.yaml", "welcom:\n  max_mentions: 1\n")

        assert error_lines(valid_rules) == [
            f"{valid_rules.path}/communities/discord-42.yaml:1:1: welcom: "
            "no section named 'welcom'; did you mean 'welcome'?"
        ]

    def test_an_override_file_must_be_named_after_its_community(
        self, valid_rules: RuleDir
    ) -> None:
        valid_rules.write("communities/Les Jardiniers.yaml", "community: {}\n")

        assert error_lines(valid_rules) == [
            f"{valid_rules.path}/communities/Les Jardiniers.yaml:1:1: an override file is named "
            "after its community, <platform>-<id>.yaml (e.g. discord-123456789.yaml); "
            "rename this file"
        ]

    def test_one_override_file_per_community(self, valid_rules: RuleDir) -> None:
        valid_rules.write("communities/discord-42.yaml", "welcome: {max_mentions: 1}\n")
        valid_rules.write("communities/discord-42.yml", "welcome: {max_mentions: 2}\n")

        assert error_lines(valid_rules) == [
            f"{valid_rules.path}/communities/discord-42.yml:1:1: community 'discord-42' already "
            "has discord-42.yaml; keep one of the two files"
        ]

    def test_an_override_can_provide_a_section_without_a_default_file(
        self, rules: RuleDir, community_yaml: str
    ) -> None:
        rules.write("community.yaml", community_yaml.replace("[welcome]", "[]"))
        rules.write(
            "communities/discord-42.yaml",
            "community:\n  cogs: [welcome]\nwelcome:\n  texts:\n    en:\n      greeting: Hi\n",
        )

        book = rules.load()

        assert book.section("welcome", DISCORD_42).texts["en"].greeting == "Hi"
        with pytest.raises(KeyError):
            book.section("welcome")

    def test_an_override_of_an_unknown_platform_is_an_error(self, valid_rules: RuleDir) -> None:
        valid_rules.write("communities/discrod-123.yaml", "community: {}\n")
        valid_rules.write("communities/Discord-124.yaml", "community: {}\n")

        assert error_lines(valid_rules) == [
            f"{valid_rules.path}/communities/Discord-124.yaml:1:1: unknown platform 'Discord' "
            "(did you mean 'discord'?); an override file is named <platform>-<id>.yaml, the "
            "platform one of console, discord, replay, telegram",
            f"{valid_rules.path}/communities/discrod-123.yaml:1:1: unknown platform 'discrod' "
            "(did you mean 'discord'?); an override file is named <platform>-<id>.yaml, the "
            "platform one of console, discord, replay, telegram",
        ]

    def test_an_extension_in_capitals_is_still_yaml(self, valid_rules: RuleDir) -> None:
        path = valid_rules.write("communities/discord-42.YAML", "welcome: {max_mentions: 1}\n")

        book = valid_rules.load()

        assert book.section("welcome", DISCORD_42).max_mentions == 1
        assert dict(book.override_files) == {"discord-42": path}

    def test_files_and_folders_that_are_not_read_are_warned_about(
        self, valid_rules: RuleDir
    ) -> None:
        valid_rules.write("community/discord-42.yaml", "welcome: {max_mentions: 1}\n")
        valid_rules.write("communities/discord-43.yml.txt", "welcome: {max_mentions: 1}\n")

        book = valid_rules.load()

        assert book.override_keys == frozenset()
        assert [str(warning) for warning in book.warnings] == [
            f"{valid_rules.path}/community: not read: overrides go in "
            "communities/<platform>-<id>.yaml",
            f"{valid_rules.path}/communities/discord-43.yml.txt: not read: an override file's "
            "name ends in .yaml or .yml",
        ]

    def test_a_community_reads_only_its_own_override_errors(self, valid_rules: RuleDir) -> None:
        valid_rules.write("communities/discord-42.yaml", "welcome: {max_mentions: lots}\n")
        valid_rules.write("communities/discord-43.yaml", "welcome: {max_mentions: many}\n")
        valid_rules.write("welcome.yaml", "max_mentions: 3\ntexts: {en: {greeting: Hi}}\nx: 1\n")

        with pytest.raises(RuleBookError) as caught:
            valid_rules.load()

        shown = [str(error) for error in caught.value.concerning("discord-42")]
        assert [line.removeprefix(f"{valid_rules.path}/") for line in shown] == [
            "communities/discord-42.yaml:1:11: welcome.max_mentions: "
            "Input should be a valid integer, got 'lots'",
            "welcome.yaml:3:1: x: unknown key 'x'; known keys: max_mentions, texts",
        ]
        assert len(caught.value.concerning("telegram-5")) == 1


class TestModerators:
    """``moderators.users``: members are compared by id, so only ids may be listed."""

    def test_user_ids_are_numbers(self, valid_rules: RuleDir, community_yaml: str) -> None:
        valid_rules.write(
            "community.yaml",
            community_yaml.replace(
                "  roles: [Moderators]\n",
                "  roles: [Moderators]\n  users: [123456789012345678, '-1001', alice, '@bob']\n",
            ),
        )

        fix = (
            "is not a user id; write the member's numeric id (e.g. 123456789012345678), or list "
            "console members under console.moderators"
        )
        assert error_lines(valid_rules) == [
            f"{valid_rules.path}/community.yaml:6:40: moderators.users[2]: 'alice' {fix}",
            f"{valid_rules.path}/community.yaml:6:47: moderators.users[3]: '@bob' {fix}",
        ]

    def test_a_console_override_lists_console_names(self, valid_rules: RuleDir) -> None:
        valid_rules.write(
            "communities/console-console.yaml",
            "community:\n  moderators: {users: [alice, '42']}\n",
        )

        book = valid_rules.load()

        console = CommunityRef(platform="console", id="console")
        assert book.community(console).moderators.user_set == {"alice", "42"}


def test_the_commonest_mistakes_are_also_said_in_french(
    valid_rules: RuleDir,
    community_yaml: str,
    welcome_yaml: str,
    section_models: dict[str, type[BaseModel]],
) -> None:
    """A French community reads its mistakes in French (the log and check-rules keep English),
    at the same file:line:col, the file named from the rule book's folder in a chat."""

    class Windowed(BaseModel):
        model_config = ConfigDict(extra="forbid")

        strikes_before_mute: int = 3
        window: Duration = timedelta(days=1)
        cooldown: Duration = timedelta(minutes=1)
        action: Literal["warn", "timeout"] = "warn"

    valid_rules.write(
        "community.yaml",
        community_yaml.replace("timezone: Europe/Paris", "timezone: Europe/Pari")
        + "chanels:\n  mod_log: staff\n",
    )
    valid_rules.write("welcome.yaml", welcome_yaml.replace("{member}", "{membre}"))
    valid_rules.write(
        "netiquette.yaml",
        "strikes_before_mute: trois\nwindow: 3 jours\ncooldown: 10\naction: avertir\n"
        "max_strikes: 3\n",
    )

    with pytest.raises(RuleBookError) as caught:
        load_rule_book(valid_rules.path, {**section_models, "netiquette": Windowed})

    errors = caught.value.errors
    chanels = community_yaml.count("\n") + 1
    assert [error.text("fr", folder=valid_rules.path) for error in errors] == [
        "community.yaml:2:1: timezone: fuseau horaire inconnu 'Europe/Pari'\u00a0; vouliez-vous "
        "dire 'Europe/Paris'\u00a0?",
        f"community.yaml:{chanels}:1: chanels: clé inconnue 'chanels'\u00a0; vouliez-vous dire "
        "'channels'\u00a0?",
        "netiquette.yaml:1:1: strikes_before_mute: il faut un nombre entier, pas 'trois'",
        "netiquette.yaml:2:1: window: '3 jours' n'est pas une durée\u00a0; écrivez un nombre et "
        "une unité, par ex. 30s, 10m, 2h, 7j, 1w",
        "netiquette.yaml:3:1: cooldown: écrivez les durées avec une unité, par ex. 10s ou 10m",
        "netiquette.yaml:4:1: action: il faut 'warn' ou 'timeout', pas 'avertir'",
        "netiquette.yaml:5:1: max_strikes: clé inconnue 'max_strikes'\u00a0; clés "
        "possibles\u00a0: action, cooldown, strikes_before_mute, window",
        "welcome.yaml:4:5: texts.en.greeting: variable inconnue {membre}\u00a0; "
        "permises\u00a0: {member}, {community}",
    ]
    # The log, check-rules and any other language read them as they always did.
    assert [error.text("de") for error in errors] == [str(error) for error in errors]
    assert str(errors[0]) == (
        f"{valid_rules.path}/community.yaml:2:1: timezone: unknown time zone 'Europe/Pari'; did "
        "you mean 'Europe/Paris'?"
    )
    assert (
        errors[-1]
        .text("fr-CA")
        .endswith("variable inconnue {membre}\u00a0; permises\u00a0: {member}, {community}")
    )


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        # A no-break space before the colon, as French is typed: the user's is shown, the
        # message's own (before ; and ?) are French typography and stay.
        ("locale\u00a0: en", "community.yaml:1:1: locale\\xa0: clé inconnue 'locale\\xa0'\u00a0; "
         "supprimez le caractère invisible U+00A0 (no-break space) pour en faire 'locale'"),
        ("timezone: Europe/Paris\u00a0", "community.yaml:2:1: timezone: fuseau horaire inconnu "
         "'Europe/Paris\\xa0'\u00a0; vouliez-vous dire 'Europe/Paris'\u00a0?"),
        ("moderators\u200b:", "community.yaml:4:1: moderators\\u200b: clé inconnue "
         "'moderators\\u200b'\u00a0; supprimez le caractère invisible U+200B (zero width "
         "space) pour en faire 'moderators'"),
        ("cogs: [welcome, welcome\u200b]", "community.yaml:3:17: cogs[1]: cog inconnu "
         "'welcome\\u200b'\u00a0; supprimez le caractère invisible U+200B (zero width space) "
         "pour en faire 'welcome'"),
    ],
)  # fmt: skip
def test_a_french_message_shows_the_user_s_invisible_characters_and_keeps_its_own_spaces(
    valid_rules: RuleDir, community_yaml: str, written: str, expected: str
) -> None:
    key = written.split(":")[0].strip("\u00a0\u200b")
    lines = [
        written if line.startswith(f"{key}:") else line for line in community_yaml.split("\n")
    ]
    valid_rules.write("community.yaml", "\n".join(lines))

    with pytest.raises(RuleBookError) as caught:
        valid_rules.load()

    # The last: a cog name with a zero-width space is also refused as no cog name.
    error = caught.value.errors[-1]
    assert error.text("fr", folder=valid_rules.path) == expected


BROKEN_FILES: dict[str, str | bytes] = {
    "netiquette.yaml": "note: Attention: fragile\n",
    "garden.yaml": "a: 1\n",
    "welcome.yml": "max_mentions: 3\n",
    "communities/discord-1.yaml": "community:\n  locale:fr\n  timezone: Europe/Paris\n",
    "communities/discord-1.yml": "community: {}\n",
    "communities/discord-2.yaml": 'community:\n  locale: "fr\n',
    "communities/discord-3.yaml": "community:\n\tlocale: fr\n",
    "communities/discord-4.yaml": "community: &base {}\nwelcome: *base\n",
    "communities/discord-5.yaml": "community: !!python/object {}\n",
    "communities/discord-6.yaml": "community: {}\ncommunity: {}\n",
    "communities/discord-7.yaml": "yes: 1\n? [a]\n: 1\nwelcome: {max_mentions: !!int x}\n",
    "communities/discord-8.yaml": "- community\n",
    "communities/discord-9.yaml": "community: {}\n".encode("utf-16"),
    "communities/discord-10.yaml": b"community: {locale: \xff}\n",
    "communities/discord-11.yaml": "community: {locale: \x07}\n",
    "communities/discord-12.yaml": "community:\n  cogs: [welcome\n",
    "communities/discord-13.yaml": 'community:\n  locale: "f\\q"\n',
    "communities/discord-14.yaml": "community:\n  cogs: [welcome] netiquette\n",
    "communities/discord-15.yaml": "community:\n  timezone: 'l'Europe'\n",
    "communities/discord-16.yaml": "community:\n  locale: fr\n\u00a0 moderators:\n    roles: []\n",
    "communities/discord-17.yaml": "community: {}\n---\nwelcome: {}\n",
    "communities/discord-18.yaml": "community:\n  locale: @fr\n",
    "communities/discord-19.yaml": "community:\n  locale: fr\n- welcome\n",
    "communities/discord-20.yaml": "community:\n  locale: fr\n  time\n  zone: Europe/Paris\n",
    "communities/discord-21.yaml": "community: [" * 1000,
    "communities/discord-22.yaml": "community:\n    locale: fr\n  timezone: Europe/Paris\n",
    "communities/discord-23.yaml": "# " + "x" * 1024 * 1024 + "\n",
    "communities/guild-1.yaml": "community: {}\n",
    "communities/readme.yaml": "community: {}\n",
}
"""One file for each mistake the loader words, syntax errors included."""


def test_every_loader_error_is_said_in_french_with_french_typography(
    valid_rules: RuleDir, community_yaml: str, welcome_yaml: str
) -> None:
    valid_rules.write(
        "community.yaml",
        community_yaml.replace("timezone: Europe/Paris", "timezone: Europe")
        .replace("cogs: [welcome]", "cogs: [welcome, welcome, netiquete]")
        .replace("locale: en", "locale: en\nchanels: {}"),
    )
    valid_rules.write("welcome.yaml", welcome_yaml.replace("{member}", "{membre}"))
    for name, written in BROKEN_FILES.items():
        path = valid_rules.path / name
        path.parent.mkdir(exist_ok=True)
        if isinstance(written, bytes):
            path.write_bytes(written)
        else:
            path.write_text(written, encoding="utf-8")

    with pytest.raises(RuleBookError) as caught:
        valid_rules.load()

    errors = caught.value.errors
    # What follows file:line:col: and the key path, which read as code, not as French.
    said = [
        error.text("fr", folder=valid_rules.path).split(": ", 2 if error.key_path else 1)[-1]
        for error in errors
    ]
    assert len(errors) > len(BROKEN_FILES)
    assert [error.text() for error in errors if error.message_in("fr") == error.message] == []
    assert sum(text.startswith("erreur de syntaxe YAML\u00a0: ") for text in said) >= 14
    assert [(text, typography_mistakes(text)) for text in said if typography_mistakes(text)] == []


def test_a_duration_refused_for_another_reason_is_said_as_its_check_says(
    valid_rules: RuleDir, section_models: dict[str, type[BaseModel]]
) -> None:
    class Paced(BaseModel):
        every: Duration = timedelta(hours=1)

        @field_validator("every")
        @classmethod
        def _at_least_a_minute(cls, value: timedelta) -> timedelta:
            if value < timedelta(minutes=1):
                raise ValueError("every must be at least 1m")
            return value

    valid_rules.write("netiquette.yaml", "every: 10s\n")

    with pytest.raises(RuleBookError) as caught:
        load_rule_book(valid_rules.path, {**section_models, "netiquette": Paced})

    [error] = caught.value.errors
    assert error.text("fr") == str(error)
    assert error.message == "every must be at least 1m"
