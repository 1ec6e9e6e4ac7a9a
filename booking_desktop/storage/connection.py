"""The one way to connect: ``with connect(target) as conn:`` — used by the CLI, the GUI and the tests.

It opens the client, checks that the server answers (one clear
:class:`~booking_desktop.storage.engine.StorageError` otherwise, with no secret in
it), learns once what the server can do (:class:`ServerTraits`: transactions,
Decimal128, how large a ``$in`` look-up may be), creates the indexes, finds out
which database user the commits are made as, and closes the client on leaving.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bson.decimal128 import Decimal128
from pymongo import MongoClient
from pymongo.database import Database
from pymongo.errors import ConfigurationError, OperationFailure, PyMongoError

from booking_desktop.redact import mask_secrets
from booking_desktop.storage.client import (
    MONGODB,
    NX,
    SECANTUS,
    ConnectionTarget,
    ensure_indexes,
    identify,
    open_client,
)

if TYPE_CHECKING:
    from booking_desktop.storage.engine import CommitEngine

log = logging.getLogger(__name__)

# Whether the commit engine writes each batch in a transaction (where the server has them):
#   auto    on a MongoDB replica set or sharded cluster; not on SecantusDB, where a transaction per batch
#           costs 10-16 % of the commit (its commit work is ~60 us per document) and buys nothing the
#           idempotent batches do not already give (docs/STORAGE.md, "Commit speed")
#   always  wherever the server has transactions (the test suite's replica-set run: the path a MongoDB
#           replica set takes)
#   never   never
ENV_TRANSACTIONS = "BOOKING_COMMIT_TRANSACTIONS"
TRANSACTION_POLICIES = ("auto", "always", "never")

# ``$in`` look-ups cost O(n^2) in the number of keys on SecantusDB 0.7 (1000 keys: 1.3-2.1 s, ten
# queries of 100: 0.2 s; docs/STORAGE.md); MongoDB answers 1000 keys at once in milliseconds.
LOOKUP_CHUNK = {MONGODB: 1000, SECANTUS: 100, NX: 1000}


class ConnectError(Exception):
    """The database could not be used; ``str()`` is one line for the user, without secrets."""


@dataclass(frozen=True)
class ServerTraits:
    """What the server can do, learned once per connection."""

    kind: str = MONGODB  # "mongodb", "secantus" or "nx-27017"
    version: str | None = None
    topology: str = "standalone"  # "standalone", "replica set", "sharded"
    transactions: bool = False  # the server has multi-document transactions
    decimal128: bool = False
    lookup_chunk: int = 1000

    commit_in_transactions: bool = False  # the engine's choice (ENV_TRANSACTIONS policy)
    # journaled writes (j: true) for an import's start and end; not on nx-27017, where one journaled
    # write makes every later write of the server about 2.3x slower (docs/STORAGE.md)
    journal_writes: bool = True

    @property
    def description(self) -> str:
        name = {MONGODB: "MongoDB", SECANTUS: "SecantusDB", NX: "nx-27017"}.get(self.kind, self.kind)
        return f"{name} {self.version or ''}".strip() + f", {self.topology}"


def _decimal128_round_trips(client: MongoClient) -> bool:
    """Does the server compute with Decimal128 exactly?  A read-only ``$documents`` pipeline."""
    pipeline = [
        {"$documents": [{"d": Decimal128("0.10")}]},
        {"$project": {"_id": 0, "s": {"$add": ["$d", Decimal128("0.20")]}}},
    ]
    try:
        reply = client.admin.command("aggregate", 1, pipeline=pipeline, cursor={})
    except (PyMongoError, TypeError, ValueError):
        return False
    batch = reply.get("cursor", {}).get("firstBatch", [])
    value = batch[0].get("s") if batch else None
    return isinstance(value, Decimal128) and value.to_decimal() == Decimal("0.30")


def transaction_policy() -> str:
    value = (os.environ.get(ENV_TRANSACTIONS) or "auto").strip().lower()
    if value not in TRANSACTION_POLICIES:
        raise ConnectError(f"{ENV_TRANSACTIONS}={value!r}: expected one of {', '.join(TRANSACTION_POLICIES)}")
    return value


def detect_traits(client: MongoClient) -> ServerTraits:
    admin = client.admin
    info = admin.command("buildInfo")
    kind, topology = identify(info, admin.command("hello"))
    # MongoDB has had Decimal128 since 3.4; others are asked (nx-27017 cannot store one at all)
    decimal = kind == MONGODB or (kind != NX and _decimal128_round_trips(client))
    transactions = topology != "standalone"
    policy = transaction_policy()
    use = transactions and (policy == "always" or (policy == "auto" and kind == MONGODB))
    return ServerTraits(
        kind=kind,
        version=info.get("secantusVersion") or info.get("version"),
        topology=topology,
        transactions=transactions,
        decimal128=decimal,
        lookup_chunk=LOOKUP_CHUNK.get(kind, 1000),
        commit_in_transactions=use,
        journal_writes=kind != NX,
    )


def authenticated_user(client: MongoClient) -> str | None:
    """The database user the connection authenticated as (None without authentication)."""
    try:
        status = client.admin.command("connectionStatus")
    except PyMongoError:
        return None
    users = status.get("authInfo", {}).get("authenticatedUsers", [])
    return str(users[0].get("user")) if users else None


@dataclass
class Connection:
    """An open, checked connection.  ``db`` is the target's database."""

    target: ConnectionTarget
    client: MongoClient
    traits: ServerTraits
    db_user: str | None

    @property
    def db(self) -> Database:
        return self.client[self.target.db_name]

    @property
    def label(self) -> str:
        return self.target.label or mask_secrets(self.target.uri)

    def engine(self, **kw: Any) -> CommitEngine:
        """A commit engine on this connection's database, with the mapper this server needs."""
        from booking_desktop.storage.engine import CommitEngine

        kw.setdefault("db_user", self.db_user)
        return CommitEngine(self.db, traits=self.traits, **kw)

    def close(self) -> None:
        self.client.close()


