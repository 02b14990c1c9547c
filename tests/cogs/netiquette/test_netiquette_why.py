"""Why a rule fired or did not, as moderators read it: in the community's language."""

from __future__ import annotations

import ast
import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cogloader import section_models
from bot.durations import SpokenDuration
from bot.resources import shipped_rules_directory
from bot.ruleconf import load_rule_book
from bot.ruleconf.numbers import Percent
from bot.ruleconf.templates import render
from cogs.netiquette.actions import registry as action_registry
from cogs.netiquette.config import NetiquetteConfig, NetiquetteTexts, WhyTexts
from cogs.netiquette.why import Reason, Scores, Why, explain, written
from tests.cogs.netiquette.conftest import ForumFactory
from tests.cogs.netiquette.forum import RULES_TO_TEST, write_locale

NETIQUETTE = Path(__file__).resolve().parents[3] / "cogs" / "netiquette"

RULES = {
    **RULES_TO_TEST,
    "spam": {
        "triggers": [{"flood": {"messages": 4, "within": "10s"}}, {"match_invites": {}}],
        "actions": {"delete": True},
    },
}


def shipped_texts(locale: str) -> NetiquetteTexts:
    config = load_rule_book(shipped_rules_directory(), section_models()).section("netiquette")
    assert isinstance(config, NetiquetteConfig)
    return config.texts[locale]


def shipped_why(locale: str) -> WhyTexts:
    return shipped_texts(locale).why


async def test_rules_test_explains_in_french(open_forum: ForumFactory, rules_dir: Path) -> None:
    write_locale(rules_dir, "fr")
    forum = await open_forum(RULES)
    forum.member("mod", moderator=True)
    await forum.run("mod", "/rules_test un classique")
    assert forum.platform.last_text().splitlines() == [
        "Règles pour «\u00a0un classique\u00a0»\u00a0:",
        "▫️ no_insults ne se déclenche pas\u00a0: match_words\u00a0: aucun mot de la liste",
        "▫️ shouting ne se déclenche pas\u00a0: caps\u00a0: 0\u00a0% de majuscules, sous les"
        " 70\u00a0%",
        "▫️ elsewhere ne se déclenche pas\u00a0: hors de ses salons",
        "▫️ trial ne se déclenche pas\u00a0: match_words\u00a0: aucun mot de la liste",
        "▫️ spam ne se déclenche pas\u00a0: flood\u00a0: 1 message en 10\u00a0secondes, moins"
        " de 4\u00a0; match_invites\u00a0: pas d'invitation",
    ]
    await forum.run("mod", "/rules_test QUEL IDIOT")
    assert forum.platform.last_text().splitlines()[1:3] == [
        "✅ no_insults se déclenche (match_words\u00a0: mot «\u00a0idiot\u00a0») → suppression,"
        " avertissement",
        "▫️ shouting ne se déclenche pas\u00a0: non vérifiée\u00a0: no_insults s'est déclenchée"
        " avant",
    ]


async def test_cases_and_the_modlog_say_what_matched_in_french(
    open_forum: ForumFactory, rules_dir: Path
) -> None:
    write_locale(rules_dir, "fr")
    forum = await open_forum(RULES)
    forum.member("mod", moderator=True)
    await forum.say("bob", "rejoignez discord.gg/ailleurs")
    [line] = forum.modlog()
    assert line.startswith(
        "🛡️ Dossier 1 · règle spam · bob · suppression · match_invites\u00a0: invitation Discord"
        " ailleurs"
    )
    await forum.run("mod", "/case 1")
    detail = forum.platform.last_text()
    assert detail.startswith("Dossier 1\u00a0: suppression pour bob")
    assert "Détecté\u00a0: match_invites\u00a0: invitation Discord ailleurs" in detail
    await forum.run("mod", "/timeout bob 10m")
    assert forum.platform.last_text() == "Dossier 2\u00a0: exclusion temporaire pour bob."
    await forum.run("mod", "/points bob")
    assert "→ exclusion temporaire" in forum.platform.last_text()
    assert "→ timeout" not in forum.platform.last_text()
    await forum.say("alice", "bonjour à tous")
    await forum.run("mod", "/purge 1")
    assert forum.modlog()[-1].startswith("🛡️ Dossier — · purge 1 · ")


