"""Row rules: records of a vendor file that are not bookings.

Some exports mix bookings with other lines: Airbnb's transaction history has payout lines
(bank transfers to the host), adjustments and resolution lines beside its reservations.
Such a line must never become a booking.  A profile says which lines these are and what
to do with them:

```yaml
rows:
  - when: {column: Type, in: [Payout]}          # also not_in: [...], or empty: true
    action: skip                                 # left out, counted in a notice
    reason: payout line (a bank transfer to the host, not a booking)
  - when: {column: Type, not_in: [Reservation]}
    action: flag                                 # kept, with a not_a_booking error: never imported
    reason: not a reservation line
```

The first rule a record matches decides.  Values compare trimmed and ignoring case; an
empty cell is in no ``in`` list and in every ``not_in``.  ``skip`` takes the records out
before mapping (the pipeline does it, the operator is told how many, why and where);
``flag`` keeps them with an error on ``status``, so the operator sees them and the commit
leaves them out.  A record that matches a ``skip`` rule but reaches the mapping anyway (a
profile chosen after reading) is flagged, never mapped as a booking.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from booking_desktop.errors import Problem, ProblemTable, Severity
from booking_desktop.mapping.dates import arrow_text
from booking_desktop.mapping.drift import header_key

if TYPE_CHECKING:
    from booking_desktop.mapping.profile import MappingProfile
    from booking_desktop.readers.base import RawTable

ACTIONS = ("skip", "flag")
RULE_KEYS = ("when", "action", "reason")
TESTS = ("in", "not_in", "empty")
FLAG_CODE = "not_a_booking"
SKIP_CODE = "rows_skipped"
FLAG_FIELD = "status"  # what kind of record it is; editing it is the operator saying "this is a booking"
SHOWN_LOCATIONS = 5


def check_row_rules(rows: Any) -> list[tuple[str, str]]:
    """Every problem of a profile's ``rows:`` list as (YAML key path, message)."""
    if not isinstance(rows, list):
        return [("rows", "must be a list of rules such as - {when: {column: Type, in: [Payout]}, action: skip}")]
    out: list[tuple[str, str]] = []
    for i, rule in enumerate(rows):
        key = f"rows[{i}]"
        if not isinstance(rule, Mapping):
            out.append((key, "must be a mapping with when, action and reason"))
            continue
        for k in rule:
            if k not in RULE_KEYS:
                out.append((f"{key}.{k}", f"unknown key; allowed: {', '.join(RULE_KEYS)}"))
        if rule.get("action") not in ACTIONS:
            out.append((f"{key}.action", f"must be one of {', '.join(ACTIONS)}, not {rule.get('action')!r}"))
        reason = rule.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            out.append((f"{key}.reason", "missing: say what these records are (the operator reads it)"))
        when = rule.get("when")
        if not isinstance(when, Mapping):
            out.append((f"{key}.when", "must be {column: NAME, in: [values]} (or not_in, or empty: true)"))
            continue
        col = when.get("column")
        if not isinstance(col, str | int) or isinstance(col, bool) or not str(col).strip():
            out.append((f"{key}.when.column", "missing: the column the rule looks at"))
        tests = [t for t in TESTS if t in when]
        for k in when:
            if k != "column" and k not in TESTS:
                out.append((f"{key}.when.{k}", f"unknown test; allowed: {', '.join(TESTS)}"))
        if len(tests) != 1:
            out.append((f"{key}.when", f"needs exactly one of {', '.join(TESTS)}; found {len(tests)}"))
            continue
        test = tests[0]
        v = when[test]
        if test == "empty":
            if not isinstance(v, bool):
                out.append((f"{key}.when.empty", "must be true or false"))
        elif not isinstance(v, list) or not v or not all(isinstance(x, str | int | float) for x in v):
            out.append((f"{key}.when.{test}", "must be a non-empty list of values"))
    return out


