"""Where things live: the user's folders (one way, for every module) and the data
shipped with the program (one way: ``importlib.resources``).

User folders come from platformdirs with the same application name and author
everywhere (calling it with an author in one module and without in another put
Windows data in two folders).  Each folder can be redirected by an environment
variable (tests, portable installs):

=================  ==============================  ===============================
folder             platformdirs                    environment variable
=================  ==============================  ===============================
config             ``user_config_dir``             ``BOOKING_DESKTOP_CONFIG_DIR``
data               ``user_data_dir``               ``BOOKING_DESKTOP_DATA_DIR``
journal            data / ``journal``              ``BOOKING_DESKTOP_JOURNAL_DIR``
profiles           data / ``mappings``             ``BOOKING_DESKTOP_PROFILES``
logs               ``user_log_dir``                ``BOOKING_DESKTOP_LOG_DIR``
settings (Qt)      Qt's own INI location           ``BOOKING_DESKTOP_SETTINGS_DIR``
=================  ==============================  ===============================

Bundled data (``booking_desktop/resources``: the schema, the shipped vendor
profiles and the sample files) is package data, so an installed wheel and a
frozen build find it the same way as a source checkout.
"""

from __future__ import annotations

import os
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

import platformdirs

APP_NAME = "booking-desktop"
APP_AUTHOR = "BookingDesktop"

ENV_CONFIG = "BOOKING_DESKTOP_CONFIG_DIR"
ENV_DATA = "BOOKING_DESKTOP_DATA_DIR"
ENV_JOURNAL = "BOOKING_DESKTOP_JOURNAL_DIR"
ENV_PROFILES = "BOOKING_DESKTOP_PROFILES"
ENV_LOG = "BOOKING_DESKTOP_LOG_DIR"
ENV_SETTINGS = "BOOKING_DESKTOP_SETTINGS_DIR"


def _dirs() -> platformdirs.PlatformDirs:
    return platformdirs.PlatformDirs(APP_NAME, APP_AUTHOR)


def _env(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


def config_dir() -> Path:
    return _env(ENV_CONFIG) or Path(_dirs().user_config_dir)


def data_dir() -> Path:
    return _env(ENV_DATA) or Path(_dirs().user_data_dir)


def journal_dir() -> Path:
    return _env(ENV_JOURNAL) or data_dir() / "journal"


def user_profiles_dir() -> Path:
    return _env(ENV_PROFILES) or data_dir() / "mappings"


def log_dir() -> Path:
    return _env(ENV_LOG) or Path(_dirs().user_log_dir)


def settings_dir() -> Path | None:
    """Only when redirected; otherwise Qt chooses (QSettings' INI location)."""
    return _env(ENV_SETTINGS)


def local_db_dir() -> Path:
    return data_dir() / "localdb"


# -- bundled data --------------------------------------------------------------


def resource(*parts: str) -> Traversable:
    """A file or folder of ``booking_desktop/resources``."""
    node = resources.files("booking_desktop") / "resources"
    for p in parts:
        node = node / p
    return node


def resource_path(*parts: str) -> Path:
    """A bundled resource as a real path (the package is installed unzipped: a wheel, a checkout, PyInstaller)."""
    return Path(str(resource(*parts)))


def schema_path() -> Path:
    return resource_path("schema", "booking.schema.json")


def shipped_profiles_dir() -> Path:
    return resource_path("mappings")


def samples_dir() -> Path:
    return resource_path("samples")
