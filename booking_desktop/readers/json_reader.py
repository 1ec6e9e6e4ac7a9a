"""JSON: an array of objects, JSON Lines (NDJSON), or records nested under a key.

Numbers are kept as the exact text the file has (``1234.50`` stays
``1234.50``), which is why the parser is told to hand floats and ints over
as strings.  The records are the largest array of objects in the document
unless ``record_path`` (``$.data.bookings`` or ``data.bookings``) says where.
Nested objects become dotted columns (``guest.name``); arrays of scalars are
joined with ``"; "`` (or kept as JSON text with ``arrays="json"``); arrays
of objects are kept as JSON text.

An array of arrays is a table whose first array is the header (``[["ref",
"guest"], ["B1", "Ann"]]``), and so is pandas' ``orient="split"`` document
(``{"columns": [...], "data": [[...]]}``).  A string longer than the cell
limit is refused by a chunked scan before the document is parsed.
"""

from __future__ import annotations

import codecs
import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from booking_desktop.errors import Problem
from booking_desktop.readers.base import Locations, RawTable, SourceInfo
from booking_desktop.readers.cleaning import (
    MAX_CELL_CHARS,
    MAX_ROW_PROBLEMS,
    check_width,
    clean_headers,
    frame_from_columns,
    null_values,
    too_large_cell,
)
from booking_desktop.readers.encoding import strip_stray_marks, to_utf8
from booking_desktop.readers.source import Source, fail, load_source, utf16_without_bom, warning

_LINES_EXT = (".ndjson", ".jsonl")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class JsonReader:
    format = "json"
    extensions = (".json", ".ndjson", ".jsonl", ".geojson")

    def read(self, path: Path, options: dict[str, Any]) -> RawTable:
        return self.read_source(load_source(path, options), options)

    def read_source(self, src: Source, options: dict[str, Any]) -> RawTable:
        label = src.label
        ascii_based = not src.data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        ascii_based = ascii_based and not utf16_without_bom(src.data[:4096])
        if ascii_based and len(src.data) > MAX_CELL_CHARS:
            _check_long_strings(src.data, label)  # before decoding: a 500 MB string is never copied
        dec = strip_stray_marks(to_utf8(src.data, label, options.get("encoding")), label, nul=False)
        if not ascii_based and len(dec.data) > MAX_CELL_CHARS:
            _check_long_strings(dec.data, label)
        text = dec.data.decode("utf-8")
        info = SourceInfo(path=src.path, format="json", encoding=dec.encoding)
        problems = list(dec.problems)
        lines_mode = Path(src.name).suffix.lower() in _LINES_EXT
        doc: Any = None
        if not lines_mode:
            try:
                doc = _loads(text)
            except json.JSONDecodeError as exc:
                if exc.msg != "Extra data" or not _first_line_is_value(text):
                    raise _malformed(exc, label) from None
                lines_mode = True
        if lines_mode:
            items, numbers = _json_lines(text, label)
            info.format = "ndjson"
            info.record_path = None
            template = "line {}"
        else:
            path, items = _find_records(doc, options.get("record_path"), label)
            info.record_path = path
            numbers = np.arange(len(items), dtype=np.int64)
            template = path.replace("{", "{{").replace("}", "}}") + "[{}]"
            table = _table_of_arrays(doc, path, items)
            if table is not None:
                return _read_table(table, template, info, problems, options, label)
        arrays_as_json = options.get("arrays", "join") == "json"
        rows: list[dict[str, str | None]] = []
        kept: list[int] = []
        skipped: list[int] = []
        for n, item in zip(numbers.tolist(), items, strict=True):
            if isinstance(item, dict):
                flat: dict[str, str | None] = {}
                _flatten(item, "", flat, arrays_as_json)
                rows.append(flat)
                kept.append(n)
            else:
                skipped.append(n)
        if skipped:
            where = template.format(skipped[0])
            problems.append(
                warning("not-a-record", f"{len(skipped)} item(s) are not objects and were skipped", label, where)
            )
        raw_names: dict[str, None] = {}
        for r in rows:
            for k in r:
                raw_names.setdefault(k, None)
        keys = list(raw_names)
        columns = [[r.get(k) for r in rows] for k in keys]
        names, hp = clean_headers(keys, label, info.record_path or "")
        frame = frame_from_columns(names, columns, null_values(options))
        return RawTable(frame, Locations(template, np.asarray(kept, dtype=np.int64)), info, problems + hp)


class _Number(str):
    """A JSON number kept as its source text (``1234.50``), told apart from a string."""

    __slots__ = ()


