"""Getting bytes: open the file, unwrap .gz/.bz2/.xz/.zip, hash it, and guess what it is.

Parsing never touches the disk: every reader receives a :class:`Source` whose
``data`` are the (decompressed) bytes of the logical file.  Keeping this
apart from parsing lets :func:`booking_desktop.readers.read_file` pick a
reader from what the bytes *are* (an XLSX named ``.json``, JSON named
``.txt``) rather than only from what the file is called.
"""

from __future__ import annotations

import bz2
import copy
import hashlib
import io
import lzma
import os
import re
import stat
import threading
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from booking_desktop.errors import Problem, ReadError, Severity
from booking_desktop.readers.limits import LIMITS, names_text, size_text

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
GZIP_MAGIC = b"\x1f\x8b"
#: An Office document encrypted with a password is an OLE container holding
#: these streams instead of the usual zip (ECMA-376 part 2, MS-OFFCRYPTO).
_ENCRYPTED_STREAMS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
_BINARY_SIGNATURES = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PAR1": "a Parquet file",
    b"SQLite format 3": "an SQLite database",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"Rar!": "a RAR archive",
}
COMPRESSED_MAGIC = {"gzip": GZIP_MAGIC, "bzip2": b"BZh", "xz": b"\xfd7zXZ\x00"}
_COMPRESSED_SUFFIXES = {"gzip": (".gz", ".tgz"), "bzip2": (".bz2", ".tbz2"), "xz": (".xz", ".txz")}
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
FILE_CHANGED_TEXT = "the file changed on disk after it was opened"


class HashJob:
    """The sha256 of the bytes read, computed on a thread while they are parsed (hashlib releases the
    GIL for large buffers: about 0.1 CPU-s per 150 MB off the critical path)."""

    def __init__(self, data: bytes):
        self._done = threading.Event()
        self._digest = ""
        self._thread = threading.Thread(target=self._run, args=(data,), name="file-hash", daemon=True)
        self._thread.start()

    def _run(self, data: bytes) -> None:
        try:
            self._digest = hashlib.sha256(data).hexdigest()
        finally:
            self._done.set()

    def result(self) -> str:
        self._done.wait()
        return self._digest


@dataclass
class Source:
    """The bytes of one logical file plus where they came from."""

    path: Path  # the file on disk
    name: str  # logical file name (the zip member or the name without .gz)
    data: bytes
    size: int  # bytes on disk
    stat: tuple[int, int] | None = None  # (size, modification time in ns) when read
    container: str | None = None  # "gzip", "bzip2", "xz" or "zip"
    problems: list[Problem] = field(default_factory=list)
    hash_job: HashJob | None = None  # sha256 of the file's bytes as read (not of the decompressed data)

    @property
    def label(self) -> str:
        """How messages name the file: ``bookings.csv`` or ``export.zip!bookings.csv``."""
        if self.container == "zip":
            return f"{self.path.name}!{self.name}"
        return self.path.name


def fail(code: str, message: str, label: str, where: str | None = None) -> ReadError:
    """A ReadError whose one-line text is ``"<file> <where>: <message>"``."""
    message = " ".join(str(message).split())
    location = f"{label} {where}" if where else label
    return ReadError(Problem(code=code, message=message, location=location))


def warning(code: str, message: str, label: str, where: str | None = None, field: str | None = None) -> Problem:
    location = f"{label} {where}" if where else label
    return Problem(code=code, message=message, severity=Severity.WARNING, field=field, location=location)


def load_source(path: str | Path, options: dict | None = None) -> Source:
    """Read a file; transparently unwrap .gz/.bz2/.xz and a zip archive holding one data file.

    Only regular files are opened (a FIFO would block, a device never ends); sizes are bounded
    by :mod:`booking_desktop.readers.limits`, checked while the bytes stream."""
    options = options or {}
    path = Path(path)
    label = path.name or str(path)
    raw, st = _read_regular(path, label)
    if not raw:
        raise fail("empty-file", "the file is empty (0 bytes)", label)
    src = Source(
        path=path,
        name=path.name,
        data=raw,
        size=len(raw),
        stat=(st.st_size, st.st_mtime_ns),
        hash_job=HashJob(raw),
    )
    kind = compressed_kind(raw)
    if kind is not None:
        src.data = _inflate(raw, kind, label, src.problems)
        src.container = kind
        suffixes = _COMPRESSED_SUFFIXES[kind]
        lower = path.name.lower()
        cut = next((len(x) for x in suffixes if lower.endswith(x) and len(lower) > len(x)), 0)
        src.name = path.name[: len(path.name) - cut] if cut else path.stem
        if lower.endswith((".tgz", ".tbz2", ".txz")):
            src.name += ".tar"
        if not src.data:
            raise fail("empty-file", "the compressed file is empty", label)
    elif raw.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)) and _zip_kind(raw) == "zip":
        _unzip_member(src, options.get("member"))
    return src


