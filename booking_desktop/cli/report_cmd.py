"""``report trends|quality|imports|alerts|metrics|rebuild``: what managers see, for scripts and cron.

trends   a metric per day / ISO week / month of check-in or booked_at, in a time zone, filtered and split
quality  per vendor and period: records received, committed, rejected, rejection rate, top error codes,
         rejected rows still open and their age
imports  the import history: status, counts, duration, throughput, who; imports per day
alerts   a vendor silent for longer than usual, a rejection rate above the threshold, a failed import;
         exit 0 when there is none, 1 when an alert is raised (for cron and monitoring)
metrics  --prometheus FILE: the text exposition for a node-exporter textfile collector
fold     fold the rollup changes of recent imports into the rollup (charts read them unfolded too, slower)
rebuild  recompute the analytics rollup from the bookings (optionally in another --tz)

Exit 2 with a one-line message for a bad argument or no connection.  Numbers come from
booking_desktop.analytics (the same definitions the app's charts use; docs/ANALYTICS.md).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from booking_desktop.cli.common import fail

ACTIONS = ("trends", "quality", "imports", "alerts", "metrics", "fold", "rebuild")


def register(sub: argparse._SubParsersAction) -> None:
    from booking_desktop.analytics.metrics import METRICS, SPLITS

    p = sub.add_parser(
        "report",
        help="analytics: trends, data quality, import health, alerts",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("action", choices=ACTIONS)
    p.add_argument("--metric", default="bookings", help=f"trends: {' | '.join(METRICS)} (default bookings)")
    p.add_argument("--by", default=None, help="trends: day | week | month (default month); quality: week | month")
    p.add_argument("--date", default="check_in", help="trends: check_in (default) | booked_at")
    for f in ("vendor", "channel", "property", "currency"):
        p.add_argument(f"--{f}", help=f"only this {f}")
    p.add_argument("--status", help="trends: only bookings with this status")
    p.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="first day (trends)")
    p.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="last day (trends)")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="imports: started on or after this day")
    p.add_argument("--tz", help="IANA time zone for days, weeks and months (default UTC; rebuild: the rollup's)")
    p.add_argument("--split", help=f"trends: one series per {' | '.join(SPLITS)}")
    p.add_argument("--prometheus", metavar="FILE", help="metrics: write the exposition to FILE")
    p.add_argument("--max-rejection-rate", type=float, default=0.05, help="alerts: threshold (default 0.05)")
    p.add_argument("--silence-factor", type=float, default=2.0, help="alerts: x the usual interval (default 2)")
    p.add_argument("--failed-within-days", type=float, default=7.0, help="alerts: look back (default 7 days)")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    fmt.add_argument("--csv", action="store_true", help="print CSV on stdout")
    from booking_desktop.cli.connections_cmd import add_target_arguments

    add_target_arguments(p)
    p.set_defaults(func=run_report)


def _query(args: argparse.Namespace) -> Any:
    from booking_desktop.analytics.metrics import TrendQuery
    from booking_desktop.analytics.periods import parse_day

    return TrendQuery(
        metric=args.metric,
        by=args.by or "month",
        date=args.date,
        tz=args.tz or "UTC",
        vendor=args.vendor,
        channel=args.channel,
        property=args.property,
        status=args.status,
        currency=args.currency,
        start=parse_day(args.start, "--from") if args.start else None,
        end=parse_day(args.end, "--to") if args.end else None,
        split=args.split,
    )


def _check(args: argparse.Namespace) -> Any:
    """Every argument checked before the database is asked anything; returns the trend query if any."""
    from booking_desktop.analytics.periods import parse_day, zone

    zone(args.tz)
    if args.action == "trends":
        return _query(args)
    if args.action == "quality" and (args.by or "month") not in ("week", "month"):
        raise ValueError(f"--by {args.by!r}: quality is by week or month")
    if args.since:
        parse_day(args.since, "--since")
    if args.action == "metrics" and not args.prometheus:
        raise ValueError("metrics needs --prometheus FILE")
    if args.action == "alerts" and args.csv:
        raise ValueError("alerts prints text or --json")
    for name in ("max_rejection_rate", "silence_factor", "failed_within_days"):
        if getattr(args, name) < 0:
            raise ValueError(f"--{name.replace('_', '-')} must not be negative")
    return None


def run_report(args: argparse.Namespace) -> int:
    from booking_desktop.analytics.periods import PeriodError

    try:
        query = _check(args)
    except (PeriodError, ValueError) as exc:
        return fail(str(exc))
    from pymongo.errors import PyMongoError

    from booking_desktop.cli.connections_cmd import CliError, connect, resolve

    try:
        conn = connect(resolve(args))
    except CliError as exc:
        return fail(str(exc))
    try:
        return _ACTIONS[args.action](conn.db, args, query)
    except PyMongoError as exc:
        return fail(f"the database failed to answer the report: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    except OSError as exc:
        return fail(f"{args.prometheus}: {exc.strerror or exc}")
    finally:
        conn.close()


def _emit_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, default=str, ensure_ascii=False)
    sys.stdout.write("\n")


def _emit_csv(rows: list[dict[str, Any]], columns: list[str]) -> None:
    import csv

    from booking_desktop.cli.output import FORMULA_START

    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        cells = []
        for c in columns:
            v = r.get(c)
            t = "" if v is None else str(v)
            if isinstance(v, str) and t.startswith(FORMULA_START):
                t = "'" + t  # a vendor's name must not run as a spreadsheet formula
            cells.append(t)
        w.writerow(cells)


def _trends(db: Any, args: argparse.Namespace, q: Any) -> int:
    from booking_desktop.analytics import rollup
    from booking_desktop.analytics.metrics import trend
    from booking_desktop.cli.output import printable

    rows, source = rollup.trend_rows(db, q)
    tr = trend(rows, q, source)
    if args.json:
        _emit_json(tr.as_dict())
        return 0
    split = [q.split] if q.split else []
    extra = {"cancellations": ["rate"], "revenue": ["minor"], "adr": ["nights"], "lead_time": ["median", "count"]}
    cols = [*split, *(["currency"] if q.metric in ("revenue", "adr") and "currency" not in split else [])]
    flat = [{**s.key, "currency": s.currency, **p} for s in tr.series for p in s.points]
    columns = [*cols, "period", "value", *extra.get(q.metric, [])]
    if args.csv:
        _emit_csv(flat, columns)
        return 0
    print(f"{q.metric} by {q.by} of {q.date} ({q.tz}), from the {source}")
    if not flat:
        print("  no bookings match")
    for r in flat:
        label = " ".join(printable(r.get(c)) for c in cols)
        v = r["value"]
        shown = "-" if v is None else (f"{v:,.2f}" if isinstance(v, float) else f"{v:,}")
        more = "".join(f"  {k} {r[k]:.3f}" if isinstance(r.get(k), float) else "" for k in extra.get(q.metric, []))
        print(f"  {label + ' ' if label else ''}{r['period']}  {shown}{more}")
    return 0


QUALITY_COLUMNS = [
    "vendor",
    "period",
    "imports",
    "received",
    "committed",
    "rejected",
    "rejection_rate",
    "top_codes",
    "open",
    "open_oldest_days",
    "open_median_days",
]


def _quality(db: Any, args: argparse.Namespace, _q: Any) -> int:
    from booking_desktop.analytics.health import quality
    from booking_desktop.cli.output import printable

    rows = quality(db, by=args.by or "month", vendor=args.vendor, tz=args.tz or "UTC")
    if args.json:
        _emit_json({"by": args.by or "month", "tz": args.tz or "UTC", "rows": rows})
        return 0
    if args.csv:
        flat = [{**r, "top_codes": ";".join(f"{c['code']}:{c['rows']}" for c in r["top_codes"])} for r in rows]
        _emit_csv(flat, QUALITY_COLUMNS)
        return 0
    if not rows:
        print("no imports yet")
    for r in rows:
        rate = "-" if r["rejection_rate"] is None else f"{r['rejection_rate']:.1%}"
        codes = ", ".join(f"{c['code']} {c['rows']}" for c in r["top_codes"]) or "-"
        age = "" if r["open_oldest_days"] is None else f", oldest {r['open_oldest_days']:.1f} days"
        print(
            f"{printable(r['vendor'])} {r['period']}: {r['received']:,} received, {r['committed']:,} committed, "
            f"{r['rejected']:,} rejected ({rate}); codes: {printable(codes)}; {r['open']:,} open{age}"
        )
    return 0


IMPORT_COLUMNS = [
    "import_id",
    "vendor",
    "file",
    "status",
    "started_at",
    "finished_at",
    "records",
    "inserted",
    "updated",
    "unchanged",
    "rejected",
    "seconds",
    "records_per_second",
    "user",
    "error",
]


def _imports(db: Any, args: argparse.Namespace, _q: Any) -> int:
    from datetime import UTC, datetime

    from booking_desktop.analytics.health import import_history, imports_per_day, last_files
    from booking_desktop.analytics.periods import parse_day, zone

    since = None
    if args.since:
        d = parse_day(args.since, "--since")
        since = datetime(d.year, d.month, d.day, tzinfo=zone(args.tz)).astimezone(UTC)
    hist = import_history(db, since)
    if args.json:
        _emit_json({"imports": hist, "per_day": imports_per_day(hist, args.tz or "UTC"), "vendors": last_files(db)})
        return 0
    if args.csv:
        _emit_csv(hist, IMPORT_COLUMNS)
        return 0
    from booking_desktop.cli.output import printable

    if not hist:
        print("no imports")
    for h in hist:
        dur = "" if h["seconds"] is None else f" in {h['seconds']:.1f} s"
        print(
            f"{h['started_at']} {printable(h['vendor'])} {printable(h['file'])}: {h['status']}, "
            f"{h['records']:,} records ({h['inserted']:,} new, {h['updated']:,} updated, {h['rejected']:,} "
            f"rejected){dur} by {printable(h['user'])}"
        )
    return 0


def _thresholds(args: argparse.Namespace) -> Any:
    from booking_desktop.analytics.health import Thresholds

    return Thresholds(
        silence_factor=args.silence_factor,
        max_rejection_rate=args.max_rejection_rate,
        failed_within_days=args.failed_within_days,
    )


def _alerts(db: Any, args: argparse.Namespace, _q: Any) -> int:
    from booking_desktop.analytics.health import alerts
    from booking_desktop.cli.output import printable

    found = alerts(db, _thresholds(args))
    if args.json:
        _emit_json({"alerts": found})
    else:
        for a in found:
            print(printable(a["message"]))
        if not found:
            print("no alerts")
    return 1 if found else 0


def _metrics(db: Any, args: argparse.Namespace, _q: Any) -> int:
    import os
    import tempfile
    from pathlib import Path

    from booking_desktop.analytics.prometheus import exposition

    text = exposition(db, _thresholds(args))
    path = Path(args.prometheus)
    # written whole and renamed: the collector never reads half a file
    fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=".report-", suffix=".prom")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return 0


def _rebuild(db: Any, args: argparse.Namespace, _q: Any) -> int:
    from booking_desktop.analytics import rollup

    n = rollup.rebuild(db, args.tz)
    zone_name = rollup.rollup_zone(db)
    if args.json:
        _emit_json({"partitions": n, "zone": zone_name})
    else:
        print(f"rollup rebuilt from the bookings: {n:,} partitions, booked_at days in {zone_name}")
    return 0


def _fold(db: Any, args: argparse.Namespace, _q: Any) -> int:
    import time

    from booking_desktop.analytics import rollup

    t = time.monotonic()
    n = rollup.fold(db)
    if args.json:
        _emit_json({"folded": n, "seconds": time.monotonic() - t})
    else:
        print(f"rollup: {n:,} pending batch(es) folded in {time.monotonic() - t:.1f} s")
    return 0


_ACTIONS = {
    "trends": _trends,
    "quality": _quality,
    "imports": _imports,
    "alerts": _alerts,
    "metrics": _metrics,
    "fold": _fold,
    "rebuild": _rebuild,
}
