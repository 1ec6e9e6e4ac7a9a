"""Periods (day, ISO week starting Monday, month) of calendar days, in a chosen IANA time zone.

Two kinds of date are grouped, and they differ on purpose:

- ``check_in`` is a *civil date* (the hotel's own calendar day; stored as midnight UTC only because BSON
  has no date type): it belongs to its own day in every zone.  Converting it to another zone would move
  every check-in of a zone west of UTC to the day before (the month shift Metabase users see).
- ``booked_at`` is an *instant*: its day is its local calendar day in the chosen zone (DST included:
  zoneinfo, never fixed 24-hour arithmetic).

Weeks are ISO 8601 weeks (Monday to Sunday) named by their ISO year: 2020-12-31 is in ``2020-W53`` and
2021-01-03 too; months are calendar months.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

BY = ("day", "week", "month")
DATE_KINDS = ("check_in", "booked_at")


class PeriodError(ValueError):
    """A bad period, zone or date argument; ``str()`` is one line for the user."""


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone ``name`` (UTC when empty)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise PeriodError(f"unknown time zone {name!r} (an IANA name such as Europe/Lisbon or UTC)") from None


def local_day(instant: datetime, tz: ZoneInfo) -> date:
    """The calendar day of ``instant`` in ``tz`` (a naive datetime is UTC, as the driver returns it)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(tz).date()


def period_key(day: date, by: str) -> str:
    """``2024-01-31`` (day), ``2024-W05`` (ISO week), ``2024-01`` (month)."""
    if by == "day":
        return day.isoformat()
    if by == "week":
        y, w, _ = day.isocalendar()
        return f"{y:04d}-W{w:02d}"
    if by == "month":
        return f"{day.year:04d}-{day.month:02d}"
    raise PeriodError(f"unknown period {by!r}: expected one of {', '.join(BY)}")


def period_start(day: date, by: str) -> date:
    if by == "day":
        return day
    if by == "week":
        return day - timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    raise PeriodError(f"unknown period {by!r}: expected one of {', '.join(BY)}")


def _next_start(start: date, by: str) -> date:
    if by == "day":
        return start + timedelta(days=1)
    if by == "week":
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def periods_between(first: date, last: date, by: str) -> list[str]:
    """Every period key from the one holding ``first`` to the one holding ``last`` (zero-filling)."""
    out: list[str] = []
    cur = period_start(first, by)
    while cur <= last:
        out.append(period_key(cur, by))
        cur = _next_start(cur, by)
    return out


def months_between(first: date, last: date) -> list[str]:
    return periods_between(first, last, "month")


def parse_day(text: str, what: str = "date") -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise PeriodError(f"{what} {text!r} is not a date (YYYY-MM-DD)") from None


def key_start(key: str, by: str) -> date:
    """The first day of the period ``key`` names (the inverse of :func:`period_key` for its start)."""
    try:
        if by == "day":
            return date.fromisoformat(key)
        if by == "week":
            year, week = key.split("-W")
            return date.fromisocalendar(int(year), int(week), 1)
        if by == "month":
            year, month = key.split("-")
            return date(int(year), int(month), 1)
    except ValueError:
        raise PeriodError(f"{key!r} is not a {by} period") from None
    raise PeriodError(f"unknown period {by!r}: expected one of {', '.join(BY)}")
