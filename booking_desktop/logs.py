"""Logging for the CLI and the app: a rotating log file in the user's log folder, stderr for people.

- Every handler masks secrets (:class:`~booking_desktop.redact.RedactingFilter`).
- ``-v`` / ``--verbose`` shows *our* debug lines on stderr; the driver's (pymongo's topology,
  heartbeats, commands) go to the log file only, so stderr stays readable.
"""

from __future__ import annotations

import logging
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

from booking_desktop import paths
from booking_desktop.redact import RedactingFilter

LOG_MAX_BYTES = 2_000_000
LOG_BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
DRIVER_LOGGERS = ("pymongo",)


class _NotTheDriver(logging.Filter):
    """stderr gets the driver's warnings and errors, never its debug and info chatter."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or not record.name.startswith(DRIVER_LOGGERS)


class _StderrHandler(logging.StreamHandler):
    """The stderr handler that :func:`setup` adds (and replaces when called again)."""


def log_file(component: str) -> Path:
    return paths.log_dir() / f"{component}.log"


def setup(component: str, verbose: bool = False, stderr: bool = True) -> Path:
    """Configure the root logger once per process; returns the log file's path.

    The file gets INFO (DEBUG with ``verbose``, the driver's too); stderr gets warnings, or with
    ``verbose`` our own debug lines.  Calling it again (tests drive ``main`` many times) replaces
    the stderr handler and keeps one file handler per file.
    """
    path = log_file(component)
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for h in list(root.handlers):
        if isinstance(h, _StderrHandler):
            root.removeHandler(h)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not any(isinstance(h, RotatingFileHandler) and Path(h.baseFilename) == path for h in root.handlers):
            fh = RotatingFileHandler(path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")
            fh.setFormatter(logging.Formatter(FORMAT))
            fh.addFilter(RedactingFilter())
            root.addHandler(fh)
    except OSError:  # a read-only or missing log folder must not stop the program
        pass
    if stderr:
        sh = _StderrHandler(sys.stderr)
        sh.setLevel(logging.DEBUG if verbose else logging.WARNING)
        sh.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        sh.addFilter(RedactingFilter())
        sh.addFilter(_NotTheDriver())
        root.addHandler(sh)
    return path
