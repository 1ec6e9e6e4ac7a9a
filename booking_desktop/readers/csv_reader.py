"""CSV / TSV / delimited text.

The fast path is pyarrow's multithreaded CSV parser with every column read
as ``large_string``; nothing in it runs Python per row.  Python's ``csv``
module only looks at the first 64 KiB (delimiter, title lines, header) and
takes over the whole file in the rare cases pyarrow cannot tell us enough:
rows with the wrong number of fields, or blank lines mixed with multi-line
quoted fields (the physical line numbers would be ambiguous).

Record locations are the physical line where a record starts.  Without
embedded newlines that is ``first_line + i``; otherwise the newlines inside
each record's values are counted with a pyarrow kernel and summed.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from booking_desktop.errors import Problem
from booking_desktop.readers.base import Locations, RawTable, SourceInfo
from booking_desktop.readers.cleaning import (
    MAX_CELL_CHARS,
    MAX_ROW_PROBLEMS,
    check_width,
    clean_arrays,
    clean_headers,
    empty_row_problems,
    empty_rows,
    find_header_row,
    frame_from_arrays,
    null_values,
    too_large_cell,
)
from booking_desktop.readers.encoding import Decoded, strip_stray_marks, to_utf8
from booking_desktop.readers.source import Source, fail, load_source, warning

SAMPLE_BYTES = 64 * 1024
BLOCK_SIZE = 8 << 20  # pyarrow parses blocks of this size in parallel
DELIMITERS = (",", ";", "\t", "|", ":", "^", "~")
_SEP_LINE = re.compile(r"^sep=(.)\s*$")
# A field past the limit stops Python's parser at once (csv.Error), so a 100 MB "cell" is
# refused while it is read instead of being built first.
csv.field_size_limit(MAX_CELL_CHARS)


class _SlowPath(Exception):
    """pyarrow's result cannot be trusted for this file; parse it with ``csv``."""


class CsvReader:
    format = "csv"
    extensions = (".csv", ".tsv", ".tab", ".txt", ".dat", ".psv")

    def read(self, path: Path, options: dict[str, Any]) -> RawTable:
        return self.read_source(load_source(path, options), options)

    def read_source(self, src: Source, options: dict[str, Any]) -> RawTable:
        forced = options.get("encoding")
        dec = to_utf8(src.data, src.label, forced, assume_utf8=True)
        try:
            return _read(src, dec, options)
        except _NotUtf8:
            if forced or dec.encoding not in ("utf-8", "utf-8-sig"):
                raise fail("encoding", "the file is not valid text in any encoding tried", src.label) from None
            bom = dec.encoding == "utf-8-sig"
            dec = to_utf8(src.data[3:] if bom else src.data, src.label)
            return _read(src, dec, options)


class _NotUtf8(Exception):
    pass


