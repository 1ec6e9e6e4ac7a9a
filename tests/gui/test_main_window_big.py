"""A million-row file loads while the event loop keeps answering (a 10 ms timer's worst gap stays small)."""

from __future__ import annotations

import importlib.util
import time

import numpy as np
import pytest
from gui_helpers import LoopGaps

pytestmark = [pytest.mark.gui, pytest.mark.slow]

ROWS = 1_000_000
WORST_GAP_S = 0.25  # the UI answers within a quarter of a second at every moment of the load
BULK_EDIT_GAP_S = 0.5


def _bench_data_module(repo_root):
    spec = importlib.util.spec_from_file_location("bench_make_data", repo_root / "bench" / "make_data.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def million_csv(tmp_path_factory, repo_root):
    mk = _bench_data_module(repo_root)
    d = tmp_path_factory.mktemp("million")
    (d / "profiles").mkdir()
    (d / "profiles" / "bench_vendor.yaml").write_text(mk.PROFILE, encoding="utf-8")
    return mk.write_csv(ROWS, d / "bookings_1m.csv"), d / "profiles"


def test_million_row_load_keeps_the_event_loop_answering(qtbot, make_window, million_csv):
    path, profiles = million_csv
    w = make_window(profiles_dir=profiles)
    probe = LoopGaps(lambda: w.progress_label.text() or ("loaded" if w.session is not None else "starting"))
    baseline = probe.idle(qtbot)  # the machine's own noise (other processes on the same cores)
    with qtbot.waitSignal(w.fully_loaded, timeout=300_000):
        w.open_file(path)
    probe.timer.stop()

    assert w.model.rowCount() == ROWS
    assert w.session.result.profile is not None and w.session.result.profile.name == "bench_vendor"
    assert len(probe.gaps) > 50  # the timer really ran during the load
    worst, at = probe.worst()
    bound = WORST_GAP_S + baseline
    assert worst < bound, (
        f"event loop blocked for {worst * 1000:.0f} ms (during {at!r}; idle noise {baseline * 1000:.0f} ms)"
    )
    # and the grid is usable at once: the last row, errors-only, an edit
    last_idx = w.model.index(ROWS - 1, w.model.fields.index("booking_ref"))
    assert w.model.data(last_idx) == f"R{ROWS:09d}"
    w.error_panel.set_filter("errors")
    assert w.model.rowCount() == w.session.result.invalid
    t = time.perf_counter()
    w.session.set_cell(ROWS - 1, "room_type", "Suite")
    assert time.perf_counter() - t < 2.0
    assert w.model.cell_text(ROWS - 1, w.model.fields.index("room_type")) == "Suite"


def test_bulk_replace_at_a_million_rows_runs_in_the_background(qtbot, make_window, million_csv):
    path, profiles = million_csv
    w = make_window(profiles_dir=profiles)
    with qtbot.waitSignal(w.fully_loaded, timeout=300_000):
        w.open_file(path)
    col = w.session.text["room_type"]
    n_dbl = int((col == "DBL").sum())
    assert n_dbl > 100_000
    probe = LoopGaps()
    baseline = probe.idle(qtbot)  # the machine's own noise first
    assert w.replace("room_type", "DBL", "Double", False, False, []) is None  # running on a worker
    assert w.model.read_only
    qtbot.waitUntil(lambda: not w.is_editing and not w.model.read_only, timeout=120_000)
    probe.timer.stop()
    assert int((w.session.text["room_type"] == "Double").sum()) == n_dbl
    assert w.model.cell_text(int(np.flatnonzero(col.to_numpy() == "DBL")[0]), w.model.fields.index("room_type")) == (
        "Double"
    )
    assert w.session.undo_label == "Replace in room_type"
    worst, _ = probe.worst()
    # the edit re-validates the whole frame on the worker; the core's single pyarrow/numpy calls hold the
    # GIL for up to ~300 ms on this machine, so the bound is looser than for the load.  On the UI thread it
    # blocked ~4 s before edits ran on a worker.
    assert worst < BULK_EDIT_GAP_S + baseline, (
        f"UI blocked {worst * 1000:.0f} ms during the bulk edit (idle noise {baseline * 1000:.0f} ms)"
    )
    w.undo()
    qtbot.waitUntil(lambda: not w.is_editing and not w.model.read_only, timeout=120_000)
    assert int((w.session.text["room_type"] == "DBL").sum()) == n_dbl
