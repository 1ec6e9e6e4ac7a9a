"""Helpers for tests that need a real server, a keyring, or a PipelineResult.

Shared by ``tests/storage`` and ``tests/gui`` (import the fixtures from
``tests/storage/conftest.py`` or call these directly).  Nothing here is used by
the application itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from keyring.backend import KeyringBackend
from pymongo import MongoClient
from pymongo.database import Database
from pymongo.errors import PyMongoError

from booking_desktop.errors import ProblemTable
from booking_desktop.storage.client import CLIENT_OPTIONS, server_kind
from booking_desktop.storage.mapper import CANONICAL_FIELDS
from booking_desktop.storage.server_process import NxProcess, SecantusProcess, ServerProcess

TEST_URI_ENV = "BOOKING_TEST_MONGODB_URI"


class MemoryKeyring(KeyringBackend):
    """An in-memory, secure-looking keyring backend for tests."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if (service, username) not in self.store:
            raise PasswordDeleteError(username)
        del self.store[(service, username)]


TEST_SERVER_ENV = "BOOKING_TEST_SERVER"  # secantus (default) | secantus-standalone | nx-27017
TEST_SERVERS = ("secantus", "secantus-standalone", "nx-27017")


class ServerHandle:
    """The server the tests run against: a child server process or ``BOOKING_TEST_MONGODB_URI``."""

    def __init__(self, uri: str, process: ServerProcess | None = None, name: str | None = None):
        self.uri = uri
        self.process = process
        self.name = name or ("external" if process is None else process.kind)
        self._kind: str | None = None

    @property
    def external(self) -> bool:
        return self.process is None

    @property
    def kind(self) -> str:
        """What the server is (asked once): ``secantus``, ``nx-27017`` or ``mongodb``."""
        if self._kind is None:
            client = self.client()
            try:
                self._kind = server_kind(client)
            finally:
                client.close()
        return self._kind

    def client(self, **overrides: Any) -> MongoClient:
        opts = dict(CLIENT_OPTIONS)
        opts.update(overrides)
        return MongoClient(self.uri, **opts)


def test_server_name() -> str:
    name = os.environ.get(TEST_SERVER_ENV) or "secantus"
    if name not in TEST_SERVERS:
        raise ValueError(f"{TEST_SERVER_ENV}={name!r}: expected one of {', '.join(TEST_SERVERS)}")
    return name


def server_process(name: str, data_dir: Path, log_dir: Path) -> ServerProcess:
    """A child server of the named test kind (not started).  Test commands (fail points) are on."""
    proc: ServerProcess
    if name == "nx-27017":
        proc = NxProcess(data_dir, log_dir=log_dir)
    else:
        proc = SecantusProcess(data_dir, log_dir=log_dir, standalone=name == "secantus-standalone", test_commands=True)
    proc.die_with_parent = True
    return proc


def start_test_server(tmp_dir: Path, uri: str | None = None, name: str | None = None) -> ServerHandle:
    """``uri`` (or ``BOOKING_TEST_MONGODB_URI``) if set, else a child server of kind ``name`` (or
    ``BOOKING_TEST_SERVER``'s)."""
    uri = uri or os.environ.get(TEST_URI_ENV)
    if uri:
        return ServerHandle(uri)
    name = name or test_server_name()
    if name not in TEST_SERVERS:
        raise ValueError(f"unknown test server {name!r}: expected one of {', '.join(TEST_SERVERS)}")
    proc = server_process(name, Path(tmp_dir) / "data", Path(tmp_dir)).start()
    return ServerHandle(proc.uri, proc, name)


@contextlib.contextmanager
def running_test_server(
    tmp_dir: Path, uri: str | None = None, name: str | None = None
) -> Iterator[tuple[ServerHandle, MongoClient]]:
    """:func:`start_test_server` and a client of it, for a script's ``with``: the client is closed and a
    child server stopped at the end, whatever happened."""
    server = start_test_server(tmp_dir, uri, name)
    client = server.client()
    try:
        yield server, client
    finally:
        client.close()
        if server.process is not None:
            server.process.stop()


