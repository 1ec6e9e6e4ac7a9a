"""Vendor data quality and import health, over ``imports`` and ``rejected_rows`` (plain ``find()``), and
the alerts a manager's cron job or monitoring asks for.

- quality per vendor and period (of the import's start, in the chosen zone): records received, committed
  (inserted + updated + unchanged), rejected, rejection rate = rejected / received, the top error codes
  (each code counted once per rejected row), and the rejected rows still open with their age;
- import health: imports per day, failed and interrupted imports, throughput (records per second of a
  finished import), time since each vendor's last file;
- the open rejected rows of each vendor by age (``AGE_BUCKETS``), and the error codes per vendor and
  period with how many of those rows are still open (what the Data quality page clicks through to the
  Review queue with);
- alerts: a vendor silent for longer than ``silence_factor`` x its usual interval (the median gap between
  its files, from at least ``min_imports`` files), a vendor whose latest finished import rejected more than
  ``max_rejection_rate``, an import that failed or was interrupted and not completed since.

These read the import records and the rejected rows, not ``bookings``: there are few imports, and rejected
rows are a small share of what vendors send.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from booking_desktop.analytics.periods import local_day, period_key, periods_between, zone

if TYPE_CHECKING:
    from pymongo.database import Database

IMPORT_FIELDS = (
    "vendor",
    "status",
    "records",
    "counts",
    "started_at",
    "finished_at",
    "file_name",
    "file_sha256",
    "user",
    "error",
)


def _aware(v: Any) -> datetime | None:
    if not isinstance(v, datetime):
        return None
    return v if v.tzinfo is not None else v.replace(tzinfo=UTC)


def imports_of(db: Database, since: datetime | None = None, vendor: str | None = None) -> list[dict[str, Any]]:
    query: dict[str, Any] = {}
    if vendor is not None:
        query["vendor"] = vendor
    docs = list(db.imports.find(query, dict.fromkeys(IMPORT_FIELDS, 1)))
    out = []
    for d in docs:
        d["started_at"] = _aware(d.get("started_at"))
        d["finished_at"] = _aware(d.get("finished_at"))
        if since is None or (d["started_at"] is not None and d["started_at"] >= since):
            out.append(d)
    out.sort(key=lambda d: (d["started_at"] or datetime.min.replace(tzinfo=UTC), d["_id"]))
    return out


def _counts(d: dict[str, Any]) -> dict[str, int]:
    c = d.get("counts") or {}
    return {k: int(c.get(k) or 0) for k in ("inserted", "updated", "unchanged", "rejected")}


AGE_BUCKETS: tuple[tuple[str, float, float], ...] = (
    ("< 1 day", 0.0, 1.0),
    ("1–7 days", 1.0, 7.0),
    ("7–30 days", 7.0, 30.0),
    ("> 30 days", 30.0, math.inf),
)
"""(label, from, to) in days: a row is in the bucket where ``from <= age < to`` (7 days old is 7–30)."""
UNDATED = "no date"


def age_bucket(days: float) -> str:
    """The :data:`AGE_BUCKETS` label of an age in days (a row dated in the future counts as new)."""
    for label, _lo, hi in AGE_BUCKETS:
        if days < hi:
            return label
    return AGE_BUCKETS[-1][0]


@dataclass
class QualityReport:
    """Everything the Data quality page shows, from one read of ``imports`` and one of ``rejected_rows``.

    ``periods`` runs from the first import's period to the last's with none left out, so a chart over it
    shows a vendor's missing period as a gap at its place (no imports: no rate), never as a line that
    jumps over it."""

    by: str
    tz: str
    periods: list[str]
    rows: list[dict[str, Any]]  # quality(): one per vendor and period
    codes: list[dict[str, Any]]  # vendor, period, code, rows (rejected rows with it), open (still open)
    ages: list[dict[str, Any]]  # vendor, open, buckets {label: n} (every AGE_BUCKETS label), undated, oldest_days

    @property
    def vendors(self) -> list[str]:
        return sorted({r["vendor"] for r in self.rows} | {a["vendor"] for a in self.ages})

    def rates(self, vendor: str) -> list[float | None]:
        """The vendor's rejection rate in each of ``periods`` (None where it sent nothing)."""
        by_period = {r["period"]: r["rejection_rate"] for r in self.rows if r["vendor"] == vendor}
        return [by_period.get(p) for p in self.periods]

    def codes_in(self, period: str | None = None) -> list[dict[str, Any]]:
        """vendor x code over one period (None: all of them), most rows first within each vendor."""
        total: dict[tuple[str, str], list[int]] = {}
        for c in self.codes:
            if period is None or c["period"] == period:
                t = total.setdefault((c["vendor"], c["code"]), [0, 0])
                t[0] += c["rows"]
                t[1] += c["open"]
        ordered = sorted(total.items(), key=lambda kv: (kv[0][0], -kv[1][0], kv[0][1]))
        return [{"vendor": v, "code": code, "rows": n, "open": o} for (v, code), (n, o) in ordered]


