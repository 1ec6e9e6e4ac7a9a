"""The Qt-free model of one open file: the editable canonical text frame.

Why a session at all: the operator's edits must be undoable as single steps,
survive a remap (edits are kept as an overlay of ``(row, field) -> value`` and
re-applied on the freshly mapped frame), re-validate only what they touched,
and be journalled so a crash loses nothing.  The Qt grid and panels only listen
to the psygnal events below; nothing here knows about Qt.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from psygnal import Signal

from booking_desktop.errors import ProblemTable
from booking_desktop.pipeline import PipelineResult
from booking_desktop.session.commands import _ABSENT, CellEditCommand, DeleteRowsCommand, RemapCommand
from booking_desktop.session.engine import MAPPING_CELL_CODES, CoreEngine, Engine, Revalidated, mapping_problems_of
from booking_desktop.session.input_formats import InputFormats
from booking_desktop.session.journal import Journal

Command = CellEditCommand | DeleteRowsCommand | RemapCommand


@dataclasses.dataclass
class RemapPlan:
    profile: Any
    fresh: PipelineResult  # mapped + validated, without the operator's edits
    with_edits: PipelineResult  # the same with the edit overlay applied
    generation: int  # the session's edit generation it was computed for


def normalize_input(value: str | None) -> str | None:
    """Operator input like the mapping's text: trimmed, empty means missing."""
    if value is None:
        return None
    if not isinstance(value, str):
        if pd.isna(value):
            return None
        value = str(value)
    value = value.strip()
    return value or None


