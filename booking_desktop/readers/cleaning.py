"""What every reader does to cells and headers once they are parsed.

Cells stay pyarrow strings from parse to DataFrame: trimming and turning
null tokens into missing values are whole-column pyarrow kernels, and the
frame wraps the arrays without copying (``large_string`` is what pandas'
``str`` dtype holds).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from booking_desktop.errors import Problem
from booking_desktop.readers.source import fail, warning

#: Cell texts read as "missing" (after trimming).  ``NA`` is among them because
#: exports use it for "not available" far more often than for Namibia; pass
#: ``null_values`` to a reader to change the list.
DEFAULT_NULL_VALUES: tuple[str, ...] = (
    "",
    "NULL",
    "null",
    "Null",
    "N/A",
    "n/a",
    "NA",
    "#N/A",
    "None",
    "none",
    "nan",
    "NaN",
    "-",
    "--",
    "(null)",
)
STR_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)
#: Every character Python's ``str.strip()`` removes (``str.isspace``): cells are trimmed of
#: exactly these, so that reader and mapping agree on what a clean cell is.
WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
#: A booking export has tens of columns; past this the file is refused at once (10,000 columns
#: took minutes to map) -- usually the delimiter is wrong or the file is not a table of bookings.
MAX_COLUMNS = 1_000
#: Longest cell accepted (characters).  A booking value is a few hundred characters at most; a
#: 100 MB "cell" is a broken or hostile file and is refused while parsing, not held in memory.
MAX_CELL_CHARS = 1_000_000
#: Rows reported one by one (ragged rows) before "N more".
MAX_ROW_PROBLEMS = 100
#: Lines listed in a notice before "and N more".
MAX_LISTED_LINES = 10
_TOTAL_WORDS = re.compile(r"^\s*(grand\s+)?(total|totals|sum|summe|totaal|totale?|gesamt)\b\s*:?", re.IGNORECASE)


def null_values(options: dict) -> list[str]:
    given = options.get("null_values")
    values = list(DEFAULT_NULL_VALUES if given is None else [given] if isinstance(given, str) else given)
    extra = options.get("extra_null_values") or ()
    values += [extra] if isinstance(extra, str) else list(extra)
    return values


def needs_trim(arr: pa.ChunkedArray | pa.Array) -> bool:
    """True when some value may start or end with whitespace (Python's ``str.isspace``).

    Looks only at the first and last byte of each value, straight from the
    Arrow buffers (a few ms per million values, where trimming costs ~20 ms).
    A multi-byte character is judged by its lead byte or last byte: a false
    "maybe" only costs a trim.
    """
    return _probe(arr, empties=False)


def _chunks(arr: pa.ChunkedArray | pa.Array) -> list[pa.Array]:
    return list(arr.chunks) if isinstance(arr, pa.ChunkedArray) else [arr]


def _string_buffers(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray | None] | None:
    """(int64 offsets, uint8 data, validity or None when no nulls) of a string chunk."""
    if len(chunk) == 0:
        return None
    if pa.types.is_string(chunk.type):
        offs = np.frombuffer(chunk.buffers()[1], dtype=np.int32, count=len(chunk) + 1, offset=chunk.offset * 4)
        offs = offs.astype(np.int64)
    else:
        offs = np.frombuffer(chunk.buffers()[1], dtype=np.int64, count=len(chunk) + 1, offset=chunk.offset * 8)
    data_buf = chunk.buffers()[2]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, dtype=np.uint8)
    valid = None if chunk.null_count == 0 else np.asarray(chunk.is_valid().to_numpy(zero_copy_only=False), bool)
    return offs, data, valid


def is_clean_text(arr: pa.ChunkedArray | pa.Array) -> bool:
    """True when no value is empty or may start/end with whitespace, so that
    ``str.strip()`` followed by blank -> NA would change nothing.

    Reads only the first and last bytes of each value from the Arrow buffers
    (a few ms per million values, where the strip costs ~100 ms and copies the
    column).  Unicode spaces are recognised by their UTF-8 lead byte; a false
    "maybe" only costs the strip.  Cells a reader produced are usually clean.
    """
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return False
    return not _probe(arr, empties=True)


def _probe(arr: pa.ChunkedArray | pa.Array, empties: bool) -> bool:
    """Some value may start or end with whitespace (or, with ``empties``, is "")."""
    for chunk in _chunks(arr):
        bufs = _string_buffers(chunk)
        if bufs is None:
            continue
        offs, data, valid = bufs
        starts, ends = offs[:-1], offs[1:]
        if valid is not None:
            starts, ends = starts[valid], ends[valid]
        blank = ends <= starts
        if blank.any():
            if empties:
                return True
            starts, ends = starts[~blank], ends[~blank]
        if starts.size == 0:
            continue
        if _maybe_space_lead(data[starts]).any():
            return True
        last = data[ends - 1]
        if (last <= 0x20).any():
            return True
        high = np.flatnonzero(last >= 0x80)  # last byte of a multi-byte character
        if high.size:
            e = ends[high]
            two = data[np.maximum(e - 2, 0)]
            three = data[np.maximum(e - 3, 0)]
            if ((e - starts[high] >= 2) & (two == 0xC2)).any() or (
                (e - starts[high] >= 3) & (three >= 0xE1) & (three <= 0xE3)
            ).any():
                return True
    return False


def _maybe_space_lead(b: np.ndarray) -> np.ndarray:
    """ASCII controls and space (0x1C-0x1F count as whitespace too), or the lead byte of
    U+0085/U+00A0 (0xC2), U+1680 (0xE1), U+2000.. (0xE2), U+3000 (0xE3)."""
    return (b <= 0x20) | (b == 0xC2) | ((b >= 0xE1) & (b <= 0xE3))


def clean_array(
    arr: pa.ChunkedArray | pa.Array, nulls: Sequence[str], nulls_done: bool = False, trim: bool | None = None
) -> pa.ChunkedArray | pa.Array:
    """Trim surrounding whitespace and turn null tokens into missing.

    ``nulls_done``: the parser already nulled exact tokens, so untrimmed
    columns need no second pass.  ``trim``: the result of :func:`needs_trim`
    when the caller already has it.
    """
    if not pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.large_string())
    trimmed = needs_trim(arr) if trim is None else trim
    if trimmed:
        arr = pc.ascii_trim_whitespace(arr)  # UTF-8 safe: multi-byte sequences hold no ASCII bytes
        if needs_trim(arr):
            arr = pc.utf8_trim(arr, WHITESPACE)  # NBSP, other Unicode spaces, \x1c-\x1f: what str.strip() strips
    if trimmed or not nulls_done:
        mask = pc.is_in(arr, value_set=pa.array(list(nulls), pa.large_string()))
        if pc.any(mask).as_py():
            arr = pc.if_else(mask, pa.scalar(None, pa.large_string()), arr)
    return arr


def clean_arrays(
    arrays: Sequence[pa.ChunkedArray | pa.Array], nulls: Sequence[str], nulls_done: bool = False
) -> list[pa.ChunkedArray | pa.Array]:
    """:func:`clean_array` over columns; columns that need work run in threads
    (pyarrow kernels release the GIL), clean ones cost one probe each."""
    arrays = [a if pa.types.is_large_string(a.type) else a.cast(pa.large_string()) for a in arrays]
    if len(arrays) > 1 and sum(len(a) for a in arrays) >= 1_000_000:  # numpy gathers release the GIL
        with ThreadPoolExecutor(max_workers=min(len(arrays), os.cpu_count() or 2)) as pool:
            trims = list(pool.map(needs_trim, arrays))
    else:
        trims = [needs_trim(a) for a in arrays]
    work = [i for i, t in enumerate(trims) if t or not nulls_done]
    out = list(arrays)
    if len(work) < 2 or sum(len(arrays[i]) for i in work) < 200_000:
        for i in work:
            out[i] = clean_array(arrays[i], nulls, nulls_done, trims[i])
        return out
    with ThreadPoolExecutor(max_workers=min(len(work), os.cpu_count() or 2)) as pool:
        done = pool.map(lambda i: clean_array(arrays[i], nulls, nulls_done, trims[i]), work)
        for i, arr in zip(work, done, strict=True):
            out[i] = arr
    return out


def clean_headers(raw: Sequence[object], label: str, where: str) -> tuple[list[str], list[Problem]]:
    """Unique, non-blank, trimmed column names (``name``, ``name_2``; ``column_3``).

    Raises ReadError ``too-many-columns`` past :data:`MAX_COLUMNS`."""
    check_width(len(raw), label, where)
    names = [" ".join(str(h).split()) if h is not None else "" for h in raw]
    names = [n.lstrip("\ufeff") for n in names]
    problems: list[Problem] = []
    blanks = [i for i, n in enumerate(names) if not n]
    for i in blanks:
        names[i] = f"column_{i + 1}"
    if blanks:
        cols = ", ".join(names[i] for i in blanks)
        problems.append(
            warning("blank-header", f"{len(blanks)} column(s) have no header and were named {cols}", label, where)
        )
    seen: dict[str, int] = {}
    taken = set(names)
    renamed: list[str] = []
    for i, n in enumerate(names):
        key = n.casefold()
        if key not in seen:
            seen[key] = 1
            continue
        k = seen[key]
        while True:
            k += 1
            cand = f"{n}_{k}"
            if cand not in taken:
                break
        seen[key] = k
        taken.add(cand)
        names[i] = cand
        renamed.append(f"{n!r} → {cand!r}")
    if renamed:
        problems.append(
            warning("duplicate-header", f"duplicate column headers were renamed: {', '.join(renamed)}", label, where)
        )
    return names, problems


def check_width(ncols: int, label: str, where: str | None = None) -> None:
    if ncols > MAX_COLUMNS:
        raise fail(
            "too-many-columns",
            f"{ncols:,} columns where a booking export has at most {MAX_COLUMNS:,}; "
            "check the delimiter, or that this is a table of bookings",
            label,
            where or None,
        )


def too_large_cell(label: str, where: str, column: str | None = None) -> Exception:
    col = f" in column {column!r}" if column else ""
    return fail(
        "cell-too-large",
        f"a value{col} is longer than {MAX_CELL_CHARS:,} characters; no booking value is that long "
        "(a damaged file, a quote never closed, or not a booking export?)",
        label,
        where,
    )


def listed_lines(lines: Sequence[int] | np.ndarray, word: str = "line") -> str:
    """``line 4`` / ``lines 4, 9 and 3 more``."""
    shown = ", ".join(str(int(n)) for n in lines[:MAX_LISTED_LINES])
    more = f" and {len(lines) - MAX_LISTED_LINES} more" if len(lines) > MAX_LISTED_LINES else ""
    return f"{word} {shown}" if len(lines) == 1 else f"{word}s {shown}{more}"


def empty_rows(arrays: Sequence[pa.ChunkedArray | pa.Array]) -> tuple[np.ndarray, np.ndarray]:
    """(blank, comment) boolean masks over the rows of cleaned columns.

    blank: every cell is missing -- a row of only delimiters (``,,,``), quoted empties or null
    tokens, which would otherwise become a record of "required" errors.  comment: the first
    cell starts with ``#`` and every other cell is missing (``# generated by ...``); with one
    column a ``#`` value is data.
    """
    if not arrays:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    n = len(arrays[0])
    rest = np.ones(n, dtype=bool)
    for arr in arrays[1:]:
        if arr.null_count:
            rest &= np.asarray(pc.is_null(arr).to_numpy(zero_copy_only=False), dtype=bool)
        else:
            return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        if not rest.any():
            return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    first = arrays[0]
    first_null = np.asarray(pc.is_null(first).to_numpy(zero_copy_only=False), dtype=bool)
    blank = rest & first_null
    comment = np.zeros(n, dtype=bool)
    if len(arrays) > 1:
        hashes = pc.fill_null(pc.starts_with(first, "#"), False)
        comment = rest & np.asarray(hashes.to_numpy(zero_copy_only=False), dtype=bool)
    return blank, comment


def empty_row_problems(
    blank: np.ndarray,
    comment: np.ndarray,
    lines: np.ndarray,
    label: str,
    more_comments: Sequence[int] = (),
    what: str = "line",
) -> list[Problem]:
    """Notices for the rows :func:`empty_rows` found (``lines``: where each row is;
    ``more_comments``: lines of comments a parser already left out)."""
    out: list[Problem] = []
    if blank.any():
        at = lines[blank]
        out.append(
            warning(
                "blank-row",
                f"{len(at)} row(s) with no values (only delimiters, empty quotes or null tokens) were skipped: "
                f"{listed_lines(at, what)}",
                label,
                f"{what} {int(at[0])}",
            )
        )
    if comment.any() or len(more_comments):
        at = np.sort(np.concatenate((lines[comment], np.asarray(more_comments, dtype=np.int64))))
        out.append(
            warning(
                "comment-row",
                f"{len(at)} row(s) that start with # and hold nothing else were skipped as comments: "
                f"{listed_lines(at, what)}",
                label,
                f"{what} {int(at[0])}",
            )
        )
    return out


def frame_from_arrays(names: Sequence[str], arrays: Sequence[pa.ChunkedArray | pa.Array]) -> pd.DataFrame:
    data = {name: pd.Series(arr, dtype=STR_DTYPE, copy=False) for name, arr in zip(names, arrays, strict=True)}
    if not data:
        return pd.DataFrame(index=pd.RangeIndex(0))
    frame = pd.DataFrame(data, copy=False)
    frame.index = pd.RangeIndex(len(frame))
    return frame


def frame_from_columns(
    names: Sequence[str], columns: Sequence[Sequence[str | None]], nulls: Sequence[str]
) -> pd.DataFrame:
    """Frame from Python lists of text (Excel, JSON, XML), cleaned like CSV cells."""
    arrays = clean_arrays([pa.array(col, pa.large_string()) for col in columns], nulls)
    return frame_from_arrays(names, arrays)


def find_header_row(rows: Sequence[Sequence[object]], limit: int = 30) -> int:
    """Index of the header among the first rows.

    Title rows ("Bookings export March", "Generated on ...") above the header
    fill at most a third of the table's width; the header is the first row
    filled more than that.  Conservative on purpose: a header with a few
    blank names must not lose to the first data row.  ``header_row`` overrides.
    """
    sample = rows[:limit]
    counts = [sum(1 for c in r if not _blank(c)) for r in sample]
    if not counts:
        return 0
    width = max(counts)
    sparse = max(1, width // 3)
    for i, n in enumerate(counts):
        if n > sparse or (n and width <= 1):
            return i
    return 0


def _blank(c: object) -> bool:
    return c is None or (isinstance(c, str) and not c.strip())


def totals_row_kind(cells: Sequence[str | None]) -> str | None:
    """Why a (last) row looks like a totals row, or None.

    Either its first filled cell says Total/Totals/Sum, or it is mostly
    empty and every filled cell is a number (a row of column sums).
    """
    filled = [c for c in cells if c is not None and str(c).strip()]
    if not filled:
        return None
    if _TOTAL_WORDS.match(str(filled[0])):
        return f"its first cell is {str(filled[0]).strip()!r}"
    if len(cells) >= 3 and len(filled) <= len(cells) / 3 and all(_is_number(c) for c in filled):
        return "it holds only numbers in a mostly empty row"
    return None


def _is_number(c: object) -> bool:
    try:
        float(str(c).replace(",", "").replace(" ", ""))
    except ValueError:
        return False
    return True
