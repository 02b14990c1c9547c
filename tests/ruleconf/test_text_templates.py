"""Texts with placeholders: checked when the rule book loads, filled when the bot speaks."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel, ValidationError

from bot.ruleconf import Placeholders, render


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
        ("Hi {member:>10}", "placeholder {member:>10} uses a format spec; write {member}"),
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
