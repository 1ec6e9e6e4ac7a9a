"""Row rules: records that are not bookings are skipped with a counted notice or flagged, and
never imported (mapping/rows.py, the pipeline, the session)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from booking_desktop.errors import ProfileError
from booking_desktop.mapping import apply_mapping
from booking_desktop.mapping.rows import flag_rows, skip_rows
from booking_desktop.pipeline import run_to_end

from ._helpers import profile, raw_table, triples

FIELDS = {"booking_ref": {"column": "Ref"}, "customer_name": {"column": "Guest"}}
RULES = [
    {"when": {"column": "Kind", "in": ["payout"]}, "action": "skip", "reason": "payout line"},
    {"when": {"column": "Kind", "not_in": ["Booking"]}, "action": "flag", "reason": "not a booking line"},
]


def table():
    return raw_table({"Ref": ["A", "B", "C", "D", "E"], "Guest": ["a", "b", "c", "d", "e"],
                      "Kind": ["Booking", " PAYOUT ", "Refund", None, "booking"]})  # fmt: skip


def test_skip_rules_take_records_out_and_say_how_many_and_where():
    kept = skip_rows(table(), profile(FIELDS, rows=RULES))
    assert kept.raw.frame["Ref"].tolist() == ["A", "C", "D", "E"]
    assert kept.record_numbers.tolist() == [1, 3, 4, 5]
    assert kept.raw.locations[0] == "line 2" and kept.raw.locations[1] == "line 4"
    assert kept.counts == {"payout line": 1}
    (notice,) = kept.notices
    assert (notice.code, notice.severity, notice.value) == ("rows_skipped", "warning", "1")
    assert "payout line" in notice.message and "line 3" in notice.message


def test_the_first_rule_decides_and_flagged_records_are_errors_on_status():
    p = profile(FIELDS, rows=RULES)
    kept = skip_rows(table(), p)
    m = apply_mapping(kept.raw, p)
    # Refund and the empty kind are flagged; "booking" matches ignoring case
    assert triples(m.problems) == [(1, "status", "not_a_booking"), (2, "status", "not_a_booking")]
    msgs = m.problems.frame["message"].tolist()
    assert "Kind = Refund" in msgs[0] and "Kind = (empty)" in msgs[1]
    assert (m.problems.frame["severity"] == "error").all()


def test_a_skip_rule_record_that_reaches_the_mapping_is_flagged_not_mapped():
    m = apply_mapping(table(), profile(FIELDS, rows=RULES))
    assert (1, "status", "not_a_booking") in triples(m.problems)


def test_a_rule_column_the_file_lacks_is_reported():
    raw = raw_table({"Ref": ["A"], "Guest": ["a"]})
    flags, missing = flag_rows(raw, profile(FIELDS, rows=RULES))
    assert len(flags) == 0
    assert [p.code for p in missing] == ["missing_column", "missing_column"]
    assert "Kind" in missing[0].message


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ("x", "rows: must be a list"),
        ([{"when": {"column": "T", "in": []}, "action": "drop"}], "rows[0].action"),
        ([{"when": {"column": "T", "in": ["a"]}, "action": "skip"}], "rows[0].reason: missing"),
        ([{"when": {"column": "T", "in": ["a"], "empty": True}, "action": "skip", "reason": "r"}], "exactly one"),
        ([{"when": {"in": ["a"]}, "action": "flag", "reason": "r"}], "rows[0].when.column"),
        ([{"when": {"column": "T", "like": "a"}, "action": "flag", "reason": "r"}], "rows[0].when.like"),
    ],
)
def test_rules_are_checked_when_the_profile_loads(rows, expected):
    with pytest.raises(ProfileError) as err:
        profile(FIELDS, rows=rows)
    assert expected in str(err.value)


def test_rules_round_trip(tmp_path):
    p = profile(FIELDS, rows=RULES)
    again = type(p).load(p.save(tmp_path / "p.yaml"))
    assert again.rows == p.rows and again.to_dict() == p.to_dict()


PROFILE = {
    "version": 1, "name": "kinds", "vendor": "KINDS",
    "signature": {"columns": ["Ref", "Guest", "Kind", "In", "Out", "Pax", "Total", "Cur", "State"]},
    "fields": {"booking_ref": {"column": "Ref"}, "customer_name": {"column": "Guest"},
               "check_in": {"column": "In"}, "check_out": {"column": "Out"}, "adults": {"column": "Pax"},
               "amount": {"column": "Total"}, "currency": {"column": "Cur"}, "status": {"column": "State"}},
    "rows": RULES,
}  # fmt: skip
CSV = """Ref,Guest,Kind,In,Out,Pax,Total,Cur,State
A-1,Ana,Booking,2026-05-01,2026-05-03,2,200.00,EUR,confirmed
,,Payout,,,,,,
A-2,Ben,Refund,2026-05-02,2026-05-04,1,-50.00,EUR,confirmed
A-3,Cy,Booking,2026-05-05,2026-05-06,1,90.00,EUR,confirmed
"""


@pytest.fixture
def kinds(tmp_path):
    d = tmp_path / "profiles"
    d.mkdir()
    (d / "kinds.yaml").write_text(json.dumps(PROFILE), encoding="utf-8")  # JSON is YAML
    f = tmp_path / "kinds.csv"
    f.write_text(CSV, encoding="utf-8")
    return d, f


def test_pipeline_keeps_the_files_record_numbers(kinds):
    d, f = kinds
    r = run_to_end(f, profiles_dir=d)
    assert r.profile.name == "kinds" and r.records == 3 and (r.valid, r.invalid) == (2, 1)
    assert r.record_numbers_array().tolist() == [1, 3, 4]
    assert r.skipped_rows == {"payout line": 1}
    located = list(r.problems.problems(r.raw.locations))
    assert {(p.location, p.code) for p in located if p.code == "not_a_booking"} == {("line 4", "not_a_booking")}


def test_a_flag_survives_an_edit_elsewhere_in_the_row(kinds):
    from booking_desktop.session.work_session import WorkSession

    d, f = kinds
    s = WorkSession(run_to_end(f, profiles_dir=d))
    s.set_cell(1, "customer_name", "Ben Okafor")
    codes = s.result.problems.frame.query("row == 1")["code"].tolist()
    assert "not_a_booking" in codes and bool(s.result.error_rows[1])


def test_validate_reports_skipped_records(kinds, tmp_path):
    d, f = kinds
    env = {**os.environ, "BOOKING_DESKTOP_PROFILES": str(d)}
    out = subprocess.run([sys.executable, "-m", "booking_desktop", "validate", str(f), "--json"],
                         capture_output=True, text=True, timeout=120, env=env)  # fmt: skip
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert (summary["records"], summary["skipped"], summary["valid"], summary["invalid"]) == (3, 1, 2, 1)
    assert summary["errors_by_code"]["rows_skipped"] == 1
    text = subprocess.run([sys.executable, "-m", "booking_desktop", "validate", str(f)],
                          capture_output=True, text=True, timeout=120, env=env).stdout  # fmt: skip
    assert "skipped (not bookings): 1" in text and "payout line" in text
