"""validate() and revalidate_rows(): canonical text frame -> typed frame + problems.

Row-local checks (one field, or several fields of the same row) run over
whole columns; the only cross-row rule, ``duplicate_ref``, is computed with
integer factorization.  ``revalidate_rows`` re-runs the row-local checks on
the edited rows only and recomputes duplicates only among rows that share a
booking_ref with an edited row (before or after the edit), so a cell edit in a
million-row grid costs milliseconds, and the result equals a full
``validate`` of the edited frame.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from booking_desktop.errors import ProblemTable
from booking_desktop.schema import FieldSpec, Rules, load_schema
from booking_desktop.validation._arrow import (
    STR,
    join,
    present,
    series_text,
    strictly_increasing,
    text_column,
    to_series,
)
from booking_desktop.validation._checks import CHECKS, Checked, check_decimal
from booking_desktop.validation._problems import MessageFn, ProblemSink, SpreadSink, order_frame

# Re-validating more than this share of the rows is done as a full validation.
FULL_REVALIDATION_SHARE = 0.2
# Frames at least this long are checked on THREADS threads.
PARALLEL_MIN_ROWS = 100_000
THREADS = min(4, os.cpu_count() or 1)
# Edited string cells are spliced into the old column up to this many rows; MAX_CHUNKS bounds fragmentation.
PATCH_MAX_ROWS = 1_000
MAX_CHUNKS = 256
_NS_PER_DAY = 86_400 * 10**9
# Rough relative cost per field kind, to start the slow checks first on the pool.
_COST = {"decimal": 9, "datetime": 8, "phone": 6, "email": 5, "date": 4, "enum": 3, "integer": 2, "country": 2}


@dataclass
class ValidationResult:
    """Typed frame, problems and per-row flags (see docs/ARCHITECTURE.md)."""

    typed: pd.DataFrame
    problems: ProblemTable
    error_rows: np.ndarray  # bool per row: at least one error (row stays out of the commit)
    warning_rows: np.ndarray  # bool per row: at least one warning
    rules: Rules
    # Text of the uniqueness key columns (booking_ref, vendor) as validated: lets
    # revalidate_rows find the rows an edit can affect.
    key_text: dict[str, pa.Array] = field(default_factory=dict, repr=False, compare=False)

    @property
    def valid_rows(self) -> np.ndarray:
        return ~self.error_rows


def _default_rules(rules: Rules | None) -> Rules:
    return rules if rules is not None else load_schema().rules()


def _check_group(specs: list[FieldSpec], raw: dict[str, pa.Array], rows: np.ndarray, rules: Rules
                 ) -> tuple[dict[str, Checked], ProblemSink]:
    """Row-local checks of some fields (a decimal field after the currency it depends on)."""
    sink = ProblemSink(rows)
    checked: dict[str, Checked] = {}
    for spec in specs:
        col = raw[spec.name]
        pres = present(col)
        if spec.required:
            sink.add(~pres, spec.name, "required", spec.severity("required"), col, f"{spec.name} is required")
        if spec.kind == "decimal":
            cur = spec.extra.get("x-currency-precision", {}).get("currency_field")
            checked[spec.name] = check_decimal(spec, col, pres, sink, rules, checked.get(cur), raw.get(cur))
            continue
        distinct = _few_distinct(col) if spec.kind in _BY_VALUE or col.null_count == len(col) else None
        if distinct is None:
            checked[spec.name] = CHECKS[spec.kind](spec, col, pres, sink, rules)
        else:
            values, codes = distinct
            once = CHECKS[spec.kind](spec, values, present(values), SpreadSink(sink, codes), rules)
            checked[spec.name] = _spread(once, codes)
    return checked, sink


# Field kinds whose check is a function of the cell's value alone (nothing per row), so that a
# column with few distinct values is checked once per value; text kinds are cheaper than the encoding.
_BY_VALUE = frozenset({"date", "datetime", "enum", "currency", "country", "integer"})
BY_VALUE_MIN_ROWS = 20_000
_SAMPLE = 2_000


def _few_distinct(col: pa.Array) -> tuple[pa.Array, np.ndarray] | None:
    """(distinct values, value index per row) when a column of many rows holds few distinct
    values (dates, statuses, codes: judged on a sample first), else None.  Missing is one value."""
    n = len(col)
    if n < BY_VALUE_MIN_ROWS:
        return None
    if col.null_count == n:  # an unmapped column: one value, no encoding needed
        return pa.nulls(1, STR), np.zeros(n, dtype=np.intp)
    sample = col.take(pa.array(np.linspace(0, n - 1, _SAMPLE, dtype=np.int64)))
    if pc.count_distinct(sample, mode="all").as_py() > _SAMPLE // 2:
        return None
    encoded = pc.dictionary_encode(col, null_encoding="encode")
    if len(encoded.dictionary) > n // 20:
        return None
    return encoded.dictionary, np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.intp)


def _spread(once: Checked, codes: np.ndarray) -> Checked:
    """A check of the distinct values, expanded to one entry per row."""
    n = len(codes)
    single = len(once.ok) == 1  # every row holds the same value: repeat it, no gather
    take = None if single else pa.array(codes)

    def rows(x):
        if isinstance(x, pd.Series):
            if x.dtype == "str":  # arrow's take: pandas' costs twice as much on strings
                arr = pa.array(x.array)
                if single:
                    value = arr[0]
                    return to_series(pa.nulls(n, STR) if not value.is_valid else pa.repeat(value.cast(STR), n))
                return to_series(arr.take(take))
            return pd.Series(x.array.take(codes))
        return np.repeat(x, n) if single else x[codes]

    return Checked(rows(once.typed), np.repeat(once.ok, n) if single else once.ok[codes],
                   {k: rows(v) for k, v in once.aux.items()})


def _groups(rules: Rules) -> list[list[FieldSpec]]:
    """Fields in independent groups (a decimal with its currency field), heaviest first."""
    by_name = {s.name: s for s in rules.fields}
    groups: list[list[FieldSpec]] = []
    taken: set[str] = set()
    for spec in rules.fields:
        if spec.kind == "decimal":
            cur = spec.extra.get("x-currency-precision", {}).get("currency_field")
            members = [by_name[cur], spec] if cur in by_name else [spec]
            groups.append(members)
            taken.update(m.name for m in members)
    groups += [[s] for s in rules.fields if s.name not in taken]
    return sorted(groups, key=lambda g: -max(_COST.get(s.kind, 1) for s in g))


def _validate_rows(text: pd.DataFrame, rows: np.ndarray, rules: Rules, pool: ThreadPoolExecutor | None = None,
                   known: dict[str, pa.Array] | Future[dict[str, pa.Array]] | None = None,
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Row-local checks of ``text`` (whose positions are ``rows`` in the full frame).

    With a ``pool`` the field groups run concurrently: pyarrow kernels and
    most numpy work release the GIL, so two cores nearly halve the time.  Each
    group also turns its own columns into arrow arrays (a copy of each column,
    as costly as a check), so that work is spread over the threads too;
    ``known`` holds the uniqueness key columns already converted (or a future of them,
    being converted on the pool).
    """
    key_names = _key_names(rules) if known is not None else set()
    series = {s.name: text[s.name] if s.name in text.columns else None for s in rules.fields
              if s.name not in key_names}
    n = len(text)

    def column(name: str) -> pa.Array:
        if name in key_names:
            keys = known.result() if isinstance(known, Future) else known
            assert keys is not None  # key_names is empty without ``known``
            return keys[name]
        return series_text(series[name], n)

    later = _cross_field_names(rules)

    def run(group: list[FieldSpec]) -> tuple[dict[str, Checked], ProblemSink, dict[str, pa.Array]]:
        cols = {s.name: column(s.name) for s in group}
        checked, sink = _check_group(group, cols, rows, rules)
        for name, done in checked.items():
            done.typed = _share_text(done.typed, cols[name], series.get(name))
        # only the cross-field rules read the text again: the other copies are freed now, and their
        # memory is reused by the next group's (fresh memory costs page faults)
        return checked, sink, {k: v for k, v in cols.items() if k in later}

    groups = _groups(rules)
    results = list(pool.map(run, groups)) if pool is not None else [run(g) for g in groups]
    checked: dict[str, Checked] = {}
    raw: dict[str, pa.Array] = {}
    sink = ProblemSink(rows)
    for part, part_sink, cols in results:
        checked.update(part)
        raw.update(cols)
        sink.extend(part_sink)
    _cross_field(rules, raw, checked, sink)

    n = len(text)
    columns: dict[str, object] = {}
    for spec in rules.fields:
        columns[spec.name] = checked[spec.name].typed
        if spec.kind == "decimal":
            columns[f"{spec.name}_minor"] = checked[spec.name].aux["minor"]
    typed = pd.DataFrame(
        {k: v.reset_index(drop=True) if isinstance(v, pd.Series) else v for k, v in columns.items()},
        index=pd.RangeIndex(n),
        copy=False,  # fresh arrays; copying them would cost ~40 ms per million rows
    )
    return typed, sink.frame()


