"""The commit dialog against a real server: preview counts, commit results, idempotence, cancel."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPlainTextEdit

from booking_desktop.gui.commit_dialog import CommitDialog
from booking_desktop.storage.engine import CommitEngine
from booking_desktop.storage.mapper import BookingMapper
from booking_desktop.storage.testing import booking_rows, make_result

pytestmark = pytest.mark.gui






def _open(qtbot, result, engine) -> CommitDialog:
    dlg = CommitDialog(result, engine, target="test server")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.commit_button.isEnabled(), timeout=60000)
    return dlg


def _commit(qtbot, dlg: CommitDialog):
    with qtbot.waitSignal(dlg.committed, timeout=60000) as blocker:
        qtbot.mouseClick(dlg.commit_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def _shown(labels) -> dict[str, int]:
    return {k: int(v.text().replace(",", "")) for k, v in labels.items()}


def test_preview_then_commit_matches_the_database(qtbot, db):
    engine = CommitEngine(db, batch_size=4)
    # five bookings already stored
    engine.run(make_result(booking_rows(5), path="earlier.csv"))
    # the new file: 3 of them unchanged, 2 with a new amount, 3 new, 2 rows with errors
    text = booking_rows(10)
    text.loc[3:4, "amount"] = "150.00"
    result = make_result(text, errors={8: [("amount", "format", "bad")], 9: [("check_in", "format", "bad")]},
                         path="today.csv")

    dlg = _open(qtbot, result, engine)
    assert _shown(dlg.preview_labels) == {"new": 3, "changed": 2, "unchanged": 3, "rejected": 2}
    assert db.bookings.count_documents({}) == 5, "the preview must not write"

    summary = _commit(qtbot, dlg)
    assert _shown(dlg.summary_labels) == {"inserted": 3, "updated": 2, "unchanged": 3, "rejected": 2}
    assert db.bookings.count_documents({}) == 8
    changed = db.bookings.find_one({"booking_ref": "R0000004"})
    assert BookingMapper.from_document(changed)["amount"] == "150.00" and changed["amount_minor"] == 15000
    assert db.bookings.find_one({"booking_ref": "R0000009"}) is None  # rejected rows stay out of bookings
    assert db.rejected_rows.count_documents({"import_id": summary.import_id}) == 2
    record = db.imports.find_one({"_id": summary.import_id})
    assert record["status"] == "completed"
    assert dlg.import_id_label.text() == summary.import_id
    assert dlg.close_button.isVisible() and not dlg.cancel_button.isVisible()

    # the "link" to the import record shows that document
    qtbot.mouseClick(dlg.show_record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(dlg, "record_dialog", None) is not None, timeout=10000)
    shown = dlg.record_dialog.findChild(QPlainTextEdit, "import_record_text")
    assert summary.import_id in shown.toPlainText() and "completed" in shown.toPlainText()
    qtbot.mouseClick(dlg.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == summary.import_id


def test_second_commit_of_the_same_data_inserts_nothing(qtbot, db):
    engine = CommitEngine(db, batch_size=5)
    result = make_result(booking_rows(12), path="same.csv")
    first = _commit(qtbot, _open(qtbot, result, engine))
    assert first.inserted == 12

    dlg = _open(qtbot, result, engine)
    assert _shown(dlg.preview_labels)["new"] == 0
    assert "inserts nothing" in dlg.preview_status.text()
    second = _commit(qtbot, dlg)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 12)
    assert db.bookings.count_documents({}) == 12


class _GatedEngine:
    """The real engine, holding after its first batch until the test lets it go on: the operator
    presses Cancel while a commit runs, however fast or slow the machine (a fixed pause per batch
    raced the click under load)."""

    def __init__(self, engine: CommitEngine):
        self._engine, self.db = engine, engine.db
        self.go_on = threading.Event()

    def preview(self, result):
        return self._engine.preview(result)

    def commit(self, result, **kw):
        gen = self._engine.commit(result, **kw)
        first = True
        while True:
            try:
                item = next(gen)
            except StopIteration as stop:
                return stop.value
            yield item
            if first:
                first = False
                self.go_on.wait(60)


def test_cancel_midway_marks_the_import_interrupted(qtbot, db):
    engine = CommitEngine(db, batch_size=10)
    result = make_result(booking_rows(200), path="big.csv")
    gated = _GatedEngine(engine)
    dlg = _open(qtbot, result, gated)
    qtbot.mouseClick(dlg.commit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.progress.value() > 0, timeout=60000)
    assert "records/s" in dlg.rate_label.text()
    with qtbot.waitSignal(dlg.committed, timeout=60000) as blocker:
        qtbot.mouseClick(dlg.cancel_button, Qt.MouseButton.LeftButton)
        gated.go_on.set()
    summary = blocker.args[0]
    assert summary.status == "interrupted"
    assert db.imports.find_one({"_id": summary.import_id})["status"] == "interrupted"
    stored = db.bookings.count_documents({})
    assert 0 < stored < 200
    assert "interrupted" in dlg.summary_status.text() and "resume" in dlg.summary_status.text()

    # committing the same file again resumes and ends with every booking exactly once
    final = _commit(qtbot, _open(qtbot, result, engine))
    assert final.status == "completed" and final.resumed
    assert db.bookings.count_documents({}) == 200


def test_unreachable_database_gives_a_readable_message(qtbot):
    from pymongo import MongoClient

    client = MongoClient("mongodb://127.0.0.1:9", serverSelectionTimeoutMS=300, connectTimeoutMS=300)
    try:
        dlg = CommitDialog(make_result(booking_rows(3)), CommitEngine(client["x"]), target="nowhere")
        qtbot.addWidget(dlg)
        dlg.show()
        qtbot.waitUntil(lambda: dlg.error_label.isVisible(), timeout=15000)
    finally:
        client.close()
    assert "Traceback" not in dlg.error_label.text()
    assert "cannot reach the database" in dlg.error_label.text() and "Unexpected" not in dlg.error_label.text()
    assert "Check the connection" in dlg.error_label.text()
    assert not dlg.commit_button.isEnabled()


def test_a_file_changed_on_disk_since_opening_is_refused_at_the_preview(qtbot, db, tmp_path):
    from booking_desktop.readers import read_file

    path = tmp_path / "today.csv"
    path.write_text("ref,name\nA,1\n")
    result = make_result(booking_rows(3), path=path)
    result.raw.source = read_file(path).source  # as the window has it: read, not hashed yet
    path.write_text("ref,name\nA,1\nB,2\n")  # the vendor re-exported the file meanwhile

    dlg = CommitDialog(result, CommitEngine(db), target="test server")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.error_label.isVisible(), timeout=15000)
    text = dlg.error_label.text()
    assert "today.csv" in text and "changed on disk" in text
    assert "open it again" in text and "Nothing was written." in text and "Check the connection" not in text
    assert not dlg.commit_button.isEnabled()
    assert db.bookings.count_documents({}) == 0 and db.imports.count_documents({}) == 0
