"""Texts with placeholders: checked when the rule book loads, filled when the bot speaks."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel, ValidationError

from bot.ruleconf import Placeholders, TextsByLocale, plain_name, render


class Greeting(BaseModel):
    text: Annotated[str, Placeholders("member", "community")]
    plain: Annotated[str, Placeholders()] = "Done."


def refusal(text: str) -> str:
    with pytest.raises(ValidationError) as caught:
        Greeting(text=text)
    (error,) = caught.value.errors()
    return str(error["msg"]).removeprefix("Value error, ")


def test_a_template_with_allowed_placeholders_is_accepted_and_rendered() -> None:
    greeting = Greeting(text="Welcome {member} to {community}! {{braces}} stay.")

    assert render(greeting.text, member="Ada", community="Les Jardiniers") == (
        "Welcome Ada to Les Jardiniers! {braces} stay."
    )


def test_render_converts_values_with_str() -> None:
    assert render("{count} strikes", count=3) == "3 strikes"


def test_render_needs_every_placeholder_filled() -> None:
    with pytest.raises(KeyError, match="member"):
        render("Hi {member}")


def test_render_never_reaches_into_values() -> None:
    with pytest.raises(ValueError, match="not a plain placeholder"):
        render("{member.__class__}", member="Ada")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Hi {user}", "unknown placeholder {user}; allowed: {member}, {community}"),
        (
            "Hi {member.name}",
            "placeholder {member.name} uses attribute or index access; "
            "write a plain placeholder: {member}, {community}",
        ),
        (
            "Hi {member[0]}",
            "placeholder {member[0]} uses attribute or index access; "
            "write a plain placeholder: {member}, {community}",
        ),
        ("Hi {0}", "placeholder {0} has no name; use one of: {member}, {community}"),
        ("Hi {}", "placeholder {} has no name; use one of: {member}, {community}"),
        ("Hi {member!r}", "placeholder {member!r} uses a conversion; write {member}"),
        (
            "Hi {member:>10}",
            "placeholder {member:>10} uses a format spec; write {member}, "
            "or plural forms such as {member:one=# item|other=# items}",
        ),
        (
            "{community:single=# one|other=# more}",
            "placeholder {community:…}: plural form 'single=# one' does not start with a "
            "category; write {count:one=# member|other=# members} "
            "(categories: zero, one, two, few, many, other)",
        ),
        (
            "{community:one=# garden}",
            "placeholder {community:…}: plural forms need an 'other' form; "
            "write {count:one=# member|other=# members}",
        ),
        (
            "{community:one=a|one=b|other=c}",
            "placeholder {community:…}: plural category 'one' is given twice",
        ),
        (
            "Hi {member",
            "expected '}' before end of string; write {{ and }} for a literal brace",
        ),
    ],
)
def test_a_template_refuses(text: str, message: str) -> None:
    assert refusal(text) == message


def test_a_text_without_placeholders_says_so() -> None:
    with pytest.raises(ValidationError) as caught:
        Greeting(text="Hi", plain="Reloaded {when}")

    assert caught.value.errors()[0]["msg"] == (
        "Value error, unknown placeholder {when}; allowed: none"
    )


class Counted(BaseModel):
    text: Annotated[str, Placeholders("count")]


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", ["0 members", "1 member", "2 members", "1.5 members"]),
        ("fr", ["0 membre", "1 membre", "2 membres", "1,5 membre"]),
    ],
)
def test_plural_forms_follow_the_language_of_the_text(locale: str, expected: list[str]) -> None:
    texts = TextsSection.model_validate(
        {"texts": {"en": {"text": EN_MEMBERS}, "fr": {"text": FR_MEMBERS}}}
    )
    template = texts.texts[locale].text
    assert [render(template, count=count) for count in (0, 1, 2, 1.5)] == expected


def test_languages_with_more_plural_categories_use_them() -> None:
    texts = TextsSection.model_validate(
        {"texts": {"ru": {"text": "{count:one=# книга|few=# книги|many=# книг|other=# книги}"}}}
    )
    assert [render(texts.texts["ru"].text, count=n) for n in (1, 3, 5, 21)] == [
        "1 книга",
        "3 книги",
        "5 книг",
        "21 книга",
    ]


def test_a_missing_category_a_strange_language_or_value_fall_back_to_other() -> None:
    texts = TextsSection.model_validate(
        {"texts": {"fr": {"text": "{count:other=# x}"}, "xx-YY": {"text": EN_MEMBERS}}}
    )
    assert render(texts.texts["fr"].text, count=1) == "1 x"
    assert render(texts.texts["xx-YY"].text, count=1) == "1 member"
    assert render(texts.texts["xx-YY"].text, count="many") == "many members"
    assert render(EN_MEMBERS, count=1) == "1 member"  # a plain string reads as English


EN_MEMBERS = "{count:one=# member|other=# members}"
FR_MEMBERS = "{count:one=# membre|other=# membres}"


class TextsSection(BaseModel):
    texts: TextsByLocale[Counted]


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("discord.gg/seeds", "discord.\u2060gg/seeds"),
        ("t.me/+seeds", "t.\u2060me/+seeds"),
        ("https://evil.example", "https:\u2060//evil.\u2060example"),
        ("J. Smith", "J. Smith"),
        ("Kévin v1.2", "Kévin v1.2"),
        ("alice", "alice"),
    ],
)
def test_a_name_that_looks_like_an_address_is_never_a_link(name: str, shown: str) -> None:
    assert plain_name(name) == shown


def test_the_authors_chat_tags_are_marked_a_members_are_not() -> None:
    # The adapter draws only the tags marked as the author's: a member named <#123> is not one.
    mark = "\u2060"
    text = "Welcome {member}! Read <#123>, ask <@&456> <:garden:789> <t:1700000000:R> /say <text>"
    assert render(text, member=plain_name("<#123> <:x:1>")) == (
        f"Welcome <#123> <:x:1>! Read <{mark}#123>, ask <{mark}@&456> <{mark}:garden:789>"
        f" <{mark}t:1700000000:R> /say <text>"
    )
    # A tag half written by the author, half by a member, is no author's tag.
    assert render("<{member}", member="#123>") == "<#123>"
    # Rendered again (a charter inside a prompt), the author's tags keep one mark.
    assert render("{charter}", charter=render("<#1>")) == f"<{mark}#1>"
