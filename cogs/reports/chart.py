"""The report's chart as a PNG (matplotlib, Agg backend: no display), and the CSV export.

Both are blocking: the cog calls them through ``asyncio.to_thread``. The PNG also carries the
daily figures it plots as JSON in its ``Description`` text chunk, so a script can check them.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

from cogs.reports.buffer import DAY_FIELDS
from cogs.reports.figures import Figures

DAILY_TICKS = 14
"""Up to this many days, the chart labels every day."""
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


def render_chart(path: Path, figures: Figures, labels: dict[str, str]) -> None:
    """Draw messages per day (bars) and active members (line) into ``path`` as a PNG."""
    # Imported here, not with the module: matplotlib (and numpy) cost ~40 MB of memory that a
    # bot which never draws a chart should not pay.
    import matplotlib

    matplotlib.use("Agg")  # before anything imports pyplot: never a display
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import (
        AutoDateLocator,
        ConciseDateFormatter,
        DateFormatter,
        DayLocator,
        date2num,
    )
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

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
    # A label per day is unreadable past a few days: beyond, the locator picks days, weeks or
    # months as the span asks, the year once aside when every label is a day. Dates are written
    # with numbers: month names would be English.
    if len(days) <= DAILY_TICKS:
        axes.xaxis.set_major_locator(DayLocator())
        axes.xaxis.set_major_formatter(DateFormatter("%m-%d"))
    else:
        locator = AutoDateLocator(minticks=3, maxticks=10)
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(
            ConciseDateFormatter(
                locator,
                formats=["%Y", "%Y-%m", "%m-%d", "%H:%M", "%H:%M", "%S"],
                zero_formats=["", "%Y-%m", "%m-%d", "%H:%M", "%H:%M", "%H:%M"],
                offset_formats=["", "", "%Y", "%Y-%m-%d", "%Y-%m-%d", "%Y-%m-%d %H:%M"],
            )
        )
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
