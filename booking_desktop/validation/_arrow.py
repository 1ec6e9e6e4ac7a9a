"""Column helpers on pyarrow string arrays.

Validation works on the pyarrow arrays behind the pandas ``str`` columns:
pyarrow.compute kernels (RE2 regexes, casts, lookups) run over a million
strings in milliseconds and create no Python object per cell.  Everything
here takes and returns whole columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

STR = pa.large_string()


def text_column(frame: pd.DataFrame, name: str) -> pa.Array:
    """The column as a (non-chunked) ``large_string`` array; absent columns are all-null."""
    return series_text(frame[name] if name in frame.columns else None, len(frame))


def series_text(s: pd.Series | None, n: int) -> pa.Array:
    """:func:`text_column` of one column (None: absent, ``n`` nulls).  Combining the
    chunks copies the column, so callers run this on worker threads."""
    if s is None:
        return pa.nulls(n, STR)
    if s.dtype != "str":
        s = s.astype("str")
    arr = pa.array(s.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    if arr.type != STR:
        arr = arr.cast(STR)
    return arr


def to_bool(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Arrow boolean -> numpy bool, null as False."""
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def _offsets(arr: pa.Array) -> np.ndarray:
    """The int64 offsets of a ``large_string`` array (zero-copy view)."""
    return np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]


def _data(arr: pa.Array) -> np.ndarray:
    """The UTF-8 data buffer as uint8 (empty when the array has no data buffer)."""
    buf = arr.buffers()[2]
    return np.frombuffer(buf, dtype=np.uint8) if buf is not None else np.zeros(0, dtype=np.uint8)


def valid(arr: pa.Array) -> np.ndarray:
    if arr.null_count == 0:
        return np.ones(len(arr), dtype=bool)
    if arr.null_count == len(arr):
        return np.zeros(len(arr), dtype=bool)
    return np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)


def byte_lengths(arr: pa.Array) -> np.ndarray:
    """UTF-8 byte length per string (0 for null), from the offsets buffer."""
    if len(arr) == 0 or arr.null_count == len(arr):
        return np.zeros(len(arr), dtype=np.int64)
    return np.diff(_offsets(arr)) * valid(arr)


def char_lengths(arr: pa.Array) -> np.ndarray:
    """Characters per string (0 for null)."""
    return np.asarray(pc.fill_null(pc.utf8_length(arr), 0).to_numpy(zero_copy_only=False), dtype=np.int64)


def present(arr: pa.Array) -> np.ndarray:
    """Not null and not empty."""
    return byte_lengths(arr) > 0


def byte_table(chars: str) -> np.ndarray:
    table = np.zeros(256, dtype=bool)
    table[np.frombuffer(chars.encode("ascii"), dtype=np.uint8)] = True
    return table


DIGITS = byte_table("0123456789")


def byte_flags(data: np.ndarray, table: np.ndarray) -> np.ndarray:
    """``table[data]`` for a 256-entry bool lookup.

    A table that is one run of byte values plus at most two more (digits,
    digits and ".", a single byte) is evaluated with vectorized comparisons,
    several times faster than a gather through the table.
    """
    members = np.flatnonzero(table)
    if members.size > 128:  # "anything but ...": flag the few excluded bytes instead
        return ~byte_flags(data, ~table)
    if members.size == 0:
        return np.zeros(data.size, dtype=bool)
    breaks = np.flatnonzero(np.diff(members) != 1)
    starts = np.concatenate(([0], breaks + 1))
    stops = np.concatenate((breaks + 1, [members.size]))
    longest = int(np.argmax(stops - starts))
    lo, hi = int(members[starts[longest]]), int(members[stops[longest] - 1])
    others = np.concatenate((members[: starts[longest]], members[stops[longest] :]))
    if others.size > 2:
        # np.take widens the byte indices to intp (8x the data); slices keep that temporary small
        # enough for malloc to reuse (a fresh 100+ MB block costs more in page faults than the lookup)
        out = np.empty(data.size, dtype=bool)
        for i in range(0, data.size, _SLICE):
            np.take(table, data[i : i + _SLICE], out=out[i : i + _SLICE])
        return out
    flags = (data - np.uint8(lo)) <= np.uint8(hi - lo)  # uint8 arithmetic wraps below lo
    for b in others:
        flags |= data == np.uint8(b)
    return flags


