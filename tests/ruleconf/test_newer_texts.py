"""A rule book copied before an upgrade lacks the texts the new version added: it still loads."""

from __future__ import annotations

import copy
import logging
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cogloader import section_models
from bot.core import Jardinier
from bot.resources import shipped_rules_directory
from bot.ruleconf import RuleBookError, load_rule_book

SHIPPED = shipped_rules_directory()


def copied_book(tmp_path: Path) -> Path:
    """What ``jardinier init`` wrote for a community, some time ago."""
    book = tmp_path / "rules"
    shutil.copytree(SHIPPED, book)
    return book


def edit(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def line_of(path: Path, text: str, after: str) -> int:
    """The 1-based line of the first line equal to ``text`` after the line equal to ``after``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index(after)
    return lines.index(text, start) + 1


def written_before_the_reasons(data: dict[str, Any]) -> None:
    """The netiquette file before its texts said why in French; one text rewritten."""
    del data["texts"]["fr"]["why"]
    del data["texts"]["en"]["why"]["caps_hit"]
    data["texts"]["fr"]["done"] = "Dossier {case} : {action} pour {member}, comme chez nous."


def test_missing_texts_are_read_from_the_shipped_book_and_named(tmp_path: Path) -> None:
    book_dir = copied_book(tmp_path)
    netiquette = book_dir / "netiquette.yaml"
    edit(netiquette, written_before_the_reasons)
    shipped = load_rule_book(SHIPPED, section_models()).section("netiquette").texts  # type: ignore[attr-defined]

    book = load_rule_book(book_dir, section_models(), shipped=SHIPPED)

    texts = book.section("netiquette").texts  # type: ignore[attr-defined]
    assert texts["fr"].why.caps_hit == shipped["fr"].why.caps_hit
    assert texts["fr"].why.word_hit == shipped["fr"].why.word_hit
    assert texts["en"].why.caps_hit == shipped["en"].why.caps_hit
    assert texts["fr"].done == "Dossier {case} : {action} pour {member}, comme chez nous."
    by_locale = {warning.key_path: warning for warning in book.warnings}
    assert set(by_locale) == {"texts.en", "texts.fr"}
    french = by_locale["texts.fr"]
    assert Path(french.file) == netiquette
    assert french.line == line_of(netiquette, "  fr:", after="texts:")
    assert "49 texts are missing" in french.message
    assert "why.reason" in french.message
    assert str(SHIPPED / "netiquette.yaml") in french.message
    english = str(by_locale["texts.en"])
    assert english.startswith(f"{netiquette}:")
    assert "1 text is missing" in english
    assert "(why.caps_hit)" in english


def test_without_the_shipped_book_every_text_is_required(tmp_path: Path) -> None:
    book_dir = copied_book(tmp_path)
    edit(book_dir / "netiquette.yaml", written_before_the_reasons)

    with pytest.raises(RuleBookError) as raised:
        load_rule_book(book_dir, section_models())

    assert "texts.fr.why: required key is missing" in str(raised.value)


def test_a_locale_the_shipped_book_lacks_is_not_filled(tmp_path: Path) -> None:
    book_dir = copied_book(tmp_path)

    def german_without_reasons(data: dict[str, Any]) -> None:
        german = copy.deepcopy(data["texts"]["en"])
        del german["why"]
        data["texts"]["de"] = german

    edit(book_dir / "netiquette.yaml", german_without_reasons)

    with pytest.raises(RuleBookError) as raised:
        load_rule_book(book_dir, section_models(), shipped=SHIPPED)

    assert "texts.de.why: required key is missing" in str(raised.value)


@pytest.mark.parametrize("written", ["pourquoi", None])
def test_a_text_written_wrongly_is_reported_not_replaced(
    tmp_path: Path, written: str | None
) -> None:
    book_dir = copied_book(tmp_path)
    edit(book_dir / "netiquette.yaml", lambda data: data["texts"]["fr"].update(why=written))

    with pytest.raises(RuleBookError) as raised:
        load_rule_book(book_dir, section_models(), shipped=SHIPPED)

    assert "texts.fr.why: Input should be a mapping" in str(raised.value)


def test_the_shipped_book_itself_has_nothing_to_fill() -> None:
    assert load_rule_book(SHIPPED, section_models(), shipped=SHIPPED).warnings == ()


def test_the_bot_starts_on_an_old_copy_and_logs_what_to_copy(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    book_dir = copied_book(tmp_path)
    community = book_dir / "community.yaml"
    edit(community, lambda data: data["texts"]["fr"].pop("usage_errors"))

    with caplog.at_level(logging.WARNING, logger="bot.core"):
        bot = Jardinier(rules_dir=book_dir, database_url="sqlite+aiosqlite://")

    assert bot.rules.current.community().texts["fr"].usage_errors.missing
    logged = [record.getMessage() for record in caplog.records]
    assert any(
        line.startswith(f"rule book: {community}:") and "13 texts are missing" in line
        for line in logged
    ), logged
