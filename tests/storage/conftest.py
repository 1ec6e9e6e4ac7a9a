"""Server and keyring fixtures for the storage tests; they live in
``booking_desktop.storage.pytest_fixtures`` so that tests/gui can import them too."""

from booking_desktop.storage.pytest_fixtures import (  # noqa: F401
    config_dir,
    memory_keyring,
    mongo_client,
    mongo_db,
    mongo_server,
    own_server,
)
