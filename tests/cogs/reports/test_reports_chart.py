"""The report's chart stays readable over a long period: a few date labels, whole numbers, and
dates in the community's language."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import CommandInvoked, MessageCreated, MessageRef
from cogs.reports import cog
from cogs.reports.buffer import DAY_FIELDS
from cogs.reports.chart import render_chart, write_csv
from cogs.reports.figures import Figures, Span
from tests.support.fake_platform import FakePlatform


@pytest.mark.parametrize("days", [7, 30, 366])
async def test_a_chart_has_a_few_date_labels_and_whole_numbers_of_members(
    core: Jardinier,
    platform: FakePlatform,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
    days: int,
) -> None:
    drawn: list[Figure] = []
    savefig = Figure.savefig

    def saving(self: Figure, *args: object, **kwargs: object) -> None:
        drawn.append(self)
        savefig(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", saving)
    for number, at in enumerate((clock.now(), clock.now() + timedelta(days=days // 2))):
        await core.handle(
            MessageCreated(
                at=at,
                message=MessageRef(platform.channel("general"), f"m{number}"),
                author=platform.member("alice"),
                text="hello garden",
            )
        )
    clock.advance(timedelta(days=days - 1))  # the bot here every day of the report
    await core.handle(
        CommandInvoked(
            at=clock.now(),
            channel=platform.channel("general"),
            member=platform.member("mod", moderator=True),
            name="report",
            args=str(days),
        )
    )

    [figure] = drawn
    [axes] = figure.axes
    assert len(axes.patches) == days  # a bar a day
    dates = [label.get_text() for label in axes.get_xticklabels() if label.get_text()]
    assert 3 <= len(dates) <= min(days, 14)
    assert len(set(dates)) == len(dates)
    low, high = axes.get_ylim()
    ticks = [tick for tick in axes.get_yticks() if low <= tick <= high]
    assert ticks
    assert all(float(tick).is_integer() for tick in ticks)


async def test_a_french_communitys_report_names_its_chart_days_in_french(
    core: Jardinier,
    platform: FakePlatform,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
    rules_dir: Path,
) -> None:
    community = rules_dir / "community.yaml"
    community.write_text(community.read_text().replace("locale: en", "locale: fr"))
    assert await core.reload_rules() is None
    drawn: list[Figure] = []
    savefig = Figure.savefig

    def saving(self: Figure, *args: object, **kwargs: object) -> None:
        drawn.append(self)
        savefig(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", saving)
    await core.handle(
        CommandInvoked(
            at=clock.now(),
            channel=platform.channel("general"),
            member=platform.member("mod", moderator=True),
            name="report",
            args="7",
        )
    )

    [figure] = drawn
    [axes] = figure.axes
    dates = [label.get_text() for label in axes.get_xticklabels() if label.get_text()]
    french = {"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct."}
    french |= {"nov.", "déc."}
    assert all(label.split()[-1] in french for label in dates), dates


def _figures(start: date, days: int) -> Figures:
    span = Span(start, start + timedelta(days=days - 1))
    daily = {day: dict.fromkeys((*DAY_FIELDS, "active"), 1) for day in span.days}
    return Figures(span=span, daily=daily)


def _axis(
    path: Path, figures: Figures, locale: str | None, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[str], str]:
    """The chart's date labels, and the year written beside them."""
    drawn: list[Figure] = []
    savefig = Figure.savefig

    def saving(self: Figure, *args: object, **kwargs: object) -> None:
        drawn.append(self)
        savefig(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", saving)
    render_chart(path, figures, {"title": "t", "messages": "m", "active": "a"}, locale)
    [figure] = drawn
    [axes] = figure.axes
    dates = [label.get_text() for label in axes.get_xticklabels() if label.get_text()]
    return dates, axes.xaxis.get_offset_text().get_text()


@pytest.mark.parametrize(
    ("locale", "first", "last"),
    [("fr", "3 déc.", "9 déc."), ("en", "Dec 3", "Dec 9"), (None, "Dec 3", "Dec 9")],
)
def test_a_weeks_chart_names_its_days_in_the_communitys_language(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    locale: str | None,
    first: str,
    last: str,
) -> None:
    """Not ``12-09``, which a French reader takes for 12 September."""
    dates, year = _axis(tmp_path / "c.png", _figures(date(2026, 12, 3), 7), locale, monkeypatch)
    assert dates[0] == first
    assert dates[-1] == last
    assert len(dates) == 7
    assert year == "2026"


def test_a_years_chart_names_its_months_and_years_in_the_communitys_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dates, year = _axis(tmp_path / "c.png", _figures(date(2026, 1, 15), 366), "fr", monkeypatch)
    assert "2027" in dates  # January writes its year
    assert {"mars", "juil.", "sept."} <= set(dates)
    assert not [text for text in dates if "-" in text]
    assert year == ""
    dates, year = _axis(tmp_path / "d.png", _figures(date(2026, 2, 15), 150), "fr", monkeypatch)
    assert "mars" in dates
    assert year == "2026"


async def test_a_month_asked_of_a_bot_here_four_days_draws_and_exports_those_four_days(
    core: Jardinier,
    platform: FakePlatform,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The days before the bot came are unknown, not days of nothing: no zero bars, no zero
    rows."""
    drawn: list[Figure] = []
    savefig = Figure.savefig

    def saving(self: Figure, *args: object, **kwargs: object) -> None:
        drawn.append(self)
        savefig(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", saving)
    written: list[str] = []

    def writing(path: Path, figures: Figures) -> None:
        write_csv(path, figures)
        written.extend(path.read_text(encoding="utf-8").splitlines())

    monkeypatch.setattr(cog, "write_csv", writing)
    first = clock.now().date()
    await core.handle(
        MessageCreated(
            at=clock.now(),
            message=MessageRef(platform.channel("general"), "m1"),
            author=platform.member("alice"),
            text="hello garden",
        )
    )
    clock.advance(timedelta(days=3))
    moderator = platform.member("mod", moderator=True)
    for name in ("report", "report_export"):
        await core.handle(
            CommandInvoked(
                at=clock.now(),
                channel=platform.channel("general"),
                member=moderator,
                name=name,
                args="30",
            )
        )

    [figure] = drawn
    [axes] = figure.axes
    assert len(axes.patches) == 4  # a bar a day the bot was here
    dates = [label.get_text() for label in axes.get_xticklabels() if label.get_text()]
    assert dates[0] == "Nov 2"
    exported = platform.sent()[-1]
    assert exported.text == "Daily figures, Nov 2, 2026 to Nov 5, 2026 (4 days), one row per day."
    assert [row.split(",")[0] for row in written[1:]] == [
        (first + timedelta(days=n)).isoformat() for n in range(4)
    ]


@pytest.mark.parametrize(
    ("start", "days"),
    [(date(2026, 11, 11), 30), (date(2026, 1, 20), 45)],
)
def test_date_labels_are_evenly_spaced_across_the_turn_of_a_month(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start: date, days: int
) -> None:
    """Not "Nov 29" against "Dec 1", their labels running into each other."""
    drawn: list[Figure] = []
    savefig = Figure.savefig

    def saving(self: Figure, *args: object, **kwargs: object) -> None:
        drawn.append(self)
        savefig(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", saving)
    render_chart(
        tmp_path / "c.png", _figures(start, days), {"title": "t", "messages": "m", "active": "a"}
    )

    [figure] = drawn
    [axes] = figure.axes
    low, high = axes.get_xlim()
    ticks = [tick for tick in axes.get_xticks() if low <= tick <= high]
    gaps = {round(b - a) for a, b in itertools.pairwise(ticks)}
    assert len(gaps) == 1, gaps
    assert 3 <= len(ticks) <= 10
