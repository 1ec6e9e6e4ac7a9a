"""The Review page in the real window, against the real test server: the queue of a file with planted
defects is listed oldest first as a plain find() lists it, the counts match pandas, a click on a count
filters, a cell typed in the grid is re-validated by the queue (and undone/redone from the Edit menu's
shortcut), discard / reopen / assign go through their dialogs and are audited, resubmit commits each
valid row once, and a second supervisor's change is never overwritten."""

from __future__ import annotations

from collections import Counter

import pytest
from gui_helpers import click_cell, type_into_cell
from PySide6.QtCore import Qt
from review_files import BAD_RECORDS
from review_gui import cell, open_review, records_shown, row_doc, settle

from booking_desktop.storage.review import ReviewQueue

pytestmark = pytest.mark.gui
CTRL = Qt.KeyboardModifier.ControlModifier


def test_the_queue_is_listed_oldest_first_with_counts_that_match_pandas(qtbot, make_window, review_db):
    page = open_review(qtbot, make_window())
    plain = sorted(review_db.rejected_rows.find({"status": "open"}), key=lambda d: (d["created_at"], d["record"]))
    assert records_shown(page) == [d["record"] for d in plain] == BAD_RECORDS
    assert page.stats.total == len(plain)
    assert "6 row(s) match in Office" in page.status.text()
    assert cell(page, 0, "check_out") == plain[0]["mapped"]["check_out"]  # record 2: leaves before it arrives
    want = Counter((d["vendor"], code) for d in plain for code in {e["code"] for e in d["errors"]})
    shown = {(page.counts.item(r, 0).text(), page.counts.item(r, 1).text()): int(page.counts.item(r, 2).text())
             for r in range(page.counts.rowCount())}
    assert shown == dict(want)
    # a click on a count filters the queue on that vendor and problem
    (vendor, code), n = want.most_common()[-1]
    assert vendor == "HARBOUR"
    row = next(r for r in range(page.counts.rowCount()) if page.counts.item(r, 1).text() == code)
    qtbot.mouseClick(page.counts.viewport(), Qt.MouseButton.LeftButton,
                     pos=page.counts.visualItemRect(page.counts.item(row, 1)).center())
    qtbot.waitUntil(lambda: page.flt.code == code, timeout=5_000)
    settle(qtbot, page)
    expect = sorted(d["record"] for d in plain if any(e["code"] == code for e in d["errors"]))
    assert records_shown(page) == expect and page.stats.total == n
    # the details of the chosen row: its problems, the vendor's own cells, where it came from
    click_cell(qtbot, page, 0, "customer_name")
    qtbot.waitUntil(lambda: page.detail.row is not None and page.detail.row["record"] == expect[0])
    assert f"Record {expect[0]}" in page.detail.header.text() and "line" in page.detail.header.text()
    raw = [page.detail.raw.item(i, 0).text() for i in range(page.detail.raw.rowCount())]
    assert raw == ["Ref", "Guest", "Arrive", "Leave", "Pax", "Total", "Cur"]
    problems = [page.detail.problems.item(i).text() for i in range(page.detail.problems.count())]
    assert any(code in p for p in problems)
    qtbot.waitUntil(lambda: not page.working and page.detail.history.rowCount() == 0, timeout=30_000)