def normalize_rules(rows: Sequence[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    out = []
    for rule in rows or []:
        when = dict(rule["when"])
        when["column"] = str(when["column"])
        for t in ("in", "not_in"):
            if t in when:
                when[t] = [str(x) for x in when[t]]
        out.append({"when": when, "action": str(rule["action"]), "reason": str(rule["reason"]).strip()})
    return out


@dataclass
class RowRuling:
    """Which rule each record matches first (-1: none), and the rules whose column is missing."""

    rule: np.ndarray  # int per record
    values: list[pd.Series | None]  # the rule column of each rule (None where missing)
    missing: list[int] = field(default_factory=list)


def _column(raw: RawTable, name: str) -> pd.Series | None:
    if name in raw.frame.columns:
        return raw.frame[name]
    wanted = header_key(name)
    for c in raw.frame.columns:
        if header_key(str(c)) == wanted:
            return raw.frame[c]
    return None


def evaluate(raw: RawTable, rules: Sequence[Mapping[str, Any]]) -> RowRuling:
    n = len(raw.frame)
    first = np.full(n, -1, dtype=np.int64)
    values: list[pd.Series | None] = []
    missing: list[int] = []
    for i, rule in enumerate(rules):
        when = rule["when"]
        s = _column(raw, when["column"])
        values.append(s)
        if s is None:
            missing.append(i)
            continue
        arr = pc.utf8_lower(pc.utf8_trim_whitespace(arrow_text(s)))
        blank = np.asarray(pc.fill_null(pc.equal(arr, ""), True).to_numpy(zero_copy_only=False), dtype=bool)
        if "empty" in when:
            hit = blank if when["empty"] else ~blank
        else:
            listed = pa.array(sorted({str(v).strip().lower() for v in when.get("in", when.get("not_in", []))}))
            inside = np.asarray(pc.fill_null(pc.is_in(arr, value_set=listed), False).to_numpy(zero_copy_only=False))
            inside = inside.astype(bool) & ~blank
            hit = inside if "in" in when else ~inside
        first[(first < 0) & hit] = i
    return RowRuling(first, values, missing)


def _missing_problems(profile: MappingProfile, ruling: RowRuling) -> list[Problem]:
    out = []
    for i in ruling.missing:
        rule = profile.rows[i]
        col = rule["when"]["column"]
        out.append(
            Problem(
                code="missing_column",
                severity=Severity.WARNING,
                value=col,
                message=(
                    f"profile {profile.name!r} has a row rule on column {col!r}, which the file does not have; "
                    f"records that are {rule['reason']} cannot be told apart"
                ),
            )
        )
    return out


def _describe(rule: Mapping[str, Any]) -> str:
    when = rule["when"]
    col = when["column"]
    if "empty" in when:
        return f"{col} {'empty' if when['empty'] else 'not empty'}"
    if "in" in when:
        return f"{col} = {' / '.join(when['in'])}"
    return f"{col} not {' / '.join(when['not_in'])}"


@dataclass
class Skipped:
    raw: RawTable  # the records kept
    record_numbers: np.ndarray | None  # 1-based file record number of each kept record (None: none skipped)
    notices: list[Problem]
    counts: dict[str, int]  # reason -> records skipped


def skip_rows(raw: RawTable, profile: MappingProfile) -> Skipped:
    """Take out the records a ``skip`` rule matches first; one counted notice per rule."""
    rules = list(getattr(profile, "rows", None) or [])
    if not rules:
        return Skipped(raw, None, [], {})
    ruling = evaluate(raw, rules)
    notices: list[Problem] = []  # a missing rule column is reported by the mapping (flag_rows), once
    skip_ids = [i for i, r in enumerate(rules) if r["action"] == "skip"]
    drop = np.isin(ruling.rule, skip_ids) if skip_ids else np.zeros(len(raw.frame), dtype=bool)
    counts: dict[str, int] = {}
    for i in skip_ids:
        rows = np.flatnonzero(ruling.rule == i)
        if rows.size == 0:
            continue
        rule = rules[i]
        counts[rule["reason"]] = counts.get(rule["reason"], 0) + int(rows.size)
        shown = ", ".join(raw.locations[int(r)] for r in rows[:SHOWN_LOCATIONS])
        more = f" and {rows.size - SHOWN_LOCATIONS} more" if rows.size > SHOWN_LOCATIONS else ""
        notices.append(
            Problem(
                code=SKIP_CODE,
                severity=Severity.WARNING,
                field=rule["when"]["column"],
                value=str(int(rows.size)),
                location=raw.source.path.name,
                message=(
                    f"{rows.size} record{'s' if rows.size != 1 else ''} skipped, not bookings: {rule['reason']} "
                    f"({_describe(rule)}): {shown}{more}"
                ),
            )
        )
    if not drop.any():
        return Skipped(raw, None, notices, counts)
    keep = np.flatnonzero(~drop)
    kept = dataclasses.replace(
        raw,
        frame=raw.frame.iloc[keep].reset_index(drop=True),
        locations=raw.locations.take(keep),
    )
    return Skipped(kept, (keep + 1).astype(np.int64), notices, counts)


def flag_rows(raw: RawTable, profile: MappingProfile) -> tuple[ProblemTable, list[Problem]]:
    """``not_a_booking`` errors for the records a rule matches first (``flag`` rules, and ``skip``
    rules whose records were not taken out), and warnings for rule columns the file lacks."""
    rules = list(getattr(profile, "rows", None) or [])
    if not rules or len(raw.frame) == 0:
        return ProblemTable(), []
    ruling = evaluate(raw, rules)
    tables = []
    for i, rule in enumerate(rules):
        mask = ruling.rule == i
        values = ruling.values[i]
        if not mask.any() or values is None:
            continue
        verb = "kept out of the import" if rule["action"] == "flag" else "not skipped but kept out of the import"
        shown = values.reset_index(drop=True).fillna("(empty)")
        message = f"record is not a booking: {rule['reason']} ({rule['when']['column']} = " + shown + f"); {verb}"
        tables.append(
            ProblemTable.from_mask(mask, FLAG_FIELD, FLAG_CODE, message.astype("str"), values.reset_index(drop=True))
        )
    return ProblemTable.concat(tables), _missing_problems(profile, ruling)
