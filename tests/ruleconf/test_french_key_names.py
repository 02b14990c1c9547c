"""Key names in the rule book's French errors are quoted, as ``clé inconnue 'x'`` quotes them."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cogloader import section_models
from bot.resources import shipped_rules_directory
from bot.ruleconf import RuleBookError, load_rule_book

SHIPPED = shipped_rules_directory()


def edit(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


class TestKeyNamesInFrench:
    """The French errors quote a key they name in a sentence, as ``clé inconnue 'x'`` does."""

    def test_a_locale_without_texts(self, tmp_path: Path) -> None:
        book_dir = tmp_path / "rules"
        shutil.copytree(SHIPPED, book_dir)
        edit(book_dir / "community.yaml", lambda data: data.update(locale="de"))

        with pytest.raises(RuleBookError) as raised:
            load_rule_book(book_dir, section_models())

        french = {error.message_in("fr") for error in raised.value.errors}
        assert (
            "aucun texte pour la langue 'de'\u00a0; ajoutez 'texts.de' ou changez 'locale'"
            in french
        )
        assert (
            "aucun texte pour la langue 'de'\u00a0; ajoutez 'texts.de' ou changez 'locale' dans "
            "community.yaml"
        ) in french

    def test_an_override_locale_without_texts(self, tmp_path: Path) -> None:
        book_dir = tmp_path / "rules"
        shutil.copytree(SHIPPED, book_dir)
        (book_dir / "communities").mkdir()
        (book_dir / "communities" / "discord-42.yaml").write_text(
            "community:\n  locale: de\n", encoding="utf-8"
        )

        with pytest.raises(RuleBookError) as raised:
            load_rule_book(book_dir, section_models())

        french = {error.message_in("fr") for error in raised.value.errors}
        assert (
            "aucun texte community pour la langue 'de'\u00a0; ajoutez 'community.texts.de' ou "
            "changez 'locale'"
        ) in french

    def test_a_console_name_among_user_ids(self, tmp_path: Path) -> None:
        book_dir = tmp_path / "rules"
        shutil.copytree(SHIPPED, book_dir)
        edit(
            book_dir / "community.yaml",
            lambda data: data["moderators"].update(users=["alice"]),
        )

        with pytest.raises(RuleBookError) as raised:
            load_rule_book(book_dir, section_models())

        (error,) = raised.value.errors
        assert error.message_in("fr").endswith(
            "ou listez les membres de la console sous 'console.moderators'"
        )