def test_a_fix_typed_in_the_grid_is_revalidated_undone_and_redone(qtbot, make_window, review_db):
    w = make_window()
    page = open_review(qtbot, w)
    view_row = records_shown(page).index(4)  # record 4 has 0 adults
    type_into_cell(qtbot, page, view_row, "adults", "2")
    qtbot.waitUntil(lambda: not page.working, timeout=30_000)
    doc = row_doc(review_db, 4)
    assert doc["mapped"]["adults"] == "2" and doc["errors"] == [] and doc["valid"] is True
    assert page.table.rows[view_row]["errors"] == [] and page.model.data_.problems.row_any[view_row] == False  # noqa: E712
    assert "no errors now" in page.notice.text()
    assert page.table.is_edited(view_row, "adults")
    counts = {page.counts.item(r, 1).text(): int(page.counts.item(r, 2).text()) for r in range(page.counts.rowCount())}
    assert counts["range"] == 1  # the counts follow the fix: only record 5's adults are out of range now
    assert page.stats.total == 6 and "no longer match" not in page.status.text()  # still open: still in the queue
    # an edit that leaves an error says so: record 5 has 9 adults, the profile allows 6; 7 is still too many
    five = records_shown(page).index(5)
    type_into_cell(qtbot, page, five, "adults", "7")
    qtbot.waitUntil(lambda: not page.working, timeout=30_000)
    assert row_doc(review_db, 5)["mapped"]["adults"] == "7"
    assert [e["field"] for e in row_doc(review_db, 5)["errors"]] == ["adults"]
    assert "1 error(s) remain" in page.notice.text()
    # Ctrl+Z (the window's Edit ▸ Undo) undoes the last fix, then the one before; Ctrl+Shift+Z redoes
    assert w.acts["actUndo"].isEnabled() and "adults" in w.acts["actUndo"].text()
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: not page.working and row_doc(review_db, 5)["mapped"]["adults"] == "9", timeout=30_000)
    qtbot.keyClick(page.view, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: not page.working, timeout=30_000)
    assert row_doc(review_db, 4)["mapped"]["adults"] == "0"  # as the vendor sent it
    assert [e["field"] for e in row_doc(review_db, 4)["errors"]] == ["adults"]
    assert cell(page, view_row, "adults") == "0"
    qtbot.keyClick(page.view, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: not page.working and row_doc(review_db, 4)["mapped"]["adults"] == "2", timeout=30_000)
    assert cell(page, view_row, "adults") == "2"
    fixes = list(review_db.audit_log.find({"action": "rejected_row.fix", "target.record": 4}))
    assert [(f["before"], f["after"]) for f in fixes] == [
        ({"adults": "0"}, {"adults": "2"}), ({"adults": "2"}, {"adults": "0"}), ({"adults": "0"}, {"adults": "2"})]


def test_a_reference_that_collides_with_a_booking_says_so(qtbot, make_window, review_db):
    page = open_review(qtbot, make_window())
    view_row = records_shown(page).index(4)
    type_into_cell(qtbot, page, view_row, "booking_ref", "H3")  # H3 was committed by the import
    qtbot.waitUntil(lambda: not page.working, timeout=30_000)
    codes = {e["code"] for e in row_doc(review_db, 4)["errors"]}
    assert "duplicate_ref" in codes, codes
    assert "duplicate_ref" in {e["code"] for e in page.table.rows[view_row]["errors"]}


