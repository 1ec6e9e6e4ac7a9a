"""Suggest a mapping for a file that has no profile yet (issue 2).

Two kinds of evidence are weighed for every (canonical field, source column)
pair:

* the header: exact match with one of the schema's ``x-header-synonyms``
  after normalization (case, punctuation, underscores, camelCase, common
  abbreviations such as ``conf`` / ``no``), else a fuzzy score (rapidfuzz)
  that is penalized for every word the header and the synonym do not share;
* the content of a sample of the column (:mod:`booking_desktop.mapping.sniff`):
  how well the values fit the field's type (``compat``) and how much they
  alone point at the field (``signal``: a column full of e-mail addresses is
  the customer e-mail whatever its header says).

``confidence = noisy_or(header, signal) * (FLOOR + (1 - FLOOR) * compat)``:
either kind of evidence can carry a field, and values that do not fit the
field's type pull down even a perfect header.  Composite candidates (year /
month / day columns, weekend + week nights, nightly rate x nights, two date
columns that look like a stay, dates derived with ``date_add``) compete with
single columns, and a greedy global assignment (best confidence first) gives
every column to at most one field.  Fields without a candidate at
:data:`MIN_CONFIDENCE` stay unmapped.

After the assignment the chosen sources are refined from whole columns: date
columns get ``date_format`` / ``date_order`` (or are marked ambiguous for the
operator; an ambiguous column takes the order the file's other date columns
prove), amounts a ``number_locale`` (or a ``split`` when written "120 EUR",
which then also gives the currency), status columns a value map.  Without any
reference column, ``booking_ref`` is offered as a hash of every column, marked
ambiguous so that the operator confirms it -- but only when some other field maps
from a real column: a file none of whose columns is a booking field gets no
suggestion at all (the pipeline reports ``no-mapping``), never rows that hold
nothing but an invented reference.

The engine lives here; the pieces it calls are in :mod:`.suggest_model` (result
types), :mod:`.suggest_evidence` (header and content evidence),
:mod:`.suggest_composites` (multi-column candidates) and :mod:`.suggest_refine`
(refinements after the assignment).  Their public names are re-exported here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from booking_desktop.mapping.dates import DateOrderDecision
from booking_desktop.mapping.sniff import normalize_text, sniff_frame
from booking_desktop.mapping.suggest_composites import (
    DAY_WORDS,
    DERIVED_DATE_CONFIDENCE,
    FIRST_NAME_SYNONYMS,
    LAST_NAME_SYNONYMS,
    LEAD_TIME_SYNONYMS,
    MAX_STAY_COLUMNS,
    MAX_STAY_DAYS,
    MIN_STAY_ROWS,
    MONTH_WORDS,
    NIGHT_WORDS,
    WEEK_WORDS,
    WEEKEND_WORDS,
    YEAR_WORDS,
    composite_candidates,
    stay_candidates,
)
from booking_desktop.mapping.suggest_evidence import (
    ABBREVIATIONS,
    COMPAT_FLOOR,
    EXTRA_WORD_PENALTY,
    FOREIGN_WORD_PENALTY,
    HEADER_MIN_SCORE,
    MISSING_WORD_PENALTY,
    RATE_SYNONYMS,
    STATUS_MAX_DISTINCT,
    STOP_WORDS,
    Vocabulary,
    content_evidence,
    expand,
    header_score,
    rate_score,
    shortlisted,
    single_column_candidate,
    vocabulary,
)
from booking_desktop.mapping.suggest_model import (
    DATE_FIELDS,
    EXCEL_FORMATS,
    PROFILE_FORMATS,
    SUGGESTED_FIELDS,
    Candidate,
    FieldSuggestion,
    MappingSuggestion,
    ValueMapping,
)
from booking_desktop.mapping.suggest_refine import (
    DATE_FORMATS,
    DATETIME_FORMATS,
    MAX_STATUS_VALUES,
    STATUS_CONTAINS_CONFIDENCE,
    STATUS_FUZZY_MIN,
    currency_from_amount,
    currency_from_sign,
    refine_date,
    refine_number_locale,
    share_date_order,
    suggest_status_map,
)
from booking_desktop.mapping.suggest_semantics import weigh_semantics
from booking_desktop.schema import CANONICAL_FIELDS

if TYPE_CHECKING:
    from booking_desktop.readers.base import RawTable

__all__ = [
    "ABBREVIATIONS",
    "ALTERNATIVE_MIN",
    "CANONICAL_FIELDS",
    "COMPAT_FLOOR",
    "DATETIME_FORMATS",
    "DATE_FIELDS",
    "DATE_FORMATS",
    "DAY_WORDS",
    "DERIVED_DATE_CONFIDENCE",
    "EXCEL_FORMATS",
    "EXTRA_WORD_PENALTY",
    "FIRST_NAME_SYNONYMS",
    "FOREIGN_WORD_PENALTY",
    "HASH_REF_LENGTH",
    "HEADER_MIN_SCORE",
    "LAST_NAME_SYNONYMS",
    "LEAD_TIME_SYNONYMS",
    "MAX_ALTERNATIVES",
    "MAX_STATUS_VALUES",
    "MAX_STAY_COLUMNS",
    "MAX_STAY_DAYS",
    "MIN_CONFIDENCE",
    "MIN_STAY_ROWS",
    "MISSING_WORD_PENALTY",
    "MONTH_WORDS",
    "NIGHT_WORDS",
    "PROFILE_FORMATS",
    "RATE_SYNONYMS",
    "STATUS_CONTAINS_CONFIDENCE",
    "STATUS_FUZZY_MIN",
    "STATUS_MAX_DISTINCT",
    "STOP_WORDS",
    "SUGGESTED_FIELDS",
    "WEEKEND_WORDS",
    "WEEK_WORDS",
    "YEAR_WORDS",
    "Candidate",
    "FieldSuggestion",
    "MappingSuggestion",
    "ValueMapping",
    "Vocabulary",
    "content_evidence",
    "expand",
    "header_score",
    "suggest_mapping",
    "vocabulary",
]

MIN_CONFIDENCE = 0.5  # below this a field stays unmapped
ALTERNATIVE_MIN = 0.2  # candidates below this are not offered as alternatives
MAX_ALTERNATIVES = 4
HASH_REF_LENGTH = 16
MAX_SAMPLE_CELLS = 2_000_000  # a wide file's content is judged on fewer rows (see _sample_rows)
MIN_SAMPLE_ROWS = 200


# -- the engine ------------------------------------------------------------------


def suggest_mapping(raw: RawTable, vendor: str | None = None, sample_size: int = 5000) -> MappingSuggestion:
    """Propose how each canonical field is filled from ``raw``'s columns, with confidences
    and reasons (see the module docstring).  Content is judged on a sample of
    ``sample_size`` rows spread over the file; date order and status values use whole
    columns."""
    vocab = vocabulary()
    frame = raw.frame
    all_columns = [str(c) for c in frame.columns]
    columns = [c for c in all_columns if c != ""]  # a profile cannot name a blank header (readers rename them)
    rows = _sample_rows(len(frame), len(all_columns), sample_size)
    sample = _Sample(frame, rows)
    status_words = frozenset(vocab.status_synonyms)
    sniffs = sniff_frame(frame, status_words, rows=rows)
    headers = {c: expand(normalize_text(c)) for c in columns}

    candidates: dict[str, list[Candidate]] = {f: [] for f in SUGGESTED_FIELDS}
    with shortlisted(headers.values(), _all_synonyms(vocab)):
        rate_like = {c: rate_score(headers[c]) for c in columns}
        for c in columns:
            for fld in SUGGESTED_FIELDS:
                cand = single_column_candidate(fld, c, headers[c], sniffs[c], vocab, rate_like[c])
                if cand is not None:
                    candidates[fld].append(cand)
        for cand in composite_candidates(columns, headers, sniffs, vocab, rate_like):
            candidates[cand.field].append(cand)
    for cand in stay_candidates(columns, sniffs, sample):
        candidates[cand.field].append(cand)
    weigh_semantics(candidates, columns, headers, sniffs, MIN_CONFIDENCE)
    for fld in candidates:
        candidates[fld].sort(key=lambda k: (-k.confidence, k.rank))

    chosen = _assign(candidates)
    fields: dict[str, FieldSuggestion] = {}
    decisions: dict[str, DateOrderDecision] = {}
    for fld in SUGGESTED_FIELDS:
        if fld not in chosen:
            continue
        best = chosen[fld]
        alternatives = [
            k for k in candidates[fld] if k is not best and k.confidence >= ALTERNATIVE_MIN
        ][:MAX_ALTERNATIVES]
        fs = FieldSuggestion(
            spec=dict(best.spec),
            confidence=round(best.confidence, 3),
            reasons=list(best.reasons),
            alternatives=alternatives,
            ambiguous=best.ambiguous,
            columns=best.columns,
            doubts=list(best.doubts),
        )
        if fld in DATE_FIELDS and "column" in fs.spec:
            decision = refine_date(fld, fs, frame[fs.spec["column"]], sample[fs.spec["column"]])
            if decision is not None:
                decisions[fld] = decision
        if fld == "amount" and ("column" in fs.spec or "product" in fs.spec):
            refine_number_locale(fs, sample[fs.columns[0]], sniffs[fs.columns[0]])
        if fld == "status" and "column" in fs.spec:
            suggest_status_map(fs, frame[fs.spec["column"]], vocab)
        fields[fld] = fs
    share_date_order(fields, decisions)
    currency_from_amount(fields, candidates, sniffs)
    amount_column = fields["amount"].spec.get("column") if "amount" in fields else None
    currency_from_sign(fields, candidates, sample[amount_column] if amount_column else None)
    if "booking_ref" not in fields and fields and len(frame):  # a real field mapped: see _hash_ref_candidate
        fallback = _hash_ref_candidate(columns)
        candidates["booking_ref"].append(fallback)
        fields["booking_ref"] = FieldSuggestion(
            spec=dict(fallback.spec), confidence=fallback.confidence, reasons=list(fallback.reasons), ambiguous=True
        )
    used = {c for fs in fields.values() for c in fs.columns}
    return MappingSuggestion(
        fields=fields,
        unmapped_columns=[c for c in all_columns if c not in used],
        unmapped_fields=[f for f in SUGGESTED_FIELDS if f not in fields],
        candidates=candidates,
        columns=all_columns,
        source=raw.source,
        vendor=vendor,
    )


def _all_synonyms(vocab: Vocabulary) -> list[str]:
    """Every synonym a header is scored against (fields, nightly rates, name parts, lead times)."""
    words = [w for syns in vocab.header_synonyms.values() for w in syns]
    return [*words, *RATE_SYNONYMS, *FIRST_NAME_SYNONYMS, *LAST_NAME_SYNONYMS, *LEAD_TIME_SYNONYMS]


def _hash_ref_candidate(columns: list[str]) -> Candidate:
    """No column is a reference, but the field is required: a reference hashed from every
    column is the same each time the vendor re-sends a row, so re-imports update instead
    of duplicating.  Always ambiguous: the operator confirms it.  Offered only next to a
    field mapped from the file's own columns: alone it would turn any table (a price list,
    a log) into "bookings" that hold nothing but a reference made up from their cells."""
    spec = {"hash": list(columns), "length": HASH_REF_LENGTH, "number_duplicates": True}
    why = "no column looks like a booking reference: a stable reference is hashed from every column"
    return Candidate("booking_ref", spec, MIN_CONFIDENCE, [why], (), ambiguous=True)


def _sample_rows(n_rows: int, n_columns: int, size: int) -> np.ndarray | None:
    """Positions of the sampled rows, spread evenly over the file (exports are often sorted
    by date or ref); None for every row.  A wide file gets fewer rows (at most
    :data:`MAX_SAMPLE_CELLS` cells, never fewer than :data:`MIN_SAMPLE_ROWS` rows): the
    content evidence of 200 rows is plenty, and 5,000 rows of 9,000 columns are not."""
    size = min(size, max(MIN_SAMPLE_ROWS, MAX_SAMPLE_CELLS // max(1, n_columns)))
    if n_rows <= size:
        return None
    return np.unique(np.linspace(0, n_rows - 1, num=size).astype(np.int64))


class _Sample:
    """The sampled rows of one column at a time (what the refinements and the stay
    candidates read), taken when asked for: never the whole sampled frame."""

    def __init__(self, frame: pd.DataFrame, rows: np.ndarray | None):
        self.frame, self.rows = frame, rows

    def __getitem__(self, column: str) -> pd.Series:
        s = self.frame[column]
        return s if self.rows is None else s.iloc[self.rows]


def _assign(candidates: dict[str, list[Candidate]]) -> dict[str, Candidate]:
    """Greedy global assignment: best confidence first, one field per column, one source
    per field.  A candidate that needs another field ("@nights") is dropped, and the
    assignment redone, when that field ends up unmapped."""
    order = {f: i for i, f in enumerate(CANONICAL_FIELDS)}
    pool = sorted(
        (k for ks in candidates.values() for k in ks if k.confidence >= MIN_CONFIDENCE),
        key=lambda k: (-k.confidence, order[k.field], k.rank),
    )
    while True:
        chosen: dict[str, Candidate] = {}
        used: set[str] = set()
        for k in pool:
            if k.field in chosen or used.intersection(k.columns):
                continue
            chosen[k.field] = k
            used.update(k.columns)
        broken = [k for k in chosen.values() if any(r not in chosen for r in k.requires)]
        if not broken:
            return chosen
        pool = [k for k in pool if all(k is not b for b in broken)]
