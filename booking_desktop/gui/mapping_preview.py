"""The mapping panel's previews, Qt-free: the first records of the file mapped by the spec being
edited (every field for the panel's rows, one field before and after for the transform builder)."""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from booking_desktop.errors import ProblemTable, ProfileError
from booking_desktop.gui.mapping_adapter import build_profile

log = logging.getLogger(__name__)


def head(raw: Any, n: int) -> Any:
    from booking_desktop.readers.base import RawTable

    k = min(n, len(raw))
    return RawTable(
        frame=raw.frame.iloc[:k].reset_index(drop=True),
        locations=raw.locations.take(np.arange(k)),
        source=raw.source,
        problems=[],
        cells_clean=getattr(raw, "cells_clean", False),
    )


def preview(head: Any, profile: Any, spec: dict[str, Any]) -> tuple[dict[str, list[str | None]], dict[str, list[str]]]:
    """First values of every mapped field, and the mapping problems found in them."""
    if head is None or profile is None:
        return {}, {}
    from booking_desktop.mapping import apply_mapping

    try:
        mapped = apply_mapping(head, profile)
    except ProfileError as exc:
        return {}, {"": [str(exc)]}
    except Exception as exc:
        log.error("preview of the mapping failed", exc_info=exc)
        return {}, {"": [f"The preview could not be computed ({type(exc).__name__}: {exc})."]}
    text = mapped.text
    mapped_fields = set((spec.get("fields") or {}).keys()) | {"vendor"}
    values: dict[str, list[str | None]] = {}
    for field in text.columns:
        if field not in mapped_fields:
            continue
        col = text[field].astype("object")
        values[str(field)] = [None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in col]
    problems: dict[str, list[str]] = {}
    table = getattr(mapped, "problems", None)
    if table is not None and len(table):
        for p in table.problems(head.locations):
            problems.setdefault(p.field or "", []).append(str(p))
    return values, problems


@dataclass(frozen=True)
class FieldPreview:
    """The first records of the source columns a field spec reads, and the field's value from them."""

    columns: list[str]  # the source columns read (those the file has)
    before: list[list[str | None]]  # per record: the values of ``columns``
    after: list[str | None]  # per record: the field's mapped value
    problems: list[str]  # the mapping's cell problems of the field in these records


def field_preview(head: Any, spec: dict[str, Any], field: str, field_spec: dict[str, Any] | None) -> FieldPreview:
    """What ``field_spec`` makes of the first records, with the rest of ``spec`` (the ``@field``s it names)."""
    if head is None or not field_spec:
        return FieldPreview([], [], [], [])
    from booking_desktop.mapping import apply_mapping
    from booking_desktop.mapping.spec import spec_columns

    try:
        wanted = spec_columns(field_spec)
    except (KeyError, TypeError, AttributeError):  # no source key yet, or a half-written one
        wanted = []
    cols = list(dict.fromkeys(str(c) for c in wanted if str(c) in head.frame.columns))
    before = [[_text(head.frame[c].iat[i]) for c in cols] for i in range(len(head.frame))]
    trial = copy.deepcopy(spec)
    trial.setdefault("fields", {})[field] = field_spec
    trial = {**trial, "name": trial.get("name") or "unsaved", "vendor": trial.get("vendor") or "UNSET"}
    try:
        mapped = apply_mapping(head, build_profile(trial))
    except ProfileError:
        return FieldPreview(cols, before, [None] * len(before), [])
    after = [_text(v) for v in mapped.text[field].astype("object")]
    f = mapped.problems.frame
    problems = [str(p) for p in ProblemTable(f[f["field"] == field]).problems(head.locations)]
    return FieldPreview(cols, before, after, problems)


def _text(v: Any) -> str | None:
    return None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