def count_bytes_not_in(arr: pa.Array, table: np.ndarray, ignore_first: np.ndarray | None = None) -> np.ndarray:
    """Per string, how many bytes are outside ``table`` (a 256-entry bool lookup).

    A whole-buffer numpy pass: the cheap first filter before any regex (a
    column of plain digits needs no regex at all).  ``ignore_first``: rows
    whose first byte is not counted (a leading ``+``).  When outside bytes are
    rare (the usual, clean case) they are attributed to their strings by
    binary search instead of a running count over every byte.
    """
    n = len(arr)
    if n == 0 or arr.null_count == n:
        return np.zeros(n, dtype=np.int64)
    counted = np.flatnonzero(~table)
    if counted.size == 1 and counted[0] < 0x80 and ignore_first is None:  # one ASCII byte: arrow counts it
        found = pc.count_substring(arr, bytes([int(counted[0])]).decode("ascii"))
        return np.asarray(pc.fill_null(found, 0).to_numpy(zero_copy_only=False), dtype=np.int64)
    offsets = _offsets(arr)
    data = _data(arr)[offsets[0] : offsets[-1]]
    rel = offsets - offsets[0]
    outside = ~byte_flags(data, table)
    if ignore_first is not None:
        skip = rel[:-1][ignore_first & (rel[1:] > rel[:-1])]
        outside[skip] = False
    hits = np.count_nonzero(outside)
    if hits == 0:
        return np.zeros(n, dtype=np.int64)
    if hits <= n // 4:
        rows = np.searchsorted(rel, np.flatnonzero(outside), side="right") - 1
        return np.bincount(rows, minlength=n).astype(np.int64) * valid(arr)
    counts = np.zeros(n, dtype=np.int64)
    step = 1 << 16  # rows per slice: the running count stays small (see byte_flags)
    for r0 in range(0, n, step):
        r1 = min(r0 + step, n)
        b0, b1 = int(rel[r0]), int(rel[r1])
        dtype = np.int32 if b1 - b0 < 2**31 - 1 else np.int64
        running = np.zeros(b1 - b0 + 1, dtype=dtype)
        np.cumsum(outside[b0:b1], dtype=dtype, out=running[1:])
        counts[r0:r1] = running[rel[r0 + 1 : r1 + 1] - b0] - running[rel[r0:r1] - b0]
    return counts * valid(arr)


_SLICE = 1 << 20


def byte_from_start(arr: pa.Array, k: int) -> np.ndarray:
    """Byte ``k`` (0-based) of each string; 0 if too short/null."""
    return _byte_at(arr, k, from_end=False)


def _byte_at(arr: pa.Array, k: int, from_end: bool) -> np.ndarray:
    n = len(arr)
    if n == 0 or arr.null_count == n:
        return np.zeros(n, dtype=np.uint8)
    offsets = _offsets(arr)
    data = _data(arr)
    if from_end:
        pos = offsets[1:] - k
        inside = pos >= offsets[:-1]
    else:
        pos = offsets[:-1] + k
        inside = pos < offsets[1:]
    ok = inside & valid(arr)
    if not ok.any():
        return np.zeros(n, dtype=np.uint8)
    return np.where(ok, data[np.where(ok, pos, 0)], 0).astype(np.uint8)


def matches_some(arr: pa.Array, candidates: np.ndarray, pattern: str) -> np.ndarray:
    """``matches`` evaluated only on the rows in ``candidates`` (False elsewhere)."""
    out = np.zeros(len(arr), dtype=bool)
    idx = np.flatnonzero(candidates)
    if idx.size:
        out[idx] = matches(arr.take(pa.array(idx)), pattern)
    return out


def byte_from_end(arr: pa.Array, k: int) -> np.ndarray:
    """The byte ``k`` positions before the end of each string (``k=1``: last byte); 0 if too short/null."""
    return _byte_at(arr, k, from_end=True)


def matches(arr: pa.Array, pattern: str) -> np.ndarray:
    """``pattern`` found in the string (JSON Schema ``pattern`` semantics: anchor it
    with ``^...$`` for a full match), null as False.  RE2 syntax."""
    return to_bool(pc.match_substring_regex(arr, pattern))


def is_ascii(arr: pa.Array) -> bool:
    """No byte of any value is >= 0x80 (one pass over the data buffer)."""
    if len(arr) == 0 or arr.null_count == len(arr):
        return True
    offsets = _offsets(arr)
    data = _data(arr)[offsets[0] : offsets[-1]]
    return not data.size or int(data.max()) < 0x80


def lower(arr: pa.Array) -> pa.Array:
    """``utf8_lower``; the ASCII kernel (10x faster) when every byte is ASCII, where both agree."""
    return pc.ascii_lower(arr) if is_ascii(arr) else pc.utf8_lower(arr)


def upper(arr: pa.Array) -> pa.Array:
    """``utf8_upper``; the ASCII kernel when every byte is ASCII, where both agree."""
    return pc.ascii_upper(arr) if is_ascii(arr) else pc.utf8_upper(arr)


def where(mask: np.ndarray, arr: pa.Array) -> pa.Array:
    """``arr`` where ``mask`` else null (no copy when ``mask`` keeps every non-null value)."""
    if np.array_equal(mask, valid(arr)):
        return arr
    return pc.if_else(pa.array(mask, pa.bool_()), arr, pa.scalar(None, arr.type))


def to_int(arr: pa.Array, ok: np.ndarray) -> np.ndarray:
    """Cast digit strings to int64 where ``ok`` (0 elsewhere).  Caller guarantees they fit."""
    if not ok.any():
        return np.zeros(len(arr), dtype=np.int64)
    out = pc.cast(where(ok, arr), pa.int64())
    return np.array(pc.fill_null(out, 0).to_numpy(zero_copy_only=False), dtype=np.int64)  # writable copy


