"""``booking-desktop-cli``: the core from the command line.

Each sub-command lives in its own module exposing ``register(subparsers)``
which adds a parser whose ``func(args) -> int`` runs it.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from booking_desktop import logs, serve

COMMAND_MODULES = [
    "booking_desktop.cli.validate_cmd",
    "booking_desktop.cli.import_cmd",
    "booking_desktop.cli.connections_cmd",
    "booking_desktop.cli.localdb_cmd",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="booking-desktop-cli", description=__doc__.splitlines()[0])
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="show debug details on stderr (the driver's go to the log file)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # sub-command not built yet
            raise
        mod.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    if (served := serve.dispatch(None if argv is None else [sys.argv[0], *argv])) is not None:
        return served  # the bundled database server (frozen build)
    parser = build_parser()
    args = parser.parse_args(argv)
    logs.setup("cli", verbose=args.verbose)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
