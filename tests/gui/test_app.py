"""The entry point's safety net: a log file in the user's log folder and no traceback for the operator."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtWidgets import QMessageBox

from booking_desktop.gui import app

pytestmark = pytest.mark.gui


def test_unhandled_exception_is_logged_and_shown_readably(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("BOOKING_DESKTOP_LOG_DIR", str(tmp_path / "logs"))
    root = logging.getLogger()
    handlers = list(root.handlers)
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append((self.text(), self.informativeText())) or 0)
    monkeypatch.setattr("sys.excepthook", lambda *a: None)
    try:
        log_file = app.setup_logging()
        assert log_file.parent == tmp_path / "logs"
        app.install_exception_hook(log_file)
        import sys

        try:
            raise KeyError("booking_ref")
        except KeyError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
        for h in root.handlers:
            h.flush()
        text = log_file.read_text(encoding="utf-8")
        assert "Traceback" in text and "KeyError" in text
        assert len(shown) == 1
        message, details = shown[0]
        assert "Traceback" not in message and "KeyError" in message
        assert str(log_file) in details
    finally:
        for h in root.handlers[:]:
            if h not in handlers:
                root.removeHandler(h)
                h.close()


def test_command_line_options():
    args = app.build_parser().parse_args(["--dark", "--samples", "bookings.csv"])
    assert args.dark and args.samples and args.files == ["bookings.csv"]
