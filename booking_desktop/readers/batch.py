"""A folder or a zip archive of OTA messages, read as one batch.

Channel managers deliver reservations one message per file (``res_000123.xml``); a day's
worth arrives as a folder or a zip.  Every ``.xml`` file (folders: also in sub-folders; hidden
files and ``__MACOSX`` skipped) is read with the XML reader, which recognises OpenTravel
messages (``readers/ota.py``), and the records are stacked into one table whose locations
name the file and the place in it: ``day.zip!res_2.xml /OTA_HotelResNotifRQ/…/HotelReservation[1]``.

* A file that cannot be read (malformed, refused, not an OTA reservation message) is left
  out with a warning naming it and why; the batch fails only when no file can be read.
* The same reservation in several messages (a booking, then its modification, then its
  cancellation) is one booking: the records of the latest message that mentions it are kept
  -- latest by the message's ``TimeStamp`` when every message has one, else by file name --
  and a ``superseded`` warning says which earlier messages were set aside.
* The limits are those of every other archive (``readers/limits.py``): more than
  ``zip_members`` files, or the messages inflating past ``inflated_bytes`` together, stop the
  read with ``too-large``; a zip member inflating past the size the archive declares for it or
  failing its CRC-32 is ``corrupt-archive``, a password-protected one ``encrypted-archive``.
"""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd

from booking_desktop.errors import Problem, ReadError
from booking_desktop.readers.base import Locations, MixedLocations, RawTable, SourceInfo, build_locations
from booking_desktop.readers.limits import LIMITS, names_text, size_text
from booking_desktop.readers.ota import COLUMNS
from booking_desktop.readers.source import (
    Source,
    _zip_members,
    check_zip_members,
    encrypted_member,
    fail,
    inflate_member,
    is_encrypted,
    warning,
)
from booking_desktop.readers.xml_reader import XmlReader

#: A code met in more files than this is reported once, with the count.
_GROUP_AFTER = 3


@dataclass
class _Member(Source):
    shown: str = ""  # how messages name it: "day.zip!res_1.xml", "in/2024-05/res_1.xml"

    @property
    def label(self) -> str:
        return self.shown or super().label


def xml_members(names: list[str]) -> list[str]:
    return [n for n in names if n.lower().endswith(".xml")]


def zip_is_batch(path: Path) -> bool:
    """Does this zip hold several XML files (and no other data file)?  Only a regular file is
    looked into (a FIFO named .zip would block; load_source refuses it with a clear message)."""
    from booking_desktop.readers.base import format_for_path

    if not path.is_file():
        return False
    try:
        with zipfile.ZipFile(path) as zf:
            data = [i.filename for i in _zip_members(zf) if format_for_path(Path(i.filename)) is not None]
    except (OSError, zipfile.BadZipFile, zlib.error, EOFError, ValueError):
        return False
    return len(data) > 1 and len(xml_members(data)) == len(data)


def read_batch(path: Path, options: dict[str, Any]) -> RawTable:
    label = path.name or str(path)
    if path.is_dir():
        members = _folder_members(path, label)
        kind = "folder"
    else:
        members = _zip_member_sources(path, label)
        kind = "zip"
    tables: list[tuple[_Member, RawTable]] = []
    skipped: list[Problem] = []
    reader = XmlReader()
    digests = hashlib.sha256()
    count = 0
    for src in members:
        count += 1
        digests.update(src.name.encode("utf-8", "surrogateescape") + b"\0" + hashlib.sha256(src.data).digest())
        if src.problems and not src.data:
            skipped.append(warning("unreadable-member", f"left out: {src.problems[0].message}", src.label))
            continue
        try:
            raw = reader.read_source(src, options)
        except ReadError as exc:
            skipped.append(warning("unreadable-member", f"left out: {exc.problem.message}", src.label))
            continue
        if "ota" not in raw.source.extra:
            skipped.append(warning("unreadable-member", "left out: not an OpenTravel reservation message", src.label))
            continue
        src.data = b""  # read; the batch need not hold every message's bytes
        tables.append((src, raw))
    if count == 0 and kind == "folder":
        raise fail(
            "not-a-file", f"is a folder, not a file, and holds no .xml messages to read as a batch ({path})", label
        )
    if count == 0:
        raise fail("zip-ambiguous", "the archive holds no .xml files", label)
    if not tables:
        first = skipped[0]
        raise fail(
            "unreadable", f"none of its {count} XML files could be read ({first.location}: {first.message})", label
        )
    frame, places, problems = _stack(tables)
    frame, places, superseded = _supersede(frame, places, tables)
    info = SourceInfo(path=path, format="xml", encoding="utf-8", record_path="(batch)")
    info.extra["batch"] = {"kind": kind, "files": count, "read": len(tables)}
    info.extra["ota"] = {
        "message": "batch",
        "messages": sorted({raw.source.extra["ota"]["message"] for _s, raw in tables}),
    }
    if kind == "folder":
        info.sha256 = digests.hexdigest()  # of the names and contents of the files read
    else:
        st = path.stat()
        info.stat = (st.st_size, st.st_mtime_ns)
    return RawTable(frame, build_locations(places), info, _grouped(skipped + problems) + superseded)


