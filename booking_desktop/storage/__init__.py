"""MongoDB storage: connections (secrets in the OS keyring), the local database,
the BookingMapper and the CommitEngine.  See docs/STORAGE.md.

Qt-free.  Typical use::

    target = choose_target(connection="prod")          # or LocalDatabase().target()
    client = open_client(target); db = client[target.db_name]; ensure_indexes(db)
    engine = CommitEngine(db)
    engine.preview(result)                             # counts, nothing written
    for progress in (gen := engine.commit(result)): ...

Its names are imported on first use (PEP 562): importing every submodule here made the
package and its submodules import each other, so two threads importing storage for the first
time at once (the app's status ping and its commit dialog) could get a half-initialised module
("cannot import name 'CommitEngine' from partially initialized module").  Without that cycle
the submodules import one another in one direction only, which is safe from any number of threads.

pymongo's own modules import each other too: a thread that imports ``pymongo.database`` while
another is still running ``pymongo/__init__`` gets a half-initialised module (Python waits for a
module being initialised only when that module itself is asked for, not its parent).  So every
module here that uses pymongo imports the package itself first (``import pymongo``), which makes a
second thread wait until the first has imported all of it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# exported name -> (submodule, its name there)
_EXPORTS = {
    **{n: ("client", n) for n in ("DEFAULT_DB", "ConnectionTarget", "ensure_indexes", "open_client", "server_facts")},
    **{
        n: ("connections", n)
        for n in (
            "ConnectionProfile",
            "ConnectionProfileError",
            "ConnectionStore",
            "InsecureKeyringError",
            "choose_target",
            "keyring_status",
            "mask_uri",
        )
    },
    **{n: ("engine", n) for n in ("CommitEngine", "CommitProgress", "CommitSummary", "Preview", "StorageError")},
    "ResumeError": ("imports", "ResumeError"),
    "LOCAL_DB_LABEL": ("localdb", "LABEL"),
    "LocalDatabase": ("localdb", "LocalDatabase"),
    "LocalDbError": ("localdb", "LocalDbError"),
    "BookingMapper": ("mapper", "BookingMapper"),
    "booking_key": ("mapper", "booking_key"),
}


def __getattr__(name: str) -> Any:
    try:
        module, attr = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f"{__name__}.{module}"), attr)
    globals()[name] = value
    return value


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