def _read(src: Source, dec: Decoded, options: dict[str, Any]) -> RawTable:
    label = src.label
    dec = strip_stray_marks(dec, label)
    data = dec.data
    sample = data[:SAMPLE_BYTES]
    truncated = len(data) > SAMPLE_BYTES
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if not truncated or exc.start < len(sample) - 4:
            raise _NotUtf8 from None
        text = sample[: exc.start].decode("utf-8")
    nl = "\n" if "\n" in text else ("\r" if "\r" in text else "\n")
    nl_b = nl.encode()
    skip_lines = 0
    first = text.split(nl, 1)[0].strip("\r")
    delimiter = options.get("delimiter")
    m = _SEP_LINE.match(first)
    if m:
        delimiter = delimiter or m.group(1)
        skip_lines = 1
        text = text.split(nl, 1)[1] if nl in text else ""
    quote = options.get("quotechar") or '"'
    if not delimiter:
        delimiter = detect_delimiter(text, quote, prefer_tab=Path(src.name).suffix.lower() in (".tsv", ".tab"))
    padded = _padded_quotes(data, delimiter, quote)
    records = _sample_records(text, delimiter, quote, truncated, skip_lines, padded)
    if not records:
        raise fail("empty-file", "the file holds no text", label)
    header_row = options.get("header_row")
    if header_row is not None:
        idx = next((i for i, r in enumerate(records) if r[0] == int(header_row)), None)
        if idx is None:
            raise fail("bad-option", f"header_row={header_row} is not the first line of a record", label)
    else:
        idx = find_header_row([r[2] for r in records])
    header_line, header_end, raw_names = records[idx]
    check_width(len(raw_names), label, f"line {header_line}")
    names, problems = clean_headers(raw_names, label, f"line {header_line}")
    problems = list(dec.problems) + problems
    offset = _offset_after_lines(data, nl_b, header_end)
    nulls = null_values(options)
    info = SourceInfo(
        path=src.path,
        format="csv",
        encoding=dec.encoding,
        delimiter=delimiter,
        header_row=header_line,
        extra={"quotechar": quote, "newline": {"\n": "LF", "\r": "CR"}[nl]},
    )
    if padded:
        info.extra["skipinitialspace"] = True
    if header_line > 1 + skip_lines and header_row is None:
        problems.append(
            warning("title-rows", f"skipped {header_line - 1} line(s) above the header", label, f"line {header_line}")
        )
    has_quotes = data.find(quote.encode(), offset) >= 0
    ragged: list[tuple[int, int, int]] = []
    comment_lines: list[int] = []
    try:
        if padded:
            raise _SlowPath  # `1, "a"`: only Python's parser skips the space before a quote
        with ThreadPoolExecutor(max_workers=1) as pool:  # count line ends while pyarrow parses
            line_ends = pool.submit(_count_byte, data, offset, nl_b)
            table = _arrow_parse(data, offset, len(names), delimiter, quote, nulls, has_quotes)
            ends = line_ends.result()
        numbers = _line_numbers(table, data, offset, nl_b, header_end + 1, quote, delimiter, ends)
        columns = table.columns
        if len(data) - offset > MAX_CELL_CHARS:
            _check_cell_size(columns, names, numbers, label)
    except _SlowPath:
        columns, numbers, ragged, comment_lines = _slow_parse(
            data, offset, len(names), header_end, delimiter, quote, padded, label
        )
        info.extra["slow_path"] = True
    arrays = clean_arrays(columns, nulls, nulls_done=not info.extra.get("slow_path"))
    if has_quotes:
        _check_unclosed_quote(arrays, numbers, data, quote, nl, label)
    blank, comment = empty_rows(arrays)
    skipped = blank | comment
    if skipped.any() or comment_lines:
        problems += empty_row_problems(blank, comment, numbers, label, comment_lines)
        keep = np.flatnonzero(~skipped)
        arrays = [a.take(pa.array(keep)) for a in arrays]
        numbers = numbers[keep]
        position = np.full(len(skipped), -1, dtype=np.int64)
        position[keep] = np.arange(len(keep))
        ragged = [(line, got, int(position[i])) for line, got, i in ragged if position[i] >= 0]
    problems += _ragged_problems(ragged, len(names), label)
    frame = frame_from_arrays(names, arrays)
    return RawTable(frame=frame, locations=Locations("line {}", numbers), source=info, problems=problems)


def _padded_quotes(data: bytes, delimiter: str, quote: str) -> bool:
    """True when a quoted field follows padding (``1, "Test line 1"``): pyarrow would keep the quotes
    and the doubled ``""`` as text.  Two ``bytes.find`` calls decide for nearly every file.  Spaces
    only: Python's ``skipinitialspace`` skips no tabs."""
    q = quote.encode()
    if delimiter == " " or data.find(q) < 0 or data.find(b" " + q) < 0:
        return False
    d = re.escape(delimiter.encode())
    return re.search(rb"(?:^|[\r\n]|" + d + rb") +" + re.escape(q), data) is not None


def _check_cell_size(columns: list[Any], names: list[str], numbers: np.ndarray, label: str) -> None:
    for name, col in zip(names, columns, strict=True):
        lengths = pc.binary_length(col)
        longest = pc.max(lengths).as_py()
        if longest is None or longest <= MAX_CELL_CHARS:
            continue
        chars = pc.utf8_length(col)
        if (pc.max(chars).as_py() or 0) > MAX_CELL_CHARS:
            row = int(np.argmax(np.asarray(pc.fill_null(chars, 0).to_numpy(zero_copy_only=False))))
            raise too_large_cell(label, f"line {int(numbers[row])}", name)


