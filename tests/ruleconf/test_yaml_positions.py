"""The position-keeping YAML loader: plain data, where each key was written, what it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.ruleconf import Position, RuleBookError, deep_merge, load_yaml
from bot.ruleconf.positioned import MAX_FILE_BYTES

ANCHORS_REFUSED = "anchors and aliases are not allowed in the rule book; write the value out"


def write(tmp_path: Path, text: str, name: str = "welcome.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_lines(path: Path) -> list[str]:
    with pytest.raises(RuleBookError) as caught:
        load_yaml(path)
    return [str(error) for error in caught.value.errors]


def test_plain_data_and_the_position_of_every_key_and_item(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "# Welcome\n"
        "delay: 10m\n"
        "start: 12:30\n"
        "channels:\n"
        "  - name: hello\n"
        "    quiet: yes\n"
        "  - 42\n"
        "empty:\n",
    )

    document = load_yaml(path)

    assert document.data == {
        "delay": "10m",
        # Not YAML 1.1's base-60 number 750: a time of day stays text.
        "start": "12:30",
        "channels": [{"name": "hello", "quiet": True}, 42],
        "empty": None,
    }
    assert document.file == path
    assert document.positions[("delay",)] == Position(path, 2, 1, ("delay",))
    assert document.positions[("channels", 0)] == Position(path, 5, 5, ("channels", 0))
    assert document.positions[("channels", 0, "quiet")] == Position(
        path, 6, 5, ("channels", 0, "quiet")
    )
    assert document.positions[("channels", 1)] == Position(path, 7, 5, ("channels", 1))


def test_position_of_a_missing_key_is_its_longest_existing_prefix(tmp_path: Path) -> None:
    document = load_yaml(write(tmp_path, "a: 1\nb:\n  c: 2\n"))

    assert document.position_of(("b", "c")).line == 3
    assert document.position_of(("b", "d", "e")) == Position(document.file, 2, 1, ("b",))
    assert document.position_of(("z",)) == Position(document.file, 1, 1)
    assert document.position_of(()) == Position(document.file, 1, 1)


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n"])
def test_an_empty_file_is_an_empty_mapping(tmp_path: Path, text: str) -> None:
    assert load_yaml(write(tmp_path, text)).data == {}


def test_the_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "- a\n- b\n")

    assert error_lines(path) == [
        f"{path}:1:1: the top level must be a mapping of keys to values, got a list"
    ]


def test_anchors_aliases_and_merge_keys_are_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "base: &base\n  max: 3\nfr:\n  <<: *base\nen: *base\ninline:\n  <<: {max: 4}\n",
    )

    assert error_lines(path) == [
        f"{path}:1:7: base: {ANCHORS_REFUSED}",
        f"{path}:4:7: fr: {ANCHORS_REFUSED}",
        f"{path}:5:5: en: {ANCHORS_REFUSED}",
        f"{path}:7:3: inline: {ANCHORS_REFUSED}",
    ]


def test_thousands_of_nested_brackets_are_an_error_not_a_crash(tmp_path: Path) -> None:
    path = write(tmp_path, "rules:\n  deep: " + "[" * 5_000 + "]" * 5_000 + "\n")

    (line,) = error_lines(path)
    assert line.startswith(f"{path}:2:")
    assert line.endswith(
        ": nested too deeply (hundreds of levels of lists or mappings); no rule needs that"
    )


def test_duplicate_keys_name_the_first(tmp_path: Path) -> None:
    path = write(tmp_path, "texts:\n  en: {}\n  fr: {}\n  en: {}\n")

    assert error_lines(path) == [f"{path}:4:3: texts.en: duplicate key 'en' (first at line 2)"]


def test_a_number_too_long_to_read_is_quoted_short(tmp_path: Path) -> None:
    # Python reads no more than 4,300 digits; the message used to repeat all 5,000.
    path = write(tmp_path, "purge_max: 1" + "0" * 5_000 + "\n")

    assert error_lines(path) == [
        f"{path}:1:12: purge_max: cannot read '1000000000000000000000000000000000000...' as a "
        "number"
    ]


def test_keys_must_be_text(tmp_path: Path) -> None:
    path = write(tmp_path, "on: true\n3: three\n'4': four\n? [a, b]\n: c\n")

    assert error_lines(path) == [
        f"{path}:1:1: the key 'on' is read as a boolean; put it in quotes to use it as text",
        f"{path}:2:1: the key '3' is read as a number; put it in quotes to use it as text",
        f"{path}:4:3: keys must be text, not a list or a mapping",
    ]


def test_only_standard_tags_are_allowed(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a: !!python/object/apply:os.system [ls]\nb: !custom x\nc: !!str 5\nd: !!int '6'\n",
    )

    assert error_lines(path) == [
        f"{path}:1:4: a: the tag !!python/object/apply:os.system is not allowed in the rule "
        "book; remove it",
        f"{path}:2:4: b: the tag !custom is not allowed in the rule book; remove it",
    ]
    assert load_yaml(write(tmp_path, "c: !!str 5\nd: !!int '6'\n")).data == {"c": "5", "d": 6}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a:\n  b: 1\n c: 2\n", "3:2: YAML syntax error: this line's indentation does not "
         "match the lines above it; indent keys of the same mapping by the same number of "
         "spaces"),
        ("a: 1\n\tb: 2\n", "2:1: YAML syntax error: found character '\\t' that cannot start "
         "any token; indent with spaces, not tabs"),
        ('a: "unclosed\nb: 2\n', "1:4: YAML syntax error: this quote is never closed; end "
         "the text with the same quote"),
        ("greeting: Hello: world\n", "1:16: YAML syntax error: a text holding ': ' must be "
         "quoted (YAML reads ': ' as the start of a value): put the whole text in double "
         "quotes"),
        ("a: 1\n---\nb: 2\n", "2:1: YAML syntax error: a second document starts here; a rule "
         "book file holds one document, so remove this '---' line"),
    ],
)  # fmt: skip
def test_syntax_errors_point_at_the_problem(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)

    assert error_lines(path) == [f"{path}:{expected}"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Indentation is fine in all of these: the advice used to be to indent differently.
        ("texts:\n  help_line: {command} — {description}\n  usage: x\n", "2:14: YAML syntax "
         "error: this text goes on after a closing bracket: a text starting with { or [ is "
         "read as a mapping or a list; put the whole text in double quotes, writing a double "
         'quote inside it as \\"'),
        ("texts:\n  not_allowed: 'Sorry, you can't use /{command}.'\n", "2:16: YAML syntax "
         "error: this text goes on after its closing quote; an apostrophe inside single "
         "quotes ends the text, so write it twice (can''t), or put the whole text in double "
         "quotes"),
        ('texts:\n  not_allowed: "Sorry", /{command} is for moderators.\n', "2:16: YAML "
         "syntax error: this text goes on after its closing quote; put the whole text in "
         'double quotes, writing a double quote inside it as \\"'),
        # The quote opens on line 2; PyYAML stops where the next quote closes it.
        ('texts:\n  help_header: "Commands in {community}:\n  help_line: "{command}"\n'
         "  usage: x\n", "2:16: YAML syntax error: this quote is not closed on its line, so "
         'the text runs on to line 3; close it at the end of the text (and write a " inside '
         'it as \\")'),
        ("a: b\n  c: d\n", "2:4: YAML syntax error: this key is read as the rest of the text "
         "on the line above (it is indented more than the key there); indent keys of the same "
         "mapping by the same number of spaces"),
        ("a: @here is for moderators\n", "1:4: YAML syntax error: a text starting with @ must "
         "be quoted: put the whole text in double quotes"),
    ],
)  # fmt: skip
def test_text_that_needs_quotes_says_so_where_the_value_starts(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path, text)

    assert error_lines(path) == [f"{path}:{expected}"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# language\nlocale:en\n# zone\ntimezone: UTC\n", "2:7: YAML syntax error: put a "
         "space after the colon of 'locale:' (YAML reads 'locale:…' with no space as one "
         "text, not a key and its value)"),
        ("channels:\n  mod_log:mod-log\n  rules: rules\n", "2:10: YAML syntax error: put a "
         "space after the colon of 'mod_log:' (YAML reads 'mod_log:…' with no space as one "
         "text, not a key and its value)"),
        ("locale: en\t# comment\n", "1:11: YAML syntax error: a tab here; replace it with "
         "spaces (a tab may only be inside quotes)"),
        ("roles: [\tModerators]\n", "1:9: YAML syntax error: a tab here; replace it with "
         "spaces (a tab may only be inside quotes)"),
        ("moderators:\n\u00a0 roles: [Moderators]\n  users: []\n", "2:1: YAML syntax error: "
         "line 2 starts with an invisible character; remove the invisible character U+00A0 "
         "(no-break space) and indent with plain spaces"),
    ],
)  # fmt: skip
def test_a_missing_space_a_tab_or_an_invisible_space_is_named(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path, text)

    assert error_lines(path) == [f"{path}:{expected}"]


def test_a_file_that_is_not_utf8_names_the_first_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "welcome.yaml"
    path.write_bytes("greeting: Bienvenue à vous\n".encode("latin-1"))

    assert error_lines(path) == [
        f"{path}:1:21: not UTF-8 text: the byte 0xe0 here is not UTF-8 (invalid continuation "
        "byte); save the file as UTF-8"
    ]
    # Columns count characters: the é before the bad byte is one, not two bytes.
    path.write_bytes(b"a: 1\n\nb: \xc3\xa9 \xe9t\xc3\xa9\n")
    assert error_lines(path)[0].startswith(f"{path}:3:6: not UTF-8 text: the byte 0xe9 here")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_a_file_saved_as_utf16_says_so(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "welcome.yaml"
    path.write_bytes("greeting: Bienvenue\n".encode(encoding))

    assert error_lines(path) == [f"{path}:1:1: this file is UTF-16; save it as UTF-8"]


def test_a_file_over_the_size_limit_is_refused_naming_the_file_and_the_limit(
    tmp_path: Path,
) -> None:
    # A log or an export saved as a rule file: tens of megabytes YAML would take a minute to read.
    path = write(tmp_path, "# padding\n" * (3 * 1024 * 1024 // 10), name="netiquette.yaml")
    with pytest.raises(RuleBookError) as caught:
        load_yaml(path)
    [error] = caught.value.errors
    assert str(error) == (
        f"{path}: this file is too large: 3 MB, over the 1 MB a rule book file may hold; a rule "
        "book needs far less, so check this is the right file, or shorten its lists"
    )
    assert error.text("fr", folder=tmp_path) == (
        "netiquette.yaml: ce fichier est trop volumineux\u00a0: 3\u00a0Mo, au-delà des "
        "1\u00a0Mo permis pour un fichier de règles\u00a0; des règles en demandent bien moins, "
        "vérifiez que c'est le bon fichier, ou raccourcissez ses listes"
    )
    # Up to the limit a file is read, however it is padded; a byte more is refused.
    path.write_bytes(b"greeting: hi\n" + b"#" * (MAX_FILE_BYTES - 14) + b"\n")
    assert load_yaml(path).data == {"greeting": "hi"}
    path.write_bytes(path.read_bytes() + b"\n")
    assert "too large: 1.1 MB, over the 1 MB" in error_lines(path)[0]


def test_deep_merge_merges_mappings_replaces_the_rest_and_keeps_positions(
    tmp_path: Path,
) -> None:
    base = load_yaml(
        write(
            tmp_path,
            "locale: en\nroles: [Mods, Admins]\ntexts:\n  en:\n    hi: Hello\n    bye: Bye\n",
            "community.yaml",
        )
    )
    override_file = load_yaml(
        write(
            tmp_path,
            "community:\n  roles: [Gardeners]\n  texts:\n    en:\n      hi: Howdy\n",
            "discord-42.yaml",
        )
    )

    merged = deep_merge(base, override_file.subtree("community"))

    assert merged.data == {
        "locale": "en",
        "roles": ["Gardeners"],
        "texts": {"en": {"hi": "Howdy", "bye": "Bye"}},
    }
    # Values from the override point into the override file, with its own key path.
    assert merged.position_of(("texts", "en", "hi")) == Position(
        override_file.file, 5, 7, ("community", "texts", "en", "hi")
    )
    assert merged.position_of(("roles", 0)).file == override_file.file
    assert ("roles", 1) not in merged.positions
    assert merged.position_of(("texts", "en", "bye")) == Position(
        base.file, 6, 5, ("texts", "en", "bye")
    )
    assert merged.position_of(("locale",)).file == base.file
    assert base.data["texts"]["en"]["hi"] == "Hello"