def quality_report(
    db: Database,
    by: str = "month",
    vendor: str | None = None,
    tz: str = "UTC",
    top_codes: int = 5,
    now: datetime | None = None,
) -> QualityReport:
    """Quality per vendor and period (of the import's start in ``tz``), error codes, open rows by age."""
    zi = zone(tz)
    now = now or datetime.now(UTC)
    period_key(now.date(), by)  # an unknown period is refused before the database is asked
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    period_of_import: dict[str, tuple[str, str]] = {}
    days = []
    for d in imports_of(db, vendor=vendor):
        if d["started_at"] is None:
            continue
        day = local_day(d["started_at"], zi)
        days.append(day)
        key = (str(d.get("vendor")), period_key(day, by))
        period_of_import[d["_id"]] = key
        r = rows.setdefault(
            key,
            {
                "vendor": key[0],
                "period": key[1],
                "imports": 0,
                "received": 0,
                "committed": 0,
                "rejected": 0,
                "codes": Counter(),
                "open": 0,
                "open_ages": [],
            },
        )
        c = _counts(d)
        r["imports"] += 1
        r["received"] += int(d.get("records") or 0)
        r["committed"] += c["inserted"] + c["updated"] + c["unchanged"]
        r["rejected"] += c["rejected"]
    codes: dict[tuple[str, str, str], list[int]] = {}
    ages: dict[str, dict[str, Any]] = {}
    query: dict[str, Any] = {} if vendor is None else {"vendor": vendor}
    fields = {"import_id": 1, "errors": 1, "status": 1, "created_at": 1, "vendor": 1}
    for rr in db.rejected_rows.find(query, fields):
        is_open = rr.get("status") == "open"
        created = _aware(rr.get("created_at"))
        age = (now - created).total_seconds() / 86400 if created is not None else None
        if is_open:
            a = ages.setdefault(str(rr.get("vendor")), {"open": 0, "buckets": Counter(), "undated": 0, "all": []})
            a["open"] += 1
            if age is None:
                a["undated"] += 1
            else:
                a["buckets"][age_bucket(age)] += 1
                a["all"].append(age)
        found = period_of_import.get(rr.get("import_id"))
        if found is None:
            continue
        r = rows[found]
        row_codes = {str(e.get("code")) for e in rr.get("errors") or [] if isinstance(e, dict)}
        r["codes"].update(row_codes)
        for code in row_codes:
            t = codes.setdefault((*found, code), [0, 0])
            t[0] += 1
            t[1] += int(is_open)
        if is_open:
            r["open"] += 1
            if age is not None:
                r["open_ages"].append(age)
    out = []
    for key in sorted(rows, key=lambda k: (k[1], k[0])):
        r = rows[key]
        open_ages = r.pop("open_ages")
        row_codes = r.pop("codes")
        r["rejection_rate"] = r["rejected"] / r["received"] if r["received"] else None
        r["top_codes"] = [{"code": c, "rows": n} for c, n in sorted(row_codes.items(), key=lambda kv: (-kv[1], kv[0]))]
        r["top_codes"] = r["top_codes"][:top_codes]
        r["open_oldest_days"] = max(open_ages) if open_ages else None
        r["open_median_days"] = statistics.median(open_ages) if open_ages else None
        out.append(r)
    age_rows = []
    for v in sorted(ages):
        a = ages[v]
        buckets = {label: a["buckets"][label] for label, _lo, _hi in AGE_BUCKETS}
        oldest = max(a["all"]) if a["all"] else None
        age_rows.append(
            {"vendor": v, "open": a["open"], "buckets": buckets, "undated": a["undated"], "oldest_days": oldest}
        )
    code_rows = [
        {"vendor": v, "period": p, "code": c, "rows": n, "open": o}
        for (v, p, c), (n, o) in sorted(codes.items(), key=lambda kv: (kv[0][1], kv[0][0], -kv[1][0], kv[0][2]))
    ]
    periods = periods_between(min(days), max(days), by) if days else []
    return QualityReport(by=by, tz=tz, periods=periods, rows=out, codes=code_rows, ages=age_rows)


