"""Deleted rows are excluded from the commit, so their problems are no longer counted: not in the
error summary, not in the problems panel, not in the problem filters, not by F8, not in the commit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from gui_helpers import CSV_ROWS, cell_point, click_cell, open_and_wait
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

pytestmark = pytest.mark.gui
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def tree_counts(panel) -> dict[tuple[str, str], int]:
    """(field, 'code (severity)') -> count as the problems panel shows them."""
    out = {}
    for i in range(panel.tree.topLevelItemCount()):
        top = panel.tree.topLevelItem(i)
        for j in range(top.childCount()):
            child = top.child(j)
            out[top.text(0), child.text(0)] = int(child.text(1).replace(",", ""))
    return out


def expected_counts(session) -> dict[tuple[str, str], int]:
    """The same counts computed from the problem frame with pandas, leaving out the deleted rows."""
    f = session.result.problems.frame
    f = f[~session.deleted[f["row"].to_numpy()]]
    g = f.assign(field=f["field"].astype(object).fillna("(row)"), label=f["code"] + " (" + f["severity"] + ")")
    return {(str(a), str(b)): int(n) for (a, b), n in g.groupby(["field", "label"]).size().items()}


def test_deleted_rows_leave_the_error_counts_the_filters_f8_and_the_commit(qtbot, make_window, bookings_csv):
    w = make_window()
    open_and_wait(qtbot, w, bookings_csv)
    s, m, panel = w.session, w.model, w.error_panel
    assert np.flatnonzero(s.result.error_rows).tolist() == [1, 3, 4]
    assert "3 with errors" in panel.summary.text()
    before = tree_counts(panel)
    assert before == expected_counts(s) and ("booking_ref", "required (error)") in before

    # delete records 2 and 4 (the missing reference; the bad amount and the dates) as a user does
    click_cell(qtbot, w, 1, "booking_ref")
    QTest.mouseClick(w.view.viewport(), Qt.MouseButton.LeftButton, CTRL, cell_point(w, 3, "booking_ref"))
    qtbot.keyClick(w.view, Qt.Key.Key_Minus, CTRL)
    assert s.deleted.tolist() == [False, True, False, True, False, False]

    assert "1 with errors" in panel.summary.text() and "2 deleted" in panel.summary.text()
    after = tree_counts(panel)
    assert after == expected_counts(s)
    assert ("booking_ref", "required (error)") not in after and ("amount", "type (error)") not in after
    assert "booking_ref" not in [panel.tree.topLevelItem(i).text(0) for i in range(panel.tree.topLevelItemCount())]
    # a deleted row is struck through, not red
    bad_ref = m.index(1, m.fields.index("booking_ref"))
    assert m.data(bad_ref, Qt.ItemDataRole.BackgroundRole) is None
    assert m.data(bad_ref, Qt.ItemDataRole.FontRole).strikeOut()

    # errors only: just the one row left to fix
    w.view.setFocus()
    qtbot.keyClick(w.view, Qt.Key.Key_E, CTRL)
    assert [m.frame_row(r) for r in range(m.rowCount())] == [4]
    assert "1 shown" in panel.summary.text()
    qtbot.keyClick(w.view, Qt.Key.Key_E, CTRL)
    assert m.rowCount() == len(CSV_ROWS)

    # F8 from the top skips the deleted rows' problems
    w.view.setCurrentIndex(m.index(0, 0))
    qtbot.keyClick(w.view, Qt.Key.Key_F8)
    cur = w.view.currentIndex()
    assert (m.frame_row(cur.row()), m.fields[cur.column()]) == (4, "customer_email")

    # the commit counts the same: four records, one of them invalid
    committable = s.committable()
    assert committable.records == 4 and committable.invalid == 1

    # undo brings the rows back with their problems
    qtbot.keyClick(w.view, Qt.Key.Key_Z, CTRL)
    assert not s.deleted.any()
    assert "3 with errors" in panel.summary.text()
    assert tree_counts(panel) == before


def test_a_row_deleted_while_errors_only_is_shown_leaves_the_filter(qtbot, make_window, bookings_csv):
    w = make_window()
    open_and_wait(qtbot, w, bookings_csv)
    m = w.model
    w.view.setFocus()
    qtbot.keyClick(w.view, Qt.Key.Key_E, CTRL)
    assert [m.frame_row(r) for r in range(m.rowCount())] == [1, 3, 4]
    click_cell(qtbot, w, 0, "status")  # record 2
    qtbot.keyClick(w.view, Qt.Key.Key_Minus, CTRL)
    assert [m.frame_row(r) for r in range(m.rowCount())] == [3, 4]
    # the panel no longer offers a filter on a field whose only problem was in the deleted row
    combo = w.error_panel.filter_combo
    assert "Field: booking_ref" not in [combo.itemText(i) for i in range(combo.count())]
    assert w.error_panel.current_filter() == ("errors", None)
    qtbot.keyClick(w.view, Qt.Key.Key_Z, CTRL)
    assert [m.frame_row(r) for r in range(m.rowCount())] == [1, 3, 4]
    assert "Field: booking_ref" in [combo.itemText(i) for i in range(combo.count())]


def test_counts_without_deleted_rows_match_pandas_on_many_codes(qtbot):
    """The panel's count table against a pandas groupby, for a random deletion over many problems."""
    from booking_desktop.errors import ProblemTable
    from booking_desktop.grid.problems import ProblemIndex

    rng = np.random.default_rng(7)
    n = 5_000
    fields = ["a", "b", "c"]
    frame = pd.DataFrame(
        {
            "row": rng.integers(0, n, 20_000),
            "field": rng.choice(np.array(["a", "b", "c", None], dtype=object), 20_000),
            "code": rng.choice(["required", "format", "range"], 20_000),
            "severity": rng.choice(["error", "warning"], 20_000),
            "value": None,
            "message": "m",
        }
    )
    problems = ProblemTable(frame)
    index = ProblemIndex.build(problems, fields, n)
    deleted = rng.random(n) < 0.3
    got = index.live_counts(problems.frame["row"].to_numpy(), deleted)
    f = problems.frame
    f = f[~deleted[f["row"].to_numpy()]]
    want = f.assign(field=f["field"].astype(object).fillna("(row)")).groupby(["field", "code", "severity"]).size()
    assert {
        (a, b, c): int(k) for a, b, c, k in got[["field", "code", "severity", "count"]].itertuples(index=False)
    } == {k: int(v) for k, v in want.items()}


