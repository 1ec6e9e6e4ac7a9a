"""``booking-desktop-cli review ...`` end to end: a file with planted defects imported, listed,
shown, fixed, resubmitted, discarded, exported — against the real test server."""

from __future__ import annotations

import json
from collections import Counter

import openpyxl
import pytest
from review_files import BAD_RECORDS, write_file, write_profile

from booking_desktop.cli import main


@pytest.fixture()
def cli(tmp_path, capsys, mongo_server, mongo_db, config_dir, monkeypatch):
    d = tmp_path / "profiles"
    monkeypatch.setenv("BOOKING_DESKTOP_PROFILES", str(d))
    write_profile(d)
    target = ["--uri", mongo_server.uri, "--db", mongo_db.name]

    def run(*argv):
        code = main([*argv, *target])
        out, err = capsys.readouterr()
        return code, out, err

    code, _, err = run("import", str(write_file(tmp_path)), "--profile", "harbour", "--json")
    assert code == 0, err
    return run


def ids_by_record(db):
    return {d["record"]: d["_id"] for d in db.rejected_rows.find({})}


def test_list_json_has_the_documented_shape_and_the_queue_order(cli, mongo_db):
    code, out, err = cli("review", "list", "--json")
    assert code == 0, err
    listed = json.loads(out)
    assert listed["total"] == len(BAD_RECORDS)
    assert [r["record"] for r in listed["rows"]] == BAD_RECORDS
    row = listed["rows"][0]
    assert set(row) == {"id", "vendor", "import_id", "file", "record", "location", "status", "assignee", "errors",
                        "raw", "mapped"}
    assert set(row["errors"][0]) == {"field", "code", "message", "value"}
    assert row["raw"]["Leave"] == "2024-05-01" and row["location"] == "line 3"
    code, out, _ = cli("review", "list", "--code", "range", "--json")
    expected = sorted(d["record"] for d in mongo_db.rejected_rows.find({"errors.code": "range"}))
    assert [r["record"] for r in json.loads(out)["rows"]] == expected
    code, out, _ = cli("review", "list", "--limit", "2", "--json")
    page = json.loads(out)
    assert page["total"] == len(BAD_RECORDS) and len(page["rows"]) == 2 and page["next"]
    code, out, _ = cli("review", "list", "--limit", "2", "--after", page["next"], "--json")
    assert [r["record"] for r in json.loads(out)["rows"]] == BAD_RECORDS[2:4]


def test_list_as_text_names_each_row_and_its_codes(cli, mongo_db, mongo_server):
    code, out, _ = cli("review", "list", "--counts")
    assert code == 0
    assert out.splitlines()[0] == f"{len(BAD_RECORDS)} row(s); oldest first"
    for rid in ids_by_record(mongo_db).values():
        assert rid in out
    assert "check_out:date_order" in out and "HARBOUR  range  2" in out