def quality(
    db: Database,
    by: str = "month",
    vendor: str | None = None,
    tz: str = "UTC",
    top_codes: int = 5,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """One row per vendor and period (of the import's start in ``tz``), oldest period first."""
    return quality_report(db, by, vendor, tz, top_codes, now).rows


def import_history(db: Database, since: datetime | None = None) -> list[dict[str, Any]]:
    """Each import with its status, counts, duration, throughput and who ran it, newest first."""
    return history_of(imports_of(db, since))


def history_of(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """:func:`import_history` of import records already read with :func:`imports_of` (oldest first)."""
    out = []
    for d in reversed(docs):
        c = _counts(d)
        secs = (d["finished_at"] - d["started_at"]).total_seconds() if d["finished_at"] and d["started_at"] else None
        records = int(d.get("records") or 0)
        out.append(
            {
                "import_id": d["_id"],
                "vendor": d.get("vendor"),
                "file": d.get("file_name"),
                "status": d.get("status"),
                "started_at": d["started_at"].isoformat() if d["started_at"] else None,
                "finished_at": d["finished_at"].isoformat() if d["finished_at"] else None,
                "records": records,
                **c,
                "seconds": secs,
                "records_per_second": records / secs if secs and secs > 0 and d.get("status") == "completed" else None,
                "user": d.get("user"),
                "error": d.get("error"),
            }
        )
    return out


def imports_per_day(history: list[dict[str, Any]], tz: str = "UTC") -> dict[str, dict[str, int]]:
    zi = zone(tz)
    out: dict[str, dict[str, int]] = {}
    for h in history:
        if not h["started_at"]:
            continue
        day = local_day(datetime.fromisoformat(h["started_at"]), zi).isoformat()
        d = out.setdefault(day, {"imports": 0, "failed": 0, "interrupted": 0})
        d["imports"] += 1
        if h["status"] in ("failed", "interrupted"):
            d[h["status"]] += 1
    return dict(sorted(out.items()))


def last_files(db: Database, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per vendor: its last file, how long ago, and its usual interval (median gap between its files)."""
    return last_files_of(imports_of(db), now)


def last_files_of(docs: list[dict[str, Any]], now: datetime | None = None) -> list[dict[str, Any]]:
    """:func:`last_files` of import records already read with :func:`imports_of`."""
    now = now or datetime.now(UTC)
    by_vendor: dict[str, list[datetime]] = {}
    for d in docs:
        if d["started_at"] is not None:
            by_vendor.setdefault(str(d.get("vendor")), []).append(d["started_at"])
    out = []
    for v in sorted(by_vendor):
        times = sorted(by_vendor[v])
        gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
        out.append(
            {
                "vendor": v,
                "files": len(times),
                "last_at": times[-1].isoformat(),
                "seconds_since_last": (now - times[-1]).total_seconds(),
                "usual_interval_seconds": statistics.median(gaps) if gaps else None,
            }
        )
    return out


@dataclass(frozen=True)
class Thresholds:
    silence_factor: float = 2.0
    min_imports: int = 3
    max_rejection_rate: float = 0.05
    failed_within_days: float = 7.0


def alerts(db: Database, th: Thresholds | None = None, now: datetime | None = None) -> list[dict[str, Any]]:
    """What needs a manager's attention now (empty when all is well)."""
    return alerts_of(imports_of(db), th, now)


def alerts_of(
    docs: list[dict[str, Any]], th: Thresholds | None = None, now: datetime | None = None
) -> list[dict[str, Any]]:
    """:func:`alerts` over import records already read with :func:`imports_of` (a page that lets the
    user change the thresholds recomputes them without asking the database again)."""
    th = th or Thresholds()
    now = now or datetime.now(UTC)
    out: list[dict[str, Any]] = []
    for lf in last_files_of(docs, now):
        usual = lf["usual_interval_seconds"]
        if usual and lf["files"] >= th.min_imports and lf["seconds_since_last"] > th.silence_factor * usual:
            out.append(
                {
                    "kind": "vendor_silent",
                    "vendor": lf["vendor"],
                    "message": f"{lf['vendor']}: no file for {lf['seconds_since_last'] / 86400:.1f} days "
                    f"(usually every {usual / 86400:.1f} days)",
                }
            )
    latest: dict[str, dict[str, Any]] = {}
    for d in docs:
        if d.get("status") == "completed":
            latest[str(d.get("vendor"))] = d
    for v, d in sorted(latest.items()):
        rec = int(d.get("records") or 0)
        rate = _counts(d)["rejected"] / rec if rec else 0.0
        if rate > th.max_rejection_rate:
            out.append(
                {
                    "kind": "rejection_rate",
                    "vendor": v,
                    "import_id": d["_id"],
                    "message": f"{v}: {rate:.1%} of {rec:,} records rejected in {d.get('file_name')} "
                    f"(threshold {th.max_rejection_rate:.1%})",
                }
            )
    completed_files = {(d.get("file_sha256"), d.get("vendor")) for d in docs if d.get("status") == "completed"}
    for d in docs:
        if d.get("status") not in ("failed", "interrupted") or d["started_at"] is None:
            continue
        if (now - d["started_at"]).total_seconds() > th.failed_within_days * 86400:
            continue
        if (d.get("file_sha256"), d.get("vendor")) in completed_files:
            continue  # the same file was imported completely afterwards (or resumed to the end)
        out.append(
            {
                "kind": f"import_{d['status']}",
                "vendor": d.get("vendor"),
                "import_id": d["_id"],
                "message": f"{d.get('vendor')}: import of {d.get('file_name')} {d['status']}"
                + (f": {d['error']}" if d.get("error") else ""),
            }
        )
    return out