def test_discard_reopen_assign_and_resubmit_through_the_page(qtbot, make_window, review_db):
    page = open_review(qtbot, make_window())
    # fix record 4, then resubmit it with nothing selected but it valid: exactly one booking more
    type_into_cell(qtbot, page, records_shown(page).index(4), "adults", "2")
    qtbot.waitUntil(lambda: not page.working, timeout=30_000)
    before = review_db.bookings.count_documents({})
    page.view.clearSelection()
    qtbot.mouseClick(page.buttons["resubmit"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Resubmitted" in page.notice.text(), timeout=30_000)
    settle(qtbot, page)
    assert review_db.bookings.count_documents({}) == before + 1
    assert row_doc(review_db, 4)["status"] == "resolved" and 4 not in records_shown(page)
    qtbot.mouseClick(page.buttons["resubmit"], Qt.MouseButton.LeftButton)  # again: nothing changes
    qtbot.waitUntil(lambda: not page.working, timeout=30_000)
    assert review_db.bookings.count_documents({}) == before + 1
    # discard record 9 through the dialog, with a reason and a note
    click_cell(qtbot, page, records_shown(page).index(9), "customer_name")
    qtbot.mouseClick(page.buttons["discard"], Qt.MouseButton.LeftButton)
    dlg = page.dialog
    qtbot.waitUntil(dlg.isVisible)
    dlg.reason.setCurrentIndex(dlg.reason.findData("test"))
    qtbot.keyClicks(dlg.text, "a test booking of the vendor")
    qtbot.mouseClick(dlg.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Discarded 1 row(s)" in page.notice.text(), timeout=30_000)
    settle(qtbot, page)
    doc = row_doc(review_db, 9)
    assert doc["status"] == "discarded" and doc["discard"]["reason"] == "test"
    assert doc["discard"]["text"] == "a test booking of the vendor"
    assert 9 not in records_shown(page)
    # the discarded rows, then reopen it
    page.filters.status.setCurrentIndex(page.filters.status.findData("discarded"))
    settle(qtbot, page)
    assert records_shown(page) == [9]
    click_cell(qtbot, page, 0, "customer_name")
    qtbot.mouseClick(page.buttons["reopen"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Reopened 1 row(s)" in page.notice.text(), timeout=30_000)
    settle(qtbot, page)
    assert row_doc(review_db, 9)["status"] == "open" and records_shown(page) == []
    # assign two open rows
    page.filters.status.setCurrentIndex(page.filters.status.findData("open"))
    settle(qtbot, page)
    page.view.selectRow(0)
    page.view.selectionModel().select(page.model.index(1, 0), page.view.selectionModel().SelectionFlag.Select
                                      | page.view.selectionModel().SelectionFlag.Rows)
    picked = [page.table.rows[i]["record"] for i in page.selected_rows()]
    assert len(picked) == 2
    qtbot.mouseClick(page.buttons["assign"], Qt.MouseButton.LeftButton)
    dlg = page.dialog
    qtbot.waitUntil(dlg.isVisible)
    qtbot.keyClicks(dlg.user, "maria")
    qtbot.keyClick(dlg.user, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Assigned 2 row(s)" in page.notice.text(), timeout=30_000)
    assert sorted(d["record"] for d in review_db.rejected_rows.find({"assignee": "maria"})) == sorted(picked)
    actions = Counter(e["action"] for e in review_db.audit_log.find({"target.collection": "rejected_rows"}))
    assert actions["rejected_row.discard"] == 1 and actions["rejected_row.reopen"] == 1
    assert actions["rejected_row.assign"] == 2 and actions["rejected_row.fix"] == 1
    assert review_db.rejected_rows.count_documents({}) == len(BAD_RECORDS)  # nothing deleted
    settle(qtbot, page)


def test_a_second_supervisors_change_is_never_overwritten(qtbot, make_window, review_db, server):
    page = open_review(qtbot, make_window())
    view_row = records_shown(page).index(4)
    other_client = server.client()
    try:  # another supervisor, on another connection, fixes the same row first
        other = ReviewQueue(other_client[review_db.name], db_user="other")
        other.fix(row_doc(review_db, 4)["_id"], {"adults": "3"})
    finally:
        other_client.close()
    type_into_cell(qtbot, page, view_row, "adults", "2")
    qtbot.waitUntil(lambda: not page.working, timeout=30_000)
    assert row_doc(review_db, 4)["mapped"]["adults"] == "3"  # theirs stays
    assert "changed since it was read" in page.notice.text()
    assert cell(page, view_row, "adults") == "3"  # the page shows the row as it is now
    assert not page.can_undo


def test_the_quality_click_through_filters_on_vendor_and_code(qtbot, make_window, review_db):
    w = make_window()
    open_review(qtbot, w)
    w.show_page("import")
    w.show_review(vendor="HARBOUR", code="range")
    page = w.review
    qtbot.waitUntil(lambda: page.flt.vendor == "HARBOUR", timeout=5_000)
    settle(qtbot, page)
    want = sorted(d["record"] for d in review_db.rejected_rows.find(
        {"status": "open", "vendor": "HARBOUR", "errors.code": "range"}))
    assert records_shown(page) == want
    assert w.current_page == "review"


def test_the_vendors_report_is_written_for_the_rows_shown(qtbot, make_window, review_db, tmp_path, monkeypatch):
    from booking_desktop.gui import review_page

    page = open_review(qtbot, make_window())
    out = tmp_path / "report.xlsx"
    monkeypatch.setattr(review_page, "ask_save_path", lambda *_a: str(out))  # the file dialog, answered
    qtbot.mouseClick(page.buttons["export"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "written to" in page.notice.text() or "not written" in page.notice.text(),
                    timeout=60_000)
    assert f"{len(BAD_RECORDS)} row(s)" in page.notice.text(), page.notice.text()
    from openpyxl import load_workbook

    wb = load_workbook(out)
    data = next(ws for ws in wb.worksheets if ws.cell(1, 1).value == "Ref")  # the vendor's own layout
    refs = [data.cell(r, 1).value for r in range(2, data.max_row + 1)]
    assert sorted(refs) == sorted(d["raw"][0]["value"] for d in review_db.rejected_rows.find({"status": "open"}))


def test_a_bulk_fix_is_previewed_applied_and_undone_as_one_step(qtbot, make_window, review_db):
    w = make_window()
    page = open_review(qtbot, w)
    rows = [records_shown(page).index(4), records_shown(page).index(5)]  # 0 and 9 adults: out of range
    sel = page.view.selectionModel()
    page.view.setCurrentIndex(page.model.index(rows[0], page.model.fields.index("adults")))
    sel.select(page.model.index(rows[1], page.model.fields.index("adults")), sel.SelectionFlag.Select)
    qtbot.mouseClick(page.buttons["bulk"], Qt.MouseButton.LeftButton)
    dlg = page.dialog
    qtbot.waitUntil(dlg.isVisible)
    assert dlg.field.currentData() == "adults" and dlg.on_selected.isChecked()
    qtbot.keyClicks(dlg.value, "2")
    qtbot.mouseClick(dlg.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "would change" in dlg.plan_label.text(), timeout=30_000)
    assert dlg.plan_label.text().startswith("2 of 2 row(s) would change: 2 valid afterwards")
    assert [row_doc(review_db, r)["mapped"]["adults"] for r in (4, 5)] == ["0", "9"]  # a preview writes nothing
    qtbot.mouseClick(dlg.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Bulk fix of adults: 2 row(s) changed" in page.notice.text(), timeout=30_000)
    settle(qtbot, page)
    assert [row_doc(review_db, r)["mapped"]["adults"] for r in (4, 5)] == ["2", "2"]
    assert [row_doc(review_db, r)["errors"] for r in (4, 5)] == [[], []]
    assert [cell(page, records_shown(page).index(r), "adults") for r in (4, 5)] == ["2", "2"]
    # one step: one Ctrl+Z puts both back, with their problems
    w.activateWindow()  # the dialog had the focus
    qtbot.waitUntil(w.isActiveWindow)
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: not page.working, timeout=30_000)
    assert "2 row(s) put back" in page.notice.text()
    settle(qtbot, page)
    assert [row_doc(review_db, r)["mapped"]["adults"] for r in (4, 5)] == ["0", "9"]
    assert all(e["field"] == "adults" for r in (4, 5) for e in row_doc(review_db, r)["errors"])
    assert [cell(page, records_shown(page).index(r), "adults") for r in (4, 5)] == ["0", "9"]
    # a value map over every open row of the filter: the empty currency of record 9 becomes EUR
    page.view.setCurrentIndex(page.model.index(records_shown(page).index(9), page.model.fields.index("currency")))
    page.view.clearSelection()
    qtbot.mouseClick(page.buttons["bulk"], Qt.MouseButton.LeftButton)
    dlg = page.dialog
    qtbot.waitUntil(dlg.isVisible)
    dlg.on_filter.setChecked(True)
    dlg.kind.setCurrentIndex(dlg.kind.findData("map"))
    empty = next(r for r in range(dlg.map.rowCount()) if dlg.map.item(r, 0) is not None
                 and dlg.map.item(r, 0).text() == "")
    dlg.map.setItem(empty, 1, type(dlg.map.item(empty, 0))("EUR"))
    qtbot.mouseClick(dlg.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Bulk fix of currency: 1 row(s) changed" in page.notice.text(), timeout=30_000)
    settle(qtbot, page)
    assert row_doc(review_db, 9)["mapped"]["currency"] == "EUR"
    assert review_db.audit_log.count_documents({"action": "rejected_row.bulk"}) == 2


def test_a_database_that_does_not_answer_is_said_in_one_line(qtbot, make_window, review_db):
    from booking_desktop.storage.client import ConnectionTarget

    w = make_window()
    page = open_review(qtbot, w)
    w.connection_target = ConnectionTarget(uri="mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=500", db_name="x",
                                           label="Nowhere")
    qtbot.waitUntil(lambda: not page.working and "Cannot read" in page.status.text(), timeout=60_000)
    assert page.status.text().startswith("Cannot read the review queue of Nowhere: ")
    assert "\n" not in page.status.text() and "Traceback" not in page.status.text()


def test_a_row_fixed_out_of_the_filter_stays_on_the_page_and_says_so(qtbot, make_window, review_db):
    w = make_window()
    page = open_review(qtbot, w)
    w.show_review(vendor="HARBOUR", code="range")
    qtbot.waitUntil(lambda: page.flt.code == "range", timeout=5_000)
    settle(qtbot, page)
    assert records_shown(page) == [4, 5]
    type_into_cell(qtbot, page, 0, "adults", "2")
    qtbot.waitUntil(lambda: not page.working, timeout=30_000)
    assert records_shown(page) == [4, 5]  # nothing moves under the supervisor's hands
    assert page.stats.total == 1 == review_db.rejected_rows.count_documents({"errors.code": "range", "status": "open"})
    assert "1 row(s) here no longer match (fixed or acted on): they stay until Refresh." in page.status.text()
    qtbot.mouseClick(page.refresh_button, Qt.MouseButton.LeftButton)
    settle(qtbot, page)
    assert records_shown(page) == [5] and "no longer match" not in page.status.text()