def test_the_commit_preview_leaves_the_deleted_rows_out(qtbot, make_window, bookings_csv, vendor_profiles, db, server):
    """Delete the two records with broken cells: the preview counts one rejection (record 5's e-mail),
    and three new bookings -- computed here from the session and a plain find() on the database."""
    from booking_desktop.storage.client import ConnectionTarget

    w = make_window(profiles_dir=vendor_profiles)
    w.connection_target = ConnectionTarget(uri=server.uri, db_name=db.name, label="test server")
    open_and_wait(qtbot, w, bookings_csv)
    click_cell(qtbot, w, 1, "booking_ref")
    QTest.mouseClick(w.view.viewport(), Qt.MouseButton.LeftButton, CTRL, cell_point(w, 3, "booking_ref"))
    qtbot.keyClick(w.view, Qt.Key.Key_Minus, CTRL)
    s = w.session
    kept = ~s.deleted
    want_rejected = int((s.result.error_rows & kept).sum())
    existing = {d["booking_ref"] for d in db["bookings"].find({}, {"booking_ref": 1})}
    refs = [s.value(r, "booking_ref") for r in range(len(s)) if kept[r] and not s.result.error_rows[r]]
    want_new = sum(ref not in existing for ref in refs)
    assert (want_rejected, want_new) == (1, 3)

    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    w.view.setFocus()
    qtbot.keyClick(w.view, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: w.commit_dialog is not None, timeout=30_000)
    dlg = w.commit_dialog
    qtbot.waitUntil(dlg.commit_button.isEnabled, timeout=30_000)
    labels = dlg.preview_labels
    assert labels["rejected"].text() == f"{want_rejected:,}"
    assert labels["new"].text() == f"{want_new:,}"
    dlg.close()
    qtbot.waitUntil(lambda: w.commit_dialog is None)
    assert db["bookings"].count_documents({}) == 0  # a preview writes nothing
