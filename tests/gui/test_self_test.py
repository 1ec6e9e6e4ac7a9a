"""``booking-desktop --self-test FILE`` (the bundle's smoke check) opens, commits and quits honestly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from booking_desktop.gui.self_test import SelfTest
from booking_desktop.storage.client import ConnectionTarget

pytestmark = pytest.mark.gui

SAMPLE = "lisboa_pms_export.csv"


def drive(qtbot, window, path, timeout_s=60.0) -> SelfTest:
    test = SelfTest(window, path, timeout_s)
    test.start()
    qtbot.waitUntil(lambda: test.exit_code is not None, timeout=int(timeout_s * 1000) + 10_000)
    return test


def test_a_sample_clicked_on_the_welcome_page_is_committed(qtbot, make_window, repo_root, server, db, capsys):
    samples = repo_root / "booking_desktop" / "resources" / "samples"
    w = make_window(samples_dir=samples)
    w.connection_target = ConnectionTarget(uri=server.uri, db_name=db.name, label="test server")
    test = drive(qtbot, w, Path(SAMPLE))
    out = capsys.readouterr().out
    assert test.exit_code == 0, out
    assert f"clicking {SAMPLE}" in out and "completed" in out
    committed = db["bookings"].count_documents({})
    assert committed > 0 and f"{committed} inserted" in out
    assert not w.isVisible()  # it quits


def test_a_name_that_is_neither_a_file_nor_a_sample_fails_with_what_is_offered(qtbot, make_window, repo_root, capsys):
    w = make_window(samples_dir=repo_root / "booking_desktop" / "resources" / "samples")
    test = drive(qtbot, w, Path("no_such_export.csv"))
    assert test.exit_code == 1
    err = capsys.readouterr().err
    assert "FAILED: no_such_export.csv: no such file" in err and SAMPLE in err


def test_a_file_the_window_cannot_open_fails_with_the_windows_message(qtbot, make_window, tmp_path, capsys):
    bad = tmp_path / "empty.csv"
    bad.write_bytes(b"")
    test = drive(qtbot, make_window(), bad)
    assert test.exit_code == 1
    assert "FAILED:" in capsys.readouterr().err


def test_the_app_commits_to_its_local_database_and_leaves_no_server_running(tmp_path):
    """The first-run path end to end: ``booking-desktop --samples --self-test`` in its own process
    starts the local database, commits, quits, and the server it started is gone."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",  # never the operator's keyring
        **{f"BOOKING_DESKTOP_{k}_DIR": str(tmp_path / k.lower()) for k in ("DATA", "CONFIG", "LOG", "SETTINGS")},
    }
    out = subprocess.run(
        [sys.executable, "-m", "booking_desktop.gui.app", "--samples", "--self-test", SAMPLE],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "completed" in out.stdout and "Traceback" not in out.stderr
    assert not (tmp_path / "data" / "localdb" / "state.json").exists()
    mine = str(tmp_path)
    running = [p for p in Path("/proc").glob("[0-9]*") if mine in _cmdline(p)]
    assert running == []


def _cmdline(proc: Path) -> str:
    try:
        return (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""
