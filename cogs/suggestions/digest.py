"""The leadership digest: the top suggestions by votes, the new ones, and notable feedback.

Posted in the leadership channel on a weekly cron job per community
(``suggestions:digest:<community>``, in the community's time zone) and on demand (``/digest``).
The message is plain text, like everything the bot says, so that it reads the same on every
platform; a Markdown file of it is attached, with headings and lists, members' words escaped.
The file is temporary: it holds members' names and texts, which an erasure must be able to reach,
so none is kept once posted.

A period is whole local days, as the activity report's: the weekly digest covers the complete
days before today, ``/digest`` the days up to today; its title names the first and last day. As
the report, a period that began before the bot first saw the community ends with a line saying
from when it counts, and a weekly digest of a period wholly before is one line saying so.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal

from bot.cog import job
from bot.events import ChannelRef, CommunityRef
from bot.localtime import LocalDate, local_time
from bot.ruleconf import one_line, plain_name, render
from bot.weekly import WeeklyJob
from cogs.suggestions.base import SuggestionsBase, shorten
from cogs.suggestions.models import Suggestion

Delivery = Literal["posted", "unset", "missing", "refused"]
"""How posting the digest went: posted; no channel set (only ``/digest`` shows it); the channel
set is not found; the platform refused."""


_MARKDOWN = re.compile(r"([\\`*_~|\[\]()<>#&])")
"""Characters that start Markdown (or HTML) in a Markdown file: emphasis, code, spoilers,
masked links, tags, entities, headings."""
# What the Markdown digest texts of earlier rule books wrapped their words in.
_HEADING_MARK = re.compile(r"^#{1,6}\s+")
_EMPHASIS = re.compile(r"([_*])([^_*]+)\1")


def markdown_escaped(text: str) -> str:
    """``text`` as Markdown shows it as typed: ``**x**`` stays two stars, ``[x](link)`` is no
    masked link, ``<b>`` no tag."""
    return _MARKDOWN.sub(r"\\\1", text)


def _unmarked(text: str) -> str:
    """A digest text without the Markdown a rule book written for the Markdown digest still
    puts around it (``# Title``, ``_None._``): the digest adds its own to the file."""
    text = _HEADING_MARK.sub("", text.strip())
    emphasised = _EMPHASIS.fullmatch(text)
    return emphasised[2] if emphasised else text


@dataclass(frozen=True)
class Section:
    """A part of the digest: its heading, its lines (numbered or not), or what says it is
    empty."""

    heading: str
    lines: tuple[str, ...]
    empty: str
    numbered: bool = False

    def items(self) -> list[str]:
        """The lines as listed: ``1. …`` when numbered, ``- …`` otherwise."""
        if self.numbered:
            return [f"{rank}. {line}" for rank, line in enumerate(self.lines, start=1)]
        return [f"- {line}" for line in self.lines]


@dataclass(frozen=True)
class Written:
    """The digest in words, written as plain text or as Markdown; ``note`` is its last line,
    if any."""

    title: str
    sections: tuple[Section, ...]
    note: str | None = None

    def plain(self) -> str:
        """The digest as the bot posts it: plain text, as every platform shows it."""
        lines = [self.title]
        for section in self.sections:
            lines += ["", section.heading, *(section.items() or [section.empty])]
        if self.note:
            lines += ["", self.note]
        return "\n".join(lines) + "\n"

    def markdown(self) -> str:
        """The digest as its file holds it: Markdown headings and lists, words as typed."""
        lines = [f"# {markdown_escaped(self.title)}"]
        for section in self.sections:
            escaped = replace(section, lines=tuple(map(markdown_escaped, section.lines)))
            lines += ["", f"## {markdown_escaped(section.heading)}"]
            lines += escaped.items() or [f"_{markdown_escaped(section.empty)}_"]
        if self.note:
            lines += ["", markdown_escaped(self.note)]
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class DigestFile:
    """A digest as written: its text as posted, the temporary Markdown file of it, and how
    many suggestions it names."""

    text: str
    path: Path
    suggestions: int


def _shown(text: str) -> str:
    """Members' and moderators' words as the digest writes them: visible characters on one
    line, cut."""
    return shorten(one_line(text))


class Digest(SuggestionsBase):
    """Builds, writes and posts the digest; keeps its schedule."""

    @job
    async def post_digest(self, **arguments: Any) -> None:
        """Post the digest in the leadership channel (scheduler job)."""
        community = WeeklyJob.community(arguments)
        if not self.core.cog_enabled(self.name, community):
            return
        start, end = self.period(community, complete_days=True)
        since = await self.first_day(community)
        if end < since:
            # The week before the bot came: a digest of nothing would read as a dead community.
            self.log.info(
                "digest of %s to %s in %s not made: first seen on %s",
                start,
                end,
                community.key,
                since,
            )
            texts = self.texts(community)
            line = render(
                texts.digest_before_start,
                start=LocalDate(start),
                end=LocalDate(end),
                since=LocalDate(since),
            )
            delivery, _channel = await self._deliver(community, line, None)
        else:
            async with self.digest_file(community, complete_days=True) as written:
                delivery, _channel = await self.send_digest(community, written)
        if delivery == "missing":
            # Nobody reads the bot's log: the moderators must learn that leadership got nothing.
            channel = self.settings(community).digest.channel
            texts = self.texts(community)
            await self.core.modlog(community, render(texts.digest_unposted, channel=channel))

    async def send_digest(
        self, community: CommunityRef, written: DigestFile
    ) -> tuple[Delivery, ChannelRef | None]:
        """Post the digest and its file in the leadership channel; say how that went, and
        where."""
        return await self._deliver(community, written.text, written.path)

    async def _deliver(
        self, community: CommunityRef, text: str, file: Path | None
    ) -> tuple[Delivery, ChannelRef | None]:
        name = self.settings(community).digest.channel
        if not name:
            return "unset", None
        channel = await self.core.resolve_channel(community, name)
        if channel is None:
            self.log.warning("digest channel %r not found in %s", name, community.key)
            return "missing", None
        # A refusal is reported to the mod-log where it happens.
        posted = await self.actions.send(channel, text, file=file)
        return ("posted" if posted is not None else "refused"), channel

    def period(self, community: CommunityRef, *, complete_days: bool) -> tuple[date, date]:
        """The first and last local day of the digest: the last ``digest.days`` days, up to
        today or (``complete_days``) up to yesterday."""
        days = self.settings(community).digest.days
        zone = self.core.community_config(community).zone
        today = self.core.clock.now().astimezone(zone).date()
        end = today - timedelta(days=1) if complete_days else today
        return end - timedelta(days=days - 1), end

    async def first_day(self, community: CommunityRef) -> date:
        """The community's local date the bot first saw it."""
        community_id = await self.core.members.community_id(community)
        seen = await self.book.first_seen(community_id)
        return seen.astimezone(self.core.community_config(community).zone).date()

    @contextlib.asynccontextmanager
    async def digest_file(
        self, community: CommunityRef, *, complete_days: bool
    ) -> AsyncIterator[DigestFile]:
        """The digest of the last ``digest.days`` days, up to today or (``complete_days``) up
        to yesterday, and a temporary file holding it, removed on leaving."""
        zone = self.core.community_config(community).zone
        today = self.core.clock.now().astimezone(zone).date()
        start, end = self.period(community, complete_days=complete_days)
        written, suggestions = await self.digest_text(
            community, start, end, first_day=await self.first_day(community)
        )
        folder = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="jardinier-digest-"))
        try:
            path = folder / f"digest-{community.key}-{today.isoformat()}.md"
            await asyncio.to_thread(path.write_text, written.markdown(), encoding="utf-8")
            yield DigestFile(written.plain(), path, suggestions)
        finally:
            await asyncio.to_thread(shutil.rmtree, folder, True)

    async def digest_text(
        self, community: CommunityRef, start: date, end: date, *, first_day: date | None = None
    ) -> tuple[Written, int]:
        """The digest of the suggestions from day ``start`` to day ``end`` (both included,
        community time zone); and how many suggestions it names. From a ``start`` before
        ``first_day`` (the bot's first day here), it says that it counts from then."""
        texts = self.texts(community)
        community_id = await self.core.members.community_id(community)
        config = self.settings(community).digest
        zone = self.core.community_config(community).zone
        since = datetime.combine(start, time(), zone).astimezone(UTC)
        until = datetime.combine(end + timedelta(days=1), time(), zone).astimezone(UTC)
        top = await self.book.top(community_id, config.top)
        new = await self.book.created_between(community_id, since, until)
        answered = await self.book.answered_between(community_id, since, until)
        none = _unmarked(render(texts.digest_none))
        feedback = tuple(
            render(
                texts.digest_feedback_line,
                number=item.number,
                text=_shown(item.text),
                status=self.status_label(community, item.status),
                comment=_shown(item.comment or ""),
            )
            for item in answered
        )
        written = Written(
            _unmarked(
                render(
                    texts.digest_title,
                    community=one_line(community.name or community.id),
                    start=LocalDate(start),
                    end=LocalDate(end),
                )
            ),
            (
                Section(
                    _unmarked(render(texts.digest_top)),
                    tuple(self._line(community, item) for item in top),
                    none,
                    numbered=True,
                ),
                Section(
                    _unmarked(render(texts.digest_new)),
                    tuple(self._line(community, item) for item in new),
                    none,
                ),
                Section(_unmarked(render(texts.digest_feedback)), feedback, none),
            ),
            (
                render(texts.digest_counted_since, since=LocalDate(first_day))
                if first_day is not None and start < first_day
                else None
            ),
        )
        named = {item.number for item in (*top, *new, *answered)}
        return written, len(named)

    def _line(self, community: CommunityRef, item: Suggestion) -> str:
        return render(
            self.texts(community).digest_line,
            number=item.number,
            text=_shown(item.text),
            up=item.up,
            down=item.down,
            status=self.status_label(community, item.status),
            member=plain_name(item.author_name) or "?",
        )

    async def on_job_missed(
        self, handler: str, job_id: str, kwargs: dict[str, Any], late_by: timedelta
    ) -> None:
        """A digest due while the bot was down is not posted late: say so in the mod-log."""
        await super().on_job_missed(handler, job_id, kwargs, late_by)
        if handler != "post_digest":
            return
        community = WeeklyJob.community(kwargs)
        due = self.core.clock.now() - late_by
        zone = self.core.community_config(community).zone
        when = local_time(due, zone)
        await self.core.modlog(community, render(self.texts(community).digest_missed, when=when))