def _loads(text: str) -> Any:
    return json.loads(text, parse_float=_Number, parse_int=_Number, parse_constant=_Number)


def _to_json(v: Any) -> str:
    """JSON text of a parsed value with numbers as written (``json.dumps`` would quote them)."""
    if isinstance(v, _Number):
        return str.__str__(v)
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {_to_json(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_to_json(x) for x in v) + "]"
    return json.dumps(v, ensure_ascii=False)


def _malformed(exc: json.JSONDecodeError, label: str, line: int | None = None):
    where = f"line {line if line is not None else exc.lineno} column {exc.colno}"
    return fail("malformed-json", f"malformed JSON: {exc.msg}", label, where)


def _first_line_is_value(text: str) -> bool:
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    try:
        _loads(first)
    except json.JSONDecodeError:
        return False
    return True


def _json_lines(text: str, label: str) -> tuple[list[Any], np.ndarray]:
    items: list[Any] = []
    numbers: list[int] = []
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(_loads(line))
        except json.JSONDecodeError as exc:
            raise _malformed(exc, label, line=i) from None
        numbers.append(i)
    return items, np.asarray(numbers, dtype=np.int64)


def _find_records(doc: Any, record_path: str | None, label: str) -> tuple[str, list[Any]]:
    if record_path:
        keys = _parse_path(record_path)
        node = doc
        for k in keys:
            if isinstance(node, dict) and k in node:
                node = node[k]
            elif isinstance(node, list) and k.isdigit() and int(k) < len(node):
                node = node[int(k)]
            else:
                raise fail("record-path-not-found", f"record_path {record_path!r} is not in the document", label)
        if isinstance(node, dict):
            node = [node]
        if not isinstance(node, list):
            raise fail("record-path-not-found", f"record_path {record_path!r} is not an array of records", label)
        return _format_path(keys), node
    if isinstance(doc, dict) and not any(isinstance(v, list | dict) for v in doc.values()):
        return "$", [doc]  # a single record
    if isinstance(doc, list) and doc and all(isinstance(x, list) for x in doc):
        return "$", doc  # a table of arrays (see _table_of_arrays)
    best: tuple[int, list[str], list[Any]] = (-1, [], [])
    stack: list[tuple[list[str], Any]] = [([], doc)]
    while stack:
        keys, node = stack.pop()
        if isinstance(node, list):
            n_obj = sum(1 for x in node if isinstance(x, dict))
            if n_obj > best[0] or (n_obj == best[0] and len(keys) < len(best[1])):
                best = (n_obj, keys, node)
            if n_obj <= 1:
                stack.extend(([*keys, str(i)], x) for i, x in enumerate(node) if isinstance(x, dict | list))
        elif isinstance(node, dict):
            stack.extend(([*keys, k], v) for k, v in node.items() if isinstance(v, dict | list))
    if best[0] <= 0:
        return "$", doc if isinstance(doc, list) else []  # no records: a no-records warning follows
    return _format_path(best[1]), best[2]


def _parse_path(path: str) -> list[str]:
    p = path.strip()
    if p.startswith("$"):
        p = p[1:]
    p = re.sub(r"\[(\d+)\]", r".\1", p)
    p = re.sub(r"\[['\"](.*?)['\"]\]", r".\1", p)
    return [k for k in p.split(".") if k]


def _format_path(keys: list[str]) -> str:
    out = "$"
    for k in keys:
        if k.isdigit():
            out += f"[{k}]"
        elif _KEY.match(k):
            out += f".{k}"
        else:
            out += f"[{json.dumps(k)}]"
    return out


def _flatten(obj: dict, prefix: str, out: dict[str, str | None], arrays_as_json: bool) -> None:
    for k, v in obj.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            if v:
                _flatten(v, key + ".", out, arrays_as_json)
            else:
                out[key] = None
        elif isinstance(v, list):
            if not arrays_as_json and all(not isinstance(x, dict | list) for x in v):
                out[key] = "; ".join(_scalar(x) or "" for x in v if x is not None) or None
            else:
                out[key] = _to_json(v)
        else:
            out[key] = _scalar(v)


def _scalar(v: object) -> str | None:
    if v is None:
        return None
    if v is True:
        return "true"
    if v is False:
        return "false"
    return str(v)


#: Bytes a JSON string of MAX_CELL_CHARS characters can take at most (a surrogate pair escape,
#: ``\\ud83d\\ude00``, is 12 bytes for one character).
_MAX_STRING_BYTES = 12 * MAX_CELL_CHARS


def _check_long_strings(data: bytes, label: str, step: int = 8 << 20) -> None:
    """Refuse a string longer than the cell limit without parsing: every unescaped quote opens or
    closes a string, so the quote positions, chunk by chunk, give each string's length.  A string
    still open past the byte bound is refused at once, whatever the rest of the file holds."""
    arr = np.frombuffer(data, dtype=np.uint8)
    inside, opened = False, -1
    for start in range(0, len(arr), step):
        quotes = np.flatnonzero(arr[start : start + step] == 0x22) + start
        if quotes.size:
            escaped = quotes[(quotes > 0) & (arr[np.maximum(quotes - 1, 0)] == 0x5C)]
            if escaped.size:
                odd = [q for q in escaped.tolist() if _backslashes_before(data, q) % 2]
                quotes = np.setdiff1d(quotes, np.asarray(odd, dtype=np.int64), assume_unique=True)
        bounds = quotes.tolist()
        if inside:
            bounds = [opened, *bounds]
        pairs = np.asarray(bounds[: len(bounds) // 2 * 2], dtype=np.int64).reshape(-1, 2)
        if pairs.size:
            lengths = pairs[:, 1] - pairs[:, 0] - 1
            for i in np.flatnonzero(lengths > MAX_CELL_CHARS).tolist():
                a, b = int(pairs[i, 0]), int(pairs[i, 1])
                if b - a - 1 > _MAX_STRING_BYTES or len(json.loads(data[a : b + 1])) > MAX_CELL_CHARS:
                    raise _string_too_long(data, a, label)
        inside = len(bounds) % 2 == 1
        if inside:
            opened = bounds[-1]
            if start + step - opened > _MAX_STRING_BYTES:
                raise _string_too_long(data, opened, label)


def _backslashes_before(data: bytes, pos: int) -> int:
    n = 0
    while pos - n - 1 >= 0 and data[pos - n - 1] == 0x5C:
        n += 1
    return n


def _string_too_long(data: bytes, at: int, label: str) -> Exception:
    line = data.count(b"\n", 0, at) + 1
    column = at - (data.rfind(b"\n", 0, at) + 1) + 1
    return too_large_cell(label, f"line {line} column {column}")


def _table_of_arrays(doc: Any, path: str, items: list[Any]) -> tuple[list[Any], list[Any], int] | None:
    """(header, rows, index of the first row) when the records are arrays under a header array."""
    if path == "$" and isinstance(doc, dict):
        cols, data = doc.get("columns"), doc.get("data")
        if isinstance(cols, list) and isinstance(data, list) and all(isinstance(r, list) for r in data):  # noqa: SIM102
            if all(not isinstance(c, dict | list) for c in cols):
                return cols, data, 0
    if not items or not all(isinstance(x, list) for x in items):
        return None
    header = items[0]
    if not header or not all(c is None or (isinstance(c, str) and not isinstance(c, _Number)) for c in header):
        return None
    return header, items[1:], 1


def _read_table(
    table: tuple[list[Any], list[Any], int],
    template: str,
    info: SourceInfo,
    problems: list[Problem],
    options: dict[str, Any],
    label: str,
) -> RawTable:
    header, rows, first = table
    split = first == 0  # {"columns": [...], "data": [[...]]}
    if split:
        template = "$.data[{}]"
        info.record_path = "$.data"
    check_width(len(header), label, info.record_path or "$")
    ncols = len(header)
    columns: list[list[str | None]] = [[] for _ in range(ncols)]
    ragged: list[Problem] = []
    for k, row in enumerate(rows):
        if len(row) != ncols and len(ragged) <= MAX_ROW_PROBLEMS:
            fix = "extra values were dropped" if len(row) > ncols else "the missing cells are empty"
            p = warning(
                "ragged-row",
                f"{len(row)} values where the header has {ncols}; {fix}",
                label,
                template.format(k + first),
            )
            ragged.append(Problem(**{**p.as_dict(), "severity": p.severity, "row": k + 1}))
        for col, v in zip(columns, [*row[:ncols], *[None] * (ncols - len(row))], strict=True):
            col.append(_to_json(v) if isinstance(v, dict | list) else _scalar(v))
    if len(ragged) > MAX_ROW_PROBLEMS:
        ragged = ragged[:MAX_ROW_PROBLEMS]
        ragged.append(warning("ragged-row", "more rows have the wrong number of values", label))
    names, hp = clean_headers([_scalar(h) for h in header], label, template.format(0) if not split else "$.columns")
    frame = frame_from_columns(names, columns, null_values(options))
    numbers = np.arange(first, first + len(rows), dtype=np.int64)
    info.extra["header"] = "$.columns" if split else template.format(0)
    return RawTable(frame, Locations(template, numbers), info, problems + hp + ragged)
