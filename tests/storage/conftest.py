"""Storage tests use the server and keyring fixtures of tests/conftest.py
(defined in ``booking_desktop.storage.pytest_fixtures``)."""
