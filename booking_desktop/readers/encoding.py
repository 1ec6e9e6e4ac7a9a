"""Decoding text files to UTF-8 bytes.

The CSV parser (pyarrow) reads UTF-8 bytes directly, so the common case --
a UTF-8 file -- costs nothing here: it is handed over as is and pyarrow
validates it while parsing.  Everything else is transcoded once:

* a BOM decides (UTF-8, UTF-16 LE/BE); UTF-16 without a BOM is recognised by
  its NUL bytes;
* valid UTF-8 stays UTF-8;
* bytes that are not UTF-8 anywhere are a legacy single-byte encoding:
  charset-normalizer picks among the usual ones, cp1252 when in doubt;
* a file that is UTF-8 in most lines but has some cp1252 lines (two exports
  pasted together) is decoded line by line and the lines are reported in an
  ``encoding`` warning.
"""

from __future__ import annotations

import codecs
import threading
from dataclasses import dataclass, field

import numpy as np

from booking_desktop.errors import Problem
from booking_desktop.readers.source import fail, utf16_without_bom, warning

_LEGACY = ("cp1252", "latin_1", "iso8859_15", "cp1250", "iso8859_2", "mac_roman", "cp850")
_MAX_LISTED_LINES = 10
_BOM = codecs.BOM_UTF8
#: More NUL bytes than this past the sniffed start (not counting padding at the end): not a text file.
_MAX_NUL_BYTES = 1000


@dataclass
class Decoded:
    data: bytes  # UTF-8, without BOM
    encoding: str  # what the file was: "utf-8", "utf-8-sig", "utf-16-le", "cp1252", "utf-8+cp1252"...
    problems: list[Problem] = field(default_factory=list)


def to_utf8(data: bytes, label: str, encoding: str | None = None, assume_utf8: bool = False) -> Decoded:
    """UTF-8 bytes of ``data``.

    ``encoding`` forces a codec.  ``assume_utf8`` skips validation of BOM-less
    bytes (the caller validates while parsing and comes back on failure).
    """
    if encoding:
        try:
            text = data.decode(encoding)
        except LookupError:
            raise fail("encoding", f"unknown encoding {encoding!r}", label) from None
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise fail("encoding", f"not valid {encoding} ({exc.reason})", label, f"line {line}") from None
        return Decoded(text.lstrip("\ufeff").encode("utf-8"), encoding)
    if data.startswith(codecs.BOM_UTF8):
        dec = to_utf8(data[3:], label, assume_utf8=assume_utf8)
        dec.encoding = "utf-8-sig" if dec.encoding == "utf-8" else dec.encoding
        return dec
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return _transcode(data[2:], enc, label)
    utf16 = utf16_without_bom(data[:4096])
    if utf16:
        return _transcode(data, utf16, label)
    if assume_utf8 or _is_utf8(data):
        return Decoded(data, "utf-8")
    return _legacy_or_mixed(data, label)


def _transcode(data: bytes, enc: str, label: str) -> Decoded:
    text = data.decode(enc, errors="replace")
    problems = []
    if "\ufffd" in text:
        line = text.count("\n", 0, text.index("\ufffd")) + 1
        problems.append(
            warning("encoding", f"some bytes are not valid {enc} and were replaced by �", label, f"line {line}")
        )
    return Decoded(text.encode("utf-8"), enc, problems)


