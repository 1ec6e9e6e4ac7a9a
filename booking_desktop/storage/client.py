"""Opening a MongoDB client with deliberate timeouts, creating indexes, and
asking the server what it is.

Timeouts: server selection is short (a server that is down is reported in
seconds; the engine's own retry policy decides how long to keep trying), and a
single request may take up to two minutes (batches are bounded so none should
come close).  Heartbeats keep the driver's default (10 s): the old local server
(nx-27017) answered one request at a time and needed patient heartbeats;
SecantusDB answers them while it works.  The driver's retryable writes are on
(the engine's retries are idempotent on top of them).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from pymongo import ASCENDING, DESCENDING, MongoClient
from pymongo.database import Database

DEFAULT_DB = "booking_desktop"
CLIENT_OPTIONS: dict[str, Any] = {
    "serverSelectionTimeoutMS": 5_000,
    "connectTimeoutMS": 10_000,
    "socketTimeoutMS": 120_000,
    "appname": "booking-desktop",
    "tz_aware": True,
}


@dataclass(frozen=True)
class ConnectionTarget:
    """Everything needed to connect; ``password`` never leaves this object except into MongoClient."""

    uri: str  # without secrets
    db_name: str = DEFAULT_DB
    label: str = ""
    username: str | None = None
    password: str | None = None
    auth_source: str | None = None
    tls: bool | None = None
    ca_file: str | None = None

    def __repr__(self) -> str:  # keep the password out of tracebacks and logs
        from booking_desktop.storage.connections import mask_uri

        return f"ConnectionTarget(uri={mask_uri(self.uri)!r}, db_name={self.db_name!r}, label={self.label!r})"

    __str__ = __repr__


def open_client(target: ConnectionTarget, **overrides: Any) -> MongoClient:
    """A client for ``target`` (lazy: nothing is contacted until the first request)."""
    opts = dict(CLIENT_OPTIONS)
    if target.username is not None:
        opts["username"] = target.username
    if target.password is not None:
        opts["password"] = target.password
    if target.auth_source:
        opts["authSource"] = target.auth_source
    if target.tls is not None:
        opts["tls"] = target.tls
    if target.ca_file:
        opts["tlsCAFile"] = target.ca_file
    opts.update(overrides)
    return MongoClient(target.uri, **opts)


def ensure_indexes(db: Database) -> None:
    """Indexes the engine and the review screens rely on (idempotent)."""
    db.bookings.create_index([("vendor", ASCENDING), ("booking_ref", ASCENDING)], unique=True, name="vendor_ref")
    db.imports.create_index([("file_sha256", ASCENDING), ("vendor", ASCENDING)], name="file_vendor")
    db.imports.create_index([("started_at", DESCENDING)], name="started_at")
    db.rejected_rows.create_index([("import_id", ASCENDING)], name="import")
    db.rejected_rows.create_index([("status", ASCENDING)], name="status")
    # the review queue reads in windows of created_at (storage/review.py), with or without a status
    db.rejected_rows.create_index([("status", ASCENDING), ("created_at", ASCENDING)], name="queue")
    db.rejected_rows.create_index([("created_at", ASCENDING)], name="queue_all")
    for key in ("import_id", "file_name", "errors.code", "vendor"):  # review.INDEXED
        db.rejected_rows.create_index([(key, ASCENDING), ("status", ASCENDING), ("created_at", ASCENDING)],
                                      name=f"queue_{key.replace('.', '_')}")
    db.audit_log.create_index([("target._id", ASCENDING)], name="target")
    db.audit_log.create_index([("bulk_id", ASCENDING)], name="bulk")  # undo of a bulk fix (storage/review_bulk.py)
    db.import_batches.create_index([("import_id", ASCENDING)], name="import")
    from booking_desktop.storage import review_counts

    review_counts.ensure(db)  # before any batch, as the rollup's
    from booking_desktop.analytics.rollup import ensure_indexes as rollup_indexes

    rollup_indexes(db)  # before any batch: a collection created inside a transaction conflicts with it


MONGODB, SECANTUS, NX = "mongodb", "secantus", "nx-27017"


def identify(build_info: dict[str, Any], hello: dict[str, Any]) -> tuple[str, str]:
    """(kind, topology) from a server's ``buildInfo`` and ``hello`` replies: kind ``secantus`` or
    ``nx-27017`` (they say so in ``buildInfo``) else ``mongodb``; topology ``sharded``, ``replica set``
    or ``standalone``."""
    if build_info.get("secantusVersion"):
        kind = SECANTUS
    elif build_info.get("process") == "nx_27017":
        kind = NX
    else:
        kind = MONGODB
    if hello.get("msg") == "isdbgrid":
        topology = "sharded"
    elif hello.get("setName"):
        topology = "replica set"
    else:
        topology = "standalone"
    return kind, topology


def server_kind(client: MongoClient) -> str:
    return identify(client.admin.command("buildInfo"), {})[0]


@dataclass(frozen=True)
class ServerFacts:
    round_trip_ms: float
    version: str | None
    transactions: bool
    topology: str  # "standalone", "replica set", "sharded"
    kind: str = MONGODB
    server_version: str | None = None  # the product's own version (SecantusDB's), when it is not MongoDB


def server_facts(client: MongoClient) -> ServerFacts:
    """Round trip of a ping, the version (buildInfo when server_info() has none), topology, transactions."""
    admin = client.admin
    t0 = time.perf_counter()
    admin.command("ping")
    rtt = (time.perf_counter() - t0) * 1000
    hello = admin.command("hello")
    info = admin.command("buildInfo")
    version = info.get("version")
    kind, topology = identify(info, hello)
    own = info.get("secantusVersion") if kind == SECANTUS else None
    return ServerFacts(
        round_trip_ms=rtt,
        version=version,
        transactions=topology != "standalone",
        topology=topology,
        kind=kind,
        server_version=own,
    )


def supports_transactions(client: MongoClient) -> bool:
    hello = client.admin.command("hello")
    return bool(hello.get("setName")) or hello.get("msg") == "isdbgrid"
