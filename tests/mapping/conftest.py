"""Mapping tests never see the operator's own profiles: the user profile folder is pointed
at an empty temporary folder for the whole session (only the shipped mappings/ count)."""

from __future__ import annotations

import os

import pytest

from booking_desktop.mapping.registry import ENV_USER_DIR


@pytest.fixture(scope="session", autouse=True)
def _no_user_profiles(tmp_path_factory):
    before = os.environ.get(ENV_USER_DIR)
    os.environ[ENV_USER_DIR] = str(tmp_path_factory.mktemp("user-profiles"))
    yield
    if before is None:
        os.environ.pop(ENV_USER_DIR, None)
    else:
        os.environ[ENV_USER_DIR] = before
