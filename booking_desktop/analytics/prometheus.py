"""The Prometheus text exposition (format 0.0.4) of the analytics, for a node-exporter textfile collector.

Gauges only: each is what the database says now (a collector scrapes the file; rates come from PromQL).
Label values are escaped (backslash, double quote, newline) as the format requires; vendor names are data.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from booking_desktop.analytics import health, rollup

if TYPE_CHECKING:
    from pymongo.database import Database

PREFIX = "booking_desktop"


def _label(v: object) -> str:
    return str(v).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _metric(name: str, help_text: str, samples: Iterable[tuple[dict[str, object], float]]) -> list[str]:
    lines = [f"# HELP {PREFIX}_{name} {help_text}", f"# TYPE {PREFIX}_{name} gauge"]
    for labels, value in samples:
        inner = ",".join(f'{k}="{_label(v)}"' for k, v in labels.items())
        lines.append(f"{PREFIX}_{name}{{{inner}}} {value:g}" if inner else f"{PREFIX}_{name} {value:g}")
    return lines


def exposition(db: Database, th: health.Thresholds | None = None, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    per_vendor: dict[str, list[int]] = {}
    for r in rollup.stored_rows(db, "check_in", grain="month"):
        t = per_vendor.setdefault(str(r.get("vendor")), [0, 0])
        t[0] += r["bookings"]
        t[1] += r["cancelled"]
    hist = health.import_history(db)
    by_status: dict[tuple[str, str], int] = {}
    for h in hist:
        k = (str(h["vendor"]), str(h["status"]))
        by_status[k] = by_status.get(k, 0) + 1
    open_rows: dict[str, int] = {}
    for rr in db.rejected_rows.find({"status": "open"}, {"vendor": 1}):
        v = str(rr.get("vendor"))
        open_rows[v] = open_rows.get(v, 0) + 1
    found = health.alerts(db, th, now)
    alert_counts: dict[str, int] = {}
    for a in found:
        alert_counts[a["kind"]] = alert_counts.get(a["kind"], 0) + 1
    lines: list[str] = []
    lines += _metric(
        "bookings",
        "Bookings stored, per vendor (every status).",
        (({"vendor": v}, t[0]) for v, t in sorted(per_vendor.items())),
    )
    lines += _metric(
        "bookings_cancelled",
        "Cancelled bookings stored, per vendor.",
        (({"vendor": v}, t[1]) for v, t in sorted(per_vendor.items())),
    )
    lines += _metric(
        "imports",
        "Imports recorded, per vendor and status.",
        (({"vendor": v, "status": s}, n) for (v, s), n in sorted(by_status.items())),
    )
    lines += _metric(
        "rejected_rows_open",
        "Rejected rows still open in the review queue, per vendor.",
        (({"vendor": v}, n) for v, n in sorted(open_rows.items())),
    )
    lines += _metric(
        "seconds_since_last_file",
        "Seconds since the vendor's last import started.",
        (({"vendor": lf["vendor"]}, lf["seconds_since_last"]) for lf in health.last_files(db, now)),
    )
    lines += _metric(
        "alerts",
        "Alerts raised now, per kind (0 when none).",
        [
            ({"kind": k}, alert_counts.get(k, 0))
            for k in sorted(
                {"vendor_silent", "rejection_rate", "import_failed", "import_interrupted"} | set(alert_counts)
            )
        ],
    )
    return "\n".join(lines) + "\n"
