"""What PyYAML made of each profile file, kept by the file's content (CLI start-up).

Finding the profile of a file reads every profile; each ``validate`` paid for importing PyYAML
(14 ms: its pure-Python modules, one regular expression alone 6 ms) and parsing a dozen files.
The parsed data is kept in ``<data dir>/cache/profiles.json`` under the SHA-256 of the file's
text and the installed PyYAML (its ``__init__`` file's size and time), so a changed file, or
another PyYAML, is parsed again.  Only data that JSON gives back exactly is kept (a value map
with numeric keys ``{1: confirmed}`` is not: JSON would make the keys text); a profile with a
YAML error is never cached, so its message is PyYAML's own.  The cache is an optimisation:
unreadable, damaged or unwritable, it is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from booking_desktop import paths

VERSION = 1  # bump when the loader's meaning changes (profile._ProfileLoader)
MAX_ENTRIES = 500

_entries: dict[str, Any] | None = None
_dirty = False
_deferred = 0  # inside batch(): written once at its end


def cache_file() -> Path:
    return paths.data_dir() / "cache" / "profiles.json"


def _yaml_identity() -> str:
    import importlib.util

    spec = importlib.util.find_spec("yaml")
    origin = spec.origin if spec is not None else None
    if not origin:
        return "?"
    try:
        st = os.stat(origin)
    except OSError:
        return "?"
    return f"{VERSION}:{origin}:{st.st_size}:{st.st_mtime_ns}"


def _key(text: str) -> str:
    return hashlib.sha256(f"{_yaml_identity()}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()


def _load() -> dict[str, Any]:
    global _entries
    if _entries is None:
        try:
            doc = json.loads(cache_file().read_bytes())
            _entries = dict(doc["entries"]) if isinstance(doc, dict) and doc.get("version") == VERSION else {}
        except (OSError, ValueError, KeyError, TypeError):
            _entries = {}
    return _entries


def cached(text: str) -> tuple[bool, Any]:
    """(True, data) when ``text`` was parsed before; (False, None) otherwise."""
    entries = _load()
    key = _key(text)
    if key in entries:
        return True, entries[key]
    return False, None


def keep(text: str, data: Any) -> None:
    """Remember what ``text`` parsed to, when JSON gives it back exactly."""
    global _dirty
    try:
        if json.loads(json.dumps(data)) != data:
            return
    except (TypeError, ValueError):  # dates, sets, NaN-like values: not kept
        return
    entries = _load()
    entries[_key(text)] = data
    while len(entries) > MAX_ENTRIES:
        entries.pop(next(iter(entries)))
    _dirty = True


@contextmanager
def batch() -> Iterator[None]:
    """Loading many profiles (a folder scan): the cache is written once, at the end."""
    global _deferred
    _deferred += 1
    try:
        yield
    finally:
        _deferred -= 1
        save()


def save() -> None:
    """Write the cache when something was added (atomically; any failure is ignored)."""
    global _dirty
    if not _dirty or _entries is None or _deferred:
        return
    _dirty = False
    target = cache_file()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")  # GUI workers too
        tmp.write_text(json.dumps({"version": VERSION, "entries": _entries}), encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        pass


def clear_memory() -> None:
    """Forget what was read (tests: the next look-up reads the file again)."""
    global _entries, _dirty
    _entries, _dirty = None, False