def delete_chars(arr: pa.Array, chars: str) -> pa.Array:
    """Remove every byte of ``chars`` (ASCII) from each string, on the raw buffers.

    Regex replacement costs ~0.3 s per million strings; masking bytes of the
    data buffer with numpy costs a few tens of milliseconds.
    """
    arr = arr.cast(STR)
    n = len(arr)
    if n == 0 or arr.null_count == n:
        return arr
    offsets = _offsets(arr)
    start, stop = int(offsets[0]), int(offsets[-1])
    data = _data(arr)[start:stop]
    drop = byte_flags(data, byte_table(chars))
    if not drop.any():
        return arr
    dropped = np.flatnonzero(drop)  # bytes dropped before each offset: a binary search, no running count
    new_offsets = (offsets - start) - np.searchsorted(dropped, offsets - start)
    new_data = data[~drop]
    out = pa.LargeStringArray.from_buffers(n, pa.py_buffer(new_offsets), pa.py_buffer(new_data))
    if arr.null_count:
        out = pc.if_else(arr.is_null(), pa.scalar(None, STR), out)
    return out


def scatter(base: pa.Array, rows: np.ndarray, values: pa.Array) -> pa.Array:
    """``base`` with ``values[i]`` at position ``rows[i]`` (one take, no per-row work)."""
    if rows.size == 0:
        return base
    n = len(base)
    index = np.arange(n, dtype=np.int64)
    index[rows] = n + np.arange(rows.size)
    return pa.concat_arrays([base.cast(STR), values.cast(STR)]).take(pa.array(index))


def join(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of arrays and constant strings (null stays null)."""
    args = [p if not isinstance(p, str) else pa.scalar(p, STR) for p in parts]
    args = [a.cast(STR) if isinstance(a, pa.Array) and a.type != STR else a for a in args]
    return pc.binary_join_element_wise(*args, pa.scalar("", STR))


def strictly_increasing(arr: pa.Array, max_width: int = 16) -> bool:
    """True when the (non-null) strings all have the same byte length, at most
    ``max_width``, and each sorts after the one before: then no value repeats.

    Such columns (``R000000001``, ``R000000002``, ...) are compared as pairs of
    big-endian 64-bit integers straight from the buffer; anything else says
    False and the caller hashes the values.
    """
    n = len(arr)
    if n < 2 or arr.null_count:
        return False
    offsets = _offsets(arr)
    width = int(offsets[1] - offsets[0])
    if width == 0 or width > max_width or offsets[-1] - offsets[0] != width * n:
        return False
    if not (np.diff(offsets) == width).all():
        return False
    block = _data(arr)[offsets[0] : offsets[-1]].reshape(n, width)
    padded = np.zeros((n, 16), dtype=np.uint8)
    padded[:, :width] = block
    hi = padded[:, :8].copy().view(">u8").ravel()
    lo = padded[:, 8:].copy().view(">u8").ravel()
    later = (hi[1:] > hi[:-1]) | ((hi[1:] == hi[:-1]) & (lo[1:] > lo[:-1]))
    return bool(later.all())


def to_series(arr: pa.Array) -> pd.Series:
    """Arrow strings -> pandas ``str`` Series (no per-cell Python objects)."""
    return pd.Series(pd.array(arr, dtype="str"))


def parse_ymd(arr: pa.Array, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(year, month, day, shaped) of strings in ``rows`` that start with ``DDDD-DD-DD``.

    Reads the first ten bytes straight from the string buffer (the caller
    guarantees at least ten bytes): no slicing, casting or regex.
    """
    if rows.size == 0:
        z = np.zeros(0, dtype=np.int32)
        return z, z, z, np.zeros(0, dtype=bool)
    data = _data(arr)
    offsets = _offsets(arr)
    base = offsets[:-1][rows]
    if rows.size == len(arr) and offsets[-1] - offsets[0] == 10 * rows.size:
        # every value is exactly ten bytes: the buffer itself is the (rows, 10) matrix
        block = data[offsets[0] : offsets[-1]].reshape(-1, 10)
    else:  # one (rows, 10) gather through a zero-copy sliding window over the buffer
        block = np.lib.stride_tricks.sliding_window_view(data, 10)[base]
    c = (block - np.uint8(48)).T.copy()  # (10, rows), contiguous per byte; "-" (45) wraps to 253
    shaped = (c[4] == 253) & (c[7] == 253)
    for k in (0, 1, 2, 3, 5, 6, 8, 9):
        shaped &= c[k] <= 9
    w = {k: c[k].astype(np.int32) for k in (0, 1, 2, 3, 5, 6, 8, 9)}  # row by row: small temporaries
    year = ((w[0] * 10 + w[1]) * 10 + w[2]) * 10 + w[3]
    return year, w[5] * 10 + w[6], w[8] * 10 + w[9], shaped


