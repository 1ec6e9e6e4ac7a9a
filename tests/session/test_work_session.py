"""Every session command, its undo and redo, re-validation of touched rows, remap keeping edits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from session_fakes import FakeEngine, make_result

from booking_desktop.session import WorkSession


def triples(session: WorkSession) -> set[tuple[int, str, str]]:
    f = session.result.problems.frame
    return set(zip(f["row"].tolist(), f["field"].tolist(), f["code"].tolist()))


def column(session: WorkSession, field: str) -> list[str | None]:
    return [None if pd.isna(v) else v for v in session.text[field].tolist()]


def test_editing_a_cell_fixes_its_error_and_undo_brings_it_back(session):
    assert (1, "booking_ref", "required") in triples(session)
    events = []
    session.cells_changed.connect(lambda rows, fields: events.append((rows.tolist(), fields)))
    session.set_cell(1, "booking_ref", "  A2 ")
    assert session.value(1, "booking_ref") == "A2"  # trimmed like mapped text
    assert (1, "booking_ref", "required") not in triples(session)
    assert not session.result.error_rows[1] or (1, "amount", "format") in triples(session)
    assert events == [([1], ["booking_ref"])]
    assert session.text["booking_ref"].dtype == "str"
    session.undo()
    assert session.value(1, "booking_ref") is None
    assert (1, "booking_ref", "required") in triples(session)
    session.redo()
    assert session.value(1, "booking_ref") == "A2"


def test_setting_the_same_value_is_not_an_undo_step(session):
    session.set_cell(0, "booking_ref", "A1")
    assert not session.can_undo


def test_bulk_edit_is_one_undo_step_with_its_label(session):
    before = column(session, "status")
    session.set_value([0, 2, 4], "status", "confirmed")
    assert column(session, "status") == ["confirmed", "confirmed", "confirmed", "confirmed", "confirmed"]
    assert session.undo_label == "Set status"
    session.undo()
    assert column(session, "status") == before
    assert not session.can_undo and session.can_redo and session.redo_label == "Set status"


def test_fill_down_copies_the_top_value(session):
    session.fill_down([0, 1, 3], "amount")
    assert column(session, "amount") == ["10.50", "10.50", "7", "10.50", "3"]
    assert (1, "amount", "format") not in triples(session)
    assert (3, "amount", "format") not in triples(session)


def test_replace_plain_and_regex_count_changed_cells(session):
    assert session.replace_in_column("amount", ",", ".") == 1
    assert session.value(3, "amount") == "1.5"
    assert session.replace_in_column("status", r"^CONF$", "confirmed", regex=True) == 1
    assert session.value(4, "status") == "confirmed"
    assert session.replace_in_column("status", "nothing-like-this", "x") == 0
    session.undo()
    assert session.value(4, "status") == "CONF"


def test_replace_only_in_given_rows(session):
    assert session.replace_in_column("status", "confirmed", "ok", rows=np.array([0, 1])) == 2
    assert column(session, "status")[:4] == ["ok", "ok", "cancelled", "confirmed"]


def test_bad_regex_is_a_readable_value_error(session):
    with pytest.raises(ValueError, match="invalid regular expression"):
        session.replace_in_column("status", "(", "x", regex=True)
    assert not session.can_undo


def test_value_map(session):
    n = session.apply_value_map("country", {"ZZ": "DE", "GB": "FR"})
    assert n == 2
    assert column(session, "country") == ["DE", "FR", "DE", "FR", "DE"]
    assert not any(code == "unknown_country" for _, _, code in triples(session))


def test_delete_and_restore_rows_are_undoable_and_excluded_from_commit(session):
    session.delete_rows([1, 3])
    assert session.deleted.tolist() == [False, True, False, True, False]
    c = session.committable()
    assert c.records == 3
    assert c.text["booking_ref"].tolist() == ["A1", "A3", "A5"]
    assert c.raw.locations.numbers.tolist() == [2, 4, 6]  # still points at the file's lines
    assert set(c.problems.frame["row"]) <= {0, 1, 2}
    assert c.error_rows.tolist() == [False, False, False]  # A3's duplicate partner (row 3) is deleted
    session.undo()
    assert not session.deleted.any()
    session.redo()
    session.restore_rows([1])
    assert session.deleted.tolist() == [False, False, False, True, False]
    session.undo()
    assert session.deleted.tolist() == [False, True, False, True, False]


def test_new_edit_clears_redo(session):
    session.set_cell(0, "status", "x")
    session.undo()
    assert session.can_redo
    session.set_cell(0, "status", "y")
    assert not session.can_redo


def test_unknown_field_or_row_is_rejected(session):
    with pytest.raises(KeyError):
        session.set_cell(0, "nope", "x")
    with pytest.raises(IndexError):
        session.set_cell(99, "status", "x")


def test_remap_keeps_cell_edits_and_is_undoable(session):
    session.set_cell(1, "booking_ref", "B2")
    resets = []
    session.reset.connect(lambda: resets.append(1))
    session.remap({"booking_ref": "ref2", "status": "status", "amount": "amount", "country": "country"})
    assert resets == [1]
    # mapped from the other column, except the operator's edit which wins
    assert column(session, "booking_ref") == ["X1", "B2", "X3", "X4", "X5"]
    assert not any(code == "duplicate_ref" for _, _, code in triples(session))
    session.undo()
    assert column(session, "booking_ref") == ["A1", "B2", "A3", "A3", "A5"]
    session.undo()
    assert session.value(1, "booking_ref") is None
    session.redo()
    session.redo()
    assert column(session, "booking_ref") == ["X1", "B2", "X3", "X4", "X5"]


def test_is_modified_and_mark_clean(session):
    assert not session.is_modified
    session.set_cell(0, "status", "x")
    assert session.is_modified
    session.mark_clean()
    assert not session.is_modified
    session.undo()
    assert session.is_modified


def test_edit_at_a_million_rows_touches_only_its_row():
    rows = [{"booking_ref": f"R{i}", "status": "confirmed", "amount": "1", "country": "DE"} for i in range(3)]
    res = make_result(rows)
    big = pd.concat([res.text] * 10, ignore_index=True)
    res.text = big
    res.error_rows = np.zeros(len(big), dtype=bool)
    eng = FakeEngine()
    s = WorkSession.from_result(res, engine=eng)
    s.set_cell(7, "status", "cancelled")
    assert eng.revalidated[-1].tolist() == [7]


def test_remap_prepared_before_an_edit_still_keeps_that_edit(session):
    plan = session.prepare_remap({"booking_ref": "ref2", "status": "status", "amount": "amount", "country": "country"})
    session.set_cell(0, "booking_ref", "EDITED")  # operator typed while the remap was computed
    session.apply_remap(plan)
    assert column(session, "booking_ref") == ["EDITED", "X2", "X3", "X4", "X5"]
