"""What the Analytics page shows for one choice of its controls, computed in one go (Qt-free).

The page runs :func:`read_dashboard` on a worker and only draws the result: the trend of the chosen
metric, the lead-time and length-of-stay histograms, the top properties / room types / channels, and the
values the filter boxes offer.  Every number comes from :mod:`.metrics` (the definitions the CLI's
``report trends`` uses), and every table the page shows is a :class:`Table` of *exact* values (integers,
``Decimal`` money from the minor units, floats as computed), so the CSV export writes the numbers
themselves, not their on-screen rounding.

One read serves the whole page: the rows of the query (rollup, or an exact scan of ``bookings`` where
the rollup cannot answer, see :func:`.rollup.rows_for`) feed the trend, the histograms and the tops; the
check-in month rows of every vendor give the filter choices (a number of rows that does not grow with
bookings) and, for the page's first chart (bookings by month of check-in), the trend's rows as well.
The lead-time histogram depends on the zone (booked_at's local day): in a zone other than the rollup's it
is counted from ``bookings`` too, so that one zone holds for every number on the page.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from booking_desktop.analytics import rollup
from booking_desktop.analytics.metrics import (
    FILTERS,
    Series,
    Trend,
    TrendQuery,
    distribution,
    exponent,
    grain_for,
    select,
    top,
    trend,
)

if TYPE_CHECKING:
    from pymongo.database import Database

# the page's metric choices: (name, label, core metric, the point field shown)
PAGE_METRICS = (
    ("bookings", "Bookings", "bookings", "value"),
    ("cancellations", "Cancellations", "cancellations", "value"),
    ("cancellation_rate", "Cancellation rate", "cancellations", "rate"),
    ("nights", "Room nights", "nights", "value"),
    ("revenue", "Revenue", "revenue", "value"),
    ("adr", "Average daily rate", "adr", "value"),
    ("lead_time", "Lead time (mean days)", "lead_time", "value"),
)
TOPS = (("property", "Property"), ("room_type", "Room type"), ("channel", "Channel"))
TOP_N = 10
NONE_LABEL = "(none)"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def page_metric(name: str) -> tuple[str, str, str, str]:
    for m in PAGE_METRICS:
        if m[0] == name:
            return m
    raise ValueError(f"unknown metric {name!r}")


@dataclass
class Table:
    """A chart's numbers as the table beside it shows them: ``rows`` hold exact values (int, Decimal,
    float, str; None = no value, e.g. a rate of a period without bookings)."""

    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)

    def write_csv(self, path: str | Path) -> None:
        """The table as CSV: every number exactly (``Decimal`` money, floats as Python prints them), no
        thousands separators; a text cell a spreadsheet would run as a formula is prefixed with ``'``."""
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow([_csv_text(h) for h in self.headers])
            for row in self.rows:
                w.writerow([_csv_text(v) for v in row])


def _csv_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    t = str(v)
    if isinstance(v, str) and t.startswith(FORMULA_START):
        return "'" + t
    return t


@dataclass
class Dashboard:
    query: TrendQuery
    metric: str  # the page's metric name (PAGE_METRICS)
    trend: Trend
    lead: dict[str, Any] | None  # None while it is being counted (see read_dashboard)
    los: dict[str, Any]
    tops: dict[str, list[dict[str, Any]]]
    choices: dict[str, list[str]]  # filter -> the values the database holds
    matched: int  # bookings in the selection (every status)
    seconds: float = 0.0

    @property
    def field(self) -> str:
        return page_metric(self.metric)[3]

    @property
    def source(self) -> str:
        return self.trend.source

    @property
    def database_empty(self) -> bool:
        return not any(self.choices.values())

    def values(self, s: Series) -> list[Any]:
        """The exact values of one series, in period order (revenue as ``Decimal`` from minor units)."""
        if self.query.metric == "revenue":
            exp = exponent(s.currency)
            return [Decimal(p["minor"]).scaleb(-exp) for p in s.points]
        return [p.get(self.field) for p in s.points]

    def trend_table(self) -> Table:
        label = page_metric(self.metric)[1]
        cols = [self.values(s) for s in self.trend.series]
        rows = [[p, *(c[i] for c in cols)] for i, p in enumerate(self.trend.periods)]
        return Table(label, ["Period", *(series_label(s) for s in self.trend.series)], rows)

    def lead_table(self) -> Table:
        bins = self.lead["bins"] if self.lead else []
        return Table("Lead time (days)", ["Lead time (days)", "Bookings"], [[b["bin"], b["count"]] for b in bins])

    def los_table(self) -> Table:
        return Table(
            "Length of stay (nights)", ["Nights", "Bookings"], [[b["bin"], b["count"]] for b in self.los["bins"]]
        )

    def top_table(self, by: str) -> Table:
        name = dict(TOPS)[by]
        items = self.tops.get(by) or []
        if by == "room_type":
            return Table(f"Top {name.lower()}s", [name, "Bookings"], [[_name(t[by]), t["bookings"]] for t in items])
        return Table(
            f"Top {name.lower()}s",
            [name, "Bookings", "Cancelled", "Room nights"],
            [[_name(t[by]), t["bookings"], t["cancelled"], t["nights"]] for t in items],
        )


