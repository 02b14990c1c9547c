"""Text as the word and pattern triggers read it: evasions undone, legitimate words kept apart.

Every step is a linear pass, so a 50 KB message of zalgo costs milliseconds:

1. Unicode NFKC and case folding (fullwidth ``ｉ``, mathematical ``𝐢`` and ``I`` become ``i``);
2. combining marks (zalgo, accents) and zero-width or other format characters are dropped;
   control characters become spaces;
3. look-alike letters from other scripts become their Latin twin (Cyrillic ``і``, Greek ``ο``),
   from Unicode's confusables table (:mod:`cogs.netiquette.homoglyphs`);
4. leetspeak: ``4 @`` → a, ``3`` → e, ``0`` → o, ``5 $`` → s, ``7`` → t, and ``1`` → i *or* l;
5. letters spelled out one by one with separators (``i d i o t``, ``i.d.i.o.t``) are joined.
   A run whose first letter may be a word of its own (``a m o r o n``, ``I c r e t i n``) or an
   elided one (``l'i.d.i.o.t``) is also offered with that letter kept apart: ``a moron``,
   ``i cretin``, ``l'idiot``, besides ``amoron``, ``icretin``, ``lidiot``.

Repeated letters (``idiiiiot``) are undone two ways: word patterns accept each letter repeated
(:func:`word_pattern`), and the text is also offered with runs of three or more identical
characters squeezed to one and to two. Each *variant* of the text is matched; a match in any of
them counts. Whole-word matching then keeps ``assistance``, ``classic``, ``Scunthorpe`` clear of
short words they contain.

Every message is folded, so the common case is kept short: ASCII text skips the Unicode forms
and is translated as bytes; beyond ASCII, a text whose characters each fold as they would alone
(accents, emoji: nearly every text) is folded character by character from a table, and only the
others go through the Unicode forms as a whole; the spelled-out pattern runs only on texts where
single letters stand in a row between separators; the squeezed variants are made only when a
trigger reads them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache
from typing import TypeVar

import re2

from cogs.netiquette.homoglyphs import latin_lookalikes

LEETSPEAK = {"4": "a", "@": "a", "3": "e", "0": "o", "5": "s", "$": "s", "7": "t"}
"""Digits and signs read as letters. ``1`` is read both as ``i`` and as ``l`` (two variants)."""
AMBIGUOUS_ONE = ("i", "l")
_SEPARATORS = r"[\s.\-_*·•,;:/\\|+~'\"`]"
# A run of at least three single letters, each followed by separators: "i d i o t", "i.d.i.o.t".
# Every attempt either consumes its run or fails within one separator run: linear time.
_SPELLED_OUT = re.compile(
    rf"(?<![^\W_])(?P<head>[^\W_])(?P<gap>{_SEPARATORS}+)"
    rf"(?P<rest>[^\W_](?![^\W_])(?:{_SEPARATORS}+[^\W_](?![^\W_]))+)"
)
ONE_LETTER_WORDS = frozenset("aiouy")
"""Letters that are words on their own (``a``, ``I``, French ``y`` and ``à``): a spelled-out run
they start may be that word, then the spelled-out one (``a m o r o n``)."""
# What every spelled-out run holds: a single letter between separators, then another one.
_MAY_SPELL_OUT = re.compile(rf"{_SEPARATORS}[^\W_]{_SEPARATORS}+[^\W_](?![^\W_])")
_SEPARATOR = re.compile(_SEPARATORS)
_BEYOND_ASCII = re.compile(r"[^\x00-\x7f]+")
_COMBINING_MARKS = re.compile("[\u0300-\u036f]+")
"""The combining diacritics block (all ``Mn``): the accents of Latin letters once decomposed."""
_REPEATED = re.compile(r"(.)\1{2,}", re.DOTALL)
_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")
_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf"})
_BLANK_CATEGORIES = frozenset({"Cc", "Zs", "Zl", "Zp"})
APOSTROPHES = "'’ʼ‘`"
"""Signs written as an apostrophe: a listed ``t'a gueule`` matches ``t’a gueule`` (a phone's
keyboard) too, and like a letter, repeated (``t''a``)."""
_ANY_APOSTROPHE = "[" + "".join(re2.escape(sign) for sign in APOSTROPHES) + "]"
BOUNDARY_BEFORE = r"(?:^|[^\pL\pN])"
BOUNDARY_AFTER = r"(?:[^\pL\pN]|$)"


TABLE_LIMIT = 20_000
"""Characters each per-character table keeps once worked out: every alphabet a community writes
in, many times over. A character past it (a text of every code point, sent to fill the memory)
is worked out again each time it is read."""
_Value = TypeVar("_Value", str, str | None)


class _PerCharacter(dict[int, _Value]):
    """``str.translate`` table for the characters beyond ASCII, worked out per character on
    first sight and kept, up to :data:`TABLE_LIMIT` characters."""

    def __missing__(self, codepoint: int) -> _Value:
        value = self._worked_out(chr(codepoint))
        if len(self) < TABLE_LIMIT:
            self[codepoint] = value
        return value

    def _worked_out(self, character: str) -> _Value:
        raise NotImplementedError


class _BeyondAsciiTable(_PerCharacter[str | None]):
    """Marks and format characters dropped, blanks become spaces, look-alikes their Latin
    letter. Leetspeak is left to :data:`_ASCII_TABLE` (what a look-alike becomes is ASCII, and
    is read as leetspeak there)."""

    def _worked_out(self, character: str) -> str | None:
        category = unicodedata.category(character)
        if category in _DROPPED_CATEGORIES:
            return None
        if category in _BLANK_CATEGORIES:
            return " "
        return latin_lookalikes().get(character, character)


_BEYOND_TABLE = _BeyondAsciiTable()


def _ascii_table() -> bytes:
    """The translation of ASCII as a bytes table: controls become spaces, leetspeak letters;
    the bytes of characters beyond ASCII are left as they are."""
    table = bytearray(range(256))
    for code in range(128):
        character = chr(code)
        if unicodedata.category(character) in _BLANK_CATEGORIES:
            table[code] = ord(" ")
        else:
            table[code] = ord(LEETSPEAK.get(character, character))
    return bytes(table)


_ASCII_TABLE = _ascii_table()
_ASCII_LOWER_TABLE = bytes(
    _ASCII_TABLE[ord(chr(code).lower())] if code < 128 else code for code in range(256)
)
""":data:`_ASCII_TABLE` after ASCII capitals are lowered."""
_SHAPE = bytes(
    ord("a")
    if code < 128 and chr(code).isalnum()
    else ord(" ")
    if code < 128 and re.fullmatch(_SEPARATORS, chr(code))
    else ord("#")
    for code in range(256)
)
"""A folded ASCII text's shape: letters and digits as ``a``, separators as spaces, the rest
``#``. Every spelled-out run holds `` a `` (a single letter between separators), and has the
shape :data:`_RUN_SHAPE`."""
_RUN_SHAPE = re.compile(rb"(?<!a)a +a +a(?!a)")
"""Three single letters or digits apart: what :data:`_SPELLED_OUT` needs. Linear: a run of
spaces is crossed by at most two attempts, each once."""
_NOT_ASCII_ALPHANUMERIC = bytes(
    code for code in range(256) if not (code < 128 and chr(code).isalnum())
)
_ASCII_SIGNS = bytes(code for code in range(128) if not chr(code).isalnum())
"""The ASCII characters that are neither letters nor digits, as bytes."""


class _FormatCharacters(_PerCharacter[str | None]):
    """Format characters (zero-width, soft hyphen, BOM …) dropped."""

    def _worked_out(self, character: str) -> str | None:
        return None if unicodedata.category(character) == "Cf" else character


_INVISIBLE = _FormatCharacters()


def visible(text: str) -> str:
    """``text`` as a reader sees it, for addresses: compatibility forms folded (fullwidth ``．``
    is ``.``) and invisible characters dropped (``disc\u00adord.gg`` is ``discord.gg``)."""
    if text.isascii():
        return text
    # Character by character when each one reads as it does alone (see _context_free).
    quick = _BEYOND_ASCII.sub(_quick_visible_run, text)
    if _CONTEXT_DEPENDENT not in quick:
        return quick
    return _visible_whole(text)


def _visible_whole(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return text if text.isascii() else _BEYOND_ASCII.sub(_visible_run, text)


def _visible_run(match: re.Match[str]) -> str:
    return match.group(0).translate(_INVISIBLE)


def _quick_visible_run(match: re.Match[str]) -> str:
    return match.group(0).translate(_QUICK_VISIBLE)


def _fold_run(match: re.Match[str]) -> str:
    return match.group(0).translate(_BEYOND_TABLE)


def _join_spelled_out(match: re.Match[str]) -> str:
    return _SEPARATOR.sub("", match.group(0))


def _join_keeping_a_word_apart(match: re.Match[str]) -> str:
    head, gap = match.group("head", "gap")
    if head in ONE_LETTER_WORDS or gap[0] == "'":
        return head + gap + _SEPARATOR.sub("", match.group("rest"))
    return _SEPARATOR.sub("", match.group(0))


def fold(text: str) -> str:
    """Steps 1 to 5 on ``text``; ``1`` is left as it is (see :func:`variants`)."""
    return _fold(text)[0]


def _fold(text: str) -> tuple[str, str | None]:
    """The folded text, and its reading with the one-letter words that start spelled-out runs
    kept apart (``None`` when there is none: the common case)."""
    if text.isascii():
        # The Unicode forms change nothing in ASCII: only capitals, controls and leetspeak.
        folded = text.encode("ascii").translate(_ASCII_LOWER_TABLE)
    else:
        quick = _BEYOND_ASCII.sub(_quick_fold_run, text)
        if _CONTEXT_DEPENDENT not in quick:
            # Each character folded on its own, as the whole text would be (see
            # :func:`_context_free`); ASCII capitals are lowered by the bytes table.
            folded = quick.encode("utf-8", "surrogatepass").translate(_ASCII_LOWER_TABLE)
        else:
            folded = _fold_beyond_ascii(text).encode("utf-8", "surrogatepass")
            # ASCII bytes never occur inside a longer character's UTF-8 bytes: one bytes table
            # does controls and leetspeak, whatever the text holds beyond ASCII.
            folded = folded.translate(_ASCII_TABLE)
    text = folded.decode("utf-8", "surrogatepass")
    if text.isascii():
        shape = folded.translate(_SHAPE)
        if b" a " not in shape or _RUN_SHAPE.search(shape) is None:
            return text, None
    elif _MAY_SPELL_OUT.search(text) is None:
        return text, None
    joined = _SPELLED_OUT.sub(_join_spelled_out, text)
    if joined == text:  # a lone letter ("il y a un arbre"), no run
        return text, None
    apart = _SPELLED_OUT.sub(_join_keeping_a_word_apart, text)
    return joined, None if apart == joined else apart


def _fold_beyond_ascii(text: str) -> str:
    """Steps 1 to 3 on ``text`` (not all ASCII): Unicode forms, case, marks, look-alikes."""
    text = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text).casefold())
    if not text.isascii():
        text = _COMBINING_MARKS.sub("", text)
        if not text.isascii():
            text = _BEYOND_ASCII.sub(_fold_run, text)
    return text


DECOMPOSED_BELOW = 0x30000
"""Every character with a decomposition comes before this one (the last, U+2FA1D, is a CJK
compatibility ideograph): the search for composing characters stops there."""


@cache
def _seconds() -> frozenset[str]:
    """Characters that compose with the character before them (a combining accent after its
    letter, Hangul vowels and final consonants): the second of every canonical pair."""
    seconds = {chr(code) for code in range(0x1161, 0x1176)}  # Hangul vowel jamo
    seconds.update(chr(code) for code in range(0x11A8, 0x11C3))  # Hangul trailing jamo
    for code in range(0x80, DECOMPOSED_BELOW):
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            seconds.add(chr(int(parts[1], 16)))
    return frozenset(seconds)


def _context_free(character: str) -> bool:
    """Whether ``character`` (beyond ASCII) is folded in a text as it is alone.

    The Unicode forms read sequences: a combining mark is reordered with the marks before it,
    a character composes with the one before it. Neither reaches across two characters when
    each starts, decomposed, with a starter (combining class 0) that composes with nothing
    before it, and still does once case-folded: then the text's folding is its characters'
    foldings, end to end. Every ASCII character is such a starter.
    """
    if "\ud800" <= character <= "\udfff":  # a lone surrogate: left to the whole text
        return False
    seconds = _seconds()
    for form in (
        character,
        unicodedata.normalize("NFKD", character)[:1],
        unicodedata.normalize("NFD", unicodedata.normalize("NFKC", character).casefold())[:1],
    ):
        if not form or unicodedata.combining(form) or form in seconds:
            return False
    return True


_CONTEXT_DEPENDENT = "\udfff"
"""What a :class:`_QuickTable` makes of a character whose folding depends on its neighbours: a
lone surrogate, which no character folds to (lone surrogates are themselves context
dependent)."""


class _QuickTable(_PerCharacter[str]):
    """Each character as ``steps`` make of it alone, or :data:`_CONTEXT_DEPENDENT`."""

    def __init__(self, steps: Callable[[str], str], *, lower: bool) -> None:
        super().__init__()
        self._steps = steps
        self._lower = lower
        """Whether ASCII capitals are left to a later step, which would lower them here too."""

    def _worked_out(self, character: str) -> str:
        if not _context_free(character):
            return _CONTEXT_DEPENDENT
        value = self._steps(character)
        if self._lower and any("A" <= c <= "Z" for c in value):
            return _CONTEXT_DEPENDENT  # never seen: case folding leaves no capital
        return value


_QUICK_FOLD = _QuickTable(_fold_beyond_ascii, lower=True)
_QUICK_VISIBLE = _QuickTable(_visible_whole, lower=False)


def _quick_fold_run(match: re.Match[str]) -> str:
    return match.group(0).translate(_QUICK_FOLD)


class Normalised:
    """A message as the matchers read it: its original text, folded, and the variants to match.

    ``apart`` is the folded text with the one-letter words that start spelled-out runs kept
    apart (``a moron`` for ``a m o r o n``), or ``None``. ``spellings`` are the folded text (and
    ``apart``) with ``1`` read as ``i`` and as ``l``; ``variants`` add the readings with repeated
    characters squeezed, worked out when first asked for.
    """

    __slots__ = ("_variants", "apart", "folded", "original", "spellings")

    def __init__(
        self,
        original: str,
        folded: str,
        variants: tuple[str, ...] | None = None,
        *,
        apart: str | None = None,
    ) -> None:
        self.original = original
        self.folded = folded
        self.apart = apart
        self._variants = variants
        if variants is not None:
            self.spellings: tuple[str, ...] = variants[:1]
        elif "1" in folded:
            self.spellings = spellings(folded)
        else:  # nearly every text: no call for it
            self.spellings = (folded,)
        if apart is not None:
            self.spellings += spellings(apart)

    @property
    def variants(self) -> tuple[str, ...]:
        """Every reading to match, the folded text first."""
        if self._variants is None:
            found = variants(self.folded)
            if self.apart is not None:
                found += tuple(read for read in variants(self.apart) if read not in found)
            self._variants = found
        return self._variants

    def __repr__(self) -> str:
        return f"Normalised({self.original!r}, {self.folded!r})"


def spellings(folded: str) -> tuple[str, ...]:
    """A folded text with ``1`` read as ``i`` and as ``l`` (itself when it has no ``1``)."""
    if "1" not in folded:
        return (folded,)
    return tuple(folded.replace("1", letter) for letter in AMBIGUOUS_ONE)


def variants(folded: str) -> tuple[str, ...]:
    """The readings of a folded text: repeated runs squeezed, ``1`` as i and as l."""
    readings = [folded]
    if _REPEATED.search(folded):
        readings += [_REPEATED.sub(r"\1", folded), _REPEATED.sub(r"\1\1", folded)]
    found: list[str] = []
    for reading in readings:
        spelled = (
            [reading.replace("1", letter) for letter in AMBIGUOUS_ONE]
            if "1" in reading
            else [reading]
        )
        for candidate in spelled:
            if candidate not in found:
                found.append(candidate)
    return tuple(found)


def normalise(text: str) -> Normalised:
    """Fold ``text``; its variants are listed when asked for."""
    folded, apart = _fold(text)
    # Without a keyword in the common case: a keyword argument costs 0.1 µs a message.
    return Normalised(text, folded) if apart is None else Normalised(text, folded, apart=apart)


def skeleton(folded: str) -> str:
    """Only the letters and digits of a folded text: how copies are recognised."""
    if folded.isascii():
        return folded.encode("ascii").translate(None, _NOT_ASCII_ALPHANUMERIC).decode("ascii")
    # Folded, nearly every text is ASCII but for a few emoji: its ASCII signs go first, as
    # bytes (no ASCII byte is part of a longer character's), and the pattern is left only the
    # few characters beyond ASCII to weigh, instead of every space.
    rest = (
        folded.encode("utf-8", "surrogatepass")
        .translate(None, _ASCII_SIGNS)
        .decode("utf-8", "surrogatepass")
    )
    # \w is exactly str.isalnum() plus the underscore, in one C-level pass.
    return rest if rest.isascii() else _NOT_ALPHANUMERIC.sub("", rest)


def plain(text: str) -> Normalised:
    """``text`` untouched, for triggers that turned normalisation off."""
    return Normalised(text, text, (text,))


@cache
def folded_word(word: str) -> str:
    """A listed word as the text is folded (``crétin`` → ``cretin``, ``1`` read as ``i``)."""
    return fold(word).strip().replace("1", "i")


def word_pattern(word: str, *, normalised: bool = True) -> str:
    """An re2 pattern for ``word`` where each letter may repeat (``idiiiiot``).

    Spaces inside a listed phrase match any run of non-letters, or none: a phrase spelled out
    (``f u c k  y o u``) is joined into one word. Without normalisation the word is matched as
    written (case-insensitively).
    """
    if not normalised:
        return re2.escape(word)
    parts = []
    for character in folded_word(word):
        if character.isspace():
            parts.append(r"[^\pL\pN]*")
        elif character.isalnum():
            parts.append(re2.escape(character) + "+")
        elif character in APOSTROPHES:
            parts.append(_ANY_APOSTROPHE + "+")
        else:
            parts.append(re2.escape(character))
    return "".join(parts)