def open_connection(
    target: ConnectionTarget, *, indexes: bool = True, **client_options: Any
) -> Connection:
    """Open and check a connection (the caller closes it; prefer :func:`connect`)."""
    where = target.label or mask_secrets(target.uri)
    try:
        client = open_client(target, **client_options)
    except (ConfigurationError, ValueError, TypeError) as exc:
        raise ConnectError(f"invalid connection settings for {where}: {mask_secrets(_first_line(exc))}") from None
    try:
        client.admin.command("ping")
        traits = detect_traits(client)
        db_user = authenticated_user(client) or target.username
        if indexes:
            ensure_indexes(client[target.db_name])
    except OperationFailure as exc:
        client.close()
        if exc.code == 18:
            raise ConnectError(f"the database at {where} refused the user name or password (code 18)") from None
        raise ConnectError(
            f"the database at {where} refused the request (code {exc.code}): {mask_secrets(_first_line(exc))}"
        ) from None
    except PyMongoError as exc:
        client.close()
        raise ConnectError(f"cannot reach the database at {where} ({type(exc).__name__})") from None
    except (KeyError, TypeError, ValueError) as exc:
        # e.g. nx-27017 has no authentication: pymongo's SCRAM handshake fails with KeyError('payload')
        client.close()
        what = "authentication" if target.username else "the handshake"
        raise ConnectError(
            f"the database at {where} gave an answer to {what} that was not understood "
            f"({type(exc).__name__}); does this server support authentication?"
        ) from None
    log.info("connected to %s: %s, database user %s", where, traits.description, db_user or "-")
    return Connection(target=target, client=client, traits=traits, db_user=db_user)


@contextlib.contextmanager
def connect(target: ConnectionTarget, *, indexes: bool = True, **client_options: Any) -> Iterator[Connection]:
    """``with connect(target) as conn:`` — a checked connection, closed on leaving."""
    conn = open_connection(target, indexes=indexes, **client_options)
    try:
        yield conn
    finally:
        conn.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text.split(", full error:")[0][:200]
