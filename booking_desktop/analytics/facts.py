"""Booking documents -> rollup rows: the one place that says what a booking adds to each metric.

A *rollup row* is the sum of some bookings that share a key::

    kind       "check_in" or "booked_at": which date ``day`` is
    grain      "day", "week" or "month": ``day`` is then the first day of the ISO week / month
    day        "YYYY-MM-DD": the check-in's civil date, or booked_at's local day in the rollup's zone
    vendor, channel, property, status, currency      (None when the booking has none)
    bookings   how many bookings (every status)
    cancelled  how many of them are cancelled
    nights     room nights of the bookings that are not cancelled
    revenue_minor   sum of ``amount_minor`` of the bookings that are not cancelled (one currency per row)
    lead       {"<days>": n}: lead time in whole days (check-in date - booked_at's local date), every
               booking that has ``booked_at``
    los        {"<nights>": n}: length of stay of the bookings that are not cancelled
    room_types {room type: n}: bookings per room type (a count, not a key: it would multiply the rows)

The engine's deltas hold day rows; week and month rows are their sums (:func:`coarsen`), kept so that a
chart by week or month reads a number of rows that the number of bookings does not change once every
(vendor, channel, property, status, currency) has bookings in each period.  Each grain is also kept summed
over channel and property (grains ``day+``, ``week+``, ``month+``: :func:`sum_over_places`): day rows of
every place are not saturated at 100,000 bookings (most places have no booking on most days), so a
trend by day over them grew with the bookings (2.3-4.3x for 10x); summed over places, a day row per
vendor x status x currency is.

Room nights are the stored ``nights``, or check-out - check-in in days where ``nights`` is missing.
Rows are signed: the rollup of a changed booking is its new rows minus its old ones (``sign=-1``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from booking_desktop.analytics.periods import local_day, period_start

DIMS = ("vendor", "channel", "property", "status", "currency")
KEY = ("kind", "grain", "day", *DIMS)
GRAINS = ("day", "week", "month")
SUMS = ("bookings", "cancelled", "nights", "revenue_minor")
COUNTERS = ("lead", "los", "room_types")
CANCELLED = "cancelled"
SUMMED = "+"  # suffix of a grain whose rows are summed over PLACES
PLACES = ("channel", "property")


def civil_date(value: Any) -> date | None:
    """The calendar date of a stored check-in/check-out (midnight UTC of that date)."""
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.date()


def _text(v: Any) -> str | None:
    return None if v is None else str(v)


def booking_facts(doc: dict[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    """What one stored booking adds to the metrics (``check_in_day``/``booked_day`` may be None)."""
    ci, co = civil_date(doc.get("check_in")), civil_date(doc.get("check_out"))
    booked = doc.get("booked_at")
    bday = local_day(booked, tz) if isinstance(booked, datetime) else None
    nights = doc.get("nights")
    if not isinstance(nights, int) or isinstance(nights, bool):
        nights = (co - ci).days if ci is not None and co is not None else None
    cancelled = doc.get("status") == CANCELLED
    minor = doc.get("amount_minor")
    return {
        "vendor": _text(doc.get("vendor")),
        "channel": _text(doc.get("channel")),
        "property": _text(doc.get("property_name")),
        "room_type": _text(doc.get("room_type")),
        "status": _text(doc.get("status")),
        "currency": _text(doc.get("currency")),
        "check_in_day": ci,
        "booked_day": bday,
        "cancelled": cancelled,
        "nights": nights,
        "revenue_minor": int(minor) if isinstance(minor, int) and not cancelled else 0,
        "lead": (ci - bday).days if ci is not None and bday is not None else None,
    }


def _empty(key: tuple) -> dict[str, Any]:
    row: dict[str, Any] = dict(zip(KEY, key))
    row.update(dict.fromkeys(SUMS, 0))
    row.update({c: {} for c in COUNTERS})
    return row


def add_counts(into: dict[str, int], other: dict[str, int], sign: int = 1) -> None:
    for k, n in other.items():
        v = into.get(k, 0) + sign * int(n)
        if v:
            into[k] = v
        else:
            into.pop(k, None)


def accumulate(acc: dict[tuple, dict[str, Any]], docs: Iterable[dict[str, Any]], tz: ZoneInfo, sign: int = 1) -> None:
    """Add (``sign=1``) or take away (``-1``) the rows of ``docs`` to ``acc`` ({key: row})."""
    for doc in docs:
        f = booking_facts(doc, tz)
        dims = tuple(f[d] for d in DIMS)
        for kind, day in (("check_in", f["check_in_day"]), ("booked_at", f["booked_day"])):
            if day is None:
                continue
            key = (kind, "day", day.isoformat(), *dims)
            row = acc.get(key)
            if row is None:
                row = acc[key] = _empty(key)
            row["bookings"] += sign
            if f["cancelled"]:
                row["cancelled"] += sign
            else:
                if f["nights"] is not None:
                    row["nights"] += sign * f["nights"]
                    add_counts(row["los"], {str(f["nights"]): 1}, sign)
                row["revenue_minor"] += sign * f["revenue_minor"]
            if f["lead"] is not None:
                add_counts(row["lead"], {str(f["lead"]): 1}, sign)
            if f["room_type"] is not None:
                add_counts(row["room_types"], {f["room_type"]: 1}, sign)


def merge_rows(acc: dict[tuple, dict[str, Any]], rows: Iterable[dict[str, Any]], sign: int = 1) -> None:
    """Add rollup rows into ``acc`` ({key: row})."""
    for r in rows:
        key = tuple(r.get(k) for k in KEY)
        row = acc.get(key)
        if row is None:
            row = acc[key] = _empty(key)
        for s in SUMS:
            row[s] += sign * int(r.get(s) or 0)
        for c in COUNTERS:
            add_counts(row[c], r.get(c) or {}, sign)


def nonzero(acc: dict[tuple, dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows that still count something (a booking added and taken away again leaves nothing)."""
    return [r for r in acc.values() if any(r[s] for s in SUMS) or any(r[c] for c in COUNTERS)]


def coarsen(day_rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Week and month rows: the sums of the day rows of each ISO week / month."""
    acc: dict[tuple, dict[str, Any]] = {}
    for r in day_rows:
        day = date.fromisoformat(r["day"])
        for grain in ("week", "month"):
            merge_rows(acc, [{**r, "grain": grain, "day": period_start(day, grain).isoformat()}])
    return nonzero(acc)


def every_grain(day_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [*day_rows, *coarsen(day_rows)]


def summed(grain: str) -> str:
    """The grain of the rows summed over channel and property (``"day"`` -> ``"day+"``)."""
    return grain + SUMMED


def sum_over_places(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows summed over channel and property, under the grains :func:`summed` names: a trend that
    neither filters nor splits by those reads these, whose number stops growing with the bookings much
    sooner (a day row per vendor x status x currency, not per vendor x channel x property x ...)."""
    acc: dict[tuple, dict[str, Any]] = {}
    for r in rows:
        if r["grain"].endswith(SUMMED):
            continue
        merge_rows(acc, [{**r, "grain": summed(r["grain"]), **dict.fromkeys(PLACES)}])
    return nonzero(acc)


def partition_rows(day_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every row the rollup keeps for these day rows: each grain, and each grain summed over places."""
    rows = every_grain(day_rows)
    return [*rows, *sum_over_places(rows)]


def rows_of(docs: Iterable[dict[str, Any]], tz: ZoneInfo) -> list[dict[str, Any]]:
    acc: dict[tuple, dict[str, Any]] = {}
    accumulate(acc, docs, tz)
    return nonzero(acc)