class WorkSession:
    cells_changed = Signal(object, object)  # rows: np.ndarray, fields: list[str]
    deleted_changed = Signal(object)  # rows: np.ndarray whose deleted state flipped
    reset = Signal()
    undo_state_changed = Signal()

    def __init__(self, result: PipelineResult, journal: Journal | None = None, engine: Engine | None = None):
        self.result = result
        self.engine: Engine = engine or CoreEngine()
        self.journal = journal
        self.deleted = np.zeros(len(result.text), dtype=bool)
        self._overlay: dict[tuple[int, str], str | None] = {}
        self._undo: list[Command] = []
        self._redo: list[Command] = []
        self._clean_depth = 0
        self._replaying = False
        self._generation = 0  # bumped by every change of state (edit, undo, redo)
        self._formats: tuple[Any, InputFormats] | None = None  # (the result they were read from, formats)
        self.last_input_notes: list[str] = []  # how the last typed values were read (see input_formats)

    # -- construction ------------------------------------------------------------
    @classmethod
    def from_result(
        cls,
        result: PipelineResult,
        journal: Journal | None = None,
        engine: Engine | None = None,
    ) -> WorkSession:
        return cls(result, journal=journal, engine=engine)

    @property
    def source_path(self) -> Path:
        return Path(self.result.raw.source.path)

    def source_sha256(self) -> str:
        return self.result.raw.source.content_sha256()

    def attach_journal(self, directory: Path | None = None) -> Journal:
        """Journal from now on to ``<dir>/<sha256>.jsonl`` (header written with the first edit)."""
        self.journal = Journal.for_file(
            self.source_path,
            self.source_sha256(),
            directory,
            vendor=self.result.vendor,
            profile=profile_record(self.result.profile),
            records=len(self.result.text),
        )
        return self.journal

    # -- state -----------------------------------------------------------------------
    @property
    def text(self) -> pd.DataFrame:
        return self.result.text

    @property
    def fields(self) -> list[str]:
        return [str(c) for c in self.result.text.columns]

    def __len__(self) -> int:
        return len(self.result.text)

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    @property
    def undo_label(self) -> str | None:
        return self._undo[-1].label if self._undo else None

    @property
    def redo_label(self) -> str | None:
        return self._redo[-1].label if self._redo else None

    @property
    def is_modified(self) -> bool:
        return len(self._undo) != self._clean_depth

    def mark_clean(self) -> None:
        """The current state is saved (committed); the journal is no longer needed."""
        self._clean_depth = len(self._undo)
        if self.journal is not None:
            self.journal.discard()
        self.undo_state_changed.emit()

    @property
    def edited_cells(self) -> dict[tuple[int, str], str | None]:
        return dict(self._overlay)

    def is_edited(self, row: int, field: str) -> bool:
        """True when the operator changed this cell (it survives a remap)."""
        return (row, field) in self._overlay

    def value(self, row: int, field: str) -> str | None:
        v = self.result.text[field].iat[row]
        return None if pd.isna(v) else str(v)  # type: ignore[arg-type]  # pandas-stubs: iat's scalars > isna's

    # -- edits (each one undoable step) ------------------------------------------------
    def set_cell(self, row: int, field: str, value: str | None) -> None:
        self.set_cells([(row, field, value)], label=f"Edit {field}")

    def set_cells(self, edits: Sequence[tuple[int, str, str | None]], label: str) -> None:
        """Values the operator typed or pasted: read in the file's own formats (:meth:`read_input`)."""
        if not edits:
            return
        rows = np.fromiter((int(r) for r, _, _ in edits), dtype=np.int64, count=len(edits))
        fields = [str(f) for _, f, _ in edits]
        new = self.read_input(fields, [normalize_input(v) for _, _, v in edits])
        self._edit(rows, fields, new, label)

    def set_value(self, rows: Iterable[int], field: str, value: str | None) -> None:
        rows_arr = np.unique(np.asarray(list(rows), dtype=np.int64))
        v = self.read_input([field], [normalize_input(value)])[0]
        self._edit(rows_arr, [field] * rows_arr.size, [v] * rows_arr.size, f"Set {field}")

    def read_input(self, fields: Sequence[str], values: Sequence[str | None]) -> list[str | None]:
        """Typed values as the mapping makes the same text in the file: ``01.03.2024`` in a
        ``%d.%m.%Y`` column becomes ``2024-03-01``, ``1.250,00`` with decimal commas ``1250.00``;
        canonical values stay, unreadable ones stay as typed (validation reports them).
        ``last_input_notes`` says what was read and what was kept."""
        formats = self.input_formats()
        read = formats.read(fields, values)
        self.last_input_notes = read.notes
        return read.values

    def input_formats(self) -> InputFormats:
        r = self.result
        if self._formats is None or self._formats[0] is not r:
            self._formats = (r, InputFormats.of(self._mapping_profile(), getattr(r, "raw", None)))
        return self._formats[1]

    def fill_down(self, rows: Iterable[int], field: str) -> None:
        """Copy the value of the first (top-most) selected row into the other selected rows."""
        rows_arr = np.unique(np.asarray(list(rows), dtype=np.int64))
        if rows_arr.size < 2:
            return
        v = self.value(int(rows_arr[0]), field)
        rest = rows_arr[1:]
        self._edit(rest, [field] * rest.size, [v] * rest.size, f"Fill down {field}")

    def replace_in_column(
        self,
        field: str,
        find: str,
        replace: str,
        regex: bool = False,
        rows: np.ndarray | None = None,
    ) -> int:
        """Replace every occurrence of ``find`` in ``field`` (optionally only in ``rows``).

        Returns the number of cells changed.  A bad regular expression raises
        ``ValueError`` with a readable message.
        """
        if not find:
            return 0
        if regex:
            try:
                re.compile(find)
            except re.error as exc:
                raise ValueError(f"invalid regular expression {find!r}: {exc}") from None
        col = self.result.text[field]
        if rows is not None:
            positions = np.unique(np.asarray(rows, dtype=np.int64))
            col = col.iloc[positions]
        else:
            positions = np.arange(len(col), dtype=np.int64)
        try:
            replaced = col.str.replace(find, replace, regex=regex)
        except (re.error, ValueError, pa.ArrowInvalid) as exc:
            raise ValueError(f"cannot replace {find!r}: {exc}") from None
        changed = (replaced != col).fillna(False).to_numpy(dtype=bool)
        if not changed.any():
            return 0
        hit = positions[changed]
        new_vals = [normalize_input(v) for v in replaced.to_numpy(dtype=object)[changed]]
        return self._edit(hit, [field] * hit.size, new_vals, f"Replace in {field}")

    def apply_value_map(self, field: str, mapping: dict[str, str]) -> int:
        """Replace whole cell values by ``mapping`` (exact match after trimming)."""
        if not mapping:
            return 0
        col = self.result.text[field]
        keys = {str(k).strip(): v for k, v in mapping.items()}
        hit_mask = col.isin(list(keys)).to_numpy(dtype=bool)
        hit = np.flatnonzero(hit_mask)
        if hit.size == 0:
            return 0
        vals = [normalize_input(keys[str(v)]) for v in col.to_numpy(dtype=object)[hit]]
        return self._edit(hit.astype(np.int64), [field] * hit.size, vals, f"Map values in {field}")

    def delete_rows(self, rows: Iterable[int]) -> None:
        arr = np.unique(np.asarray(list(rows), dtype=np.int64))
        arr = arr[~self.deleted[arr]]
        if arr.size:
            n = arr.size
            self._push(DeleteRowsCommand(f"Delete {n} row{'s' if n != 1 else ''}", arr, True))

    def restore_rows(self, rows: Iterable[int]) -> None:
        arr = np.unique(np.asarray(list(rows), dtype=np.int64))
        arr = arr[self.deleted[arr]]
        if arr.size:
            n = arr.size
            self._push(DeleteRowsCommand(f"Restore {n} row{'s' if n != 1 else ''}", arr, False))

    @property
    def needs_vendor(self) -> bool:
        """True when the rows have no vendor: neither a profile's nor a mapped column (nothing may be
        committed before the operator names it; see :meth:`vendor_profile`)."""
        from booking_desktop.pipeline import vendor_known

        r = self.result
        return not r.vendor and not vendor_known(self._mapping_profile(), None)

    def vendor_profile(self, vendor: str) -> Any:
        """The current mapping with ``vendor`` as its vendor (apply it with :meth:`remap`: one undo step)."""
        profile = self._mapping_profile()
        if profile is None:
            raise ValueError("this session has no mapping to give a vendor to")
        return dataclasses.replace(profile, vendor=vendor)

    def _mapping_profile(self) -> Any:
        r = self.result
        if r.profile is not None:
            return r.profile
        if r.suggestion is not None:
            return r.suggestion.to_profile(name=self.source_path.stem)
        return None

    def remap(self, profile: Any) -> None:
        """Re-map from the raw table with ``profile``, re-apply cell edits, re-validate."""
        self.apply_remap(self.prepare_remap(profile))

    def prepare_remap(self, profile: Any) -> RemapPlan:
        """The expensive half of :meth:`remap`; changes nothing, so it may run on a worker thread."""
        gen = self._generation
        fresh = self.engine.remap(self.result, profile)
        return RemapPlan(profile, fresh, self._with_overlay(fresh), gen)

    def apply_remap(self, plan: RemapPlan) -> None:
        """Make a prepared remap current (one undo step).  Edits made meanwhile are re-applied."""
        after = plan.with_edits if plan.generation == self._generation else self._with_overlay(plan.fresh)
        self._push(RemapCommand("Change mapping", self.result, after, profile_record(plan.profile)))

    # -- undo / redo ---------------------------------------------------------------------
    def undo(self) -> None:
        if not self._undo:
            return
        cmd = self._undo.pop()
        self._generation += 1
        cmd.undo(self)
        self._redo.append(cmd)
        self._log({"op": "undo"})
        self.undo_state_changed.emit()

    def redo(self) -> None:
        if not self._redo:
            return
        cmd = self._redo.pop()
        self._generation += 1
        cmd.redo(self)
        self._undo.append(cmd)
        self._log({"op": "redo"})
        self.undo_state_changed.emit()

    # -- journal replay --------------------------------------------------------------------
    def replay(self, records: Iterable[dict[str, Any]], profile_loader: Any = None) -> int:
        """Re-issue journalled commands (without journalling them again).  Returns how many ran."""
        n = 0
        self._replaying = True
        try:
            for rec in records:
                op = rec.get("op")
                if op == "cells":
                    rows = np.asarray(rec["rows"], dtype=np.int64)
                    self._edit(rows, list(rec["fields"]), list(rec["values"]), rec.get("label", "Edit"))
                elif op == "delete":
                    self.delete_rows(rec["rows"])
                elif op == "restore":
                    self.restore_rows(rec["rows"])
                elif op == "remap":
                    loader = profile_loader or profile_from_record
                    self.remap(loader(rec["profile"]))
                elif op == "undo":
                    self.undo()
                elif op == "redo":
                    self.redo()
                else:
                    continue
                n += 1
        finally:
            self._replaying = False
        return n

    # -- for the commit ------------------------------------------------------------------
    def committable(self) -> PipelineResult:
        """The current result without the deleted rows (positions renumbered, locations kept).

        A deleted row no longer makes its partner a duplicate: rows flagged
        ``duplicate_ref`` are re-checked among the rows that will be committed.
        Runs in a worker for big files (it copies the kept rows).
        """
        r = self.result
        edited = np.zeros(len(self.deleted), dtype=bool)
        if self._overlay:
            edited[np.fromiter((row for row, _ in self._overlay), dtype=np.int64)] = True
        edited_records = r.record_numbers_array()[edited & ~self.deleted]
        if not self.deleted.any():
            return dataclasses.replace(r, edited_records=edited_records)
        keep = np.flatnonzero(~self.deleted)
        new_pos = np.full(len(self.deleted), -1, dtype=np.int64)
        new_pos[keep] = np.arange(keep.size)
        pf = r.problems.frame
        pf = pf[~self.deleted[pf["row"].to_numpy()]].copy()
        pf["row"] = new_pos[pf["row"].to_numpy()]

        raw = dataclasses.replace(
            r.raw,
            frame=r.raw.frame.iloc[keep].reset_index(drop=True),
            locations=r.raw.locations.take(keep),
        )
        sub = dataclasses.replace(
            r,
            raw=raw,
            text=r.text.iloc[keep].reset_index(drop=True),
            typed=r.typed.iloc[keep].reset_index(drop=True),
            problems=ProblemTable(pf),
            error_rows=np.asarray(r.error_rows, dtype=bool)[keep],
            record_numbers=r.record_numbers_array()[keep],
            edited_records=edited_records,
        )
        dup_rows = np.unique(pf.loc[pf["code"] == "duplicate_ref", "row"].to_numpy(dtype=np.int64))
        if dup_rows.size:
            mapping_problems = mapping_problems_of(sub)  # already without the edited cells' findings
            rv = self.engine.revalidate(sub, sub.text, dup_rows)
            f = rv.problems.frame
            f = f[~f["code"].isin(MAPPING_CELL_CODES).to_numpy()]
            sub.typed = rv.typed
            sub.problems = ProblemTable.concat([ProblemTable(f), mapping_problems])
            sub.error_rows = sub.problems.error_row_mask(len(sub.text))
        return sub

    # -- internals used by the commands --------------------------------------------------
    def _edit(self, rows: np.ndarray, fields: list[str], new: list[str | None], label: str) -> int:
        unknown = sorted(set(fields) - set(self.fields))
        if unknown:
            raise KeyError(f"unknown field(s): {', '.join(unknown)}")
        if rows.size and (rows.min() < 0 or rows.max() >= len(self)):
            raise IndexError(f"row out of range 0..{len(self) - 1}")
        text = self.result.text
        last: dict[tuple[int, str], int] = {}  # last write wins within one step
        for i, (r, f) in enumerate(zip(rows.tolist(), fields)):
            last[(r, f)] = i
        order = sorted(last.values())
        old_of: dict[int, str | None] = {}
        by_field: dict[str, list[int]] = {}
        for i in order:
            by_field.setdefault(fields[i], []).append(i)
        for f, ids in by_field.items():
            vals = text[f].iloc[rows[ids]].to_numpy(dtype=object)
            for i, v in zip(ids, vals):
                old_of[i] = None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
        idx = [i for i in order if old_of[i] != new[i]]
        old = [old_of[i] for i in idx]
        if not idx:
            return 0
        cmd = CellEditCommand(
            label=label,
            rows=rows[idx],
            fields=[fields[i] for i in idx],
            old=old,
            new=[new[i] for i in idx],
            old_overlay=[self._overlay.get((int(rows[i]), fields[i]), _ABSENT) for i in idx],
        )
        self._push(cmd)
        return len(idx)

    def _push(self, cmd: Command) -> None:
        self._generation += 1
        cmd.redo(self)
        self._undo.append(cmd)
        if self._clean_depth > len(self._undo) - 1:
            self._clean_depth = -1  # the saved state can no longer be reached by undo
        self._redo.clear()
        self._log(cmd.journal_record())
        self.undo_state_changed.emit()

    def _log(self, record: dict[str, Any]) -> None:
        if self.journal is not None and not self._replaying:
            self.journal.append(record)

    def _write_cells(self, rows: np.ndarray, fields: list[str], values: list[Any], overlay: list[Any]) -> None:
        text = self.result.text
        by_field: dict[str, list[int]] = {}
        for i, f in enumerate(fields):
            by_field.setdefault(f, []).append(i)
        for f, idx in by_field.items():
            text[f] = _set_values(text[f], rows[idx], [values[i] for i in idx])
        for r, f, o in zip(rows.tolist(), fields, overlay):
            if o is _ABSENT:
                self._overlay.pop((r, f), None)
            else:
                self._overlay[(r, f)] = o
        touched = np.unique(rows)
        self._revalidate(touched)
        self.cells_changed.emit(touched, sorted(by_field))

    def _revalidate(self, rows: np.ndarray) -> None:
        r = self.result
        mapping_problems = mapping_problems_of(r)
        rv = self.engine.revalidate(r, r.text, rows)
        self._store(r, rv, mapping_problems)

    def _store(self, r: PipelineResult, rv: Revalidated, mapping_problems: ProblemTable) -> None:
        """Validation problems + the mapping's problems of cells the operator has not edited."""
        r.typed = rv.typed
        if rv.state is not None:
            r.validation = rv.state
        problems = rv.problems
        if len(mapping_problems):
            f = problems.frame
            f = f[~f["code"].isin(MAPPING_CELL_CODES).to_numpy()]
            mp = mapping_problems.frame
            if self._overlay:
                edited = pd.MultiIndex.from_tuples(list(self._overlay), names=["row", "field"])
                mp = mp[~pd.MultiIndex.from_frame(mp[["row", "field"]]).isin(edited)]
            problems = ProblemTable.concat([ProblemTable(f), ProblemTable(mp)])
            r.error_rows = problems.error_row_mask(len(r.text))
        else:
            r.error_rows = rv.error_rows
        r.problems = problems

    def _set_deleted(self, rows: np.ndarray, value: bool) -> None:
        self.deleted[rows] = value
        self.deleted_changed.emit(rows)

    def _swap_result(self, result: PipelineResult) -> None:
        self.result = result
        self.reset.emit()

    def _with_overlay(self, fresh: PipelineResult) -> PipelineResult:
        if not self._overlay:
            return fresh
        text = fresh.text.copy()
        keys = list(self._overlay)
        rows = np.asarray([k[0] for k in keys], dtype=np.int64)
        fields = [k[1] for k in keys]
        vals = [self._overlay[k] for k in keys]
        by_field: dict[str, list[int]] = {}
        for i, f in enumerate(fields):
            by_field.setdefault(f, []).append(i)
        for f, idx in by_field.items():
            text[f] = _set_values(text[f], rows[idx], [vals[i] for i in idx])
        out = dataclasses.replace(fresh, text=text)
        mapping_problems = mapping_problems_of(fresh)
        out.mapping_problems = mapping_problems  # type: ignore[attr-defined]  # a cache, see mapping_problems_of
        if getattr(fresh, "validation", None) is not None:
            out.validation = fresh.validation
        rv = self.engine.revalidate(out, text, np.unique(rows))
        self._store(out, rv, mapping_problems)
        return out


