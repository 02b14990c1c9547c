"""The report's chart as a PNG (matplotlib, Agg backend: no display), and the CSV export.

Both are blocking: the cog calls them through ``asyncio.to_thread``. The PNG also carries the
daily figures it plots as JSON in its ``Description`` text chunk, so a script can check them.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from cogs.reports.buffer import DAY_FIELDS
from cogs.reports.figures import Figures

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
    from matplotlib.figure import Figure

    data = chart_data(figures)
    # Matplotlib reads text between two "$" as a formula: a community called "$$ Club $$" is a
    # name, and an unparsable formula would fail the whole report.
    labels = {key: text.replace("$", r"\$") for key, text in labels.items()}
    figure = Figure(figsize=(8, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(data["days"])))
    axes.bar(positions, data["messages"], color="#6a994e", label=labels["messages"])
    axes.plot(positions, data["active"], color="#bc4749", marker="o", label=labels["active"])
    axes.set_xticks(positions, [str(day)[5:] for day in data["days"]], rotation=45)
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
