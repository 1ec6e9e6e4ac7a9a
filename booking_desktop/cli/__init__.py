"""``booking-desktop-cli``: the core from the command line.

Each sub-command lives in its own module exposing ``register(subparsers)``
which adds a parser whose ``func(args) -> int`` runs it.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from booking_desktop import logs, serve

#: sub-command -> its module: only the module of the command asked for is imported (each pulls in
#: its own libraries: pymongo and keyring for ``connections`` cost ``validate`` 0.8 s of start-up)
COMMANDS = {
    "validate": "booking_desktop.cli.validate_cmd",
    "import": "booking_desktop.cli.import_cmd",
    "connections": "booking_desktop.cli.connections_cmd",
    "local-db": "booking_desktop.cli.localdb_cmd",
    "review": "booking_desktop.cli.review_cmd",
    "report": "booking_desktop.cli.report_cmd",
}
COMMAND_MODULES = list(COMMANDS.values())


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser with every sub-command, or only ``command``'s when it is a known one."""
    parser = argparse.ArgumentParser(prog="booking-desktop-cli", description=__doc__.splitlines()[0])
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="show debug details on stderr (the driver's go to the log file)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    names = [COMMANDS[command]] if command in COMMANDS else COMMAND_MODULES
    for name in names:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # sub-command not built yet
            raise
        mod.register(sub)
    return parser


def _command(argv: list[str]) -> str | None:
    """The sub-command named on the command line (the first word that is not an option)."""
    for arg in argv:
        if arg == "--":
            return None
        if not arg.startswith("-"):
            return arg
    return None


def main(argv: list[str] | None = None) -> int:
    if (served := serve.dispatch(None if argv is None else [sys.argv[0], *argv])) is not None:
        return served  # the bundled database server (frozen build)
    words = sys.argv[1:] if argv is None else argv
    parser = build_parser(_command(words))
    args = parser.parse_args(argv)
    logs.setup("cli", verbose=args.verbose)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # the reader went away (``validate x.csv | head``): stop, no traceback
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's own flush at exit must not fail again
        return 141  # 128 + SIGPIPE, as a shell reports a pipe closed under a command


if __name__ == "__main__":
    sys.exit(main())