def test_fix_says_what_is_still_wrong_then_resubmit_commits_once(cli, mongo_db):
    rid = ids_by_record(mongo_db)[5]
    code, out, err = cli("review", "fix", rid, "--set", "adults=8", "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert [(e["field"], e["code"]) for e in shown["errors"]] == [("adults", "range")]
    code, out, _ = cli("review", "fix", rid, "--set", "adults=2")
    assert "valid now" in out
    before = mongo_db.bookings.count_documents({})
    code, out, err = cli("review", "resubmit", "--valid", "--vendor", "HARBOUR", "--json")
    assert code == 0, err
    res = json.loads(out)
    assert {k: res[k] for k in ("resubmitted", "inserted", "updated", "unchanged", "still_invalid")} == {
        "resubmitted": 1, "inserted": 1, "updated": 0, "unchanged": 0, "still_invalid": 0}
    code, out, _ = cli("review", "resubmit", "--valid", "--json")
    assert json.loads(out)["resubmitted"] == 0
    assert mongo_db.bookings.count_documents({}) == before + 1
    code, out, err = cli("review", "resubmit", rid)
    assert code == 2 and "is resolved; only open rows can be resubmitted" in err and len(err.splitlines()) == 1


def test_show_prints_cells_values_and_history(cli, mongo_db):
    rid = ids_by_record(mongo_db)[2]
    cli("review", "assign", rid, "--to", "maria")
    code, out, _ = cli("review", "show", rid)
    assert code == 0
    assert "Leave: 2024-05-01" in out and "check_out: 2024-05-01" in out and "line 3" in out
    assert "rejected_row.assign" in out and "assigned to maria" in out
    code, out, _ = cli("review", "show", rid, "--json")
    assert json.loads(out)["history"][0]["after"] == {"assignee": "maria"}


def test_discard_reopen_assign_and_refusals_exit_2_with_one_line(cli, mongo_db):
    ids = ids_by_record(mongo_db)
    code, out, err = cli("review", "discard", ids[4], ids[6], "--reason", "cancelled", "--json")
    assert code == 0, err
    assert json.loads(out)["done"] == [ids[4], ids[6]]
    code, _, err = cli("review", "fix", ids[4], "--set", "adults=1")
    assert code == 2 and "is discarded" in err and len(err.splitlines()) == 1
    assert cli("review", "reopen", ids[4])[0] == 0
    code, _, err = cli("review", "show", "no-such-row")
    assert code == 2 and "no rejected row 'no-such-row'" in err
    code, _, err = cli("review", "discard", ids[9], "no-such-row", "--reason", "test")
    assert code == 2 and mongo_db.rejected_rows.find_one({"_id": ids[9]})["status"] == "open"  # nothing done
    code, _, err = cli("review", "fix", ids[9], "--set", "nope")
    assert code == 2 and "expected FIELD=VALUE" in err
    code, _, err = cli("review", "resubmit")
    assert code == 2 and "--valid" in err
    statuses = Counter(d["status"] for d in mongo_db.rejected_rows.find({}))
    assert statuses == {"open": 5, "discarded": 1}
    assert mongo_db.rejected_rows.count_documents({}) == len(BAD_RECORDS)


def test_export_writes_the_report(cli, tmp_path):
    out = tmp_path / "to_vendor.xlsx"
    code, stdout, err = cli("review", "export", "--vendor", "HARBOUR", "--out", str(out), "--json")
    assert code == 0, err
    assert json.loads(stdout)["rows"] == len(BAD_RECORDS)
    assert openpyxl.load_workbook(out).sheetnames == ["Summary", "harbour"]
    code, _, err = cli("review", "export", "--out", str(tmp_path / "x.pdf"))
    assert code == 2 and ".xlsx or .csv" in err


def test_bulk_dry_run_apply_and_undo(cli, mongo_db, tmp_path):
    ids = ids_by_record(mongo_db)
    before = {d["_id"]: d["mapped"] for d in mongo_db.rejected_rows.find({})}
    code, out, err = cli("review", "bulk", "--vendor", "HARBOUR", "--set", "currency=GBP", "--dry-run", "--json")
    assert code == 0, err
    plan = json.loads(out)
    assert plan["dry_run"] and (plan["matched"], plan["changes"]) == (len(BAD_RECORDS), len(BAD_RECORDS))
    assert {d["_id"]: d["mapped"] for d in mongo_db.rejected_rows.find({})} == before  # nothing written
    m = tmp_path / "pax.csv"
    m.write_text("Pax,adults\n0,1\n9,6\n", encoding="utf-8")
    code, out, err = cli("review", "bulk", ids[4], ids[5], ids[6], "--map", "adults", str(m), "--json")
    assert code == 0, err
    res = json.loads(out)
    assert sorted(res["changed"]) == sorted([ids[4], ids[5]]) and res["unchanged"] == 1 and res["valid_now"] == 2
    code, out, err = cli("review", "bulk", "--code", "date_order", "--replace", "check_out", "05-01", "05-06")
    assert code == 0, err
    assert out.startswith("bulk fix ") and "changed 1 row(s) (1 valid now" in out
    assert mongo_db.rejected_rows.find_one({"_id": ids[2]})["mapped"]["check_out"] == "2024-05-06"
    code, out, err = cli("review", "undo", res["bulk_id"], "--json")
    assert code == 0, err
    assert sorted(json.loads(out)["changed"]) == sorted([ids[4], ids[5]])
    assert mongo_db.rejected_rows.find_one({"_id": ids[5]})["mapped"]["adults"] == "9"
    code, _, err = cli("review", "undo", res["bulk_id"])
    assert code == 2 and "was undone already" in err and len(err.splitlines()) == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--vendor", "HARBOUR", "--set", "pax=2"], "unknown field 'pax'"),
        (["--vendor", "HARBOUR", "--set", "adults"], "expected FIELD=VALUE"),
        (["--set", "adults=2"], "name the rows"),
        (["--vendor", "HARBOUR", "--set", "adults=2", "--whole-cell"], "go with --replace"),
        (["--vendor", "HARBOUR", "--map", "adults", "nope.csv"], "nope.csv"),
        (["--vendor", "HARBOUR", "--map", "adults", "pax.txt"], "a .csv or a .json"),
    ],
)
def test_bulk_refusals_exit_2_with_one_line(cli, mongo_db, argv, message):
    code, _, err = cli("review", "bulk", *argv)
    assert code == 2 and message in err and len(err.splitlines()) == 1
    assert not [e for e in mongo_db.audit_log.find({}) if e["action"].startswith("rejected_row")]