def _folder_members(folder: Path, label: str) -> Iterator[_Member]:
    from booking_desktop.readers.source import load_source

    files = sorted(
        p
        for p in folder.rglob("*")
        if p.suffix.lower() == ".xml"
        and not any(part.startswith(".") or part == "__MACOSX" for part in p.relative_to(folder).parts)
    )
    if len(files) > LIMITS.zip_members:
        raise fail(
            "too-large", f"the folder holds {len(files):,} XML files, past {LIMITS.zip_members:,} (limit)", label
        )
    total = 0
    for p in files:
        rel = p.relative_to(folder).as_posix()
        try:
            src = load_source(p)  # regular files only, sizes bounded, .gz unwrapped
        except ReadError as exc:
            yield _Member(path=p, name=rel, data=b"", size=0, shown=f"{label}/{rel}", problems=[exc.problem])
            continue
        total += len(src.data)
        if total > LIMITS.inflated_bytes:
            raise fail("too-large", f"its XML files hold more than {size_text(LIMITS.inflated_bytes)} (limit)", label)
        yield _Member(path=p, name=rel, data=src.data, size=src.size, shown=f"{label}/{rel}")


def _zip_member_sources(path: Path, label: str) -> Iterator[_Member]:
    """Each ``.xml`` member's bytes within ``readers/limits.py``, as every other zip is read: the
    member count, each member and all of them together inflating past ``inflated_bytes`` (counted
    while they stream, never allocated up front), a member inflating past the size the archive
    declares for it or failing its CRC-32, a password-protected member."""
    left = LIMITS.inflated_bytes
    try:
        with zipfile.ZipFile(path) as zf:
            check_zip_members(zf, label)
            infos = [i for i in _zip_members(zf) if i.filename.lower().endswith(".xml")]
            for info in sorted(infos, key=lambda i: i.filename):
                if is_encrypted(info):
                    raise encrypted_member(info, label)
                together = left < LIMITS.inflated_bytes  # what is left of the limit after the first
                subject = f"{names_text([info.filename], 1)} with the members before it" if together else None
                data = inflate_member(zf, info, label, left, subject=subject, limit_shown=LIMITS.inflated_bytes)
                left -= len(data)
                yield _Member(
                    path=path,
                    name=PurePosixPath(info.filename).name,
                    data=data,
                    size=info.compress_size,
                    container="zip",
                    shown=f"{label}!{info.filename}",
                )
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError) as exc:
        raise fail("corrupt-archive", f"the zip archive is damaged or unsupported ({exc})", label) from None
    except RuntimeError:
        raise fail("encrypted-archive", "the zip archive is password-protected", label) from None


def _stack(tables: list[tuple[_Member, RawTable]]) -> tuple[pd.DataFrame, list[tuple[str, int]], list[Problem]]:
    frames = [raw.frame.reindex(columns=list(COLUMNS)) for _s, raw in tables]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(COLUMNS))
    places: list[tuple[str, int]] = []
    problems: list[Problem] = []
    for src, raw in tables:
        prefix = src.label.replace("{", "{{").replace("}", "}}") + " "
        places.extend((prefix + t, n) for t, n in _places(raw.locations))
        problems.extend(p for p in raw.problems if p.code != "no-records")
    return frame, places, problems


def _places(locs: Locations) -> Iterator[tuple[str, int]]:
    for i in range(len(locs)):
        t = locs.templates[int(locs.which[i])] if isinstance(locs, MixedLocations) else locs.template
        yield t, int(locs.numbers[i])


def _supersede(
    frame: pd.DataFrame, places: list[tuple[str, int]], tables: list[tuple[_Member, RawTable]]
) -> tuple[pd.DataFrame, list[tuple[str, int]], list[Problem]]:
    """Keep, for each reservation, the records of the latest message that mentions it."""
    if frame.empty:
        return frame, places, []
    stamps = [_stamp(raw) for _s, raw in tables]
    by_time = all(s is not None for s in stamps)
    member = np.repeat(np.arange(len(tables)), [len(raw.frame) for _s, raw in tables])
    order = {m: (stamps[m] if by_time else None, m) for m in range(len(tables))}
    ids = frame["ReservationID"]
    latest: dict[str, int] = {}
    for ref, m in zip(ids.tolist(), member.tolist(), strict=True):
        if ref is None or ref is pd.NA or (isinstance(ref, float) and np.isnan(ref)):
            continue
        if ref not in latest or order[m] >= order[latest[ref]]:
            latest[ref] = m
    keep = np.ones(len(frame), dtype=bool)
    replaced: list[tuple[str, int, int]] = []
    for i, (ref, m) in enumerate(zip(ids.tolist(), member.tolist(), strict=True)):
        if isinstance(ref, str) and latest[ref] != m:
            keep[i] = False
            if not replaced or replaced[-1][:2] != (ref, m):
                replaced.append((ref, m, latest[ref]))
    if keep.all():
        return frame, places, []
    first_ref, old, new = replaced[0]
    how = "its TimeStamp" if by_time else "file name"
    message = (
        f"{len(replaced)} earlier version(s) of reservations in later messages were set aside "
        f"(the latest message by {how} is kept); first: {first_ref} in {tables[old][0].label} "
        f"is replaced by {tables[new][0].label}"
    )
    kept = np.flatnonzero(keep)
    problem = warning("superseded", message, tables[old][0].label)
    return frame.iloc[kept].reset_index(drop=True), [places[i] for i in kept], [problem]


def _stamp(raw: RawTable) -> datetime | None:
    text = raw.source.extra.get("ota", {}).get("timestamp")
    if not text:
        return None
    try:
        t = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo is not None else None


def _grouped(problems: list[Problem]) -> list[Problem]:
    """One line per code once a code is met in many files."""
    by_code: dict[str, list[Problem]] = {}
    for p in problems:
        by_code.setdefault(p.code, []).append(p)
    out: list[Problem] = []
    for code, ps in by_code.items():
        if len(ps) <= _GROUP_AFTER:
            out.extend(ps)
            continue
        first = ps[0]
        out.append(
            Problem(
                code=code,
                severity=first.severity,
                location=first.location,
                message=f"in {len(ps)} files (first here): {first.message}",
            )
        )
    return out


__all__ = ["read_batch", "zip_is_batch"]
