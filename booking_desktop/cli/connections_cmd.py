"""``connections add|list|test|remove``: named MongoDB connections; passwords live in the OS keyring.

Also the helpers every database command uses: choose the target, ask for a
password, connect, and fail in one line without secrets.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys

import pymongo  # noqa: F401  (first: see booking_desktop/storage/__init__.py)
from pymongo.errors import PyMongoError

from booking_desktop.cli.common import fail
from booking_desktop.storage.client import DEFAULT_DB, ConnectionTarget, server_facts
from booking_desktop.storage.connection import ConnectError, Connection, open_connection
from booking_desktop.storage.connections import (
    ENV_URI,
    ConnectionProfileError,
    ConnectionStore,
    choose_target,
    mask_uri,
    split_secret,
)
from booking_desktop.storage.localdb import LABEL, LocalDbError


class CliError(Exception):
    """One line for stderr, already free of secrets."""


def add_target_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--connection", metavar="NAME", help="a saved connection (see: connections list)")
    g.add_argument("--uri", help="a MongoDB URI (a password in it is used, never shown)")
    p.add_argument("--db", metavar="NAME", help="database name (default: the connection's, or booking_desktop)")


def prompt_password(message: str) -> str:
    if not sys.stdin.isatty():
        raise CliError("a password is needed but there is no terminal to ask it on")
    return getpass.getpass(message)


def resolve(args: argparse.Namespace) -> ConnectionTarget:
    try:
        return choose_target(uri=args.uri, connection=args.connection, db_name=args.db, prompt=prompt_password)
    except (ConnectionProfileError, LocalDbError) as exc:
        raise CliError(str(exc)) from None


def connect(target: ConnectionTarget, indexes: bool = True) -> Connection:
    """A connection that has answered a ping (and the indexes exist), or CliError.  The caller closes it."""
    try:
        return open_connection(target, indexes=indexes)
    except ConnectError as exc:
        raise CliError(str(exc)) from None


# -- the sub-command ---------------------------------------------------------------


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("connections", help="saved MongoDB connections", description=__doc__.splitlines()[0])
    csub = p.add_subparsers(dest="action", required=True)
    a = csub.add_parser("add", help="save a connection (asks for the password)")
    a.add_argument("name")
    a.add_argument("--uri", required=True, help="mongodb:// or mongodb+srv:// URI (user name in it, password asked)")
    a.add_argument("--db", default=DEFAULT_DB, help=f"database name (default {DEFAULT_DB})")
    a.add_argument("--auth-source", help="authentication database")
    a.add_argument("--tls", action=argparse.BooleanOptionalAction, default=None, help="use TLS")
    a.add_argument("--ca-file", help="CA certificate file for TLS")
    a.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    a.add_argument("--no-save-password", action="store_true", help="do not store the password; ask each time")
    a.add_argument(
        "--allow-insecure-keyring",
        action="store_true",
        help="store the password even if the keyring backend is not a real secret store",
    )
    a.add_argument("--default", action="store_true", help="use this connection when none is named")
    a.set_defaults(func=run_add)
    ls = csub.add_parser("list", help="list saved connections")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=run_list)
    t = csub.add_parser("test", help="connect and report round trip, server version, transactions")
    t.add_argument("name", nargs="?", help="saved connection (default: the one imports would use)")
    t.add_argument("--uri", help="test a URI instead")
    t.add_argument("--db", help=argparse.SUPPRESS)
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=run_test, connection=None)
    r = csub.add_parser("remove", help="delete a saved connection and its stored password")
    r.add_argument("name")
    r.set_defaults(func=run_remove)


def _read_password(args: argparse.Namespace, user: str | None, uri_has_password: bool) -> str | None:
    if uri_has_password or not user or args.no_save_password:
        return None
    if args.password_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n") or None
    if sys.stdin.isatty():
        return getpass.getpass(f"Password for {user}: ") or None
    raise CliError("no terminal to ask the password on; use --password-stdin")


def run_add(args: argparse.Namespace) -> int:
    store = ConnectionStore()
    try:
        _, user, uri_pw = split_secret(args.uri)
        password = _read_password(args, user, uri_pw is not None)
        profile = store.add(
            args.name,
            args.uri,
            password=password,
            db_name=args.db,
            auth_source=args.auth_source,
            tls=args.tls,
            ca_file=args.ca_file,
            save_password=not args.no_save_password,
            allow_insecure_keyring=args.allow_insecure_keyring,
        )
        if args.default:
            store.set_default(args.name)
    except (CliError, ConnectionProfileError) as exc:
        return fail(str(exc))
    where = "asked each time" if not profile.save_password else ("in the keyring" if (password or uri_pw) else "none")
    print(
        f"saved connection {profile.name}: {profile.masked_uri} db={profile.db_name} "
        f"user={profile.username or '-'} password: {where}"
    )
    return 0


def run_list(args: argparse.Namespace) -> int:
    store = ConnectionStore()
    try:
        profiles = store.list()
        default = store.default_name()
    except ConnectionProfileError as exc:
        return fail(str(exc))
    rows = [
        {
            "name": p.name,
            "uri": p.masked_uri,
            "db": p.db_name,
            "user": p.username,
            "tls": p.tls,
            "password": "none" if not p.username else ("keyring" if p.save_password else "ask"),
            "default": p.name == default,
        }
        for p in profiles
    ]
    if args.json:
        json.dump({"connections": rows, "fallback": LABEL}, sys.stdout)
        sys.stdout.write("\n")
        return 0
    if not rows:
        print(f"no saved connections; imports use the {LABEL}")
    for r in rows:
        mark = "*" if r["default"] else " "
        print(f"{mark} {r['name']:16} {r['uri']}  db={r['db']} user={r['user'] or '-'} password={r['password']}")
    env = os.environ.get(ENV_URI)
    if env:
        print(f"  ({ENV_URI} is set: {mask_uri(env)} — it wins over the default)")
    return 0


def run_test(args: argparse.Namespace) -> int:
    args.connection = args.name
    try:
        target = resolve(args)
        conn = connect(target, indexes=False)
    except CliError as exc:
        return fail(str(exc))
    try:
        facts = server_facts(conn.client)
    except PyMongoError as exc:
        return fail(f"{target.label}: the server answered a ping but not a status request ({type(exc).__name__})")
    finally:
        conn.close()
    out = {
        "connection": target.label,
        "round_trip_ms": round(facts.round_trip_ms, 2),
        "version": facts.version,
        "server": conn.traits.description,
        "topology": facts.topology,
        "transactions": facts.transactions,
        "decimal128": conn.traits.decimal128,
        "db_user": conn.db_user,
        "db": target.db_name,
    }
    if args.json:
        json.dump(out, sys.stdout)
        sys.stdout.write("\n")
    else:
        tx = "yes" if facts.transactions else "no (standalone server: imports rely on idempotent batches)"
        print(
            f"{target.label}: OK, round trip {facts.round_trip_ms:.1f} ms, {conn.traits.description} "
            f"(MongoDB {facts.version or 'unknown'}), transactions: {tx}, user {conn.db_user or '-'}"
        )
    return 0


def run_remove(args: argparse.Namespace) -> int:
    try:
        ConnectionStore().remove(args.name)
    except ConnectionProfileError as exc:
        return fail(str(exc))
    print(f"removed connection {args.name}")
    return 0