def detect_delimiter(text: str, quote: str = '"', prefer_tab: bool = False) -> str:
    """The candidate that splits the sample's lines into the same number (>1) of fields."""
    lines = text.splitlines()[:60]
    if len(text) >= SAMPLE_BYTES // 2 and len(lines) > 2:
        lines = lines[:-1]  # may be cut in the middle
    lines = [ln for ln in lines if ln.strip()]
    if not lines:
        return "\t" if prefer_tab else ","
    best, best_score = ("\t" if prefer_tab else ","), 0.0
    for d in DELIMITERS:
        counts = [len(r) for r in csv.reader(lines, delimiter=d, quotechar=quote)]
        mode, freq = Counter(counts).most_common(1)[0]
        if mode < 2:
            continue
        consistency = freq / len(counts)
        score = consistency**2 * mode * (1.5 if prefer_tab and d == "\t" else 1.0)
        if score > best_score:
            best, best_score = d, score
    return best


def _sample_records(
    text: str, delimiter: str, quote: str, truncated: bool, skip_lines: int, padded: bool = False
) -> list[tuple[int, int, list[str]]]:
    """(first line, last line, fields) of the first records, 1-based physical lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar=quote, skipinitialspace=padded)
    out: list[tuple[int, int, list[str]]] = []
    prev = 0
    try:
        for fields in reader:
            start = prev + 1
            prev = reader.line_num
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue
            out.append((start + skip_lines, prev + skip_lines, fields))
            if len(out) >= 40:
                break
    except csv.Error:
        pass  # a quoted field cut off by the sample's end
    if truncated and len(out) > 1 and len(out) < 40:
        out.pop()
    return out


def _offset_after_lines(data: bytes, nl: bytes, lines: int) -> int:
    pos = 0
    for _ in range(lines):
        nxt = data.find(nl, pos)
        if nxt < 0:
            return len(data)
        pos = nxt + 1
    return pos


def _arrow_parse(
    data: bytes, offset: int, ncols: int, delimiter: str, quote: str, nulls: list[str], has_quotes: bool
) -> pa.Table:
    """Every column as ``large_string``; exact null tokens already missing.

    ``newlines_in_values=True`` makes pyarrow 2-3x slower, so files with
    several columns are first parsed without it: when a block boundary falls
    inside a multi-line value pyarrow says so ("got out of sync with
    chunker", it cannot silently misalign rows of a fixed width) and the
    parse is repeated with it.  A one-column file can misalign silently, so
    it gets the safe setting at once.
    """
    buf = pa.py_buffer(data)
    if offset:
        buf = buf.slice(offset)
    cols = [f"c{i}" for i in range(ncols)]
    attempts = [False, True] if has_quotes and ncols > 1 else [has_quotes]
    for i, newlines_in_values in enumerate(attempts):
        try:
            return pacsv.read_csv(
                pa.BufferReader(buf),
                read_options=pacsv.ReadOptions(column_names=cols, use_threads=True, block_size=BLOCK_SIZE),
                parse_options=pacsv.ParseOptions(
                    delimiter=delimiter,
                    quote_char=quote,
                    double_quote=True,
                    newlines_in_values=newlines_in_values,
                    ignore_empty_lines=True,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={c: pa.large_string() for c in cols},
                    null_values=nulls,
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=True,
                    check_utf8=True,
                ),
            )
        except pa.ArrowInvalid as exc:
            text = str(exc)
            if "UTF8" in text or "UTF-8" in text:
                raise _NotUtf8 from None
            if i + 1 == len(attempts):
                raise _SlowPath from None
    raise _SlowPath  # pragma: no cover - the loop always returns or raises


def _check_unclosed_quote(arrays: list[Any], numbers: np.ndarray, data: bytes, quote: str, nl: str, label: str):
    """A quote that is never closed swallows every later line into the last
    record's value; both parsers accept that silently, so look for it."""
    if not len(numbers):
        return
    values = [a[len(numbers) - 1].as_py() for a in arrays]
    tail = data[-65536:].rstrip()
    if any(isinstance(v, str) and nl in v and tail.endswith(v.rstrip().encode()) for v in values):
        raise fail(
            "malformed-csv",
            "a quoted value starts here and is never closed, so the rest of the file would be lost",
            label,
            f"line {int(numbers[-1])}",
        )


def _count_byte(data: bytes, offset: int, nl: bytes) -> int:
    """``data.count(nl, offset)`` for a one-byte ``nl`` in slices that release the GIL."""
    arr = np.frombuffer(data, dtype=np.uint8)
    step = 8 << 20
    return sum(int(np.count_nonzero(arr[i : i + step] == nl[0])) for i in range(offset, len(arr), step))


def _line_numbers(
    table: pa.Table,
    data: bytes,
    offset: int,
    nl: bytes,
    first: int,
    quote: str,
    delimiter: str,
    line_ends: int | None = None,
) -> np.ndarray:
    """Physical line where each record starts.

    Plain files (as many line ends as records) need one ``bytes.count``.
    With multi-line values, the newlines inside each parsed value are counted
    straight from the Arrow buffers and accumulated.  Blank lines alone: the
    records start on the non-blank lines.  Both together: quote parity over
    the raw bytes (see :func:`_line_numbers_by_quotes`), else the exact slow path.
    """
    n = table.num_rows
    base = np.arange(first, first + n, dtype=np.int64)
    terminators = data.count(nl, offset) if line_ends is None else line_ends
    if len(data) > offset and not data.endswith(nl) and not data.endswith(b"\r\n"):
        terminators += 1
    if terminators == n:
        return base
    embedded = _embedded_newlines(table, nl[0])
    total = int(embedded.sum())
    if terminators == n + total:
        if n:
            base[1:] += np.cumsum(embedded)[:-1]
        return base
    if total:
        by_quotes = _line_numbers_by_quotes(data, offset, nl, quote, first, n, delimiter)
        if by_quotes is None:
            raise _SlowPath  # blank lines and multi-line values together
        return by_quotes
    arr = np.frombuffer(data, dtype=np.uint8, offset=offset)
    ends = np.flatnonzero(arr == nl[0])
    starts = np.concatenate(([0], ends + 1))
    starts = starts[starts < len(arr)]
    nxt = arr[starts]
    blank = (nxt == nl[0]) | ((nxt == 13) & (np.append(arr, 0)[np.minimum(starts + 1, len(arr))] == nl[0]))
    lines = np.flatnonzero(~blank) + first
    if len(lines) != n:
        raise _SlowPath
    return lines.astype(np.int64)


def _embedded_newlines(table: pa.Table, nl: int) -> np.ndarray:
    """Newline bytes inside each record's values, read from the Arrow data buffers."""
    counts = np.zeros(table.num_rows, dtype=np.int64)
    for col in table.columns:
        row0 = 0
        for chunk in col.chunks:
            size = len(chunk)
            bufs = chunk.buffers()
            if size and bufs[2] is not None:
                offs = np.frombuffer(bufs[1], dtype=np.int64, count=size + 1, offset=chunk.offset * 8)
                values = np.frombuffer(bufs[2], dtype=np.uint8)[offs[0] : offs[-1]]
                hits = np.flatnonzero(values == nl)
                if hits.size:
                    rows = np.searchsorted(offs, hits + offs[0], side="right") - 1
                    counts[row0 : row0 + size] += np.bincount(rows, minlength=size)[:size]
            row0 += size
    return counts


def _line_numbers_by_quotes(
    data: bytes, offset: int, nl: bytes, quote: str, first: int, n: int, delimiter: str
) -> np.ndarray | None:
    arr = np.frombuffer(data, dtype=np.uint8, offset=offset)
    if arr.size == 0 or len(quote.encode()) != 1 or len(delimiter.encode()) != 1:
        return None
    nlpos = np.flatnonzero(arr == nl[0])
    qpos = np.flatnonzero(arr == ord(quote))
    if not _quotes_toggle(arr, qpos, ord(delimiter)):
        return None
    inside = (np.searchsorted(qpos, nlpos) & 1).astype(bool)
    outer = np.flatnonzero(~inside)
    start_line = np.concatenate(([0], outer + 1))
    start_byte = np.concatenate(([0], nlpos[outer] + 1))
    keep = start_byte < arr.size
    start_line, start_byte = start_line[keep], start_byte[keep]
    c = arr[start_byte]
    blank = c == nl[0]
    if nl == b"\n":
        blank |= (c == 13) & (arr[np.minimum(start_byte + 1, arr.size - 1)] == 10)
    lines = start_line[~blank]
    if len(lines) != n:
        return None
    return (lines + first).astype(np.int64)


def _quotes_toggle(arr: np.ndarray, qpos: np.ndarray, delim: int) -> bool:
    """True when every quote opens a field or closes one (``""`` pairs count
    as close+open), i.e. the quote parity tells inside from outside."""
    if qpos.size == 0:
        return True
    if qpos.size % 2:
        return False
    bounds = np.zeros(256, dtype=bool)
    bounds[[delim, 10, 13]] = True
    padded = np.concatenate(([10], arr, [10]))  # start and end of data count as boundaries
    openers, closers = qpos[0::2], qpos[1::2]
    prev = padded[openers]  # byte before the opener (padded index = pos + 1 - 1)
    nxt = padded[closers + 2]
    ok_open = bounds[prev] | np.concatenate(([False], openers[1:] - 1 == closers[:-1]))
    ok_close = bounds[nxt] | np.concatenate((closers[:-1] + 1 == openers[1:], [False]))
    return bool(ok_open.all() and ok_close.all())


def _slow_parse(
    data: bytes,
    offset: int,
    ncols: int,
    header_end: int,
    delimiter: str,
    quote: str,
    padded: bool,
    label: str,
) -> tuple[list[pa.Array], np.ndarray, list[tuple[int, int, int]], list[int]]:
    """Python ``csv`` over the whole file: exact lines, tolerant of ragged rows.

    Returns the columns, the line of each record, the ragged rows as (line, fields, position) and
    the lines of short rows that start with ``#`` (comments, not records).
    """
    if len(data) - offset > MAX_CELL_CHARS:
        _check_runs(data, offset, delimiter, label)
    text = data[offset:].decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar=quote, skipinitialspace=padded)
    columns: list[list[str]] = [[] for _ in range(ncols)]
    numbers: list[int] = []
    ragged: list[tuple[int, int, int]] = []
    comments: list[int] = []
    prev = 0
    try:
        for fields in reader:
            start = prev + 1
            prev = reader.line_num
            if not fields or (len(fields) == 1 and not fields[0].strip() and ncols > 1):
                continue
            line = header_end + start
            if len(fields) != ncols:
                if len(fields) < ncols and ncols > 1 and fields[0].lstrip().startswith("#"):
                    comments.append(line)  # `# exported by X, page 2`: its commas make no record
                    continue
                ragged.append((line, len(fields), len(numbers)))
                fields = (fields + [""] * ncols)[:ncols]
            numbers.append(line)
            for col, v in zip(columns, fields, strict=True):
                col.append(v)
    except csv.Error as exc:
        where = f"line {header_end + prev + 1}"
        if "field larger than field limit" in str(exc):
            raise too_large_cell(label, where) from None
        raise fail("malformed-csv", str(exc), label, where) from None
    arrays = [pa.array(col, pa.large_string()) for col in columns]
    return arrays, np.asarray(numbers, dtype=np.int64), ragged, comments