@pytest.mark.parametrize(
    ("argv", "content", "message"),
    [
        (["bulk", "no-such-row", "--set", "adults=2"], None, "no rejected row 'no-such-row'"),
        (["undo", "no-such-bulk"], None, "no bulk fix 'no-such-bulk'"),
        (["bulk", "--vendor", "HARBOUR", "--map", "adults", "MAP.csv"], b"from,to\n\xff\xfe,1\n", "not UTF-8"),
        (["bulk", "--vendor", "HARBOUR", "--map", "adults", "MAP.json"], b'{"0": 1}', "object of text"),
        (["bulk", "--vendor", "HARBOUR", "--map", "adults", "MAP.json"], b"{", "not a JSON value map"),
        (["bulk", "--vendor", "HARBOUR", "--map", "adults", "MAP.csv"], b"only-one-column\n", "header row of two"),
        (["bulk", "--vendor", "HARBOUR", "--replace", "adults", "", "1"], None, "needs the text to find"),
    ],
)
def test_bulk_and_undo_bad_input_exit_2_with_one_line(cli, mongo_db, tmp_path, argv, content, message):
    if content is not None:
        name = next(a for a in argv if a.startswith("MAP."))
        (tmp_path / name).write_bytes(content)
        argv = [str(tmp_path / a) if a == name else a for a in argv]
    code, _, err = cli("review", *argv)
    assert code == 2 and message in err and len(err.splitlines()) == 1, err
    assert not [e for e in mongo_db.audit_log.find({}) if e["action"].startswith("rejected_row")]


def test_recount_rebuilds_the_counts_list_shows(cli, mongo_db):
    mongo_db.review_counts.delete_many({})
    code, out, err = cli("review", "recount", "--json")
    assert code == 0, err
    rows = json.loads(out)["counts"]
    expected = Counter((d["vendor"], d["status"], c) for d in mongo_db.rejected_rows.find({})
                       for c in {e["code"] for e in d["errors"]})
    assert {(r["vendor"], r["status"], r["code"]): r["rows"] for r in rows} == dict(expected)
    code, out, _ = cli("review", "list", "--counts", "--json")
    assert {(c["vendor"], c["code"]): c["rows"] for c in json.loads(out)["counts"]} == {
        (v, c): n for (v, s, c), n in expected.items() if s == "open"}
