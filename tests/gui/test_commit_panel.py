"""The commit panel against a real server: preview counts and progress, commit results in words that add up,
the import record, idempotence, cancel, and decisions by error code."""

from __future__ import annotations

import threading
from datetime import UTC

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from booking_desktop.gui.commit_panel import CommitPanel
from booking_desktop.storage.engine import CommitEngine
from booking_desktop.storage.mapper import BookingMapper
from booking_desktop.storage.testing import booking_rows, make_result

pytestmark = pytest.mark.gui

def _open(qtbot, result, engine) -> CommitPanel:
    dlg = CommitPanel(result, engine, target="test server")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.commit_button.isEnabled(), timeout=60000)
    return dlg


def _commit(qtbot, dlg: CommitPanel):
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
    assert _shown(dlg.preview_labels) == {
        "new": 3, "changed": 2, "unchanged": 3, "rejected": 2, "duplicates": 0, "records": 10
    }
    assert db.bookings.count_documents({}) == 5, "the preview must not write"

    summary = _commit(qtbot, dlg)
    assert _shown(dlg.summary_labels) == {
        "inserted": 3, "updated": 2, "unchanged": 3, "rejected": 2, "duplicates": 0, "not_committed": 0, "records": 10
    }
    assert dlg.summary_status.text().endswith(
        ": 3 inserted, 2 updated, 3 unchanged, 2 rejected of 10 records."
    ) and dlg.summary_status.text().startswith("Committed in ")
    assert db.bookings.count_documents({}) == 8
    changed = db.bookings.find_one({"booking_ref": "R0000004"})
    assert BookingMapper.from_document(changed)["amount"] == "150.00" and changed["amount_minor"] == 15000
    assert db.bookings.find_one({"booking_ref": "R0000009"}) is None  # rejected rows stay out of bookings
    assert db.rejected_rows.count_documents({"import_id": summary.import_id}) == 2
    record = db.imports.find_one({"_id": summary.import_id})
    assert record["status"] == "completed"
    assert dlg.import_id_label.text() == summary.import_id
    assert dlg.close_button.isVisible() and not dlg.cancel_button.isVisible()
    assert not dlg.summary_counts.captions["duplicates"].isVisible()  # none: the line is not shown

    # the import record, readable: fields, counts, local times, who, file, status (not raw JSON)
    qtbot.mouseClick(dlg.show_record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.record_dialog is not None, timeout=10000)
    shown = {k: v.text() for k, v in dlg.record_dialog.values.items()}
    assert shown["File"] == "today.csv" and shown["Status"] == "completed" and shown["Vendor"] == "acme"
    assert shown["Outcome"] == "3 inserted, 2 updated, 3 unchanged, 2 rejected"
    assert shown["Records"] == "10 records" and shown["Import id"] == summary.import_id
    started = record["started_at"].replace(tzinfo=UTC).astimezone()
    assert shown["Started"] == started.strftime("%Y-%m-%d %H:%M:%S %Z").strip()
    assert shown["By"].startswith(record["user"])
    assert "{" not in "".join(shown.values())
    qtbot.mouseClick(dlg.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == summary.import_id


def test_duplicates_in_the_file_are_named_apart_and_the_words_add_up(qtbot, db):
    text = booking_rows(8)
    text.loc[6, "booking_ref"] = text.loc[1, "booking_ref"]  # record 7 repeats record 2
    text.loc[7, "booking_ref"] = text.loc[2, "booking_ref"]
    result = make_result(text, errors={0: [("amount", "format", "bad")]}, path="dups.csv")
    dlg = _open(qtbot, result, CommitEngine(db))
    assert _shown(dlg.preview_labels) == {
        "new": 5, "changed": 0, "unchanged": 0, "rejected": 1, "duplicates": 2, "records": 8
    }
    summary = _commit(qtbot, dlg)
    assert (summary.inserted, summary.rejected) == (5, 3)
    assert "5 inserted, 1 rejected, 2 skipped duplicates of 8 records." in dlg.summary_status.text()
    shown = _shown(dlg.summary_labels)
    assert sum(v for k, v in shown.items() if k != "records") == shown["records"] == 8
    assert dlg.summary_counts.captions["duplicates"].isVisible()  # named when there are any
    assert not dlg.summary_counts.captions["not_committed"].isVisible()
    assert db.bookings.count_documents({}) == 5 and db.rejected_rows.count_documents({}) == 3


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

        self.preview_go_on = threading.Event()
        self.preview_go_on.set()

    def preview_steps(self, result, cancelled):
        gen = self._engine.preview_steps(result, cancelled=cancelled)
        while True:
            try:
                item = next(gen)
            except StopIteration as stop:
                return stop.value
            yield item
            if item.stage == "looking up" and item.done:
                self.preview_go_on.wait(60)

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
    assert dlg.rate_label.text().startswith("10 of 200 records · ") and " rows/s · about " in dlg.rate_label.text()
    assert dlg.rate_label.text().endswith(" left")
    assert dlg.counts_label.text() == "10 inserted, 0 rejected so far"
    with qtbot.waitSignal(dlg.committed, timeout=60000) as blocker:
        qtbot.mouseClick(dlg.cancel_button, Qt.MouseButton.LeftButton)
        gated.go_on.set()
    summary = blocker.args[0]
    assert summary.status == "interrupted"
    assert db.imports.find_one({"_id": summary.import_id})["status"] == "interrupted"
    stored = db.bookings.count_documents({})
    assert 0 < stored < 200
    # one message, laid out once: how far it got, what it did, what it did not reach -- adding up
    text = dlg.summary_status.text()
    assert text.startswith(f"Cancelled after {stored} of 200 records: {stored} inserted, 0 rejected; "
                           f"{200 - stored} not committed.") and "resume" in text
    assert not dlg.error_label.isVisible()
    shown = _shown(dlg.summary_labels)
    assert (shown["inserted"], shown["not_committed"], shown["records"]) == (stored, 200 - stored, 200)

    # committing the same file again resumes and ends with every booking exactly once
    final = _commit(qtbot, _open(qtbot, result, engine))
    assert final.status == "completed" and final.resumed
    assert db.bookings.count_documents({}) == 200


def test_unreachable_database_gives_a_readable_message(qtbot):
    from pymongo import MongoClient

    client = MongoClient("mongodb://127.0.0.1:9", serverSelectionTimeoutMS=300, connectTimeoutMS=300)
    try:
        dlg = CommitPanel(make_result(booking_rows(3)), CommitEngine(client["x"]), target="nowhere")
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

    dlg = CommitPanel(result, CommitEngine(db), target="test server")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.error_label.isVisible(), timeout=15000)
    text = dlg.error_label.text()
    assert "today.csv" in text and "changed on disk" in text
    assert "open it again" in text and "Nothing was written." in text and "Check the connection" not in text
    assert not dlg.commit_button.isEnabled()
    assert db.bookings.count_documents({}) == 0 and db.imports.count_documents({}) == 0


