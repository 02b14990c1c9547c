"""A member named in a text is linked where the text names them, not on the same letters
inside another word."""

from __future__ import annotations

from bot.adapters.telegram.formatting import render_html
from bot.events import UserRef

AL = UserRef("telegram", "201", "Al")


def test_a_member_is_linked_where_the_text_names_them_not_inside_another_word() -> None:
    [text] = render_html("Alice says thanks to Al!", [AL])
    assert text == 'Alice says thanks to <a href="tg://user?id=201">Al</a>!'


def test_a_name_found_only_inside_a_word_is_still_linked_there() -> None:
    """With no whole-word match, the first match is linked, as before."""
    [text] = render_html("Alice says hi", [AL])
    assert text == '<a href="tg://user?id=201">Al</a>ice says hi'


def test_a_name_at_the_start_of_the_text_is_linked_there() -> None:
    [text] = render_html("Al, welcome! Alice too.", [AL])
    assert text == '<a href="tg://user?id=201">Al</a>, welcome! Alice too.'
