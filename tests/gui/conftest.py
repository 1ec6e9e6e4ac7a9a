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


@pytest.fixture
def office(tmp_path, monkeypatch, memory_keyring, server, db):
    """A fresh database on the test server saved as the connection "Office" (its password, if any, in the
    in-memory keyring) and chosen as the window's connection; the app's config in ``tmp_path``."""
    from booking_desktop.gui import recent_files
    from booking_desktop.storage.client import ensure_indexes
    from booking_desktop.storage.connections import ConnectionStore

    monkeypatch.setenv("BOOKING_DESKTOP_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("BOOKING_MONGODB_URI", raising=False)
    ConnectionStore().add("Office", server.uri, db_name=db.name)
    recent_files.settings().setValue("connection/name", "Office")
    ensure_indexes(db)
    return db


@pytest.fixture
def review_db(office, tmp_path, monkeypatch):
    """``office`` holding one import of the file with planted defects (tests/review_files.py)."""
    from review_files import BAD_RECORDS, write_file, write_profile

    from booking_desktop.pipeline import run_to_end
    from booking_desktop.storage.engine import CommitEngine

    profiles = tmp_path / "profiles"
    monkeypatch.setenv("BOOKING_DESKTOP_PROFILES", str(profiles))
    write_profile(profiles)
    summary = CommitEngine(office).run(run_to_end(write_file(tmp_path), profile="harbour"))
    assert summary.rejected == len(BAD_RECORDS)
    return office
