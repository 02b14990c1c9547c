"""The report's chart as a PNG (matplotlib, Agg backend: no display), and the CSV export.

Both are blocking: the cog calls them through ``asyncio.to_thread``. The PNG also carries the
daily figures it plots as JSON in its ``Description`` text chunk, so a script can check them.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from bot.localtime import date_text
from cogs.reports.buffer import DAY_FIELDS
from cogs.reports.figures import Figures

DAILY_TICKS = 14
"""Up to this many days, the chart labels every day."""
MOST_TICKS = 10
"""Beyond, about this many labels at most, evenly spaced."""
MONTHLY_AFTER = 92
"""Past this many days, the labels are months."""
MARKED_DAYS = 62
"""Up to this many days, each day's active members are marked with a dot."""

CSV_COLUMNS = ("day", "messages", "active", *(name for name in DAY_FIELDS if name != "messages"))


def chart_data(figures: Figures) -> dict[str, list[Any]]:
    """The plotted series: days, messages, active members, satisfaction share per day."""
    days = figures.span.days
    return {
        "days": [day.isoformat() for day in days],
        "messages": [figures.daily[day]["messages"] for day in days],
        "active": [figures.daily[day]["active"] for day in days],
    }


def axis_dates(days: Sequence[date], locale: str | None) -> tuple[list[str], str]:
    """The labels of the chart's date ticks at ``days``, as ``locale`` writes them, and the year
    written beside the axis (``""`` when the labels carry it).

    Day by day or week by week: the day and the month in words (``9 déc.``, ``Dec 9``; never
    ``12-09``, which a French reader takes for 12 September), the year of the last one beside
    the axis. Month by month: the month (``févr.``, ``Feb``), and the year instead of January.
    """
    monthly = len(days) > 1 and all(day.day == 1 for day in days)
    if not monthly:
        year = date_text(days[-1], locale, "y") if days else ""
        return [date_text(day, locale, "MMMd") for day in days], year
    labels = [date_text(day, locale, "y" if day.month == 1 else "MMM") for day in days]
    # Without a January among them the labels say no year: the first one's is written aside.
    year = "" if any(day.month == 1 for day in days) else date_text(days[0], locale, "y")
    return labels, year


def render_chart(
    path: Path, figures: Figures, labels: dict[str, str], locale: str | None = None
) -> None:
    """Draw messages per day (bars) and active members (line) into ``path`` as a PNG, its dates
    written as ``locale`` writes them (English when None)."""
    # Imported here, not with the module: matplotlib (and numpy) cost ~40 MB of memory that a
    # bot which never draws a chart should not pay.
    import matplotlib

    matplotlib.use("Agg")  # before anything imports pyplot: never a display
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import MonthLocator, date2num, num2date
    from matplotlib.figure import Figure
    from matplotlib.ticker import FixedLocator, Formatter, MaxNLocator

    class LocaleDates(Formatter):
        """Tick labels of dates in the community's language (see :func:`axis_dates`)."""

        def __init__(self) -> None:
            self.offset = ""

        def format_ticks(self, values: Sequence[float]) -> list[str]:
            written, self.offset = axis_dates([num2date(value).date() for value in values], locale)
            return written

        def __call__(self, value: float, pos: int | None = None) -> str:
            return axis_dates([num2date(value).date()], locale)[0][0]

        def get_offset(self) -> str:
            return self.offset

    data = chart_data(figures)
    # Matplotlib reads text between two "$" as a formula: a community called "$$ Crypto $$" is a
    # name, and an unparsable formula would fail the whole report.
    labels = {key: text.replace("$", r"\$") for key, text in labels.items()}
    figure = Figure(figsize=(8, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    days = date2num([datetime.combine(day, time(), tzinfo=UTC) for day in figures.span.days])
    axes.bar(days, data["messages"], width=0.8, color="#6a994e", label=labels["messages"])
    # Past a couple of months the dots would hide the line.
    marker = "o" if len(days) <= MARKED_DAYS else None
    axes.plot(days, data["active"], color="#bc4749", marker=marker, label=labels["active"])
    # A label per day is unreadable past a few days: beyond, every few days from the first,
    # evenly (a locator counting from each month's 1st puts "Nov 29" against "Dec 1"), then
    # months; the year once aside. Month names are the community's (Babel).
    if len(days) <= MONTHLY_AFTER:
        step = -(-len(days) // MOST_TICKS) if len(days) > DAILY_TICKS else 1
        axes.xaxis.set_major_locator(FixedLocator(days[::step]))
    else:
        months = -(-len(days) // 30)
        axes.xaxis.set_major_locator(MonthLocator(interval=-(-months // 13)))
    axes.xaxis.set_major_formatter(LocaleDates())
    axes.set_xlim(days[0] - 0.5, days[-1] + 0.5)  # in days
    # Messages and members are counted whole: no 0.5 member on the axis.
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(labels["title"])
    axes.legend(loc="upper left")
    axes.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, format="png", metadata={"Description": json.dumps(data)})


def write_csv(path: Path, figures: Figures) -> None:
    """One row per day of the span, every daily figure in a column."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for day in figures.span.days:
            values = figures.daily[day]
            writer.writerow([day.isoformat(), *(values[name] for name in CSV_COLUMNS[1:])])
