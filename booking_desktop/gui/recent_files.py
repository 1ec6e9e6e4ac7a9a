"""Recent files and other remembered things, in QSettings.

Organization "BookingDesktop", application "Booking Desktop".  Tests point
QSettings at a temporary folder with :func:`use_settings_dir` (or the
``BOOKING_DESKTOP_SETTINGS_DIR`` environment variable) so they never touch the
operator's real settings.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings

from booking_desktop import paths

ORGANIZATION = "BookingDesktop"
APPLICATION = "Booking Desktop"
MAX_RECENT = 10
_KEY = "recentFiles"


def use_settings_dir(directory: str | Path) -> None:
    """Keep every QSettings of this process under ``directory`` (INI files)."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(directory))


def configure_application_names() -> None:
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    redirected = paths.settings_dir()
    if redirected:
        use_settings_dir(redirected)


def settings() -> QSettings:
    """Always the INI format, so :func:`use_settings_dir` (``QSettings.setPath``) really redirects it.

    ``QSettings(org, app)`` would use the native format, which ignores the INI path
    and wrote test runs into the operator's ``~/.config``.
    """
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)


def recent_files() -> list[str]:
    v = settings().value(_KEY, [])
    if isinstance(v, str):  # QSettings gives a one-item list back as the item
        v = [v]
    return [str(p) for p in v] if isinstance(v, (list, tuple)) else []


def add_recent_file(path: str | Path) -> list[str]:
    p = str(Path(path).resolve())
    files = [p] + [f for f in recent_files() if f != p]
    files = files[:MAX_RECENT]
    settings().setValue(_KEY, files)
    return files


def remove_recent_file(path: str | Path) -> list[str]:
    p = str(path)
    files = [f for f in recent_files() if f != p]
    settings().setValue(_KEY, files)
    return files


def clear_recent_files() -> None:
    settings().setValue(_KEY, [])