def test_the_preview_shows_its_progress_and_can_be_cancelled_then_committed_anyway(qtbot, db):
    engine = CommitEngine(db)
    result = make_result(booking_rows(engine.lookup_chunk * 30), path="many.csv")
    gated = _GatedEngine(engine)
    gated.preview_go_on.clear()  # the look-up holds after its first progress
    dlg = CommitPanel(result, gated, target="test server")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.preview_progress.value() > 0, timeout=60000)
    total = engine.lookup_chunk * 30
    assert dlg.preview_status.text().startswith("Looking up which bookings already exist: ")
    assert f" of {total:,} · " in dlg.preview_status.text() and " rows/s · " in dlg.preview_status.text()
    assert dlg.preview_progress.maximum() == total and not dlg.commit_button.isEnabled()
    with qtbot.waitSignal(dlg._worker.signals.aborted, timeout=60000):
        qtbot.mouseClick(dlg.cancel_button, Qt.MouseButton.LeftButton)
        gated.preview_go_on.set()
    assert "cancelled; nothing was written" in dlg.preview_status.text()
    assert dlg.preview_labels["new"].text() == "…" and db.bookings.count_documents({}) == 0
    gated.go_on.set()  # the commit does not hold
    summary = _commit(qtbot, dlg)  # the operator commits without the counts
    assert summary.status == "completed" and summary.inserted == total
    assert db.bookings.count_documents({}) == total


class _RefusingEngine:
    """An engine whose preview refuses with a given storage error (the server is not involved)."""

    def __init__(self, exc, db):
        self.exc, self.db = exc, db

    def preview_steps(self, result, cancelled):
        raise self.exc
        yield  # a generator, like the engine's


def test_what_the_panel_offers_follows_the_error_code_not_the_message(qtbot, db):
    from booking_desktop.readers.source import FILE_CHANGED_TEXT
    from booking_desktop.storage.engine import FileChangedError, StorageError

    # a message that merely quotes the file-changed sentence is a connection problem: retry is offered
    dlg = CommitPanel(make_result(booking_rows(2)), _RefusingEngine(StorageError(f"odd: {FILE_CHANGED_TEXT}"), db))
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(dlg.error_label.isVisible, timeout=15000)
    assert "Check the connection" in dlg.error_label.text() and "Nothing was written." not in dlg.error_label.text()
    # the file-changed code, whatever its words, says reopen: nothing was written, no retry hint
    dlg = CommitPanel(make_result(booking_rows(2)), _RefusingEngine(FileChangedError("a.csv: reworded"), db))
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(dlg.error_label.isVisible, timeout=15000)
    assert dlg.error_label.text() == "a.csv: reworded\nNothing was written."
    assert not dlg.commit_button.isEnabled()
