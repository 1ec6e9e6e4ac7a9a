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
    n = len(frame)
    if name not in frame.columns:
        return pa.nulls(n, STR)
    s = frame[name]
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


def present(arr: pa.Array) -> np.ndarray:
    """Not null and not empty."""
    return to_bool(pc.greater(pc.utf8_length(arr), 0))


def matches(arr: pa.Array, pattern: str) -> np.ndarray:
    """Full match of ``pattern`` (anchors added), null as False."""
    if not pattern.startswith("^"):
        pattern = "^(?:" + pattern + ")$"
    return to_bool(pc.match_substring_regex(arr, pattern))


def where(mask: np.ndarray, arr: pa.Array) -> pa.Array:
    """``arr`` where ``mask`` else null."""
    return pc.if_else(pa.array(mask, pa.bool_()), arr, pa.scalar(None, arr.type))


def to_int(arr: pa.Array, ok: np.ndarray) -> np.ndarray:
    """Cast digit strings to int64 where ``ok`` (0 elsewhere).  Caller guarantees they fit."""
    out = pc.cast(where(ok, arr), pa.int64())
    return np.asarray(pc.fill_null(out, 0).to_numpy(zero_copy_only=False), dtype=np.int64)


def delete_chars(arr: pa.Array, chars: str) -> pa.Array:
    """Remove every byte of ``chars`` (ASCII) from each string, on the raw buffers.

    Regex replacement costs ~0.3 s per million strings; masking bytes of the
    data buffer with numpy costs a few milliseconds.
    """
    arr = arr.cast(STR)
    if len(arr) == 0:
        return arr
    offsets_buf, data_buf = arr.buffers()[1], arr.buffers()[2]
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    start, stop = int(offsets[0]), int(offsets[-1])
    data = np.frombuffer(data_buf, dtype=np.uint8)[start:stop] if data_buf is not None else np.empty(0, np.uint8)
    keep = ~np.isin(data, np.frombuffer(chars.encode("ascii"), dtype=np.uint8))
    kept = np.concatenate(([0], np.cumsum(keep, dtype=np.int64)))
    new_offsets = kept[offsets - start]
    new_data = data[keep]
    out = pa.LargeStringArray.from_buffers(len(arr), pa.py_buffer(new_offsets), pa.py_buffer(new_data.tobytes()))
    return pc.if_else(arr.is_null(), pa.scalar(None, STR), out)


def join(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of arrays and constant strings (null stays null)."""
    args = [p if not isinstance(p, str) else pa.scalar(p, STR) for p in parts]
    args = [a.cast(STR) if isinstance(a, pa.Array) and a.type != STR else a for a in args]
    return pc.binary_join_element_wise(*args, pa.scalar("", STR))


def to_series(arr: pa.Array) -> pd.Series:
    """Arrow strings -> pandas ``str`` Series (no per-cell Python objects)."""
    return pd.Series(pd.array(arr, dtype="str"))


def days_in_month(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    dim = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
    m = np.clip(month, 1, 12) - 1
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    return dim[m] + ((m == 1) & leap)