def compressed_kind(raw: bytes) -> str | None:
    """``gzip``, ``bzip2``, ``xz`` or None, from the magic bytes (bzip2's "BZh" is followed by the
    block size and a block or end-of-stream magic, so a text file starting "BZh" stays text)."""
    if raw.startswith(GZIP_MAGIC):
        return "gzip"
    if raw.startswith(COMPRESSED_MAGIC["xz"]):
        return "xz"
    bzip2 = raw.startswith(b"BZh") and raw[3:4].isdigit() and raw[3:4] != b"0"
    return "bzip2" if bzip2 and raw[4:10] in (b"1AY&SY", b"\x17rE8P\x90") else None


def _file_kind(mode: int) -> str | None:
    """What a non-regular file is, for the refusal (None: a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _read_regular(path: Path, label: str) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file, refusing anything else *before* it is opened for reading
    (``open()`` of a FIFO blocks until a writer comes; /dev/zero, also behind a symlink, never
    ends).  The file is opened non-blocking and checked again, so a FIFO swapped in between
    the two looks is refused too."""
    limit = LIMITS.file_bytes
    try:
        st = os.stat(path)  # follows symlinks: what a link points to is what would be read
        kind = _file_kind(st.st_mode)
        if kind == "a folder":
            raise fail("not-a-file", f"is a folder, not a file ({path})", label)
        if kind:
            raise fail("not-a-file", f"is {kind}, not a regular file; only regular files are read", label)
        if st.st_size > limit:
            raise _too_big(st.st_size, limit, label)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            kind = _file_kind(st.st_mode)
            if kind:
                raise fail("not-a-file", f"is {kind}, not a regular file; only regular files are read", label)
            if st.st_size > limit:
                raise _too_big(st.st_size, limit, label)
            raw = fh.read(st.st_size)  # not read(limit): that would allocate the limit
            grew = fh.read(1)
    except FileNotFoundError:
        raise fail("file-not-found", f"file not found ({path})", label) from None
    except IsADirectoryError:
        raise fail("not-a-file", f"is a folder, not a file ({path})", label) from None
    except PermissionError:
        raise fail("permission-denied", f"permission denied ({path})", label) from None
    except OSError as exc:
        raise fail("unreadable", f"cannot read the file: {exc.strerror or exc}", label) from None
    if grew:
        raise changed_on_disk(path, label)
    return raw, st


def _too_big(size: int, limit: int, label: str) -> ReadError:
    return fail("too-large", f"the file is {size_text(size)}, past {size_text(limit)} (limit)", label)


def changed_on_disk(path: Path, label: str) -> ReadError:
    return fail("file-changed", f"{FILE_CHANGED_TEXT}; open it again to work on its current content", label)


def file_sha256(path: Path, expected: tuple[int, int] | None = None, chunk: int = 1 << 20) -> str:
    """sha256 of a file's bytes on disk.  ``expected``: its (size, mtime_ns) when it was read; a
    file changed since then raises ReadError (its hash would not be that of what was read)."""
    label = path.name or str(path)
    try:
        with path.open("rb") as fh:
            st = os.fstat(fh.fileno())
            if expected is not None and (st.st_size, st.st_mtime_ns) != tuple(expected):
                raise changed_on_disk(path, label)
            h = hashlib.sha256()
            while block := fh.read(chunk):
                h.update(block)
            return h.hexdigest()
    except FileNotFoundError:
        raise fail("file-not-found", f"the file is gone ({path}); open it again", label) from None
    except OSError as exc:
        raise fail("unreadable", f"cannot read the file: {exc.strerror or exc}", label) from None


_IN_BLOCK = 1 << 20  # compressed bytes fed at a time
_OUT_BLOCK = 4 << 20  # most decompressed bytes produced at a time


class _Gzip:
    """zlib's gzip decompressor behind the interface of bz2's and lzma's (``needs_input``,
    ``decompress(data, max_length)``, ``eof``, ``unused_data``)."""

    def __init__(self) -> None:
        self._d = zlib.decompressobj(wbits=31)

    @property
    def needs_input(self) -> bool:
        return not self._d.unconsumed_tail

    @property
    def eof(self) -> bool:
        return self._d.eof

    @property
    def unused_data(self) -> bytes:
        return self._d.unused_data

    def decompress(self, data: bytes | memoryview, max_length: int) -> bytes:
        return self._d.decompress(data if data else self._d.unconsumed_tail, max_length)


_DECOMPRESSORS: dict[str, Callable[[], Any]] = {
    "gzip": _Gzip,
    "bzip2": bz2.BZ2Decompressor,
    "xz": lzma.LZMADecompressor,
}
_KIND_NAMES = {"gzip": "gzip", "bzip2": "bzip2", "xz": "xz"}


