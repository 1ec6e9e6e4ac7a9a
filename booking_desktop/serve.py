"""``<app> --serve-database KIND ARGS...``: the bundled database server, run by the app's own executable.

In a frozen (PyInstaller) build ``sys.executable`` is the app, not a Python, so
:func:`booking_desktop.storage.server_process.launcher` starts the local
database as ``<app> --serve-database secantus --port ...``.  Every entry point
(GUI, CLI, ``python -m booking_desktop``) calls :func:`dispatch` first, before it
sets up logging or Qt, so that such a child process runs nothing of the app.

The server's package is imported only inside that branch, i.e. only in the
child process: SecantusDB is GPL-2.0 and stays a separate program, never
imported by the app's own process (docs/STORAGE.md, "Packaging with PyInstaller").  This module
imports nothing of the app either, so the check costs nothing on a normal start.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

SERVE_FLAG = "--serve-database"
SERVERS = ("secantus",)  # the server kinds a build can run (nx-27017 is a test server, never bundled)


def dispatch(argv: Sequence[str] | None = None) -> int | None:
    """The server's exit code when ``argv`` asks to serve a database; None for a normal start.

    ``argv`` is the whole command line (``sys.argv`` by default): ``argv[1]`` is the flag,
    ``argv[2]`` the server kind and the rest the server's own arguments.
    """
    argv = list(sys.argv if argv is None else argv)
    if len(argv) < 2 or argv[1] != SERVE_FLAG:
        return None
    kind = argv[2] if len(argv) > 2 else ""
    if kind not in SERVERS:
        known = ", ".join(SERVERS)
        print(f"{SERVE_FLAG}: unknown or unbundled server {kind!r} (this build has: {known})", file=sys.stderr)  # noqa: T201
        return 2
    from secantus.cli import main  # here only: this is the server's own process

    sys.argv = [f"{argv[0]} {SERVE_FLAG} {kind}", *argv[3:]]  # the server's --help and errors name this command
    return int(main(argv[3:]) or 0)
