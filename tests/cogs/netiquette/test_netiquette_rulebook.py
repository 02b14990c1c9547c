"""The netiquette section of the rule book: the shipped rules, the example rule, the errors."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cogloader import section_models
from bot.resources import shipped_rules_directory
from bot.ruleconf import RuleBookError, load_rule_book
from cogs.netiquette import regexes
from cogs.netiquette.cases import CaseRecord
from cogs.netiquette.config import NetiquetteConfig, StrikesConfig
from cogs.netiquette.strikes import active_points, step_reached
from cogs.netiquette.triggers import registry as trigger_registry
from tests.cogs.netiquette.conftest import ForumFactory
from tests.cogs.netiquette.forum import NO_INSULTS, write_locale, write_netiquette
from tests.ruleconf.test_shipped_french import typography_mistakes

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_the_shipped_rule_book_covers_the_usual_misconduct_in_both_languages() -> None:
    book = load_rule_book(shipped_rules_directory(), section_models())
    config = book.section("netiquette")
    assert isinstance(config, NetiquetteConfig)
    assert list(config.rules) == [
        "insults",
        "toxicity",
        "mass_mentions",
        "invite_links",
        "spam_and_flood",
        "excessive_caps",
    ]
    assert set(config.texts) == {"en", "fr"}
    for rule in config.rules.values():
        assert rule.charter is not None
        assert {"en", "fr"} <= set(rule.charter)
    assert [step.points for step in config.strikes.ladder] == [3, 6, 9]
    assert config.toxicity.model == "multilingual"


def test_the_example_rule_of_the_issue_loads(rules_dir: Path) -> None:
    write_netiquette(rules_dir, NO_INSULTS)
    config = load_rule_book(rules_dir, section_models()).section("netiquette")
    assert isinstance(config, NetiquetteConfig)
    rule = config.rules["no_insults"]
    assert [name for name, _ in rule.triggers_in_order()] == ["match_words"]
    assert [name for name, _ in rule.actions_in_order()] == ["delete", "warn"]


@pytest.mark.parametrize(
    ("rules", "key_path", "message"),
    [
        (
            {"r": {"triggers": [{"match_word": {"words": ["x"]}}]}},
            "rules.r.triggers[0].match_word",
            "unknown key 'match_word'; did you mean 'match_words'?",
        ),
        (
            {"r": {"triggers": [{"caps": {}, "mentions": {}}]}},
            "rules.r.triggers[0]",
            "write exactly one trigger per list item",
        ),
        (
            {"r": {"triggers": [{"caps": True}], "actions": {"timeout": {"duration": "90d"}}}},
            "rules.r.actions.timeout.duration",
            "a timeout lasts between 30s and 28d",
        ),
        (
            {"r": {"triggers": [{"caps": True}], "actions": {"reply": {"text": "{membre}"}}}},
            "rules.r.actions.reply.text",
            "unknown placeholder {membre}",
        ),
    ],
)
def test_mistakes_are_reported_where_they_are(
    rules_dir: Path, rules: dict[str, object], key_path: str, message: str
) -> None:
    write_netiquette(rules_dir, rules)
    with pytest.raises(RuleBookError) as caught:
        load_rule_book(rules_dir, section_models())
    errors = caught.value.errors
    assert any(
        error.file.name == "netiquette.yaml"
        and error.key_path.startswith(key_path)
        and message in error.message
        for error in errors
    ), errors


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("a)(", "pattern 'a)(' is refused by re2 (unexpected ): a)()"),
        (
            r"(a+)\1",
            r"pattern '(a+)\1' is refused by re2 (invalid escape sequence: \1); "
            "backreferences are not supported: rewrite it without them",
        ),
        (
            "(?<!mon )ami",
            "pattern '(?<!mon )ami' is refused by re2 (invalid perl operator: (?<!); "
            "lookarounds are not supported: rewrite it without them",
        ),
    ],
)
def test_a_refused_pattern_is_shown_as_written_with_advice_that_fits_it(
    rules_dir: Path, pattern: str, message: str
) -> None:
    write_netiquette(rules_dir, {"r": {"triggers": [{"match_regex": {"patterns": [pattern]}}]}})
    with pytest.raises(RuleBookError) as caught:
        load_rule_book(rules_dir, section_models())
    [error] = caught.value.errors
    assert error.key_path == "rules.r.triggers[0].match_regex.patterns[0]"
    assert error.message == message


@pytest.mark.parametrize(
    ("trigger", "threshold"),
    [("flood", {"messages": 3}), ("duplicates", {"count": 3}), ("join_raid", {"joins": 3})],
)
@pytest.mark.parametrize("within", ["0s", "61m", "2h"])
def test_a_window_the_bot_cannot_look_back_over_is_refused_where_it_is_written(
    rules_dir: Path, trigger: str, threshold: dict[str, int], within: str
) -> None:
    # Recent activity is kept for an hour: a longer window would never fill.
    write_netiquette(rules_dir, {"r": {"triggers": [{trigger: {**threshold, "within": within}}]}})
    with pytest.raises(RuleBookError) as caught:
        load_rule_book(rules_dir, section_models())
    [error] = caught.value.errors
    assert (error.file.name, error.line, error.column) == ("netiquette.yaml", 7, 9)
    assert error.key_path == f"rules.r.triggers[0].{trigger}.within"
    assert error.message == "write a duration between 1s and 1h"
    assert error.message_in("fr") == "écrivez une durée entre 1s et 1h"


async def test_a_french_mod_log_reads_a_window_too_long_in_french(
    open_forum: ForumFactory, rules_dir: Path
) -> None:
    write_locale(rules_dir, "fr")
    forum = await open_forum(NO_INSULTS)
    await forum.say("alice", "bonjour")
    write_netiquette(
        rules_dir, {"r": {"triggers": [{"flood": {"messages": 3, "within": "2h"}}]}, **NO_INSULTS}
    )
    assert await forum.core.reload_rules() is not None
    assert forum.modlog()[-1].endswith(
        "rules.r.triggers[0].flood.within: écrivez une durée entre 1s et 1h"
    )


CAPS_RULE = {"triggers": [{"caps": True}]}


@pytest.mark.parametrize(
    ("rules", "changes", "key_path", "french"),
    [
        (
            {"r": {**CAPS_RULE, "actions": {"timeout": {"duration": "90d"}}}},
            {},
            "rules.r.actions.timeout.duration",
            "une exclusion temporaire dure de 30s à 28j",
        ),
        (
            {"r": {**CAPS_RULE, "actions": {"ban": {"duration": "30s"}}}},
            {},
            "rules.r.actions.ban.duration",
            "un bannissement temporaire dure au moins 1m",
        ),
        (
            NO_INSULTS,
            {"strikes": {"ladder": [{"points": 3, "action": "timeout"}]}},
            "strikes.ladder[0]",
            "une étape timeout a besoin d'une durée (clé duration), par ex. 1h",
        ),
        (
            NO_INSULTS,
            {
                "strikes": {
                    "ladder": [{"points": 6, "action": "ban"}, {"points": 3, "action": "kick"}]
                }
            },
            "strikes.ladder",
            "rangez les étapes par points croissants, chaque nombre une seule fois",
        ),
        (
            NO_INSULTS,
            {"strikes": {"expiry": "0s"}},
            "strikes.expiry",
            "écrivez une durée positive, par ex. 7j",
        ),
        (
            {"r": {"triggers": [{"caps": True, "mentions": True}]}},
            {},
            "rules.r.triggers[0]",
            f"écrivez un seul déclencheur par élément de la liste (l'un de\u00a0: "
            f"{', '.join(trigger_registry())})\u00a0; ici\u00a0: caps, mentions",
        ),
        (
            {"r": {"triggers": [{"match_links": {"deny": ["localhost"]}}]}},
            {},
            "rules.r.triggers[0].match_links.deny[0]",
            "'localhost' n'est pas un nom de domaine\u00a0; écrivez par ex. example.com",
        ),
        (
            {"r": {"triggers": [{"match_words": {"words": ["idiot", "\u200b"]}}]}},
            {},
            "rules.r.triggers[0].match_words.words",
            "'\\u200b' n'a plus aucune lettre une fois normalisé\u00a0; retirez-le",
        ),
        (
            {"r": {"triggers": [{"match_regex": {"patterns": ["idiot", "(?<!mon )ami"]}}]}},
            {},
            "rules.r.triggers[0].match_regex.patterns[1]",
            "le motif '(?<!mon )ami' est refusé par re2 (opérateur Perl invalide\u00a0: "
            "`(?<!`)\u00a0; les assertions avant ou arrière (lookarounds) ne sont pas prises "
            "en charge\u00a0: réécrivez-le sans elles",
        ),
        (
            {"r": {"triggers": [{"match_regex": {"patterns": [r"(\w+) \1"]}}]}},
            {},
            "rules.r.triggers[0].match_regex.patterns[0]",
            "le motif '(\\w+) \\1' est refusé par re2 (séquence d'échappement invalide\u00a0: "
            "`\\1`)\u00a0; les références arrière ne sont pas prises en charge\u00a0: "
            "réécrivez-le sans elles",
        ),
        (
            {"r": {"triggers": [{"match_regex": {"patterns": ["(idiot|crétin"]}}]}},
            {},
            "rules.r.triggers[0].match_regex.patterns[0]",
            "le motif '(idiot|crétin' est refusé par re2 (parenthèse fermante manquante\u00a0: "
            "`(idiot|crétin`)",
        ),
    ],
)
async def test_a_french_mod_log_reads_the_netiquette_s_own_refusals_in_french(
    open_forum: ForumFactory,
    rules_dir: Path,
    rules: dict[str, object],
    changes: dict[str, object],
    key_path: str,
    french: str,
) -> None:
    # The checks each action, trigger and the strikes make themselves, not the loader's.
    write_locale(rules_dir, "fr")
    forum = await open_forum(NO_INSULTS)
    await forum.say("alice", "bonjour")
    write_netiquette(rules_dir, rules, **changes)
    assert await forum.core.reload_rules() is not None
    assert forum.modlog()[-1].endswith(f": {key_path}: {french}")
    assert typography_mistakes(french) == []


# re2's limit lowered to 1 MB for these tests: a list over it is built and refused at once, where
# one over 64 MB takes seconds (the shipped-size list of insults stays well under either).
SMALL_LIMIT = 1 << 20
SPAM = [f"buy cheap {first}{second} coins now" for first in "abcde" for second in "abcdefghij"]


def spam_rule(**match_words: object) -> dict[str, object]:
    return {"triggers": [{"match_words": match_words}], "actions": {"delete": True}}


@pytest.mark.parametrize(
    ("match_words", "key", "message"),
    [
        (
            {"words": SPAM},
            "words",
            "too many or too long words for one rule (re2's program is over 1 MB): "
            "split them into several rules",
        ),
        (
            {"words": ["coins"], "unless": SPAM},
            "unless",
            "too many or too long expressions (re2's program is over 1 MB): "
            "keep fewer, shorter ones",
        ),
    ],
)
def test_a_word_list_too_large_for_re2_is_refused_at_load_where_it_is_written(
    rules_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    match_words: dict[str, object],
    key: str,
    message: str,
) -> None:
    monkeypatch.setattr(regexes, "MAX_PROGRAM_MEMORY", SMALL_LIMIT)
    write_netiquette(rules_dir, {"spam": spam_rule(**match_words), **NO_INSULTS})
    with pytest.raises(RuleBookError) as caught:
        load_rule_book(rules_dir, section_models())
    [error] = caught.value.errors
    lines = (rules_dir / "netiquette.yaml").read_text(encoding="utf-8").splitlines()
    line = next(
        number
        for number, text in enumerate(lines, 1)
        if text.strip() == f"{key}:" and number > lines.index("  spam:")
    )
    assert (error.file.name, error.line, error.column) == (
        "netiquette.yaml",
        line,
        lines[line - 1].index(key) + 1,
    )
    assert error.key_path == f"rules.spam.triggers[0].match_words.{key}"
    assert error.message == message


def test_the_same_list_split_into_several_rules_loads(
    rules_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(regexes, "MAX_PROGRAM_MEMORY", SMALL_LIMIT)
    parts = {f"spam_{n}": spam_rule(words=SPAM[n::10]) for n in range(10)}
    write_netiquette(rules_dir, parts)
    config = load_rule_book(rules_dir, section_models()).section("netiquette")
    assert isinstance(config, NetiquetteConfig)
    assert len(config.rules) == 10


@pytest.mark.parametrize(
    ("patterns", "key_path", "message"),
    [
        (
            [r"\pL{300}"],
            "patterns[0]",
            r"pattern '\pL{300}' is refused by re2 (pattern too large - compile failed); its "
            "program would be over 1 MB: make it smaller (fewer or smaller repeats)",
        ),
        (
            [rf"x{n}\pL{{20}}" for n in range(10)],
            "patterns",
            "these patterns together are too large for one program (re2's program is over "
            "1 MB): split the list into several rules",
        ),
    ],
)
def test_patterns_too_large_for_re2_are_refused_with_what_to_do(
    rules_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    patterns: list[str],
    key_path: str,
    message: str,
) -> None:
    monkeypatch.setattr(regexes, "MAX_PROGRAM_MEMORY", SMALL_LIMIT)
    write_netiquette(rules_dir, {"r": {"triggers": [{"match_regex": {"patterns": patterns}}]}})
    with pytest.raises(RuleBookError) as caught:
        load_rule_book(rules_dir, section_models())
    [error] = caught.value.errors
    assert error.key_path == f"rules.r.triggers[0].match_regex.{key_path}"
    assert error.message == message


async def test_a_reload_refusing_a_word_list_too_large_keeps_every_rule_moderating(
    open_forum: ForumFactory, rules_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Such a list once passed the checks, then failed to compile on every message: neither it
    # nor the rules after it were checked anymore, and each message held the bot for seconds.
    monkeypatch.setattr(regexes, "MAX_PROGRAM_MEMORY", SMALL_LIMIT)
    forum = await open_forum(NO_INSULTS)
    forum.member("mod", moderator=True)
    write_netiquette(rules_dir, {"spam": spam_rule(words=SPAM), **NO_INSULTS})
    refused = await forum.core.reload_rules()
    assert "rules.spam.triggers[0].match_words.words: too many" in str(refused)
    message = await forum.say("alice", "you idiot")
    assert forum.deleted() == [message.id]


@pytest.mark.parametrize(
    ("trigger", "key_path", "english", "french"),
    [
        (
            {"match_words": {"words": SPAM}},
            "match_words.words",
            "too many or too long words for one rule (re2's program is over 1 MB): "
            "split them into several rules",
            "trop de mots, ou des mots trop longs, pour une seule règle (le programme de re2 "
            "dépasse 1\u00a0Mo)\u00a0: répartissez-les entre plusieurs règles",
        ),
        (
            {"match_words": {"words": ["coins"], "unless": SPAM}},
            "match_words.unless",
            "too many or too long expressions (re2's program is over 1 MB): "
            "keep fewer, shorter ones",
            "trop d'expressions, ou des expressions trop longues (le programme de re2 dépasse "
            "1\u00a0Mo)\u00a0: gardez-en moins, et plus courtes",
        ),
        (
            {"match_regex": {"patterns": [r"\pL{300}"]}},
            "match_regex.patterns[0]",
            r"pattern '\pL{300}' is refused by re2 (pattern too large - compile failed); its "
            "program would be over 1 MB: make it smaller (fewer or smaller repeats)",
            r"le motif '\pL{300}' est refusé par re2 (programme trop grand)"
            "\u00a0; son programme dépasserait 1\u00a0Mo\u00a0: réduisez-le (moins de "
            "répétitions, ou de plus petites)",
        ),
        (
            {"match_regex": {"patterns": [rf"x{n}\pL{{20}}" for n in range(10)]}},
            "match_regex.patterns",
            "these patterns together are too large for one program (re2's program is over "
            "1 MB): split the list into several rules",
            "ces motifs ensemble sont trop grands pour un seul programme (le programme de re2 "
            "dépasse 1\u00a0Mo)\u00a0: répartissez la liste entre plusieurs règles",
        ),
    ],
)
async def test_a_french_mod_log_reads_a_list_too_large_for_re2_in_french(
    open_forum: ForumFactory,
    rules_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    trigger: dict[str, object],
    key_path: str,
    english: str,
    french: str,
) -> None:
    monkeypatch.setattr(regexes, "MAX_PROGRAM_MEMORY", SMALL_LIMIT)
    write_locale(rules_dir, "fr")
    forum = await open_forum(NO_INSULTS)
    await forum.say("alice", "bonjour")
    write_netiquette(rules_dir, {"spam": {"triggers": [trigger]}, **NO_INSULTS})
    refused = await forum.core.reload_rules()
    assert refused is not None
    # The log and check-rules keep English; the community reads its own language.
    [error] = refused.errors
    assert error.message == english
    assert forum.modlog()[-1].endswith(f": rules.spam.triggers[0].{key_path}: {french}")
    assert typography_mistakes(french) == []


async def test_a_rule_file_too_large_to_read_is_refused_in_the_community_s_language(
    open_forum: ForumFactory, rules_dir: Path
) -> None:
    # Tens of megabytes of YAML would hold the bot for a minute: the file is not even read.
    write_locale(rules_dir, "fr")
    forum = await open_forum(NO_INSULTS)
    await forum.say("alice", "bonjour")
    netiquette = rules_dir / "netiquette.yaml"
    kept = netiquette.read_text(encoding="utf-8")
    pasted = "".join(f"#   - mot{number:07d}\n" for number in range(300_000))
    netiquette.write_text(f"{kept}\n{pasted}", encoding="utf-8")
    assert await forum.core.reload_rules() is not None  # a file change, or SIGHUP
    assert forum.modlog()[-1].endswith(
        "netiquette.yaml: ce fichier est trop volumineux\u00a0: 4,9\u00a0Mo, au-delà des "
        "1\u00a0Mo permis pour un fichier de règles\u00a0; des règles en demandent bien moins, "
        "vérifiez que c'est le bon fichier, ou raccourcissez ses listes"
    )
    message = await forum.say("alice", "espèce de crétin")
    assert forum.deleted() == [message.id]


def case(number: int, points: int, age: timedelta, *, pardoned: bool = False) -> CaseRecord:
    return CaseRecord(
        id=number,
        community_id=1,
        user_id="u",
        user_name="u",
        action="warn",
        moderator_id=None,
        moderator_name="",
        rule="r",
        reason="",
        matched="",
        excerpt="",
        points=points,
        created_at=NOW - age,
        expires_at=None,
        lifted_at=None,
        pardoned_at=NOW if pardoned else None,
        pardoned_by=None,
    )


def test_points_expire_or_halve_with_time() -> None:
    cases = [
        case(1, 2, timedelta(days=40)),
        case(2, 1, timedelta(days=7)),
        case(3, 4, timedelta(0), pardoned=True),
    ]
    expiry = StrikesConfig(decay="expiry", expiry=timedelta(days=30))
    assert active_points(cases, NOW, expiry) == 1
    halving = StrikesConfig(decay="half_life", half_life=timedelta(days=7))
    assert active_points(cases, NOW, halving) == pytest.approx(2 * 0.5 ** (40 / 7) + 0.5)


def test_the_highest_step_reached_applies_once() -> None:
    config = StrikesConfig.model_validate(
        {
            "ladder": [
                {"points": 3, "within": "7d", "action": "timeout", "duration": "1h"},
                {"points": 6, "within": "7d", "action": "timeout", "duration": "1d"},
                {"points": 9, "within": "30d", "action": "ban"},
            ]
        }
    )
    earlier = [case(1, 1, timedelta(days=1)), case(2, 1, timedelta(days=2))]
    reached = step_reached(earlier, case(3, 1, timedelta(0)), NOW, config)
    assert reached is not None
    assert reached[0].duration == timedelta(hours=1)
    # Already above 3: a fourth point reaches nothing new.
    assert (
        step_reached([*earlier, case(3, 1, timedelta(0))], case(4, 1, timedelta(0)), NOW, config)
        is None
    )
    # A big jump reaches the highest step it crosses.
    jump = step_reached(earlier, case(5, 8, timedelta(0)), NOW, config)
    assert jump is not None
    assert jump[0].action == "ban"


def test_a_book_copied_before_not_banned_keeps_its_own_not_timed_out(tmp_path: Path) -> None:
    # not_timed_out was shipped, then retired (optional and unused), and is now used again.
    rules = tmp_path / "rules"
    shutil.copytree(shipped_rules_directory(), rules)
    section = rules / "netiquette.yaml"
    text = section.read_text(encoding="utf-8")
    text = text.replace(
        '    not_timed_out: "{member} has no timeout: there is nothing to lift."\n',
        '    not_timed_out: "{member} is not silenced."\n',
    ).replace('    not_banned: "{member} is not banned: there is nothing to lift."\n', "")
    assert "not_banned" not in text.split("\n  fr:")[0]
    section.write_text(text, encoding="utf-8")
    book = load_rule_book(rules, section_models(), shipped=shipped_rules_directory())
    config = book.section("netiquette")
    assert isinstance(config, NetiquetteConfig)
    assert config.texts["en"].not_timed_out == "{member} is not silenced."
    assert config.texts["en"].not_banned == "{member} is not banned: there is nothing to lift."
    [warning] = book.warnings
    assert "1 text is missing" in str(warning)
    assert "not_banned" in str(warning)
