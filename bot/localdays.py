"""The local date of an instant in a time zone, worked out once per day (reports and
contributors count by the community's local day)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

DAY = timedelta(days=1)
_INSTANT = timedelta(microseconds=1)


class LocalDays:
    """The local date of instants in one time zone, for instants that mostly come in order.

    Converting every instant to the zone took microseconds per event. The day's span of
    instants is kept instead, and an instant within it has its date at the cost of two
    comparisons. A day whose UTC offset changes (daylight saving time starts or ends) keeps no
    span: each of its instants is converted.
    """

    __slots__ = ("_end", "_start", "day", "zone")

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.day = date.min
        # Empty until the first instant: every instant is outside.
        self._start = self._end = datetime.min.replace(tzinfo=UTC)

    def of(self, at: datetime) -> date:
        """The local date of ``at``."""
        if self._start <= at < self._end:
            return self.day
        zone = self.zone
        day = at.astimezone(zone).date()
        self.day = day
        midnight = datetime.combine(day, time(), zone)
        start = midnight.astimezone(UTC)
        end = datetime.combine(day + DAY, time(), zone).astimezone(UTC)
        offset = midnight.utcoffset()
        # One offset from the first instant to the last: every instant between is on this day
        # (offsets change at most once a day).
        if (
            end - start == DAY
            and start.astimezone(zone).utcoffset() == offset
            and (end - _INSTANT).astimezone(zone).utcoffset() == offset
        ):
            self._start, self._end = start, end
        else:
            self._start = self._end = start
        return day