def _inflate(raw: bytes, kind: str, label: str, problems: list[Problem]) -> bytes:
    """Every member of a gzip/bzip2/xz stream (``cat a.gz b.gz`` is one valid .gz file: reading
    only the first member would drop rows), the decompressed size counted block by block and
    refused past the limit before more is held.  Zero padding after the last member is allowed;
    anything else there is reported, not dropped silently."""
    limit = LIMITS.inflated_bytes
    name = _KIND_NAMES[kind]
    magic = COMPRESSED_MAGIC[kind]
    view = memoryview(raw)
    out: list[bytes] = []
    total = pos = members = 0
    try:
        while True:
            d = _DECOMPRESSORS[kind]()
            members += 1
            while not d.eof:
                starved = d.needs_input and pos >= len(view)
                if d.needs_input and not starved:
                    block = view[pos : pos + _IN_BLOCK]
                    pos += len(block)
                else:
                    block = view[0:0]
                piece = d.decompress(block, _OUT_BLOCK)
                if starved and not piece and not d.eof:
                    raise fail("corrupt-archive", f"the {name} file is truncated", label)
                total += len(piece)
                if total > limit:
                    out.clear()
                    raise fail("too-large", f"the {name} file inflates past {size_text(limit)} (limit)", label)
                out.append(piece)
            pos -= len(d.unused_data)
            rest = view[pos:]
            if not len(rest):
                break
            if bytes(rest[: len(magic)]) != magic:
                if rest.tobytes().strip(b"\0"):
                    problems.append(
                        warning(
                            "trailing-data",
                            f"{len(rest):,} bytes after the end of the {name} data (after member {members}) "
                            "are not compressed data and were not read",
                            label,
                        )
                    )
                break
    except (zlib.error, OSError, EOFError, lzma.LZMAError) as exc:
        raise fail("corrupt-archive", f"the {name} file is damaged ({exc})", label) from None
    return b"".join(out)


def _zip_members(zf: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    return [
        i
        for i in zf.infolist()
        if not i.is_dir()
        and not i.filename.startswith("__MACOSX/")
        and not PurePosixPath(i.filename).name.startswith(".")
    ]


def check_zip_members(zf: zipfile.ZipFile, label: str, what: str = "archive") -> None:
    """Refuse an archive with more members than the limit (the message lists the first few)."""
    infos = zf.infolist()
    limit = LIMITS.zip_members
    if len(infos) > limit:
        first = names_text([i.filename for i in infos])
        raise fail(
            "too-large",
            f"the {what} holds {len(infos):,} members, past {limit:,} (limit) (first: {first})",
            label,
        )


def is_encrypted(info: zipfile.ZipInfo) -> bool:
    return bool(info.flag_bits & 0x1)


def encrypted_member(info: zipfile.ZipInfo, label: str) -> ReadError:
    return fail(
        "encrypted-archive",
        f"the zip archive is password-protected (member {names_text([info.filename], 1)}); "
        "extract it with its password and open the file inside",
        label,
    )


def inflate_member(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    label: str,
    limit: int,
    keep: bool = True,
    subject: str | None = None,
    limit_shown: int | None = None,
    on_block: Callable[[bytes], None] | None = None,
) -> bytes:
    """One member's bytes, counted while they stream: refused past ``limit`` or past the size the
    archive declares for it (zipfile alone stops at the declared size without a word; other
    readers, calamine's among them, do not), and checked against its CRC-32.
    ``keep=False`` only measures (returns b"").  ``subject``/``limit_shown``: what the refusal
    names (a workbook checks each part against what is left of one limit); ``on_block`` sees
    each decompressed block."""
    shown = names_text([info.filename], 1)
    too_large = fail("too-large", f"{subject or shown} inflates past {size_text(limit_shown or limit)} (limit)", label)
    if info.file_size > limit:
        raise too_large
    probe = copy.copy(info)
    probe.file_size = info.file_size + 1  # read one byte past the declared size, to notice it
    probe.CRC = None  # type: ignore[assignment]  # zipfile skips its check; ours is below
    out: list[bytes] = []
    total = 0
    crc = 0
    with zf.open(probe) as fh:
        while block := fh.read(_OUT_BLOCK):
            total += len(block)
            if total > info.file_size:
                if total > limit:
                    raise too_large
                raise fail(
                    "corrupt-archive",
                    f"{shown} inflates past the {info.file_size:,} bytes the archive declares for it",
                    label,
                )
            crc = zlib.crc32(block, crc)
            if on_block is not None:
                on_block(block)
            if keep:
                out.append(block)
    if total != info.file_size or crc != info.CRC:
        raise fail("corrupt-archive", f"{shown} is damaged (its size or CRC-32 does not match)", label)
    return b"".join(out)


def _unzip_member(src: Source, wanted: str | None) -> None:
    from booking_desktop.readers.base import format_for_path

    label = src.path.name
    try:
        with zipfile.ZipFile(io.BytesIO(src.data)) as zf:
            check_zip_members(zf, label)
            members = _zip_members(zf)
            names = names_text([m.filename for m in members])
            count = f"{len(members):,} members: " if len(members) > LIMITS.names_listed else "members: "
            if wanted:
                chosen = [m for m in members if m.filename == wanted or PurePosixPath(m.filename).name == wanted]
                if not chosen:
                    raise fail(
                        "zip-member-not-found",
                        f"no member {names_text([str(wanted)], 1)!r} in the archive ({count}{names})",
                        label,
                    )
            else:
                chosen = [m for m in members if format_for_path(Path(m.filename)) is not None]
                if len(chosen) != 1:
                    what = "no data file" if not chosen else f"{len(chosen):,} data files"
                    raise fail(
                        "zip-ambiguous",
                        f"the archive holds {what} ({count}{names}); choose one with the 'member' option",
                        label,
                    )
            info = chosen[0]
            if is_encrypted(info):
                raise encrypted_member(info, label)
            data = inflate_member(zf, info, label, LIMITS.inflated_bytes)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError) as exc:
        raise fail("corrupt-archive", f"the zip archive is damaged or unsupported ({exc})", label) from None
    except RuntimeError:  # zipfile raises RuntimeError for encrypted members
        raise fail("encrypted-archive", "the zip archive is password-protected", label) from None
    src.container = "zip"
    src.name = PurePosixPath(info.filename).name
    src.data = data
    if not data:
        raise fail("empty-file", "the file is empty (0 bytes)", src.label)


