"""Issue 11's evidence, end to end against the real test server: a file with planted defects is
imported, some rows are fixed in the Review page and some with the CLI, the valid ones resubmitted from
the page, the rest discarded there; every record of the file ends up exactly once in ``bookings`` or in
``rejected_rows`` (resolved or discarded), the audit log has one entry per action, and a second
resubmit changes nothing."""

from __future__ import annotations

from collections import Counter

import pytest
from gui_helpers import click_cell, type_into_cell
from PySide6.QtCore import Qt
from review_files import ROWS
from review_gui import open_review, records_shown, settle

from booking_desktop.cli import main

pytestmark = pytest.mark.gui


def cli(server, db, *argv):
    return main([*argv, "--uri", server.uri, "--db", db.name])


def test_fixed_in_the_page_and_the_cli_resubmitted_discarded_each_record_once(
        qtbot, make_window, review_db, server, capsys):
    page = open_review(qtbot, make_window())
    ids = {d["record"]: d["_id"] for d in review_db.rejected_rows.find({})}
    # two rows fixed in the grid
    for record, adults in ((4, "2"), (5, "3")):
        type_into_cell(qtbot, page, records_shown(page).index(record), "adults", adults)
        qtbot.waitUntil(lambda: not page.working, timeout=30_000)
    # two with the CLI, by another supervisor
    assert cli(server, review_db, "review", "fix", ids[2], "--set", "check_out=2024-05-04") == 0
    assert cli(server, review_db, "review", "fix", ids[6], "--set", "check_in=2024-02-28") == 0
    capsys.readouterr()
    qtbot.mouseClick(page.refresh_button, Qt.MouseButton.LeftButton)
    settle(qtbot, page)
    assert [r["record"] for r in page.table.rows if not r["errors"]] == [2, 4, 5, 6]
    # resubmit every valid row the filter shows (nothing selected)
    page.view.clearSelection()
    page.view.setCurrentIndex(page.model.index(-1, -1))
    qtbot.mouseClick(page.buttons["resubmit"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Resubmitted" in page.notice.text(), timeout=60_000)
    settle(qtbot, page)
    assert "Resubmitted 4 row(s): 4 inserted" in page.notice.text(), page.notice.text()
    assert records_shown(page) == [8, 9]
    # discard the rest: select both rows, Discard…, a reason from the list
    click_cell(qtbot, page, 0, "booking_ref")
    page.view.selectAll()
    qtbot.mouseClick(page.buttons["discard"], Qt.MouseButton.LeftButton)
    dlg = page.dialog
    qtbot.waitUntil(dlg.isVisible)
    dlg.reason.setCurrentIndex(dlg.reason.findData("duplicate"))
    qtbot.mouseClick(dlg.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Discarded 2 row(s)" in page.notice.text(), timeout=30_000)
    settle(qtbot, page)
    assert records_shown(page) == []
    # every record of the file exactly once: a booking, or a rejected row resolved or discarded
    refs = Counter(d["booking_ref"] for d in review_db.bookings.find({}, {"booking_ref": 1}))
    assert all(n == 1 for n in refs.values()), refs
    rejected = {d["record"]: d["status"] for d in review_db.rejected_rows.find({})}
    assert rejected == {2: "resolved", 4: "resolved", 5: "resolved", 6: "resolved", 8: "discarded", 9: "discarded"}
    file_refs = [row.split(",")[0] for row in ROWS]
    committed = {r for i, r in enumerate(file_refs, start=1) if i not in rejected or rejected[i] == "resolved"}
    assert set(refs) == committed  # H1..H7 and H10; H1's repeat (record 8) and record 9 discarded
    actions = Counter(e["action"] for e in review_db.audit_log.find({"target.collection": "rejected_rows"}))
    assert actions == {"rejected_row.fix": 4, "rejected_row.resubmit": 4, "rejected_row.discard": 2}
    # a second resubmit changes nothing
    page.filters.status.setCurrentIndex(page.filters.status.findData("all"))
    settle(qtbot, page)
    before = review_db.bookings.count_documents({})
    page.view.clearSelection()
    page.view.setCurrentIndex(page.model.index(-1, -1))
    qtbot.mouseClick(page.buttons["resubmit"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Resubmitted 0 row(s)" in page.notice.text(), timeout=30_000)
    settle(qtbot, page)
    assert review_db.bookings.count_documents({}) == before
    assert review_db.audit_log.count_documents({"target.collection": "rejected_rows"}) == sum(actions.values())