def fresh_database(client: MongoClient, prefix: str = "bdtest") -> Iterator[Database]:
    """A uniquely named database, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    db = client[name]
    try:
        yield db
    finally:
        with contextlib.suppress(PyMongoError):  # best-effort cleanup after a fault test
            client.drop_database(name)


# -- PipelineResult without the pipeline ---------------------------------------


def booking_rows(n: int, vendor: str = "acme", start: int = 1, amount: str = "100.00") -> pd.DataFrame:
    """``n`` valid canonical text rows (what mapping produces)."""
    i = np.arange(start, start + n)
    day = (i % 27 + 1).astype(str)
    return pd.DataFrame(
        {
            "vendor": vendor,
            "booking_ref": [f"R{k:07d}" for k in i],
            "status": "confirmed",
            "customer_name": [f"Guest {k}" for k in i],
            "customer_email": [f"guest{k}@example.com" for k in i],
            "customer_phone": "+441234567890",
            "property_name": "Hotel Test",
            "room_type": "double",
            "channel": "direct",
            "check_in": [f"2024-03-{int(d):02d}" for d in day],
            "check_out": [f"2024-04-{int(d):02d}" for d in day],
            "nights": "31",
            "adults": "2",
            "children": "0",
            "amount": amount,
            "currency": "EUR",
            "booked_at": "2024-01-05T10:30:00Z",
            "country": "GB",
        },
        columns=list(CANONICAL_FIELDS),
    ).astype("str")


def typed_from_text(text: pd.DataFrame, errors: np.ndarray) -> pd.DataFrame:
    """The typed frame the real validation makes of ``text`` (docs/ARCHITECTURE.md), so that stored money
    is exact (minor units from the decimal text, never through floating point); ``amount_minor`` is
    missing on the rows ``errors`` marks invalid."""
    from booking_desktop.validation import validate

    typed = validate(text.reset_index(drop=True)).typed.copy()
    typed.index = text.index
    typed.loc[np.asarray(errors, dtype=bool), "amount_minor"] = pd.NA
    return typed


def make_result(
    text: pd.DataFrame,
    errors: dict[int, list[tuple[str, str, str]]] | None = None,
    *,
    path: str | Path = "bookings.csv",
    vendor: str | None = "acme",
    sha256: str | None = None,
) -> Any:
    """A :class:`~booking_desktop.pipeline.PipelineResult` from canonical text rows.

    ``errors``: {0-based position: [(field, code, message), ...]} marks rows invalid.
    The raw frame has source-like headers (``Ref``, ``Guest`` ...) and line locations.
    """
    from booking_desktop.pipeline import PipelineResult
    from booking_desktop.readers.base import Locations, RawTable, SourceInfo

    errors = errors or {}
    text = text.reset_index(drop=True)
    n = len(text)
    raw = pd.DataFrame({f"src_{c}": text[c] for c in CANONICAL_FIELDS}).astype("str")
    probs = [
        {
            "row": p,
            "field": f,
            "code": c,
            "severity": "error",
            "value": text.at[p, f] if f in text else None,
            "message": m,
        }
        for p, items in errors.items()
        for f, c, m in items
    ]
    problems = ProblemTable(pd.DataFrame(probs)) if probs else ProblemTable()
    err_mask = problems.error_row_mask(n)
    digest = sha256 or hashlib.sha256(pd.util.hash_pandas_object(text, index=True).to_numpy().tobytes()).hexdigest()
    source = SourceInfo(path=Path(path), format="csv", size=int(n * 100), sha256=digest)
    raw_table = RawTable(
        frame=raw, locations=Locations(f"{Path(path).name} line {{}}", np.arange(2, n + 2)), source=source
    )
    return PipelineResult(
        raw=raw_table,
        text=text,
        typed=typed_from_text(text, err_mask),
        problems=problems,
        error_rows=err_mask,
        vendor=vendor,
        profile=None,
        mapping={c: f"src_{c}" for c in CANONICAL_FIELDS},
    )