def test_every_action_has_a_name_in_each_shipped_locale() -> None:
    manual = {"untimeout", "unban", "note", "purge"}
    for locale in ("en", "fr"):
        names = shipped_texts(locale).action_names
        assert set(type(names).model_fields) == set(action_registry()) | manual
        assert names.text("delete, reply") == f"{names.delete}, {names.reply}"
        assert names.text("purge 12") == f"{names.purge} 12"
        assert names.text("restrict") == "restrict"  # an action this version does not know


async def test_counts_take_the_singular_when_there_is_one(open_forum: ForumFactory) -> None:
    forum = await open_forum(RULES)
    forum.member("mod", moderator=True)
    await forum.say("bob", "hello")
    await forum.run("mod", "/rules_test hello")
    spam = forum.platform.last_text().splitlines()[-1]
    assert spam == (
        "▫️ spam does not fire: flood: 1 message within 10 seconds, under 4;"
        " match_invites: no invitation"
    )


@pytest.mark.parametrize(
    ("why", "english", "french"),
    [
        (Why("caps_hit", {"share": Percent(0.8)}), "80% capitals", "80\u00a0% de majuscules"),
        (
            Why("toxicity_miss", {"scores": Scores((("insult", 0.5), ("threat", 0.125)))}),
            "scores under the thresholds (insult 0.5, threat 0.12)",
            "scores sous les seuils (insult 0,5, threat 0,12)",
        ),
        (Why("toxicity_hit", {"label": "insult", "score": 0.93}), "insult 0.93", "insult 0,93"),
        (
            Why("duplicates_hit", {"count": 3, "within": SpokenDuration(timedelta(days=7))}),
            "3 identical messages within 1 week",
            "3 messages identiques en 1\u00a0semaine",
        ),
        (Why("cooldown_member"), "on cooldown for this member", "en pause pour ce membre"),
    ],
)
def test_numbers_are_written_the_locale_s_way(why: Why, english: str, french: str) -> None:
    assert written(why, shipped_why("en")) == english
    assert written(why, shipped_why("fr")) == french


def test_several_reasons_are_joined_as_the_language_punctuates() -> None:
    within = SpokenDuration(timedelta(seconds=10))
    reasons = (Reason("flood", Why("flood_miss", {"count": 2, "within": within, "least": 4})),)
    reasons += (Reason("match_invites", Why("invites_none")),)
    assert explain(reasons, shipped_why("fr")) == (
        "flood\u00a0: 2 messages en 10\u00a0secondes, moins de 4\u00a0; match_invites\u00a0: pas"
        " d'invitation"
    )


def test_a_reason_without_a_text_is_written_by_its_name(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        assert written(Why("no_such_reason", {"x": 1}), shipped_why("en")) == "no_such_reason"
    assert "no text 'no_such_reason' in WhyTexts" in caplog.text


def _reason_keys() -> set[str]:
    """Every ``why`` text the netiquette's code names: hit/miss/_because/Why("…") calls."""
    keys: set[str] = set()
    for path in NETIQUETTE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            index = {"hit": 0, "miss": 0, "Why": 0, "_because": 1}.get(name)
            if index is None or len(node.args) <= index:
                continue
            argument = node.args[index]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                keys.add(argument.value)
            elif isinstance(argument, ast.IfExp):
                keys |= {
                    branch.value
                    for branch in (argument.body, argument.orelse)
                    if isinstance(branch, ast.Constant) and isinstance(branch.value, str)
                }
    return keys


def test_every_reason_the_code_gives_has_a_text_in_the_shipped_languages() -> None:
    keys = _reason_keys()
    # The engine's reasons chosen by name: a channel filter's, a kind's, a cooldown scope's.
    keys |= {"not_in_channels", "channel_excluded"}
    keys |= {f"ignores_{kind}" for kind in ("message", "edit", "join")}
    keys |= {f"cooldown_{scope}" for scope in ("member", "community")}
    assert {"word_hit", "caps_miss", "not_checked", "links_none_forbidden"} <= keys
    assert keys <= set(WhyTexts.model_fields)


def test_a_ladder_step_gives_its_reason_in_the_community_language() -> None:
    assert render(shipped_texts("fr").ladder_reason, points=2.5, within="30 jours") == (
        "2,5 points de sanction en 30 jours"
    )
    assert render(shipped_texts("en").ladder_reason, points=1.0, within="1 week") == (
        "1 strike point within 1 week"
    )
