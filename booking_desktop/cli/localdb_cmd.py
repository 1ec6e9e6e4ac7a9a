"""``local-db status|start|stop``: the built-in local database (SecantusDB on this computer).

``start`` leaves it running in the background for later commands and the app
(which find it through its state file); without it, a command that needs the
local database starts one for its own run and stops it at the end.
"""

from __future__ import annotations

import argparse
import json
import sys

from booking_desktop.cli.common import fail
from booking_desktop.storage.localdb import LABEL, LocalDatabase, LocalDbError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "local-db", help=f"the {LABEL}", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("action", choices=["status", "start", "stop"])
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(func=run_localdb)


def run_localdb(args: argparse.Namespace) -> int:
    ldb = LocalDatabase()
    try:
        if args.action == "start":
            st = ldb.start(detach=True)
        elif args.action == "stop":
            stopped = ldb.stop()
            st = ldb.status()
            if not args.json:
                print(f"{LABEL}: {'stopped' if stopped else 'was not running'}")
                return 0
        else:
            st = ldb.status()
    except LocalDbError as exc:
        return fail(str(exc))
    out = {
        "label": LABEL,
        "running": st.running,
        "pid": st.pid,
        "port": st.port,
        "uri": st.uri,
        "data_dir": str(st.data_dir),
        "protected": st.protected,
        "note": st.note or None,
    }
    if args.json:
        json.dump(out, sys.stdout)
        sys.stdout.write("\n")
    elif st.running:
        guard = "password in the keyring" if st.protected else st.note
        print(f"{LABEL}: running (pid {st.pid}) at {st.uri}\n  data: {st.data_dir}\n  {guard}")
    else:
        print(f"{LABEL}: not running\n  data: {st.data_dir}")
    return 0
