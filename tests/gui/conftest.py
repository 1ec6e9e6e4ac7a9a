"""GUI test fixtures: isolated settings and journal, small vendor files, a real main window.

QSettings go to a temporary folder (never the operator's real settings) and
the crash journal to ``tmp_path`` so tests cannot see each other's edits.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_helpers import CSV_HEADER, CSV_ROWS, VENDOR_PROFILE_YAML


@pytest.fixture(autouse=True)
def _no_dangling_workers(request):
    """Every GUI test fails when it leaves a worker running (see tests/leak_checks.py).  Set up after
    the suite-wide client check, so torn down before it: a worker still running may hold a client."""
    request.getfixturevalue("no_dangling_workers")


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory, monkeypatch):
    from PySide6.QtCore import QCoreApplication

    from booking_desktop.gui import recent_files

    settings_dir = tmp_path_factory.mktemp("settings")
    monkeypatch.setenv("BOOKING_DESKTOP_SETTINGS_DIR", str(settings_dir))
    monkeypatch.setenv("BOOKING_DESKTOP_JOURNAL_DIR", str(tmp_path_factory.mktemp("journal")))
    monkeypatch.setenv("BOOKING_DESKTOP_LOG_DIR", str(tmp_path_factory.mktemp("logs")))
    recent_files.use_settings_dir(settings_dir)
    QCoreApplication.setOrganizationName(recent_files.ORGANIZATION)
    QCoreApplication.setApplicationName(recent_files.APPLICATION)
    return settings_dir


@pytest.fixture
def bookings_csv(tmp_path) -> Path:
    p = tmp_path / "bookings.csv"
    p.write_text(CSV_HEADER + "\n".join(CSV_ROWS) + "\n", encoding="utf-8")
    return p


@pytest.fixture
def vendor_profiles(tmp_path) -> Path:
    """A profiles folder whose one profile matches ``bookings_csv`` and names its vendor (ACME)."""
    d = tmp_path / "profiles"
    d.mkdir()
    (d / "gui_test_vendor.yaml").write_text(VENDOR_PROFILE_YAML, encoding="utf-8")
    return d


@pytest.fixture
def make_window(qtbot, tmp_path):
    """A shown MainWindow; closing it at teardown discards edits without asking.  ``size=None``
    keeps the geometry the window restored from the settings (every other window is 1400 x 900)."""
    from booking_desktop.gui.main_window import MainWindow

    made = []

    def make(size: tuple[int, int] | None = (1400, 900), **kw):
        kw.setdefault("journal_dir", tmp_path / "journal")
        kw.setdefault("check_journals", False)
        w = MainWindow(**kw)
        w.files.ask_keep_edits = lambda _name: "discard"
        qtbot.addWidget(w)
        if size is not None:
            w.resize(*size)
        w.show()
        qtbot.waitExposed(w)
        made.append(w)
        return w

    yield make
    for w in made:
        w.cancel_load()


@pytest.fixture
def server(mongo_server):
    """The session's test server (nx-27017 or BOOKING_TEST_MONGODB_URI)."""
    return mongo_server


@pytest.fixture
def db(mongo_db):
    """A fresh database on the session's test server, dropped afterwards."""
    return mongo_db