def _cross_field_names(rules: Rules) -> set[str]:
    """Fields whose text the cross-field rules quote in their messages."""
    names: set[str] = set()
    for spec in rules.fields:
        if spec.extra.get("x-after"):
            names |= {spec.name, spec.extra["x-after"]}
        derived = spec.extra.get("x-derived")
        if derived and derived.get("rule") == "days_between":
            names |= {spec.name, *derived["from"]}
        if spec.extra.get("x-not-after"):
            names |= {spec.name, spec.extra["x-not-after"]["field"]}
    return names


def _share_text(typed: object, raw: pa.Array, original: pd.Series | None) -> object:
    """The text frame's own column when the typed strings are exactly the contiguous copy
    ``raw`` made of it (every cell valid and unchanged): the copy is then freed."""
    if original is None or original.dtype != "str" or not isinstance(typed, pd.Series) or typed.dtype != "str":
        return typed
    arr = pa.array(typed.array)
    chunk = arr.chunk(0) if isinstance(arr, pa.ChunkedArray) and arr.num_chunks == 1 else arr
    if not isinstance(chunk, pa.Array) or len(chunk) != len(raw) or chunk.offset != raw.offset:
        return typed
    def where(a: pa.Array) -> list[int | None]:
        return [b.address if b is not None else None for b in a.buffers()]

    return original.reset_index(drop=True) if where(chunk) == where(raw) else typed


