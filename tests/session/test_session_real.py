"""The session against the real pipeline, mapping and validation (no fakes)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from booking_desktop.mapping import MappingProfile
from booking_desktop.pipeline import run_to_end
from booking_desktop.session import Journal, WorkSession, pending_journals

CSV = """Ref,Status,Guest,Email,Hotel,Arrive,Depart,Total,Cur,Alt Ref
A1,confirmed,Ann,ann@example.com,H1,2024-05-01,2024-05-03,200.00,EUR,Z1
A2,confirmed,Bob,bob@example.com,H1,2024-05-02,2024-05-04,100.00,EUR,Z2
A2,cancelled,Cy,cy@example.com,H2,2024-06-01,2024-06-04,300.00,USD,Z3
A4,confirmed,Di,di@example,H2,2024-07-01,2024-07-03,abc,EUR,Z4
"""

PROFILE = {
    "version": 1,
    "name": "test_vendor",
    "vendor": "TESTV",
    "fields": {
        "booking_ref": {"column": "Ref"},
        "status": {"column": "Status"},
        "customer_name": {"column": "Guest"},
        "customer_email": {"column": "Email"},
        "property_name": {"column": "Hotel"},
        "check_in": {"column": "Arrive"},
        "check_out": {"column": "Depart"},
        "amount": {"column": "Total"},
        "currency": {"column": "Cur"},
    },
}


@pytest.fixture
def csv_path(tmp_path):
    p = tmp_path / "vendor.csv"
    p.write_text(CSV, encoding="utf-8")
    return p


@pytest.fixture
def session(csv_path):
    return WorkSession.from_result(run_to_end(csv_path, profile=MappingProfile.from_dict(PROFILE)))


def codes(s: WorkSession, row: int) -> set[tuple[str, str]]:
    f = s.result.problems.frame
    f = f[f["row"] == row]
    return set(zip(f["field"], f["code"]))


def duplicate_rows(s: WorkSession) -> list[int]:
    f = s.result.problems.frame
    return sorted(f.loc[f["code"] == "duplicate_ref", "row"].tolist())


def test_fixing_a_duplicate_clears_the_other_row_too(session):
    """The session re-checks every row sharing an edited booking_ref, not only the edited row.

    On the real validator and engine: this test used to run on the stand-in engine of
    session_fakes.py, whose duplicate rule (both rows flagged) was not the validator's (the later
    occurrence only), so it passed whatever the real re-validation did."""
    assert duplicate_rows(session) == [2]  # A2 on rows 1 and 2: the later occurrence is the duplicate
    session.set_cell(1, "booking_ref", "A3")  # fixing the *other* (first) row clears row 2
    assert duplicate_rows(session) == []
    session.undo()
    assert duplicate_rows(session) == [2]
    session.set_cell(2, "booking_ref", "A3")  # fixing the duplicate itself
    assert duplicate_rows(session) == []


def test_fixes_match_a_full_validation(session):
    from booking_desktop.validation import validate

    session.set_cell(3, "amount", "12.50")
    session.replace_in_column("customer_email", "@example$", "@example.com", regex=True)
    full = validate(session.text, session.result.rules)
    got = session.result.problems.frame[["row", "field", "code"]].sort_values(["row", "field", "code"])
    want = full.problems.frame[["row", "field", "code"]].sort_values(["row", "field", "code"])
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True))
    assert session.result.error_rows.tolist() == full.error_rows.tolist()
    assert session.result.typed["amount_minor"].iloc[3] == 1250


def test_remap_with_a_real_profile_keeps_edits(session):
    session.set_cell(3, "customer_name", "Diana")
    other = dict(PROFILE, fields={**PROFILE["fields"], "booking_ref": {"column": "Alt Ref"}})
    session.remap(MappingProfile.from_dict(other))
    assert session.text["booking_ref"].tolist() == ["Z1", "Z2", "Z3", "Z4"]
    assert session.value(3, "customer_name") == "Diana"
    assert not any(code == "duplicate_ref" for _, code in codes(session, 1))
    session.undo()
    assert session.text["booking_ref"].tolist() == ["A1", "A2", "A2", "A4"]


def test_journal_replay_with_a_remap_on_the_real_core(session, csv_path, tmp_path):
    session.attach_journal(tmp_path / "j")
    session.set_cell(3, "amount", "12.50")
    other = dict(PROFILE, fields={**PROFILE["fields"], "booking_ref": {"column": "Alt Ref"}})
    session.remap(MappingProfile.from_dict(other))
    session.delete_rows([0])
    [pj] = pending_journals(tmp_path / "j")
    again = WorkSession.from_result(run_to_end(csv_path, profile=MappingProfile.from_dict(PROFILE)))
    again.replay(Journal.open_existing(pj.path).commands())
    pd.testing.assert_frame_equal(again.text, session.text)
    np.testing.assert_array_equal(again.deleted, session.deleted)
    assert again.result.profile.name == "test_vendor"
    assert again.committable().records == 3


def test_mapping_problems_stay_until_the_cell_is_edited(tmp_path):
    p = tmp_path / "m.csv"
    p.write_text("Ref,Status,Arrive,Extra\nA1,confirmed,2024-05-01,1\nA2,confirmed,2024-05-02,x\n", encoding="utf-8")
    prof = {
        "version": 1,
        "name": "m",
        "vendor": "M",
        "fields": {
            "booking_ref": {"column": "Ref"},
            "status": {"column": "Status"},
            "check_in": {"column": "Arrive"},
            "nights": {"sum": ["Extra", "Extra"]},  # "x" + "x" cannot be summed: a mapping problem
        },
    }
    s = WorkSession.from_result(run_to_end(p, profile=MappingProfile.from_dict(prof)))
    assert ("nights", "transform") in codes(s, 1)
    s.set_cell(1, "customer_name", "Bob")  # another field of the same row is re-validated...
    assert ("nights", "transform") in codes(s, 1)  # ...but the mapping's finding stays
    s.set_cell(1, "nights", "2")
    assert ("nights", "transform") not in codes(s, 1)
    s.undo()
    assert ("nights", "transform") in codes(s, 1)


def test_deleting_one_of_two_duplicates_lets_the_other_be_committed(session):
    assert ("booking_ref", "duplicate_ref") in codes(session, 2)
    session.delete_rows([1])
    c = session.committable()
    assert c.records == 3
    f = c.problems.frame
    assert not (f["code"] == "duplicate_ref").any()
    assert c.text["booking_ref"].tolist() == ["A1", "A2", "A4"]
    assert c.raw.locations.numbers.tolist() == [2, 4, 5]
    assert ("booking_ref", "duplicate_ref") in codes(session, 2)  # the session itself is unchanged


def test_revalidating_a_result_without_rules_uses_the_schema_rules(tmp_path):
    """A result built without ``rules`` (and without a ValidationResult) used to fail on the
    first small edit: revalidate_rows read the fields of ``None``."""
    import dataclasses

    from booking_desktop.session.engine import CoreEngine
    from booking_desktop.validation import validate

    rows = "\n".join(f"A{i},confirmed,Guest,g@example.com,H1,2024-05-01,2024-05-03,10.00,EUR,Z{i}" for i in range(10))
    p = tmp_path / "ten.csv"
    p.write_text(CSV.splitlines()[0] + "\n" + rows + "\n", encoding="utf-8")
    full = run_to_end(p, profile=MappingProfile.from_dict(PROFILE))
    bare = dataclasses.replace(full, rules=None, validation=None)
    text = full.text.copy()
    text.loc[0, "amount"] = "abc"
    got = CoreEngine().revalidate(bare, text, np.array([0]))
    want = validate(text)
    assert got.problems.frame.equals(want.problems.frame)
    assert np.array_equal(got.error_rows, want.error_rows)
