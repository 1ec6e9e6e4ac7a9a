"""File readers: ``read_file(path) -> RawTable`` for CSV/TSV, Excel, JSON and XML.

The reader is chosen by the ``format`` argument, else by what the bytes are
(a workbook named ``.json`` is read as a workbook, with a warning), else by
the file extension.  ``.gz`` files and ``.zip`` archives holding one data
file are unwrapped first.  See ``docs/READERS.md`` for options and codes.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from booking_desktop.errors import Problem, ReadError
from booking_desktop.readers.base import (
    Locations,
    RawTable,
    Reader,
    SourceInfo,
    format_for_path,
    get_reader,
    register,
    supported_formats,
)
from booking_desktop.readers.cleaning import null_values, totals_row_kind
from booking_desktop.readers.source import Source, describe_binary, fail, load_source, sniff, warning

__all__ = [
    "CONTAINER_EXTENSIONS",
    "Locations",
    "RawTable",
    "ReadError",
    "SourceInfo",
    "openable_extensions",
    "read_file",
    "supported_extensions",
    "supported_formats",
]

#: format -> (module, class, extensions).  A reader's module is imported when a file of its format is
#: read: the XML readers pull in ElementTree and defusedxml, the workbook reader calamine (9 ms of every
#: CLI start for a CSV).  tests/readers/test_registry.py checks these extensions are the classes' own.
READERS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "csv": ("booking_desktop.readers.csv_reader", "CsvReader", (".csv", ".tsv", ".tab", ".txt", ".dat", ".psv")),
    "excel": ("booking_desktop.readers.excel_reader", "ExcelReader", (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")),
    "json": ("booking_desktop.readers.json_reader", "JsonReader", (".json", ".ndjson", ".jsonl", ".geojson")),
    "xml": ("booking_desktop.readers.xml_reader", "XmlReader", (".xml",)),
}


def _factory(module: str, name: str) -> Callable[[], Reader]:
    def make() -> Reader:
        cls: Callable[[], Reader] = getattr(importlib.import_module(module), name)
        return cls()

    return make


for _fmt, (_module, _name, _extensions) in READERS.items():
    register(_fmt, _extensions, _factory(_module, _name))

#: Extensions that say "some text" rather than a particular format: JSON or
#: XML content under these names is read as such without a warning.
_GENERIC_TEXT = {".txt", ".dat", ""}
_STRONG = {"xlsx": "excel", "ods": "excel", "xls": "excel", "json": "json", "xml": "xml"}
_KNOWN_OPTIONS = {
    "encoding", "delimiter", "quotechar", "header_row", "null_values", "extra_null_values", "sheet",
    "drop_totals_row", "record_path", "arrays", "member", "ota",
}  # fmt: skip
_EXPECTED = (
    ValueError,
    OSError,
    UnicodeError,
    KeyError,
    IndexError,
    TypeError,
    RecursionError,
    pa.ArrowException,
    zipfile.BadZipFile,
    zlib.error,
    json.JSONDecodeError,
)


def _expected() -> tuple[type[BaseException], ...]:
    """What a reader may raise for a bad file; ElementTree's ParseError once an XML reader loaded it
    (an ``except`` clause evaluates this only when something was raised)."""
    tree = sys.modules.get("xml.etree.ElementTree")
    return (*_EXPECTED, tree.ParseError) if tree is not None else _EXPECTED


def supported_extensions() -> dict[str, str]:
    from booking_desktop.readers.base import _BY_EXTENSION

    return dict(sorted(_BY_EXTENSION.items()))


CONTAINER_EXTENSIONS = (".gz", ".bz2", ".xz", ".zip")  # unwrapped by readers.source before parsing


def openable_extensions() -> list[str]:
    """Every file ending ``read_file`` opens (formats and the .gz/.zip containers), for file dialogs."""
    return [*supported_extensions(), *CONTAINER_EXTENSIONS]


def read_file(path: str | Path, options: dict[str, Any] | None = None, format: str | None = None) -> RawTable:
    """Read one vendor export into a :class:`RawTable`.

    Raises :class:`ReadError` (one line naming the file and place) when the
    file cannot be read; recoverable findings are warnings in
    ``RawTable.problems``.
    """
    given = dict(options or {})
    if format:
        given["format"] = format
    options = dict(given)
    fmt_opt = options.pop("format", None)
    format = format or fmt_opt
    path = Path(path)
    unknown = sorted(set(options) - _KNOWN_OPTIONS)
    if path.is_dir() or (not options.get("member") and path.suffix.lower() == ".zip" and _zip_is_batch(path)):
        return _read_batch(path, options, given, unknown)  # a folder or zip of OTA messages
    src = load_source(path, options)
    problems: list[Problem] = list(src.problems)
    if unknown:
        problems.append(warning("unknown-option", f"ignored unknown option(s): {', '.join(unknown)}", src.label))
    if not src.data[:4096].strip() and not src.data.strip():
        raise fail("empty-file", "the file holds only whitespace", src.label)
    fmt = _choose_format(src, format, problems)
    by_ext = format_for_path(Path(src.name))
    try:
        raw = _read_as(fmt, src, options)
    except ReadError as exc:
        # "[" or "<" at the start made it look like JSON/XML, but the name says otherwise
        specific = by_ext not in (None, fmt) and Path(src.name).suffix.lower() not in _GENERIC_TEXT
        if not (fmt in ("json", "xml") and specific and not format) or by_ext is None:
            raise
        if exc.problem.code not in ("malformed-json", "malformed-xml"):
            raise
        problems = [p for p in problems if p.code != "extension-mismatch"]
        fmt = by_ext
        raw = _read_as(fmt, src, options)
    # every reader builds its frame with cleaning.clean_arrays: trimmed like str.strip(), and blank
    # cells missing unless the caller's null tokens leave "" out
    raw.cells_clean = "" in null_values(options)
    raw.source.extra["options"] = given  # as asked (callers compare it with a profile's options)
    raw.source.size = src.size
    raw.source.stat = src.stat
    raw.source.hash_job = src.hash_job
    if src.container:
        raw.source.extra["container"] = src.container
        raw.source.extra["member"] = src.name
        raw.source.extra["content_sha256"] = hashlib.sha256(src.data).hexdigest()
    if fmt in ("csv", "excel"):
        raw = _totals_row(raw, src, bool(options.get("drop_totals_row", False)))
    raw.problems = problems + raw.problems
    if len(raw.frame) == 0 and not any(p.code == "no-records" for p in raw.problems):
        what = "only a header" if raw.columns else "no records"
        raw.problems.append(warning("no-records", f"the file has {what}; nothing to import", src.label))
    return raw


def _zip_is_batch(path: Path) -> bool:
    from booking_desktop.readers.batch import zip_is_batch

    return zip_is_batch(path)


def _read_batch(path: Path, options: dict[str, Any], given: dict[str, Any], unknown: list[str]) -> RawTable:
    from booking_desktop.readers.batch import read_batch

    raw = read_batch(path, options)
    raw.cells_clean = "" in null_values(options)
    raw.source.extra["options"] = given
    if unknown:
        raw.problems.insert(0, warning("unknown-option", f"ignored unknown option(s): {', '.join(unknown)}", path.name))
    if len(raw.frame) == 0 and not any(p.code == "no-records" for p in raw.problems):
        raw.problems.append(warning("no-records", "the messages hold no reservations; nothing to import", path.name))
    return raw


def _read_as(fmt: str, src: Source, options: dict[str, Any]) -> RawTable:
    reader = get_reader(fmt)
    read_source = getattr(reader, "read_source", None)
    try:
        return read_source(src, options) if read_source else reader.read(src.path, options)
    except ReadError:
        raise
    except MemoryError:
        raise fail("too-large", "not enough memory to read the file", src.label) from None
    except _expected() as exc:
        raise fail("unreadable", f"cannot read the file as {fmt}: {exc}", src.label) from None


def _choose_format(src: Source, explicit: str | None, problems: list[Problem]) -> str:
    label = src.label
    if explicit:
        fmt = _alias(explicit)
        if fmt not in supported_formats():
            raise fail("unsupported-format", f"unsupported format {explicit!r}; {_supported()}", label)
    ext = Path(src.name).suffix.lower()
    by_ext = format_for_path(Path(src.name))
    kind = sniff(src.data)
    if kind == "encrypted-workbook":
        raise fail("encrypted-workbook", "the workbook is password-protected; save it without a password", label)
    if kind == "corrupt-zip":
        if by_ext == "excel" or explicit == "excel":
            raise fail("corrupt-workbook", "the workbook is truncated or damaged (not a complete XLSX file)", label)
        raise fail("corrupt-archive", "the file is a truncated or damaged zip archive", label)
    if kind in ("office-other", "ole-other"):
        raise fail("unsupported-format", f"an Office document that is not a workbook; {_supported()}", label)
    if kind == "html":
        raise fail("unsupported-format", f"an HTML page, not a data export; {_supported()}", label)
    if kind == "binary":
        what = describe_binary(src.data)
        code = "binary-file" if (by_ext or explicit) else "unsupported-format"
        raise fail(code, f"the file holds {what}, not text or a workbook; {_supported()}", label)
    if explicit:
        if kind in ("xlsx", "xls", "ods") and fmt != "excel":
            raise fail("extension-mismatch", f"the file is an {kind.upper()} workbook, not {fmt}", label)
        return fmt
    strong = _STRONG.get(kind)
    if by_ext is None:
        if strong:
            problems.append(
                warning("extension-mismatch", f"unknown extension {ext or '(none)'}; read as {strong}", label)
            )
            return strong
        raise fail("unsupported-format", f"unknown extension {ext or '(none)'}; {_supported()}", label)
    if strong and strong != by_ext:
        if ext not in _GENERIC_TEXT:
            problems.append(
                warning("extension-mismatch", f"named {ext} but the content is {kind}; read as {strong}", label)
            )
        return strong
    if by_ext == "excel" and kind == "text":
        problems.append(warning("extension-mismatch", f"named {ext} but the content is delimited text", label))
        return "csv"
    return by_ext


def _alias(fmt: str) -> str:
    f = fmt.lower().lstrip(".")
    aliases = {"tsv": "csv", "txt": "csv", "xlsx": "excel", "xlsm": "excel", "xls": "excel", "ods": "excel"}
    aliases |= {"ndjson": "json", "jsonl": "json"}
    return aliases.get(f, f)


def _supported() -> str:
    exts = " ".join(supported_extensions())
    return f"supported formats: {', '.join(supported_formats())} ({exts}, also inside .gz, .bz2, .xz or .zip)"


def _totals_row(raw: RawTable, src: Source, drop: bool) -> RawTable:
    if len(raw.frame) < 2:
        return raw
    last = raw.frame.iloc[-1]
    cells = [None if v is None or (not isinstance(v, str) and np.isnan(v)) else str(v) for v in last.tolist()]
    why = totals_row_kind(cells)
    if why is None:
        return raw
    where = raw.locations[len(raw.frame) - 1]
    if drop:
        raw.frame = raw.frame.iloc[:-1].reset_index(drop=True)
        raw.locations = raw.locations.take(np.arange(len(raw.frame)))
        raw.problems.append(warning("totals-row", f"dropped the last row as a totals row ({why})", src.label, where))
    else:
        raw.problems.append(
            warning(
                "totals-row",
                f"the last row looks like a totals row ({why}); set drop_totals_row to drop it",
                src.label,
                where,
            )
        )
    return raw