def _set_values(col: pd.Series, rows: np.ndarray, values: list[str | None]) -> pd.Series:
    """A copy of ``col`` with ``values`` at positions ``rows``; stays pyarrow-backed ``str``.

    pyarrow arrays are immutable, so this rebuilds the column with one
    ``replace_with_mask`` (tens of ms at a million rows) instead of a
    per-cell ``iat`` that would copy the column for every cell.
    """
    try:
        arr = pa.chunked_array(col.array.__arrow_array__())
    except (AttributeError, TypeError):
        out = col.copy()
        out.iloc[rows] = values
        return out
    order = np.argsort(rows, kind="stable")
    mask = np.zeros(len(col), dtype=bool)
    mask[rows] = True
    ordered = [values[i] for i in order]
    # when a row appears twice the last value wins: keep only the last per row
    srt = rows[order]
    last = np.r_[srt[1:] != srt[:-1], True]
    ordered = [v for v, k in zip(ordered, last) if k]
    out = pc.replace_with_mask(arr, pa.array(mask), pa.array(ordered, type=arr.type))
    return pd.Series(pd.array(out, dtype=col.dtype), index=col.index, name=col.name)


def profile_record(profile: Any) -> Any:
    """A JSON-able description of a mapping profile (for the journal)."""
    if profile is None:
        return None
    for name in ("to_dict", "as_dict", "model_dump"):
        fn = getattr(profile, name, None)
        if callable(fn):
            return fn()
    if dataclasses.is_dataclass(profile) and not isinstance(profile, type):
        return dataclasses.asdict(profile)
    if isinstance(profile, dict):
        return profile
    raise TypeError(f"cannot journal a profile of type {type(profile).__name__}")


def profile_from_record(record: Any) -> Any:
    if record is None:
        return None
    from booking_desktop import mapping

    cls = mapping.MappingProfile
    if isinstance(record, dict) and not str(record.get("vendor") or "").strip():
        # a mapping with no vendor yet (a suggested one edited in the panel; the vendor is asked before the commit)
        return dataclasses.replace(cls.from_dict({**record, "vendor": "UNSET"}), vendor="")
    for name in ("from_dict", "model_validate"):
        fn = getattr(cls, name, None)
        if callable(fn):
            return fn(record)
    return cls(**record)
