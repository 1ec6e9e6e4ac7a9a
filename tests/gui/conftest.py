"""GUI test fixtures: isolated settings and journal, small vendor files, a real main window.

QSettings go to a temporary folder (never the operator's real settings) and
the crash journal to ``tmp_path`` so tests cannot see each other's edits.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CSV_HEADER = "booking_ref,status,guest_name,email,hotel,check_in,check_out,nights,adults,total,currency,country\n"
# rows 2 and 4 have errors (missing ref / bad amount; departure before arrival); row 5 a bad email
CSV_ROWS = [
    "B001,confirmed,Ann Smith,ann@example.com,Hotel A,2024-05-01,2024-05-03,2,2,200.00,EUR,DE",
    ",confirmed,Bob Jones,bob@example.com,Hotel A,2024-05-02,2024-05-04,2,1,100.00,EUR,FR",
    "B003,cancelled,Cy Twain,cy@example.com,Hotel B,2024-06-01,2024-06-04,3,2,300.00,USD,US",
    "B004,confirmed,Di Prince,di@example.com,Hotel B,2024-07-09,2024-07-08,1,2,abc,EUR,GB",
    "B005,confirmed,Ed Stone,ed@example,Hotel C,2024-08-01,2024-08-02,1,1,80.00,EUR,DE",
    "B006,confirmed,Flo Rida,flo@example.com,Hotel C,2024-08-03,2024-08-05,2,2,180.00,EUR,ES",
]


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
def make_window(qtbot, tmp_path):
    """A shown MainWindow; closing it at teardown discards edits without asking."""
    from booking_desktop.gui.main_window import MainWindow

    made = []

    def make(**kw):
        kw.setdefault("journal_dir", tmp_path / "journal")
        kw.setdefault("check_journals", False)
        w = MainWindow(**kw)
        w.ask_keep_edits = lambda: "discard"
        qtbot.addWidget(w)
        w.resize(1400, 900)
        w.show()
        qtbot.waitExposed(w)
        made.append(w)
        return w

    yield make
    for w in made:
        w.cancel_load()


def open_and_wait(qtbot, window, path: Path, timeout: int = 60_000) -> None:
    with qtbot.waitSignal(window.session_loaded, timeout=timeout):
        assert window.open_file(path)
    qtbot.waitUntil(lambda: not window.is_loading, timeout=timeout)
