"""Shared fixtures.  Area-specific fixtures live in tests/<area>/conftest.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# every test fails when it leaves a MongoClient open; GUI tests also when they leave a worker running
from leak_checks import no_dangling_workers, no_open_clients  # noqa: F401

# one MongoDB test server per session for every test folder (nx-27017, or BOOKING_TEST_MONGODB_URI)
from booking_desktop.storage.pytest_fixtures import (  # noqa: F401
    config_dir,
    memory_keyring,
    mongo_client,
    mongo_db,
    mongo_server,
    own_server,
)

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# On a replica set the suite commits in transactions, the path a MongoDB replica set takes; the app
# itself does not use them on SecantusDB, where they only cost time (storage/connection.py).
os.environ.setdefault("BOOKING_COMMIT_TRANSACTIONS", "always")

REPO = Path(__file__).resolve().parents[1]
DATASETS = REPO.parent / "shared" / "datasets"


_USER_DIR_VARS = (
    "BOOKING_DESKTOP_CONFIG_DIR",
    "BOOKING_DESKTOP_DATA_DIR",
    "BOOKING_DESKTOP_SETTINGS_DIR",
    "BOOKING_DESKTOP_JOURNAL_DIR",
    "BOOKING_DESKTOP_LOG_DIR",
    "BOOKING_DESKTOP_PROFILES",
)


@pytest.fixture(autouse=True, scope="session")
def _no_user_folders(tmp_path_factory):
    """No test reads or writes the operator's real settings, profiles, journals, logs or local
    database: every per-user folder points into a session temp folder (tests may narrow further)."""
    base = tmp_path_factory.mktemp("user-folders")
    saved = {k: os.environ.get(k) for k in _USER_DIR_VARS}
    for k in _USER_DIR_VARS:
        os.environ[k] = str(base / k.removeprefix("BOOKING_DESKTOP_").lower())
    yield
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(autouse=True)
def _closes_its_clients(request):
    """An open client keeps monitor threads and sockets, and pymongo warns about it when it is collected,
    in whichever later test that happens: checked here, at the end of the test that opened it."""
    request.getfixturevalue("no_open_clients")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def datasets_dir() -> Path:
    if not DATASETS.is_dir():
        pytest.skip(f"real data sets not found at {DATASETS} (the ../shared/datasets folder is absent)")
    return DATASETS
