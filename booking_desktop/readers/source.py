"""Getting bytes: open the file, unwrap .gz/.zip, hash it, and guess what it is.

Parsing never touches the disk: every reader receives a :class:`Source` whose
``data`` are the (decompressed) bytes of the logical file.  Keeping this
apart from parsing lets :func:`booking_desktop.readers.read_file` pick a
reader from what the bytes *are* (an XLSX named ``.json``, JSON named
``.txt``) rather than only from what the file is called.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import re
import threading
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from booking_desktop.errors import Problem, ReadError, Severity

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
    b"BZh": "a bzip2 archive",
    b"\xfd7zXZ": "an xz archive",
}
_MAX_DECOMPRESSED = 4 * 1024**3  # refuse zip bombs beyond 4 GiB
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
    container: str | None = None  # "gzip" or "zip"
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
    """Read a file; transparently unwrap gzip and a zip archive holding one data file."""
    options = options or {}
    path = Path(path)
    label = path.name or str(path)
    try:
        with path.open("rb") as fh:
            st = os.fstat(fh.fileno())
            raw = fh.read()
    except FileNotFoundError:
        raise fail("file-not-found", f"file not found ({path})", label) from None
    except IsADirectoryError:
        raise fail("not-a-file", f"is a folder, not a file ({path})", label) from None
    except PermissionError:
        raise fail("permission-denied", f"permission denied ({path})", label) from None
    except OSError as exc:
        raise fail("unreadable", f"cannot read the file: {exc.strerror or exc}", label) from None
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
    if raw.startswith(GZIP_MAGIC):
        src.data = _gunzip(raw, label)
        src.container = "gzip"
        src.name = path.name[:-3] if path.name.lower().endswith(".gz") else path.stem
        if not src.data:
            raise fail("empty-file", "the compressed file is empty", label)
    elif raw.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)) and _zip_kind(raw) == "zip":
        _unzip_member(src, options.get("member"))
    return src


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


def _gunzip(raw: bytes, label: str) -> bytes:
    try:
        d = zlib.decompressobj(wbits=31)
        out = d.decompress(raw, _MAX_DECOMPRESSED)
        if d.unconsumed_tail:
            raise fail("too-large", "decompresses to more than 4 GiB", label)
        if not d.eof:
            raise fail("corrupt-archive", "the gzip file is truncated", label)
        return out
    except (zlib.error, gzip.BadGzipFile, EOFError) as exc:
        raise fail("corrupt-archive", f"the gzip file is damaged ({exc})", label) from None


def _zip_members(zf: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    return [
        i
        for i in zf.infolist()
        if not i.is_dir()
        and not i.filename.startswith("__MACOSX/")
        and not PurePosixPath(i.filename).name.startswith(".")
    ]


def _unzip_member(src: Source, wanted: str | None) -> None:
    from booking_desktop.readers.base import format_for_path

    label = src.path.name
    try:
        with zipfile.ZipFile(io.BytesIO(src.data)) as zf:
            members = _zip_members(zf)
            if wanted:
                chosen = [m for m in members if m.filename == wanted or PurePosixPath(m.filename).name == wanted]
                if not chosen:
                    names = ", ".join(m.filename for m in members) or "none"
                    raise fail("zip-member-not-found", f"no member {wanted!r} in the archive (members: {names})", label)
            else:
                chosen = [m for m in members if format_for_path(Path(m.filename)) is not None]
                if len(chosen) != 1:
                    names = ", ".join(m.filename for m in members) or "none"
                    what = "no data file" if not chosen else "several data files"
                    raise fail(
                        "zip-ambiguous",
                        f"the archive holds {what} (members: {names}); choose one with the 'member' option",
                        label,
                    )
            info = chosen[0]
            if info.file_size > _MAX_DECOMPRESSED:
                raise fail("too-large", f"{info.filename} decompresses to more than 4 GiB", label)
            data = zf.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise fail("corrupt-archive", f"the zip archive is damaged or unsupported ({exc})", label) from None
    except RuntimeError as exc:  # zipfile raises RuntimeError for encrypted members
        raise fail("encrypted-archive", f"the zip archive is password-protected ({exc})", label) from None
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
            if "mimetype" in names and zf.read("mimetype").startswith(
                b"application/vnd.oasis.opendocument.spreadsheet"
            ):
                return "ods"
            if "word/document.xml" in names or "ppt/presentation.xml" in names:
                return "office-other"
            return "zip"
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError):
        return "corrupt-zip"


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