def _is_utf8(data: bytes) -> bool:
    try:
        codecs.decode(data, "utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _legacy_or_mixed(data: bytes, label: str) -> Decoded:
    arr = np.frombuffer(data, dtype=np.uint8)
    high = arr >= 0x80
    # Lead bytes of 2-4 byte UTF-8 sequences followed by a continuation byte:
    # a file with none of them was never UTF-8 anywhere.
    lead = (arr[:-1] >= 0xC2) & (arr[:-1] <= 0xF4) & ((arr[1:] & 0xC0) == 0x80)
    if high.any() and lead.any() and not data.decode("utf-8", errors="ignore").isascii():
        return _mixed(data, label)
    return _legacy(data, label)


def _legacy(data: bytes, label: str) -> Decoded:
    """cp1252 (the usual Western Windows export) unless another code page reads differently and better."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    enc = "cp1252"
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000], cp_isolation=list(_LEGACY)).best()
    except (ImportError, LookupError, ValueError):
        best = None
    if best is not None and best.encoding != "cp1252":
        guess = data.decode(best.encoding, errors="replace")
        if text is None or guess != text:
            enc, text = best.encoding, guess
    if text is None:
        enc, text = "latin_1", data.decode("latin_1")  # decodes every byte
    return Decoded(text.encode("utf-8"), codecs.lookup(enc).name)


_state = threading.local()


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    _state.offsets.append(exc.start)
    return bad.decode("cp1252", errors="replace").replace("\ufffd", bad.decode("latin_1")), exc.end


codecs.register_error("booking-desktop-cp1252", _cp1252_fallback)


def _mixed(data: bytes, label: str) -> Decoded:
    _state.offsets = []
    try:
        text = data.decode("utf-8", errors="booking-desktop-cp1252")
        offsets = np.asarray(_state.offsets, dtype=np.int64)
    finally:
        _state.offsets = []
    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    lines = np.unique(np.searchsorted(newlines, offsets) + 1)
    shown = ", ".join(str(int(n)) for n in lines[:_MAX_LISTED_LINES])
    more = f" and {len(lines) - _MAX_LISTED_LINES} more" if len(lines) > _MAX_LISTED_LINES else ""
    where = f"line {shown}" if len(lines) == 1 else f"lines {shown}{more}"
    problem = warning(
        "encoding",
        f"the file mixes encodings: {where} {'is' if len(lines) == 1 else 'are'} not UTF-8 and "
        f"{'was' if len(lines) == 1 else 'were'} read as Windows-1252; check those values",
        label,
        where,
    )
    return Decoded(text.encode("utf-8"), "utf-8+cp1252", [problem])


def strip_stray_marks(dec: Decoded, label: str, nul: bool = True) -> Decoded:
    """Remove byte-order marks (U+FEFF) inside the text and, with ``nul``, NUL bytes, and say where.

    A BOM in the middle of a file comes from pasting one export after another: left in, it
    glues an invisible character to a value (``"\\ufeffR000000003"`` is another booking reference
    than ``R000000003``).  A NUL byte is never part of a value either.  Both are removed with an
    ``encoding`` warning that names the lines.  A file with many NUL bytes past its start (a
    binary file behind a text header) is refused as ``binary-file``; a run of NUL bytes at the end
    (a file pre-allocated and not filled, e.g. after a crash) is reported as padding.
    """
    data = dec.data
    problems: list[Problem] = []
    if data.find(b"\xef") >= 0 and data.find(_BOM) >= 0:  # memchr first: two-byte finds are 6x slower
        lines = _lines_of(data, _BOM)
        data = data.replace(_BOM, b"")
        problems.append(
            warning(
                "encoding",
                f"{lines[1]} byte-order mark(s) (U+FEFF) inside the file were removed from "
                f"{_listed(lines[0])}; was one export pasted after another?",
                label,
                _listed(lines[0][:1]),
            )
        )
    if nul and data.find(b"\x00") >= 0:
        body = data.rstrip(b"\x00")
        padding = len(data) - len(body)
        total = body.count(b"\x00")
        if total > _MAX_NUL_BYTES:
            first = body.count(b"\n", 0, body.find(b"\x00")) + 1
            raise fail(
                "binary-file",
                f"the file holds {total:,} NUL bytes from line {first} on: not a text export "
                "(binary data, or a damaged file)",
                label,
                f"line {first}",
            )
        if total:
            lines = _lines_of(body, b"\x00")
            problems.append(
                warning(
                    "encoding",
                    f"{total} NUL byte(s) inside values were removed from {_listed(lines[0])}",
                    label,
                    _listed(lines[0][:1]),
                )
            )
        if padding:
            last = body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
            problems.append(
                warning(
                    "encoding",
                    f"the file ends with {padding:,} NUL byte(s) after line {last} (padding of a file "
                    "that was not written to the end?); they were ignored",
                    label,
                    f"line {last}",
                )
            )
        data = body.replace(b"\x00", b"")
    if not problems:
        return dec
    return Decoded(data, dec.encoding, [*dec.problems, *problems])


def _lines_of(data: bytes, needle: bytes) -> tuple[list[int], int]:
    """(first physical lines holding ``needle``, up to the listing limit + 1; how many there are)."""
    nl = b"\n" if b"\n" in data else b"\r"
    lines: list[int] = []
    total = data.count(needle)
    pos, line = 0, 1
    while len(lines) <= _MAX_LISTED_LINES:
        hit = data.find(needle, pos)
        if hit < 0:
            break
        line += data.count(nl, pos, hit)
        if not lines or lines[-1] != line:
            lines.append(line)
        pos = hit + len(needle)
    return lines, total


def _listed(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:_MAX_LISTED_LINES])
    more = " and more" if len(lines) > _MAX_LISTED_LINES else ""
    return f"line {shown}" if len(lines) == 1 else f"lines {shown}{more}"
