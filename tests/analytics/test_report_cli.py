"""``report`` through main(), against the real server; every number checked another way."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
import pytest
from bookings_data import edge_rows, expected

from booking_desktop.cli import main
from booking_desktop.storage.client import ensure_indexes
from booking_desktop.storage.engine import CommitEngine
from booking_desktop.storage.localdb import free_port
from booking_desktop.storage.testing import booking_rows, make_result

BAD = [("check_in", "format", "check_in '31/02/2024' is not a date")]
BAD_CUR = [("currency", "enum", "currency 'XXX' is not a currency")]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(mongo_db, config_dir):
    ensure_indexes(mongo_db)
    return mongo_db


def target(mongo_server, db):
    return ["--uri", mongo_server.uri, "--db", db.name]


def test_trends_json_is_the_issue_shape_and_equals_pandas(capsys, mongo_server, db):
    CommitEngine(db, batch_size=40).run(make_result(edge_rows(100)))
    docs = list(db.bookings.find())
    code, out, err = run(
        capsys, "report", "trends", "--metric", "bookings", "--by", "week", "--json", *target(mongo_server, db)
    )
    assert code == 0, err
    got = json.loads(out)
    assert {k: got[k] for k in ("metric", "by", "date", "tz")} == {
        "metric": "bookings",
        "by": "week",
        "date": "check_in",
        "tz": "UTC",
    }
    (series,) = got["series"]
    assert series["key"] == {}
    want = expected(docs, "bookings", "week")[None]
    assert {p["period"]: p["value"] for p in series["points"]} == want
    assert "2020-W53" in want
    code, out, _ = run(
        capsys,
        "report",
        "trends",
        "--metric",
        "revenue",
        "--by",
        "month",
        "--split",
        "channel",
        "--json",
        *target(mongo_server, db),
    )
    rev = json.loads(out)
    assert all(s["currency"] in ("EUR", "USD", "JPY") and s["key"]["currency"] == s["currency"] for s in rev["series"])
    for s in rev["series"]:
        live = [
            d
            for d in docs
            if d["channel"] == s["key"]["channel"] and d["currency"] == s["currency"] and d["status"] != "cancelled"
        ]
        assert sum(p["minor"] for p in s["points"]) == sum(d["amount_minor"] for d in live)


def test_trends_csv_and_text(capsys, mongo_server, db):
    CommitEngine(db).run(make_result(edge_rows(40)))
    code, out, _ = run(
        capsys, "report", "trends", "--metric", "cancellations", "--by", "month", "--csv", *target(mongo_server, db)
    )
    assert code == 0
    frame = pd.read_csv(pd.io.common.StringIO(out))
    assert list(frame.columns) == ["period", "value", "rate"]
    assert int(frame["value"].sum()) == db.bookings.count_documents({"status": "cancelled"})
    code, out, _ = run(capsys, "report", "trends", "--metric", "adr", *target(mongo_server, db))
    assert code == 0 and "adr by month of check_in (UTC), from the rollup" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--metric", "profit"], "unknown metric 'profit'"),
        (["--by", "year"], "unknown period 'year'"),
        (["--tz", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
        (["--from", "2024-02-30"], "--from '2024-02-30' is not a date"),
        (["--from", "2024-03-01", "--to", "2024-02-01"], "--from 2024-03-01 is after --to 2024-02-01"),
        (["--split", "property"], "unknown split 'property'"),
    ],
)
def test_a_bad_argument_exits_2_with_one_line_before_any_connection(capsys, config_dir, argv, message):
    dead = f"mongodb://127.0.0.1:{free_port()}/"  # nothing listens: the argument is refused first
    code, out, err = run(capsys, "report", "trends", *argv, "--uri", dead)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_no_connection_exits_2_with_one_line(capsys, config_dir):
    code, _, err = run(capsys, "report", "alerts", "--uri", f"mongodb://127.0.0.1:{free_port()}/")
    assert code == 2 and err.count("\n") == 1 and "cannot reach the database" in err


def two_vendors(db):
    """acme: 50 records, 5 rejected (bad date x3, bad currency x2); globex: 30 records, none rejected."""
    a = make_result(booking_rows(50), {1: BAD, 2: BAD, 3: [*BAD, *BAD_CUR], 4: BAD_CUR, 5: BAD_CUR})
    CommitEngine(db).run(a)
    g = make_result(booking_rows(30, vendor="globex"), vendor="globex")
    CommitEngine(db).run(g)


def test_quality_per_vendor_equals_the_import_records_and_rejected_rows(capsys, mongo_server, db):
    two_vendors(db)
    code, out, err = run(capsys, "report", "quality", "--json", *target(mongo_server, db))
    assert code == 0, err
    rows = {r["vendor"]: r for r in json.loads(out)["rows"]}
    imports = pd.DataFrame(list(db.imports.find()))
    rejected = pd.DataFrame(list(db.rejected_rows.find()))
    for vendor, r in rows.items():
        mine = imports[imports["vendor"] == vendor]
        assert r["received"] == int(mine["records"].sum())
        assert r["rejected"] == sum(c["rejected"] for c in mine["counts"])
        assert r["rejection_rate"] == r["rejected"] / r["received"]
        assert r["open"] == int(((rejected["vendor"] == vendor) & (rejected["status"] == "open")).sum())
    assert rows["acme"]["top_codes"] == [{"code": "format", "rows": 3}, {"code": "enum", "rows": 3}] or rows["acme"][
        "top_codes"
    ] == [{"code": "enum", "rows": 3}, {"code": "format", "rows": 3}]
    assert rows["acme"]["rejected"] == 5 and rows["globex"]["rejected"] == 0
    assert 0 <= rows["acme"]["open_oldest_days"] < 1
    code, out, _ = run(capsys, "report", "quality", "--csv", *target(mongo_server, db))
    assert out.splitlines()[0].startswith("vendor,period,imports,received")


def test_imports_history_and_alerts_exit_status(capsys, mongo_server, db):
    two_vendors(db)
    code, out, _ = run(capsys, "report", "imports", "--json", *target(mongo_server, db))
    hist = json.loads(out)
    assert code == 0 and len(hist["imports"]) == 2
    assert {h["vendor"]: h["records"] for h in hist["imports"]} == {"acme": 50, "globex": 30}
    assert sum(d["imports"] for d in hist["per_day"].values()) == 2
    code, out, _ = run(capsys, "report", "alerts", "--json", *target(mongo_server, db))
    (alert,) = json.loads(out)["alerts"]  # acme: 10 % rejected, above 5 %
    assert code == 1 and alert["kind"] == "rejection_rate" and alert["vendor"] == "acme"
    code, out, _ = run(capsys, "report", "alerts", "--max-rejection-rate", "0.2", *target(mongo_server, db))
    assert code == 0 and out.strip() == "no alerts"
    # a failed import of a file that was never completed is an alert
    doc = db.imports.find_one({"vendor": "globex"})
    db.imports.insert_one({**doc, "_id": "x1", "file_sha256": "other", "status": "failed", "error": "boom"})
    code, out, _ = run(capsys, "report", "alerts", "--max-rejection-rate", "0.2", *target(mongo_server, db))
    assert code == 1 and "globex: import of bookings.csv failed: boom" in out


def test_a_vendor_silent_for_longer_than_usual_is_an_alert(db):
    from booking_desktop.analytics.health import Thresholds, alerts

    now = datetime(2024, 6, 30, tzinfo=UTC)
    for i, day in enumerate([1, 2, 3, 4]):  # daily files, the last one 26 days ago
        db.imports.insert_one(
            {
                "_id": f"i{i}",
                "vendor": "acme",
                "status": "completed",
                "records": 10,
                "counts": {"rejected": 0},
                "started_at": datetime(2024, 6, day, tzinfo=UTC),
                "file_sha256": f"s{i}",
                "file_name": f"f{i}.csv",
            }
        )
    (a,) = alerts(db, Thresholds(), now)
    assert a["kind"] == "vendor_silent" and "no file for 26.0 days (usually every 1.0 days)" in a["message"]
    assert alerts(db, Thresholds(), datetime(2024, 6, 5, 12, tzinfo=UTC)) == []  # 1.5 days: not yet
    assert alerts(db, Thresholds(silence_factor=30), now) == []


def test_metrics_prometheus_file(tmp_path, capsys, mongo_server, db):
    two_vendors(db)
    prom = tmp_path / "booking.prom"
    code, _, err = run(capsys, "report", "metrics", "--prometheus", str(prom), *target(mongo_server, db))
    assert code == 0, err
    lines = prom.read_text().splitlines()
    assert 'booking_desktop_bookings{vendor="acme"} 45' in lines
    assert 'booking_desktop_bookings{vendor="globex"} 30' in lines
    assert 'booking_desktop_rejected_rows_open{vendor="acme"} 5' in lines
    assert 'booking_desktop_alerts{kind="rejection_rate"} 1' in lines
    assert "# TYPE booking_desktop_bookings gauge" in lines
    assert not list(tmp_path.glob(".report-*"))
    code, _, err = run(capsys, "report", "metrics", *target(mongo_server, db))
    assert code == 2 and "metrics needs --prometheus FILE" in err


def test_rebuild_command(capsys, mongo_server, db):
    CommitEngine(db, batch_size=10).run(make_result(edge_rows(30)))
    code, out, _ = run(capsys, "report", "fold", "--json", *target(mongo_server, db))
    assert code == 0 and json.loads(out)["folded"] == 3
    code, out, _ = run(capsys, "report", "rebuild", "--tz", "Europe/Lisbon", "--json", *target(mongo_server, db))
    assert code == 0 and json.loads(out)["zone"] == "Europe/Lisbon"
    code, out, _ = run(
        capsys,
        "report",
        "trends",
        "--date",
        "booked_at",
        "--tz",
        "Europe/Lisbon",
        "--by",
        "day",
        *target(mongo_server, db),
    )
    assert "from the rollup" in out
