"""How the bot writes a moment for people: in the community's time, with the zone named."""

from __future__ import annotations

from datetime import datetime, tzinfo


def local_time(moment: datetime, zone: tzinfo) -> str:
    """``moment`` (timezone-aware) as the clocks in ``zone`` showed it, to the minute, followed by
    the abbreviation in force there then: ``2026-12-01 18:00 CET``, ``2026-07-01 18:00 CEST``.

    Seconds are dropped, not rounded. The abbreviation is the one of that moment, so the hour a
    clock goes back through reads twice with two names (``02:30 CEST``, then ``02:30 CET``);
    a zone with no abbreviation shows its offset as the time zone database writes it (``-03``).
    """
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