def _name(v: Any) -> str:
    return NONE_LABEL if v is None else str(v)


def series_label(s: Series) -> str:
    """``EUR``, ``acme``, ``acme EUR``; ``all`` for the one series of an unsplit count."""
    parts = [_name(v) for k, v in s.key.items() if k != "currency"]
    if "currency" in s.key or s.currency is not None:
        parts.append(_name(s.currency if s.currency is not None else s.key.get("currency")))
    return " ".join(parts) or "all"


def describe(q: TrendQuery) -> str:
    """The selection in words, for "No bookings match ..."."""
    parts = [f"{f} {getattr(q, f)}" for f in FILTERS if getattr(q, f) is not None]
    when = "check-in" if q.date == "check_in" else "booking date"
    if q.start and q.end:
        parts.append(f"{when} {q.start} to {q.end}")
    elif q.start:
        parts.append(f"{when} from {q.start}")
    elif q.end:
        parts.append(f"{when} up to {q.end}")
    if q.date == "booked_at" and not (q.start or q.end):
        parts.append("with a booking date")
    return ", ".join(parts) or "these choices"


def choices_of(rows: Iterable[dict[str, Any]]) -> dict[str, list[str]]:
    found: dict[str, set[str]] = {f: set() for f in FILTERS}
    for r in rows:
        for f in FILTERS:
            v = r.get(f)
            if v is not None:
                found[f].add(str(v))
    return {f: sorted(v, key=str.casefold) for f, v in found.items()}


def _never() -> bool:
    return False


def read_dashboard(
    db: Database, q: TrendQuery, metric: str | None = None, cancelled: Callable[[], bool] = _never
) -> Generator[str | Dashboard, None, Dashboard]:
    """Everything the page shows for ``q``.  Yields a few words of progress between reads, and, when the
    lead-time histogram needs a scan of ``bookings`` (a zone other than the rollup's), the dashboard
    without it first (``lead`` None) so the page can draw the rest meanwhile.  Stops (raising
    ``pipeline.Cancelled``) when ``cancelled()`` turns true between reads."""
    from booking_desktop.pipeline import Cancelled

    def check() -> None:
        if cancelled():
            raise Cancelled()

    t0 = time.perf_counter()
    metric = metric or q.metric
    if page_metric(metric)[2] != q.metric:
        raise ValueError(f"metric {metric!r} is not {q.metric!r}")
    pending = db[rollup.DELTAS].count_documents({"folded": False})
    if pending > rollup.AUTO_FOLD_DELTAS:  # what stored_rows would do anyway, said first: it takes a while
        yield f"adding {pending:,} batches of recent imports to the rollup (once after an import)"
        rollup.fold(db)
        check()
    yield "reading the rollup"
    # by kind and grain: the partitions' index answers it (a query on the grain alone read every day
    # partition too); every booking has a check-in, so these rows hold every filter value
    month_rows = rollup.stored_rows(db, "check_in", None, None, "month")
    check()
    zone_name = rollup.rollup_zone(db)
    monthly = replace(q, by="month")
    # the histograms and tops do not depend on the period: by day or week over whole months of check-in
    # they are summed from the month rows already read (a tenth or less of the day rows), and the trend
    # then needs only its own sums (rollup.trend_rows: summed over places, no counters)
    dist_from_months = q.date == "check_in" and q.by != "month" and grain_for(monthly) == "month"
    whole = q.date == "check_in" and grain_for(q) == "month" and not q.start and not q.end
    if whole and rollup.can_answer(q, zone_name):
        rows = [r for r in month_rows if q.vendor is None or r.get("vendor") == q.vendor]
        source = "rollup"
    else:
        if not rollup.can_answer(q, zone_name):
            yield f"counting from the bookings themselves (days in {q.tz}, the rollup's are in {zone_name})"
        else:
            yield "reading the rows of the query"
        if dist_from_months and rollup.can_answer(q, zone_name):
            rows, source = rollup.trend_rows(db, q)
        else:
            rows, source = rollup.rows_for(db, q)
    check()
    dist_q, dist_rows = q, rows
    if source == "rollup" and dist_from_months:
        dist_q, dist_rows = monthly, month_rows
    sel = select(dist_rows, dist_q)
    dash = Dashboard(
        query=q,
        metric=metric,
        trend=trend(rows, q, source),
        lead={},
        los=distribution(dist_rows, dist_q, "los"),
        tops={by: top(dist_rows, dist_q, by, TOP_N) for by, _ in TOPS},
        choices=choices_of(month_rows),
        matched=sum(int(r["bookings"]) for r in sel),
    )
    lead_q = replace(q, metric="lead_time")
    if source == "rollup" and not rollup.can_answer(lead_q, zone_name):
        dash.lead = None
        dash.seconds = time.perf_counter() - t0
        yield replace(dash)
        yield f"counting lead times in {q.tz} from the bookings themselves"
        lead_rows, _ = rollup.rows_for(db, lead_q)
        check()
        dash = replace(dash, lead=distribution(lead_rows, q, "lead"))
    else:
        dash.lead = distribution(dist_rows, dist_q, "lead")
    dash.seconds = time.perf_counter() - t0
    return dash
