"""Outgoing text: escaped HTML, nobody pinged unless named, long texts split, keyboards."""

from __future__ import annotations

import time

import pytest

from bot.adapters.telegram.formatting import (
    MAX_TEXT,
    WORD_JOINER,
    keyboard,
    render_html,
)
from bot.events import UserRef
from bot.ruleconf.plaintext import plain_name
from bot.utf16 import utf16_length


def test_member_supplied_html_is_escaped_not_rendered() -> None:
    assert render_html("Welcome <b>x</b> & <a href='y'>z</a>!") == [
        "Welcome &lt;b&gt;x&lt;/b&gt; &amp; &lt;a href='y'&gt;z&lt;/a&gt;!"
    ]


def test_at_words_ping_nobody_but_read_the_same() -> None:
    [text] = render_html("Welcome @everyone and @alice, mail me at a@b.org")
    assert "@everyone" not in text
    assert f"@{WORD_JOINER}everyone" in text
    assert f"@{WORD_JOINER}alice" in text
    assert text.replace(WORD_JOINER, "") == "Welcome @everyone and @alice, mail me at a@b.org"


def test_an_at_inside_a_link_or_an_e_mail_address_is_left_alone() -> None:
    """A word joiner there would end the link at the ``@``: the address must still work."""
    text = (
        "Follow https://mastodon.social/@jardin?from=@news, write to contact.jardin@example.org, "
        "and ask @alice"
    )
    [html_text] = render_html(text)
    assert "https://mastodon.social/@jardin?from=@news," in html_text
    assert "contact.jardin@example.org" in html_text
    assert f"@{WORD_JOINER}alice" in html_text
    # Whatever is no link keeps its joiner: "https://@alice" or "x.@alice.org" would ping.
    for pinging in ("https://@alice", "x.@alice.org", "see /@alice"):
        assert f"@{WORD_JOINER}alice" in render_html(pinging)[0], pinging


def test_a_long_text_with_an_at_is_rendered_at_once() -> None:
    """Looking for addresses took seconds on a long word in a text with an ``@`` (20,000
    characters: 7 s, during which the bot did nothing else); an address in it still works."""
    for text in ("a" * 20_000 + " @alice", "@alice " + "a." * 10_000, "x@" + "b" * 20_000):
        began = time.perf_counter()
        render_html(text, limit=100_000)
        assert time.perf_counter() - began < 1.0, text[:12]
    [html_text] = render_html("w" * 5_000 + " contact.jardin@example.org @alice", limit=100_000)
    assert html_text.endswith(f" contact.jardin@example.org @{WORD_JOINER}alice")


def test_a_member_is_mentioned_by_the_name_cogs_write_or_in_front() -> None:
    """Cogs write names cleaned (bounded, no hidden characters, never a link): the member the
    bot means to ping is found by that name too, and named in front when not found at all."""
    long = UserRef("telegram", "201", "Alice " + "x" * 80)
    written = plain_name(long.name)
    [text] = render_html(f"Welcome {written}!", [long])
    assert text == f'Welcome <a href="tg://user?id=201">{written}</a>!'
    dotted = UserRef("telegram", "202", "seeds.shop​")
    [text] = render_html(f"Bravo {plain_name(dotted.name)}.", [dotted])
    assert text.startswith('Bravo <a href="tg://user?id=202">seeds.')
    [text] = render_html("Your entry is in.", [UserRef("telegram", "203", "Chloé")])
    assert text == '<a href="tg://user?id=203">Chloé</a> Your entry is in.'


def test_only_the_users_a_cog_names_are_mentioned() -> None:
    alice = UserRef("telegram", "201", "Alice <3")
    [text] = render_html("Bravo Alice <3, and Bob too", [alice])
    assert text == 'Bravo <a href="tg://user?id=201">Alice &lt;3</a>, and Bob too'
    # A name that is not in the text, or an id that is not Telegram's, mentions nobody.
    assert render_html("hi", [UserRef("telegram", "x", "hi")]) == ["hi"]


def test_long_texts_are_split_between_lines_within_telegrams_limit() -> None:
    lines = [f"line {n}: " + "é" * 90 for n in range(120)]
    chunks = render_html("\n".join(lines))
    assert len(chunks) > 1
    assert all(utf16_length(chunk) <= MAX_TEXT for chunk in chunks)
    assert all(chunk.startswith("line ") for chunk in chunks)
    assert "".join(chunks) == "\n".join(lines)


def test_astral_characters_count_twice() -> None:
    chunks = render_html("🌱" * 3000)
    assert [utf16_length(chunk) for chunk in chunks] == [4096, 1904]


def test_an_empty_text_is_no_message() -> None:
    assert render_html("") == []
    assert render_html("  \n ") == []


def test_buttons_become_an_inline_keyboard_with_their_ids_as_callback_data() -> None:
    markup = keyboard([("vote:yes", "Yes"), ("vote:no", "No")])
    assert markup is not None
    rows = markup.to_dict()["inline_keyboard"]
    assert rows == [
        [{"text": "Yes", "callback_data": "vote:yes"}],
        [{"text": "No", "callback_data": "vote:no"}],
    ]
    assert keyboard([]) is None
    with pytest.raises(ValueError, match="64 bytes"):
        keyboard([("x" * 65, "Too long")])