def _cross_field(rules: Rules, raw: dict[str, pa.Array], checked: dict[str, Checked], sink: ProblemSink) -> None:
    """Rules spanning fields of one row, driven by the schema's x- keywords."""
    for spec in rules.fields:
        after = spec.extra.get("x-after")
        if after:
            mine, other = checked[spec.name], checked[after]
            both = mine.ok & other.ok
            bad = both & (mine.aux["days"] <= other.aux["days"])
            sink.add(bad, spec.name, "date_order", spec.severity("date_order"), raw[spec.name],
                     _compared(raw, spec.name, "is not after", after))
            mine.aux["order_ok"] = both & ~bad
    for spec in rules.fields:
        derived = spec.extra.get("x-derived")
        if derived and derived.get("rule") == "days_between":
            start, end = derived["from"]
            order_ok = checked[end].aux.get("order_ok", checked[start].ok & checked[end].ok)
            days = checked[end].aux["days"] - checked[start].aux["days"]
            nights = checked[spec.name]
            given = nights.ok
            bad = given & order_ok & (nights.aux["values"] != days)
            code = derived.get("mismatch_code", "nights_mismatch")
            sink.add(bad, spec.name, code, spec.severity(code), raw[spec.name],
                     _nights_mismatch(raw, spec.name, start, end, days))
            fill = ~present(raw[spec.name]) & order_ok
            # what ``typed[fill] = days[fill]; typed[bad] = NA`` does, built at once (masked setitem
            # on a million rows costs ~25 ms)
            old = nights.typed.array
            nights.typed = pd.Series(pd.arrays.IntegerArray(
                np.where(fill, days, old._data).astype(old._data.dtype, copy=False),
                np.where(fill, False, old._mask) | bad))
            nights.ok = (given & ~bad) | fill
    for spec in rules.fields:
        not_after = spec.extra.get("x-not-after")
        if not_after:
            other = not_after["field"]
            code = not_after.get("code", "after")
            mine, ref = checked[spec.name], checked[other]
            both = mine.ok & ref.ok
            if not both.any():  # nothing to compare (an unmapped column)
                continue
            day = np.floor_divide(mine.aux["ns"], _NS_PER_DAY)
            bad = both & (day > ref.aux["days"])
            sink.add(bad, spec.name, code, spec.severity(code), raw[spec.name],
                     _compared(raw, spec.name, "is after", other))


def _compared(raw: dict[str, pa.Array], name: str, relation: str, other: str) -> MessageFn:
    """Message function: ``<name> <its value> <relation> <other> <its value>``."""
    return lambda idx: join(f"{name} ", raw[name].take(pa.array(idx)),
                            f" {relation} {other} ", raw[other].take(pa.array(idx)))


