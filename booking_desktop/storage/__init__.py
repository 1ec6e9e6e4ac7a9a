"""MongoDB storage: connections (secrets in the OS keyring), the local database,
the BookingMapper and the CommitEngine.  See docs/STORAGE.md.

Qt-free.  Typical use::

    target = choose_target(connection="prod")          # or LocalDatabase().target()
    client = open_client(target); db = client[target.db_name]; ensure_indexes(db)
    engine = CommitEngine(db)
    engine.preview(result)                             # counts, nothing written
    for progress in (gen := engine.commit(result)): ...
"""

from booking_desktop.storage.client import DEFAULT_DB, ConnectionTarget, ensure_indexes, open_client, server_facts
from booking_desktop.storage.connections import (
    ConnectionProfile,
    ConnectionProfileError,
    ConnectionStore,
    InsecureKeyringError,
    choose_target,
    keyring_status,
    mask_uri,
)
from booking_desktop.storage.engine import CommitEngine, CommitProgress, CommitSummary, Preview, StorageError
from booking_desktop.storage.imports import ResumeError
from booking_desktop.storage.localdb import LABEL as LOCAL_DB_LABEL
from booking_desktop.storage.localdb import LocalDatabase, LocalDbError
from booking_desktop.storage.mapper import BookingMapper, booking_key

__all__ = [
    "DEFAULT_DB",
    "LOCAL_DB_LABEL",
    "BookingMapper",
    "CommitEngine",
    "CommitProgress",
    "CommitSummary",
    "ConnectionProfile",
    "ConnectionProfileError",
    "ConnectionStore",
    "ConnectionTarget",
    "InsecureKeyringError",
    "LocalDatabase",
    "LocalDbError",
    "Preview",
    "ResumeError",
    "StorageError",
    "booking_key",
    "choose_target",
    "ensure_indexes",
    "keyring_status",
    "mask_uri",
    "open_client",
    "server_facts",
]
