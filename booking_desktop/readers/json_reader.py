"""JSON: an array of objects, JSON Lines (NDJSON), or records nested under a key.

Numbers are kept as the exact text the file has (``1234.50`` stays
``1234.50``), which is why the parser is told to hand floats and ints over
as strings.  The records are the largest array of objects in the document
unless ``record_path`` (``$.data.bookings`` or ``data.bookings``) says where.
Nested objects become dotted columns (``guest.name``); arrays of scalars are
joined with ``"; "`` (or kept as JSON text with ``arrays="json"``); arrays
of objects are kept as JSON text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from booking_desktop.readers.base import Locations, RawTable, SourceInfo
from booking_desktop.readers.cleaning import clean_headers, frame_from_columns, null_values
from booking_desktop.readers.encoding import to_utf8
from booking_desktop.readers.source import Source, fail, load_source, warning

_LINES_EXT = (".ndjson", ".jsonl")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class JsonReader:
    format = "json"
    extensions = (".json", ".ndjson", ".jsonl", ".geojson")

    def read(self, path: Path, options: dict[str, Any]) -> RawTable:
        return self.read_source(load_source(path, options), options)

    def read_source(self, src: Source, options: dict[str, Any]) -> RawTable:
        label = src.label
        dec = to_utf8(src.data, label, options.get("encoding"))
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


def _loads(text: str) -> Any:
    return json.loads(text, parse_float=str, parse_int=str, parse_constant=str)


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
                out[key] = json.dumps(v, ensure_ascii=False, default=str)
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