# -- sniffing -------------------------------------------------------------

_XML_START = re.compile(rb"^\s*(<\?xml|<!--|<!DOCTYPE\s+(?!html)|<[A-Za-z_][\w.:-]*[\s>/])", re.IGNORECASE)
_HTML_START = re.compile(rb"^\s*(<!DOCTYPE\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<table[\s>])", re.IGNORECASE)


def _zip_kind(data: bytes) -> str:
    """``xlsx``, ``ods``, ``zip`` (some other archive) or ``corrupt-zip``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
                return "xlsx"
            if "mimetype" in names and _head(zf, "mimetype").startswith(ODS_MIMETYPE):
                return "ods"
            if "word/document.xml" in names or "ppt/presentation.xml" in names:
                return "office-other"
            return "zip"
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, RuntimeError):
        return "corrupt-zip"


def _head(zf: zipfile.ZipFile, name: str, n: int = 200) -> bytes:
    """The first bytes of a member only (a ``mimetype`` can inflate without bound)."""
    with zf.open(name) as fh:
        return fh.read(n)


def sniff(data: bytes) -> str:
    """What the bytes look like.

    One of ``xlsx``, ``ods``, ``xls``, ``encrypted-workbook``, ``ole-other``,
    ``corrupt-zip``, ``office-other``, ``zip``, ``json``, ``xml``, ``html``,
    ``binary`` or ``text`` (anything else that decodes as text: CSV/TSV).
    """
    if data.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        return _zip_kind(data)
    if data.startswith(OLE_MAGIC):
        if any(s in data for s in _ENCRYPTED_STREAMS):
            return "encrypted-workbook"
        if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
            return "xls"
        return "ole-other"
    if any(data.startswith(sig) for sig in _BINARY_SIGNATURES):
        return "binary"
    head = _text_head(data)
    if head is None:
        return "binary"
    stripped = head.lstrip()
    if stripped[:1] in (b"{", b"["):
        return "json"
    if _HTML_START.match(head):
        return "html"
    if _XML_START.match(head):
        return "xml"
    return "text"


def describe_binary(data: bytes) -> str:
    for sig, what in _BINARY_SIGNATURES.items():
        if data.startswith(sig):
            return what
    return "binary data"


def _text_head(data: bytes) -> bytes | None:
    """The first bytes as ASCII-compatible text, or None when they look binary."""
    head = data[:8192]
    if head.startswith(b"\xef\xbb\xbf"):
        return head[3:]
    for bom, enc in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[2:].decode(enc, errors="replace").encode("utf-8")
    utf16 = utf16_without_bom(head)
    if utf16:
        return head.decode(utf16, errors="replace").encode("utf-8")
    if b"\x00" in head:
        return None
    controls = sum(head.count(bytes([c])) for c in range(32) if c not in (9, 10, 12, 13, 27))
    if controls > max(8, len(head) // 100):
        return None
    return head


def utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 text of mostly ASCII characters has a NUL in every other byte."""
    sample = head[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.8 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.8 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None
