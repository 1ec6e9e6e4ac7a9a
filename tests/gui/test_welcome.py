"""Before a file is open the window says how to open one and offers recent and sample files."""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_helpers import CSV_HEADER, CSV_ROWS
from PySide6.QtCore import Qt

from booking_desktop.gui import recent_files

pytestmark = pytest.mark.gui


def test_clicking_a_sample_opens_it(qtbot, make_window, tmp_path):
    samples = tmp_path / "samples"
    samples.mkdir()
    (samples / "vendor_export.csv").write_text(CSV_HEADER + "\n".join(CSV_ROWS) + "\n", encoding="utf-8")
    (samples / "make_samples.py").write_text("# not a vendor file\n", encoding="utf-8")
    w = make_window(samples_dir=samples)
    assert w.page.stack.currentWidget() is w.welcome
    assert [p.name for p in w.welcome.file_buttons] == ["vendor_export.csv"]
    with qtbot.waitSignal(w.session_loaded, timeout=60_000):
        qtbot.mouseClick(w.welcome.file_buttons[samples / "vendor_export.csv"], Qt.MouseButton.LeftButton)
    assert w.page.stack.currentWidget() is w.view
    assert w.model.rowCount() == len(CSV_ROWS)


def test_recent_files_are_offered_when_they_still_exist(make_window, tmp_path):
    kept = tmp_path / "kept.csv"
    kept.write_text(CSV_HEADER + CSV_ROWS[0] + "\n", encoding="utf-8")
    recent_files.add_recent_file(tmp_path / "gone.csv")
    recent_files.add_recent_file(kept)
    w = make_window()
    assert list(w.welcome.file_buttons) == [Path(kept)]


def test_the_shipped_samples_are_offered(make_window, repo_root):
    w = make_window(samples_dir=repo_root / "booking_desktop" / "resources" / "samples")
    names = {p.name for p in w.welcome.file_buttons}
    assert {"lisboa_pms_export.csv", "alpine_lodges_report.xlsx", "nordic_channel_export.xml"} <= names
    assert "make_samples.py" not in names


def test_the_open_dialog_offers_every_format_the_readers_open():
    """Regression: the dialog's filter was a hand-written list that hid .ods, .jsonl, .gz and .zip files."""
    from booking_desktop.gui.main_window import FILE_FILTER
    from booking_desktop.readers import supported_extensions

    for ext in [*supported_extensions(), ".gz", ".zip"]:
        assert f"*{ext}" in FILE_FILTER.split(";;")[0]
