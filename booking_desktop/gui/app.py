"""Entry point of the desktop app (``booking-desktop``).

Sets up what every window relies on: the settings names, a log file in the
user's log directory, high-DPI rounding, the optional dark palette, and a
last-resort exception hook that logs the traceback and shows the operator a
readable message instead.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

from booking_desktop import logs, paths, serve

log = logging.getLogger("booking_desktop")
SHUTDOWN_WAIT_MS = 10_000  # at quit, for workers still running


def log_dir() -> Path:
    return paths.log_dir()


def setup_logging(verbose: bool = False) -> Path:
    """Log to a rotating file, masked (our debug lines on stderr too with ``--verbose``)."""
    return logs.setup("booking-desktop", verbose=verbose)


def install_exception_hook(log_file: Path) -> None:
    """Unhandled exceptions (also in Qt slots) are logged and shown as a readable dialog."""
    showing = {"now": False}

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.error("unhandled exception\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
        if showing["now"]:
            return
        from PySide6.QtWidgets import QApplication, QMessageBox

        from booking_desktop.gui.workers import readable_error

        if QApplication.instance() is None:
            return
        showing["now"] = True
        try:
            box = QMessageBox(QMessageBox.Icon.Critical, "Something went wrong", readable_error(exc))
            box.setInformativeText(
                "Your edits are kept in the session journal and can be restored after a restart.\n"
                f"Details were written to {log_file}."
            )
            box.exec()
        finally:
            showing["now"] = False

    sys.excepthook = hook


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="booking-desktop", description="Booking Desktop")
    p.add_argument("files", nargs="*", help="vendor file to open")
    p.add_argument("--dark", action="store_true", help="use the dark palette (remembered)")
    p.add_argument("--light", action="store_true", help="use the system palette (remembered)")
    p.add_argument("--samples", action="store_true", help="start File > Open in the bundled sample files")
    p.add_argument("--profiles-dir", type=Path, default=None, help="folder of vendor mapping profiles")
    p.add_argument(
        "--self-test",
        type=Path,
        metavar="FILE",
        help="check this build: open FILE (a path, or with --samples a sample's name), commit it to the chosen "
        "database (the local one by default), quit; exit status 0 when the commit completed",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log details to stderr too")
    return p


def samples_dir() -> Path | None:
    here = paths.samples_dir()
    return here if here.is_dir() else None


def main(argv: list[str] | None = None) -> int:
    if (served := serve.dispatch(None if argv is None else [sys.argv[0], *argv])) is not None:
        return served  # the bundled database server (frozen build)
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    log_file = setup_logging(args.verbose)

    from PySide6.QtCore import Qt, QThreadPool
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from booking_desktop.gui import recent_files, theme
    from booking_desktop.gui.main_window import MainWindow

    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)  # instance() is typed as the QCoreApplication base
    recent_files.configure_application_names()
    install_exception_hook(log_file)

    settings = recent_files.settings()
    if args.dark or args.light:
        settings.setValue(theme.DARK_SETTING, bool(args.dark))
    if theme.dark_wanted(settings):
        theme.apply(app, True)

    window = MainWindow(profiles_dir=args.profiles_dir, samples_dir=samples_dir() if args.samples else None)
    window.show()
    log.info("Booking Desktop started; log file %s", log_file)
    if args.self_test:
        from booking_desktop.gui import self_test

        code = self_test.run(app, window, args.self_test)
    else:
        if args.files:
            window.open_file(Path(args.files[0]))
        code = int(app.exec())
    # workers still running (a status ping, the column cache) end before Python tears Qt down:
    # otherwise their last signal hits a deleted object and prints a traceback at quit
    QThreadPool.globalInstance().waitForDone(SHUTDOWN_WAIT_MS)
    return code


if __name__ == "__main__":
    sys.exit(main())