def _nights_mismatch(raw: dict[str, pa.Array], name: str, start: str, end: str, days: np.ndarray) -> MessageFn:
    """Message function: ``<name> <value> does not match <start> <value> to <end> <value> (<days> nights)``."""
    return lambda idx: join(
        f"{name} ", raw[name].take(pa.array(idx)), f" does not match {start} ", raw[start].take(pa.array(idx)),
        f" to {end} ", raw[end].take(pa.array(idx)), " (", pa.array(days[idx]).cast(STR), " nights)")


def _unique_specs(rules: Rules) -> list[tuple[str, list[str]]]:
    return [(s.name, list(s.extra["x-unique-within"])) for s in rules.fields if "x-unique-within" in s.extra]


def _duplicates(keys: list[pa.Array], key_names: list[str], ref: pa.Array, rows: np.ndarray, field_name: str,
                severity: str, sink: ProblemSink) -> None:
    """Flag every repeat of (keys..., ref) after its first occurrence; ``rows`` are global positions
    (ascending), so "first" is the first in the file."""
    pos = np.flatnonzero(present(ref))
    if pos.size < 2:
        return
    refs = ref if pos.size == len(ref) else ref.take(pa.array(pos))
    if strictly_increasing(refs):  # sequential references (the usual export): no repeats, no hashing
        return
    codes, uniques = pd.factorize(to_series(refs))
    if len(uniques) == pos.size:  # no ref repeats at all: the usual case
        return
    repeated = np.bincount(codes)[codes] > 1
    pos, codes = pos[repeated], codes[repeated]  # only rows whose ref occurs again can be duplicates
    take = pa.array(pos)
    key = codes.astype(np.int64)
    width = np.int64(len(uniques))
    for k in keys:
        kc, ku = pd.factorize(to_series(k.take(take)), use_na_sentinel=False)
        key = kc.astype(np.int64) * width + key
        width = width * np.int64(max(len(ku), 1))
        if width > 2**62:  # keep the combined key exact
            key, _ = pd.factorize(key)
            key = key.astype(np.int64)
            width = np.int64(key.max() + 1)
    group, _ = pd.factorize(key)  # numbered in order of first appearance
    running = np.maximum.accumulate(group)
    first = group > np.concatenate(([-1], running[:-1]))
    if first.all():
        return
    first_row = rows[pos[first]]  # global position of each group's first row
    repeat_of = np.full(len(ref), -1, dtype=np.int64)
    repeat_of[pos[~first]] = first_row[group[~first]]
    mask = repeat_of >= 0
    within = f" (same {', '.join(key_names)})" if key_names else ""
    sink.add(mask, field_name, "duplicate_ref", severity, ref,
             lambda idx: join(f"{field_name} '", ref.take(pa.array(idx)), "' repeats record ",
                              pa.array(repeat_of[idx] + 1).cast(STR), within))


def _duplicate_frame(text_cols: dict[str, pa.Array], rows: np.ndarray, rules: Rules) -> pd.DataFrame:
    sink = ProblemSink(rows)
    for name, within in _unique_specs(rules):
        _duplicates([text_cols[w] for w in within], within, text_cols[name], rows, name,
                    rules.field(name).severity("duplicate_ref"), sink)
    return sink.frame()


def _key_names(rules: Rules) -> set[str]:
    return {n for name, within in _unique_specs(rules) for n in (name, *within)}


def _key_columns(text: pd.DataFrame, rules: Rules) -> dict[str, pa.Array]:
    return {n: text_column(text, n) for n in _key_names(rules)}


def _result(typed: pd.DataFrame, frame: pd.DataFrame, rules: Rules, keys: dict[str, pa.Array]) -> ValidationResult:
    problems = ProblemTable(frame)
    n = len(typed)
    warn = np.zeros(n, dtype=bool)
    warn[frame.loc[frame["severity"] == "warning", "row"].to_numpy()] = True
    return ValidationResult(typed, problems, problems.error_row_mask(n), warn, rules, keys)