def _check_runs(data: bytes, offset: int, delimiter: str, label: str, step: int = 8 << 20) -> None:
    """Refuse a field longer than the limit before Python's parser copies its line: a run of bytes
    without a delimiter or line end lies inside one field, whatever the quoting.  Chunked, so the
    scan needs a few MB whatever the file's size."""
    arr = np.frombuffer(data, dtype=np.uint8)
    stops = np.zeros(256, dtype=bool)
    stops[[10, 13, *delimiter.encode()[:1]]] = True
    last = offset - 1  # position of the last stop byte seen
    for start in range(offset, len(arr), step):
        hits = np.flatnonzero(stops[arr[start : start + step]]) + start
        bounds = np.concatenate(([last], hits))
        gaps = np.diff(bounds)
        if gaps.size and gaps.max() - 1 > MAX_CELL_CHARS:
            at = int(bounds[int(np.argmax(gaps))]) + 1
            break
        if hits.size:
            last = int(hits[-1])
        elif start + step - last - 1 > MAX_CELL_CHARS:
            at = last + 1
            break
    else:
        if len(arr) - last - 1 <= MAX_CELL_CHARS:
            return
        at = last + 1
    run = data[at : at + 4 * MAX_CELL_CHARS + 4].decode("utf-8", errors="replace")
    run = run[: MAX_CELL_CHARS + 1]
    if len(run.split(delimiter, 1)[0].splitlines()[0]) > MAX_CELL_CHARS:
        line = data.count(b"\n", 0, at) + 1
        raise too_large_cell(label, f"line {line}")


def _ragged_problems(ragged: list[tuple[int, int, int]], ncols: int, label: str) -> list[Problem]:
    problems: list[Problem] = []
    for k, (line, got, position) in enumerate(ragged):
        if k == MAX_ROW_PROBLEMS:
            problems.append(warning("ragged-row", f"{len(ragged) - k} more rows have the wrong field count", label))
            break
        fix = "extra values were dropped" if got > ncols else "the missing cells are empty"
        p = warning("ragged-row", f"{got} fields where the header has {ncols}; {fix}", label, f"line {line}")
        problems.append(Problem(**{**p.as_dict(), "severity": p.severity, "row": position + 1}))
    return problems
