"""A rule book's warnings, like its errors, in English and in French: a French community's
moderators read them in French, ``jardinier check-rules`` and the log in English."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from bot.cli import app
from bot.cogloader import section_models
from bot.resources import shipped_rules_directory
from bot.ruleconf import RuleStore, RuleWarning, load_rule_book

SHIPPED = shipped_rules_directory()


def french_copy(tmp_path: Path) -> Path:
    """What ``jardinier init`` wrote for a French community some time ago."""
    book = tmp_path / "rules"
    shutil.copytree(SHIPPED, book)
    edit(book / "community.yaml", lambda data: data.update(locale="fr"))
    return book


def edit(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def without_french_usage_errors(data: dict[str, Any]) -> None:
    """community.yaml before ``usage_errors`` (13 texts) was added."""
    del data["texts"]["fr"]["usage_errors"]


def only_warning(warnings: tuple[RuleWarning, ...]) -> RuleWarning:
    assert len(warnings) == 1, [str(warning) for warning in warnings]
    return warnings[0]


def test_a_french_communitys_reload_warns_in_french(tmp_path: Path) -> None:
    book_dir = french_copy(tmp_path)
    store = RuleStore(book_dir, section_models(), shipped=SHIPPED)
    assert store.current.warnings == ()
    edit(book_dir / "community.yaml", without_french_usage_errors)

    book = store.reload()

    warning = only_warning(book.warnings)
    locale = book.community().locale
    assert locale == "fr"
    said = warning.text(locale, folder=book_dir)
    assert said.startswith(
        f"community.yaml:{warning.line}:{warning.column}: texts.fr: 13 textes manquent, ajoutés "
        "depuis l'écriture de ce fichier (usage_errors."
    ), said
    assert "et 7 autres)\u00a0; ceux des règles livrées avec Jardinier sont utilisés" in said
    assert said.endswith("copiez-les depuis leur community.yaml pour les réécrire"), said
    # Said in a chat: no path of the server's own.
    assert str(SHIPPED) not in said
    # A Canadian French community reads French too; the log's English names the shipped file.
    assert warning.text("fr-CA", folder=book_dir) == said
    assert "13 texts are missing" in str(warning)
    assert str(SHIPPED / "community.yaml") in str(warning)


def test_one_missing_text_is_warned_of_in_the_singular(tmp_path: Path) -> None:
    book_dir = french_copy(tmp_path)
    edit(book_dir / "community.yaml", lambda data: data["texts"]["fr"].pop("rules_reloaded"))

    book = load_rule_book(book_dir, section_models(), shipped=SHIPPED)

    warning = only_warning(book.warnings)
    assert warning.message_in("fr") == (
        "1 texte manque, ajouté depuis l'écriture de ce fichier (rules_reloaded)\u00a0; "
        "celui des règles livrées avec Jardinier est utilisé\u00a0: copiez-le depuis leur "
        "community.yaml pour le réécrire"
    )
    assert warning.message_in("en").startswith("1 text is missing")


def test_a_folder_beside_the_sections_is_warned_of_in_french(tmp_path: Path) -> None:
    book_dir = french_copy(tmp_path)
    (book_dir / "community").mkdir()
    (book_dir / "community" / "discord-42.yaml").write_text("community: {}\n", encoding="utf-8")

    book = load_rule_book(book_dir, section_models(), shipped=SHIPPED)

    warning = only_warning(book.warnings)
    assert warning.text("fr", folder=book_dir) == (
        "community: non lu\u00a0: les fichiers propres à une communauté vont dans "
        "communities/<plateforme>-<id>.yaml"
    )


def test_an_override_that_is_no_yaml_is_warned_of_in_french(tmp_path: Path) -> None:
    book_dir = french_copy(tmp_path)
    (book_dir / "communities").mkdir()
    (book_dir / "communities" / "discord-42.yml.txt").write_text("{}\n", encoding="utf-8")

    book = load_rule_book(book_dir, section_models(), shipped=SHIPPED)

    warning = only_warning(book.warnings)
    assert warning.text("fr", folder=book_dir) == (
        "communities/discord-42.yml.txt: non lu\u00a0: le nom d'un fichier propre à une "
        "communauté finit par .yaml ou .yml"
    )


def test_check_rules_warns_a_french_community_in_english(tmp_path: Path) -> None:
    book_dir = french_copy(tmp_path)
    edit(book_dir / "community.yaml", without_french_usage_errors)
    (book_dir / "community").mkdir()
    (book_dir / "community" / "discord-42.yaml").write_text("community: {}\n", encoding="utf-8")

    result = CliRunner().invoke(app, ["check-rules", str(book_dir)])

    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2, result.stderr
    assert warnings[0] == (
        f"warning: {book_dir / 'community'}: not read: overrides go in "
        "communities/<platform>-<id>.yaml"
    )
    assert "texts.fr: 13 texts are missing, added since this file was written" in warnings[1]
    assert "manquent" not in result.stderr
