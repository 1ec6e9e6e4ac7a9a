"""Journal replay reproduces a session exactly (text frame, deleted rows, undo history)."""

from __future__ import annotations

import json

import pandas as pd
from session_fakes import ROWS, FakeEngine, make_result

from booking_desktop.session import Journal, WorkSession, pending_journals


def fresh(tmp_path):
    return WorkSession.from_result(make_result([dict(r) for r in ROWS], path=tmp_path / "b.csv"), engine=FakeEngine())


def edit_a_lot(s: WorkSession) -> None:
    s.set_cell(1, "booking_ref", "A2")
    s.replace_in_column("amount", ",", ".")
    s.set_value([0, 4], "status", "confirmed")
    s.delete_rows([2])
    s.apply_value_map("country", {"ZZ": "DE"})
    s.undo()  # the value map
    s.fill_down([0, 1], "country")
    s.remap({"booking_ref": "ref2", "status": "status", "amount": "amount", "country": "country"})
    s.undo()  # the remap
    s.restore_rows([2])
    s.undo()  # the restore


def test_replay_reproduces_text_deleted_rows_and_history(tmp_path):
    s = fresh(tmp_path)
    journal = s.attach_journal(tmp_path / "journal")
    edit_a_lot(s)
    assert journal.path.exists()
    # the process dies here: nothing is closed cleanly
    pending = pending_journals(tmp_path / "journal")
    assert [p.path for p in pending] == [journal.path]
    assert pending[0].sha256 == "ab" * 32
    assert pending[0].commands == 11

    restored = fresh(tmp_path)
    n = restored.replay(Journal.open_existing(pending[0].path).commands(), profile_loader=lambda rec: rec)
    assert n == 11
    pd.testing.assert_frame_equal(restored.text, s.text)
    assert restored.deleted.tolist() == s.deleted.tolist()
    assert restored.undo_label == s.undo_label and restored.redo_label == s.redo_label
    pd.testing.assert_frame_equal(restored.result.problems.frame, s.result.problems.frame)
    restored.redo()
    s.redo()
    assert restored.deleted.tolist() == s.deleted.tolist()


def test_no_edit_no_journal_and_mark_clean_discards(tmp_path):
    s = fresh(tmp_path)
    journal = s.attach_journal(tmp_path / "journal")
    assert not journal.path.exists()
    assert pending_journals(tmp_path / "journal") == []
    s.set_cell(0, "status", "x")
    assert len(pending_journals(tmp_path / "journal")) == 1
    s.mark_clean()
    assert pending_journals(tmp_path / "journal") == []


def test_torn_last_line_is_ignored(tmp_path):
    s = fresh(tmp_path)
    journal = s.attach_journal(tmp_path / "journal")
    s.set_cell(0, "status", "x")
    with open(journal.path, "a", encoding="utf-8") as fh:
        fh.write('{"op": "cells", "rows": [1')  # killed mid-write
    cmds = Journal.open_existing(journal.path).commands()
    assert [c["op"] for c in cmds] == ["cells"]
    header = json.loads(journal.path.read_text().splitlines()[0])
    assert header["source"].endswith("b.csv") and header["records"] == 5