def validate(text: pd.DataFrame, rules: Rules | None = None) -> ValidationResult:
    """Validate a canonical text frame (see docs/ARCHITECTURE.md); missing columns count as empty."""
    rules = _default_rules(rules)
    rows = np.arange(len(text), dtype=np.int64)
    if len(text) >= PARALLEL_MIN_ROWS and THREADS > 1:
        n = len(text)
        key_series = {k: text[k] if k in text.columns else None for k in _key_names(rules)}
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            # the key columns are converted on the pool too; the duplicate check starts on them at once
            key_future = pool.submit(lambda: {k: series_text(s, n) for k, s in key_series.items()})
            dup_future = pool.submit(lambda: _duplicate_frame(key_future.result(), rows, rules))
            typed, local = _validate_rows(text, rows, rules, pool, key_future)
            dups = dup_future.result()
            keys = key_future.result()
    else:
        keys = _key_columns(text, rules)
        typed, local = _validate_rows(text, rows, rules, known=keys)
        dups = _duplicate_frame(keys, rows, rules)
    frame = order_frame(pd.concat([local, dups], ignore_index=True), rules.field_names) if len(dups) else local
    return _result(typed, frame, rules, keys)


def _patched(column: pd.Series, pos: np.ndarray, values: pd.Series) -> pd.Series:
    """``column`` with ``values`` at ``pos``, leaving ``column`` untouched.

    pandas' setitem on an arrow string column rewrites the whole column
    (~70 ms per million rows); splicing zero-copy slices of the old arrow data
    around the new cells costs microseconds.  Fragmented columns are
    re-combined once they exceed MAX_CHUNKS pieces.
    """
    if column.dtype == "str" and pos.size <= PATCH_MAX_ROWS:
        arr = pa.array(column.array)
        old = (arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr])).cast(STR)
        new = pa.array(values.array)
        new = (new.combine_chunks() if isinstance(new, pa.ChunkedArray) else new).cast(STR)
        pieces: list[pa.Array] = []
        start = 0
        for i, p in enumerate(pos.tolist()):
            pieces += old.slice(start, p - start).chunks
            pieces.append(new.slice(i, 1))
            start = p + 1
        pieces += old.slice(start).chunks
        chunked = pa.chunked_array([c for c in pieces if len(c)], type=STR)
        if chunked.num_chunks > MAX_CHUNKS:
            chunked = pa.chunked_array([chunked.combine_chunks()])
        return pd.Series(pd.array(chunked, dtype="str"), index=column.index, name=column.name)
    out = column.copy()
    out.iloc[pos] = values.array
    return out


def revalidate_rows(
    previous: ValidationResult,
    text: pd.DataFrame,
    positions: np.ndarray | list[int],
    rules: Rules | None = None,
) -> ValidationResult:
    """Re-check the rows at ``positions`` of the edited ``text`` (same length as before).

    Equal to ``validate(text, rules)`` provided only those rows changed since
    ``previous``.  Falls back to a full validation when rows were added or
    removed, the rules changed, or many rows were edited.
    """
    rules = rules if rules is not None else previous.rules
    n = len(text)
    pos = np.unique(np.asarray(positions, dtype=np.int64))
    if (
        rules != previous.rules
        or n != len(previous.typed)
        or pos.size > FULL_REVALIDATION_SHARE * n
        or set(previous.key_text) != {n for name, within in _unique_specs(rules) for n in (name, *within)}
    ):
        return validate(text, rules)
    if pos.size and (pos[0] < 0 or pos[-1] >= n):
        raise IndexError(f"positions out of range for {n} rows")
    typed_sub, local = _validate_rows(text.iloc[pos], pos, rules)

    typed = pd.DataFrame(
        {col: _patched(previous.typed[col], pos, typed_sub[col]) for col in previous.typed.columns},
        index=previous.typed.index,
        copy=False,  # unchanged columns are shared with ``previous`` (copy-on-write keeps both intact)
    )

    old_keys = previous.key_text
    keys = _key_columns(text, rules)
    frames = [local]
    candidates = np.zeros(0, dtype=np.int64)
    take = pa.array(pos)
    for name, _within in _unique_specs(rules):
        affected = pc.unique(pa.concat_arrays([old_keys[name].take(take), keys[name].take(take)]).drop_null())
        if len(affected) == 0:
            continue
        cand = np.flatnonzero(np.asarray(pc.fill_null(pc.is_in(keys[name], value_set=affected), False)))
        candidates = np.union1d(candidates, cand)
    if candidates.size:
        ctake = pa.array(candidates)
        frames.append(_duplicate_frame({k: v.take(ctake) for k, v in keys.items()}, candidates, rules))

    old = previous.problems.frame
    drop = old["row"].isin(pos) | (old["code"].eq("duplicate_ref") & old["row"].isin(candidates))
    frames.insert(0, old[~drop.to_numpy()])
    frames = [f for f in frames if len(f)]
    frame = order_frame(pd.concat(frames, ignore_index=True), rules.field_names) if frames else local
    return _result(typed, frame, rules, keys)
