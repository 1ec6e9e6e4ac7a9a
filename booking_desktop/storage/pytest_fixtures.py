"""pytest fixtures for tests that need a MongoDB server or a keyring.

Use from any conftest: ``from booking_desktop.storage.pytest_fixtures import *  # noqa: F403``
(or name the fixtures you need).  ``tests/storage/conftest.py`` does exactly that.
Not used by the application (pytest is a test dependency only).
"""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pymongo  # noqa: F401  (first: see booking_desktop/storage/__init__.py)
import pytest
from pymongo.database import Database

from booking_desktop.storage.testing import (
    MemoryKeyring,
    ServerHandle,
    fresh_database,
    server_process,
    start_test_server,
    test_server_name,
)


@pytest.fixture(scope="session")
def mongo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerHandle]:
    """The session's server: ``BOOKING_TEST_MONGODB_URI``, or a child SecantusDB (``BOOKING_TEST_SERVER``:
    ``secantus`` as a single-node replica set, ``secantus-standalone``, or ``nx-27017``) on a free
    loopback port with its data in a temporary folder."""
    handle = start_test_server(tmp_path_factory.mktemp("server"))
    try:
        yield handle
    finally:
        if handle.process is not None:
            handle.process.stop()


@pytest.fixture
def mongo_client(mongo_server: ServerHandle):
    client = mongo_server.client()
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def mongo_db(mongo_client) -> Iterator[Database]:
    """A fresh, uniquely named database on the session server, dropped afterwards."""
    yield from fresh_database(mongo_client)


@pytest.fixture
def own_server(tmp_path) -> Iterator[ServerHandle]:
    """A private child server (of ``BOOKING_TEST_SERVER``'s kind) that a fault test may kill and
    restart, even when ``BOOKING_TEST_MONGODB_URI`` is set."""
    name = test_server_name()
    proc = server_process(name, tmp_path / "data", tmp_path).start()
    try:
        yield ServerHandle(proc.uri, proc, name)
    finally:
        proc.stop(grace=1.0)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def config_dir(tmp_path, monkeypatch):
    d = tmp_path / "config"
    monkeypatch.setenv("BOOKING_DESKTOP_CONFIG_DIR", str(d))
    monkeypatch.delenv("BOOKING_MONGODB_URI", raising=False)
    return d


__all__ = ["config_dir", "memory_keyring", "mongo_client", "mongo_db", "mongo_server", "own_server"]
