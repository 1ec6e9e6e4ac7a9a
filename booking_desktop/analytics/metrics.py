"""Metric definitions over rollup rows (see facts.py for what a row holds).

Every number the CLI, the GUI and the tests show comes from here:

- ``bookings``       bookings of every status
- ``cancellations``  cancelled bookings; each point also carries ``rate`` = cancelled / all (None for none)
- ``nights``         room nights of the bookings that are not cancelled
- ``revenue``        sum of the amounts of the bookings that are not cancelled, **per currency** (one series
                     per currency, never added across currencies); ``minor`` is the exact integer sum
- ``adr``            average daily rate = revenue / room nights, per currency (None without nights)
- ``lead_time``      mean lead time in days (check-in date - booked_at's local date); ``median`` beside it;
                     bookings without booked_at are left out
Periods without bookings are there with 0 (None for ratios and means): a vendor that went silent shows
as a drop, not as a line drawn across a gap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from booking_desktop.analytics.facts import add_counts
from booking_desktop.analytics.periods import (
    BY,
    DATE_KINDS,
    PeriodError,
    period_key,
    period_start,
    periods_between,
    zone,
)

METRICS = ("bookings", "cancellations", "nights", "revenue", "adr", "lead_time")
SPLITS = ("vendor", "channel", "currency")
FILTERS = ("vendor", "channel", "property", "status", "currency")
MONEY = ("revenue", "adr")
# fixed histogram bins (days): (label, low, high) inclusive
LEAD_BINS = (
    ("<0", None, -1),
    ("0", 0, 0),
    ("1-7", 1, 7),
    ("8-30", 8, 30),
    ("31-90", 31, 90),
    ("91-180", 91, 180),
    ("181-365", 181, 365),
    (">365", 366, None),
)
LOS_BINS = (
    ("0", 0, 0),
    ("1", 1, 1),
    ("2", 2, 2),
    ("3", 3, 3),
    ("4", 4, 4),
    ("5", 5, 5),
    ("6", 6, 6),
    ("7", 7, 7),
    ("8-14", 8, 14),
    ("15-28", 15, 28),
    (">28", 29, None),
)


@dataclass(frozen=True)
class TrendQuery:
    metric: str = "bookings"
    by: str = "month"
    date: str = "check_in"
    tz: str = "UTC"
    vendor: str | None = None
    channel: str | None = None
    property: str | None = None
    status: str | None = None
    currency: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    split: str | None = None

    def __post_init__(self) -> None:
        if self.metric not in METRICS:
            raise PeriodError(f"unknown metric {self.metric!r}: expected one of {', '.join(METRICS)}")
        if self.by not in BY:
            raise PeriodError(f"unknown period {self.by!r}: expected one of {', '.join(BY)}")
        if self.date not in DATE_KINDS:
            raise PeriodError(f"unknown date {self.date!r}: expected one of {', '.join(DATE_KINDS)}")
        if self.split is not None and self.split not in SPLITS:
            raise PeriodError(f"unknown split {self.split!r}: expected one of {', '.join(SPLITS)}")
        if self.start and self.end and self.start > self.end:
            raise PeriodError(f"--from {self.start} is after --to {self.end}")
        zone(self.tz)

    def filters(self) -> dict[str, str]:
        return {f: v for f in FILTERS if (v := getattr(self, f)) is not None}


@dataclass
class Series:
    key: dict[str, Any]
    points: list[dict[str, Any]]
    currency: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "points": self.points}
        if self.currency is not None or "currency" in self.key:
            out["currency"] = self.currency
        return out


@dataclass
class Trend:
    query: TrendQuery
    periods: list[str]
    series: list[Series] = field(default_factory=list)
    source: str = "rollup"  # or "bookings" (an exact scan, when the rollup cannot answer)

    def as_dict(self) -> dict[str, Any]:
        q = self.query
        return {
            "metric": q.metric,
            "by": q.by,
            "date": q.date,
            "tz": q.tz,
            "series": [s.as_dict() for s in self.series],
        }


_EXPONENTS: dict[str, int] = {}


def exponent(currency: str | None) -> int:
    if not currency:
        return 2
    if currency not in _EXPONENTS:
        from booking_desktop.schema import load_schema

        exp = load_schema().currency_exponent(currency)
        _EXPONENTS[currency] = 2 if exp is None else exp
    return _EXPONENTS[currency]


def grain_for(q: TrendQuery) -> str:
    """The coarsest rows that answer the query exactly: week or month rows when the range starts and ends
    on period boundaries (or is open), else day rows."""
    if q.by == "day":
        return "day"
    if q.start and period_start(q.start, q.by) != q.start:
        return "day"
    after = q.end + dt.timedelta(days=1) if q.end else None
    if after and period_start(after, q.by) != after:
        return "day"
    return q.by


def select(rows: Iterable[dict[str, Any]], q: TrendQuery) -> list[dict[str, Any]]:
    """The rows of the query's grain, date kind, range and filters."""
    lo = q.start.isoformat() if q.start else None
    hi = q.end.isoformat() if q.end else None
    grain = grain_for(q)
    flt = q.filters()
    out = []
    for r in rows:
        if r["kind"] != q.date or r.get("grain", "day") != grain or (lo and r["day"] < lo) or (hi and r["day"] > hi):
            continue
        if any(r.get(k) != v for k, v in flt.items()):
            continue
        out.append(r)
    return out


def median_of(counts: dict[str, int]) -> float | None:
    """The exact median of integer values given as {value: count}."""
    items = sorted((int(k), int(n)) for k, n in counts.items() if int(n) > 0)
    total = sum(n for _, n in items)
    if not total:
        return None
    lo_i, hi_i = (total - 1) // 2, total // 2
    seen, lo_v, hi_v = 0, None, None
    for v, n in items:
        if lo_v is None and lo_i < seen + n:
            lo_v = v
        if hi_i < seen + n:
            hi_v = v
            break
        seen += n
    assert lo_v is not None and hi_v is not None
    return (lo_v + hi_v) / 2


def needs_counters(q: TrendQuery) -> bool:
    """Does the trend of ``q`` read the rows' counters (lead, los, room types), or only their sums?"""
    return q.metric == "lead_time"


def _point(metric: str, acc: dict[str, Any], currency: str | None) -> dict[str, Any]:
    if metric == "bookings":
        return {"value": acc["bookings"]}
    if metric == "cancellations":
        b = acc["bookings"]
        return {"value": acc["cancelled"], "rate": acc["cancelled"] / b if b else None}
    if metric == "nights":
        return {"value": acc["nights"]}
    scale = 10 ** exponent(currency)
    if metric == "revenue":
        return {"value": acc["revenue_minor"] / scale, "minor": acc["revenue_minor"]}
    if metric == "adr":
        n = acc["nights"]
        return {"value": acc["revenue_minor"] / n / scale if n else None, "nights": n}
    lead = acc["lead"]
    n = sum(lead.values())
    mean = sum(int(k) * v for k, v in lead.items()) / n if n else None
    return {"value": mean, "median": median_of(lead), "count": n}


def _blank() -> dict[str, Any]:
    return {"bookings": 0, "cancelled": 0, "nights": 0, "revenue_minor": 0, "lead": {}}


def trend(rows: Iterable[dict[str, Any]], q: TrendQuery, source: str = "rollup") -> Trend:
    """The query's series over rollup rows (already for the query's zone)."""
    sel = select(rows, q)
    if q.start and q.end:
        first, last = q.start, q.end
    elif sel:
        days = sorted(r["day"] for r in sel)
        first = q.start or date.fromisoformat(days[0])
        last = q.end or date.fromisoformat(days[-1])
    else:
        first = last = None  # type: ignore[assignment]
    periods = periods_between(first, last, q.by) if first and last and first <= last else []
    split = [q.split] if q.split else []
    if q.metric in MONEY and "currency" not in split:
        split.append("currency")
    groups: dict[tuple, dict[str, dict[str, Any]]] = {}
    for r in sel:
        key = tuple(r.get(s) for s in split)
        if q.metric in MONEY and key[split.index("currency")] is None:
            continue
        per = groups.setdefault(key, {})
        p = period_key(date.fromisoformat(r["day"]), q.by)
        acc = per.get(p)
        if acc is None:
            acc = per[p] = _blank()
        for s in ("bookings", "cancelled", "nights", "revenue_minor"):
            acc[s] += r[s]
        if q.metric == "lead_time":  # the only metric of a trend that reads a counter
            add_counts(acc["lead"], r.get("lead") or {})
    if not groups and q.metric not in MONEY and not split:
        groups[()] = {}
    out = Trend(q, periods, source=source)
    for key in sorted(groups, key=lambda k: tuple("" if v is None else str(v) for v in k)):
        kd = dict(zip(split, key))
        cur = kd.get("currency") if q.metric in MONEY else None
        per = groups[key]
        points = [{"period": p, **_point(q.metric, per.get(p) or _blank(), cur)} for p in periods]
        out.series.append(Series(key=kd, points=points, currency=cur))
    return out


def _bins(counts: dict[str, int], bins: Sequence[tuple[str, int | None, int | None]]) -> list[dict[str, Any]]:
    out = []
    for label, lo, hi in bins:
        n = sum(v for k, v in counts.items() if (lo is None or int(k) >= lo) and (hi is None or int(k) <= hi))
        out.append({"bin": label, "count": n})
    return out


def distribution(rows: Iterable[dict[str, Any]], q: TrendQuery, which: str = "lead") -> dict[str, Any]:
    """Histogram with fixed bins of lead time (``lead``) or length of stay (``los``) over the query's rows,
    with the exact mean and median."""
    counts: dict[str, int] = {}
    for r in select(rows, q):
        add_counts(counts, r.get(which) or {})
    n = sum(counts.values())
    mean = sum(int(k) * v for k, v in counts.items()) / n if n else None
    bins = LEAD_BINS if which == "lead" else LOS_BINS
    return {"count": n, "mean": mean, "median": median_of(counts), "bins": _bins(counts, bins)}


def top(rows: Iterable[dict[str, Any]], q: TrendQuery, by: str = "property", n: int = 10) -> list[dict[str, Any]]:
    """The ``n`` properties / room types / channels / vendors with the most bookings (ties by name)."""
    if by not in ("property", "room_type", "channel", "vendor"):
        raise PeriodError(f"cannot rank by {by!r}")
    totals: dict[Any, dict[str, int]] = {}
    for r in select(rows, q):
        if by == "room_type":
            for name, count in (r.get("room_types") or {}).items():
                t = totals.setdefault(name, {"bookings": 0})
                t["bookings"] += count
            continue
        t = totals.setdefault(r.get(by), {"bookings": 0, "cancelled": 0, "nights": 0})
        for s in t:
            t[s] += r[s]
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1]["bookings"], "" if kv[0] is None else str(kv[0])))
    return [{by: k, **v} for k, v in ranked[:n]]
