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
ambiguous so that the operator confirms it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from booking_desktop.mapping.dates import DateOrderDecision, detect_date_order, iso_date_mask, normalize_dates_auto
from booking_desktop.mapping.sniff import ColumnSniff, normalize_text, sniff_frame
from booking_desktop.schema import CANONICAL_FIELDS

if TYPE_CHECKING:
    from booking_desktop.readers.base import RawTable

MIN_CONFIDENCE = 0.5  # below this a field stays unmapped
HEADER_MIN_SCORE = 80  # fuzzy header scores below this are no evidence at all
EXTRA_WORD_PENALTY = 12  # per header word the synonym lacks ("no of weekend nights" vs "nights")
MISSING_WORD_PENALTY = 15  # per synonym word the header lacks ("date" vs "arrival date")
FOREIGN_WORD_PENALTY = 13  # extra, per header word that is another field's synonym ("status" for booked_at)
COMPAT_FLOOR = 0.35  # confidence factor when no sampled value fits the field's type
ALTERNATIVE_MIN = 0.2  # candidates below this are not offered as alternatives
MAX_ALTERNATIVES = 4
STATUS_FUZZY_MIN = 85
STATUS_CONTAINS_CONFIDENCE = 0.9  # "cancelled_by_guest" holds the synonym "cancelled"
MAX_STATUS_VALUES = 200  # distinct status values looked at
STATUS_MAX_DISTINCT = 30  # more distinct values than this is not a status column

PROFILE_FORMATS = ("csv", "xlsx", "json", "xml")  # the profile's optional ``format:`` values
EXCEL_FORMATS = ("xlsx", "xlsm", "xlsb", "xls", "ods")  # SourceInfo.format of workbooks
# ``vendor`` comes from the profile (or the operator), never from a column guess.
SUGGESTED_FIELDS = tuple(f for f in CANONICAL_FIELDS if f != "vendor")
DATE_FIELDS = ("check_in", "check_out", "booked_at")

ABBREVIATIONS = {
    "no": "number", "nr": "number", "num": "number", "nbr": "number", "nb": "number",
    "conf": "confirmation", "ref": "reference", "res": "reservation", "resv": "reservation",
    "tel": "telephone", "amt": "amount", "ccy": "currency", "cur": "currency", "curr": "currency",
    "arr": "arrival", "dep": "departure", "chk": "check", "cust": "customer", "qty": "quantity",
    "avg": "average", "dt": "date", "book": "booking",
}  # fmt: skip
STOP_WORDS = frozenset({"number", "of", "the", "a", "an", "count", "total"})
# headers that name a price per night rather than the total of the stay
RATE_SYNONYMS = (
    "rate", "adr", "average daily rate", "daily rate", "nightly rate", "night rate", "rate per night",
    "price per night", "nightly price", "average price", "average price per room", "average price per night",
    "average rate", "room rate", "price per room",
)  # fmt: skip
LEAD_TIME_SYNONYMS = ("lead time", "lead days", "booking lead time", "days in advance", "advance days", "lead")
MAX_STAY_COLUMNS, MIN_STAY_ROWS, MAX_STAY_DAYS = 6, 5, 30  # arrival/departure pairs found from content
FIRST_NAME_SYNONYMS = ("first name", "firstname", "given name", "forename", "fname", "guest first name")
LAST_NAME_SYNONYMS = ("last name", "lastname", "surname", "family name", "lname", "guest last name", "guest surname")
HASH_REF_LENGTH = 16
DERIVED_DATE_CONFIDENCE = 0.7  # check_out from check_in + nights, booked_at from a lead time
YEAR_WORDS, MONTH_WORDS = {"year", "yr", "yyyy"}, {"month", "mon", "mm"}
DAY_WORDS = {"day", "dd", "dom"}
WEEKEND_WORDS, WEEK_WORDS, NIGHT_WORDS = {"weekend"}, {"week", "weekday", "weekdays"}, {"night", "nights"}


# -- vocabulary --------------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    """Header synonyms per field and status synonyms, from the canonical schema."""

    header_synonyms: dict[str, tuple[str, ...]]  # field -> normalized, expanded synonyms
    status_synonyms: dict[str, str]  # normalized source word -> canonical status
    statuses: tuple[str, ...]
    # per field, the one-word synonyms of the *other* fields: such a word in a header
    # ("status" in "reservation_status_date") is strong evidence against a match
    foreign: dict[str, frozenset[str]] = field(default_factory=dict)

    def foreign_words(self, fld: str) -> frozenset[str]:
        return self.foreign.get(fld, frozenset())


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """Synonyms from :func:`booking_desktop.schema.load_schema` (the single source of truth),
    normalized the way headers are."""
    from booking_desktop.schema import load_schema

    schema = load_schema()
    headers: dict[str, tuple[str, ...]] = {}
    for name in SUGGESTED_FIELDS:
        words = [*schema.header_synonyms.get(name, ()), name]
        headers[name] = tuple(dict.fromkeys(expand(normalize_text(w)) for w in words))
    synonyms = {normalize_text(k): v for k, v in schema.status_synonyms.items()}
    statuses = tuple(schema.field("status").enum or ())
    if "cancelled" in statuses and "confirmed" in statuses:  # "Not_Canceled" is a confirmed booking
        for neg in ("not", "non", "un"):
            for w in ("canceled", "cancelled"):
                synonyms.setdefault(f"{neg} {w}", "confirmed")
    single = {f: frozenset(s for s in syns if " " not in s) for f, syns in headers.items()}
    foreign = {f: frozenset().union(*(w for g, w in single.items() if g != f)) - single[f] for f in single}
    return Vocabulary(headers, synonyms, statuses, foreign)


def expand(normalized: str) -> str:
    return " ".join(ABBREVIATIONS.get(w, w) for w in normalized.split())


# -- header evidence ---------------------------------------------------------


def header_score(
    header: str, synonyms: tuple[str, ...], foreign: frozenset[str] = frozenset()
) -> tuple[float, str]:
    """Best score (0..100) of a normalized+expanded header against synonyms, and which synonym.
    ``foreign``: words that name other fields (see :meth:`Vocabulary.foreign_words`)."""
    best, best_syn = 0.0, ""
    h_words = set(header.split())
    h_compact = header.replace(" ", "")
    for syn in synonyms:
        if header == syn or h_compact == syn.replace(" ", ""):
            return 100.0, syn
        s_words = set(syn.split())
        extra = h_words - s_words - STOP_WORDS
        missing = len(s_words - h_words - STOP_WORDS)
        # a word naming another field counts against the match, unless the synonym is the
        # header's head noun: "booker country" is a country, "reservation status date" no booking date
        head = header.endswith(" " + syn)
        penalty = EXTRA_WORD_PENALTY * len(extra) + (0 if head else FOREIGN_WORD_PENALTY * len(extra & foreign))
        score = fuzz.token_set_ratio(header, syn) - penalty - MISSING_WORD_PENALTY * missing
        if len(h_words) == 1 or len(s_words) == 1:  # "checkin" ~ "check in", typos such as "emial"
            score = max(score, fuzz.ratio(h_compact, syn.replace(" ", "")))
        if score > best:
            best, best_syn = score, syn
    return best, best_syn


# -- content evidence --------------------------------------------------------


def _pct(x: float) -> str:
    return f"{round(100 * x)}%"


def content_evidence(fld: str, sn: ColumnSniff) -> tuple[float, float, str]:
    """(compat, signal, reason) of a sampled column for a field; see the module docstring."""
    g = sn.get
    if fld == "customer_email":
        c = g("email")
        return c, 0.95 * c, f"{_pct(c)} of values look like e-mail addresses"
    if fld == "customer_phone":
        c = g("phone")
        return c, 0.7 * c * (0.6 if g("int") > 0.5 else 1.0), f"{_pct(c)} of values look like phone numbers"
    if fld in ("check_in", "check_out"):
        c = g("date_any")
        return c, 0.4 * g("date"), f"{_pct(c)} of values look like dates"
    if fld == "booked_at":
        c = g("date_any")
        return c, 0.55 * g("datetime") + 0.25 * g("date"), f"{_pct(c)} of values look like dates or date-times"
    if fld in ("nights", "adults", "children"):
        c = g("count")
        mean = sn.int_mean if sn.int_mean is not None else -1.0
        typical = {"adults": 1 <= mean <= 4, "children": 0 <= mean < 1, "nights": 1 <= mean <= 14}[fld]
        return c, (0.25 if typical else 0.1) * c, f"{_pct(c)} of values are small whole numbers"
    if fld == "amount":
        coded = max(g("amount_code"), g("code_amount"))
        if coded > g("number"):
            return coded, 0.4 * coded, f"{_pct(coded)} of values are amounts with a currency code"
        c = g("number")
        return c, 0.4 * g("has_decimals"), f"{_pct(c)} of values are amounts ({_pct(g('has_decimals'))} with decimals)"
    if fld == "currency":
        c = g("currency")
        why = "values are ISO 4217 codes" if c >= 0.995 else f"{_pct(c)} of values are ISO 4217 currency codes"
        return c, 0.9 * c, why
    if fld == "country":
        code, name = g("country_code"), g("country_name")
        c = max(code, name)
        spread = 0.5 + 0.5 * min(1.0, sn.n_distinct / 8)
        kind = "ISO 3166 country codes" if code >= name else "country names"
        return c, 0.75 * c * spread, f"{_pct(c)} of values are {kind}"
    if fld == "status":
        low_card = sn.n_distinct <= STATUS_MAX_DISTINCT
        c = g("letters") * (1.0 if low_card else 0.3)
        known = g("status")
        return max(c, known), 0.85 * known * low_card, f"{_pct(known)} of values are known booking statuses"
    if fld == "booking_ref":
        u = sn.uniqueness
        c = g("ref") * (1.0 if u >= 0.8 else u) if g("ref") else min(u, 0.5)
        return c, 0.6 * g("ref") * u**4, f"{_pct(u)} of values are distinct, {_pct(g('ref'))} look like references"
    if fld == "customer_name":
        c = g("letters") * (1 - g("email")) * min(1.0, 5 * sn.uniqueness + g("person_name"))
        signal = 0.55 * g("person_name") * min(1.0, 2 * sn.uniqueness)
        return c, signal, f"{_pct(g('person_name'))} of values look like names"
    # property_name, room_type, channel: free text, the header decides
    return max(g("letters"), 0.6), 0.0, f"{_pct(g('letters'))} of values contain letters"


# -- result types --------------------------------------------------------------


@dataclass
class Candidate:
    """One way to fill a field: a profile field spec plus the evidence for it."""

    field: str
    spec: dict[str, Any]
    confidence: float
    reasons: list[str]
    columns: tuple[str, ...]
    ambiguous: bool = False
    requires: tuple[str, ...] = ()  # canonical fields that must be mapped too ("@nights")
    rank: int = 0  # tie-break at equal confidence: position of the matched synonym in the schema

    def describe(self) -> str:
        return f"{self.field} <- {self.spec} ({self.confidence:.2f})"


@dataclass
class ValueMapping:
    """A suggested translation of one distinct source value (status)."""

    source: str
    target: str | None  # None: no canonical value matched
    confidence: float
    reason: str
    count: int  # rows with this value in the whole column


@dataclass
class FieldSuggestion:
    spec: dict[str, Any]
    confidence: float
    reasons: list[str]
    alternatives: list[Candidate] = field(default_factory=list)
    ambiguous: bool = False
    columns: tuple[str, ...] = ()
    value_map: list[ValueMapping] = field(default_factory=list)
    unmatched_values: list[str] = field(default_factory=list)


@dataclass
class MappingSuggestion:
    """What :func:`suggest_mapping` proposes; the GUI shows it, the operator edits and saves it."""

    fields: dict[str, FieldSuggestion]
    unmapped_columns: list[str]
    unmapped_fields: list[str]
    candidates: dict[str, list[Candidate]]  # every field's ranked candidates, mapped or not
    columns: list[str]
    source: Any = None  # readers.base.SourceInfo
    vendor: str | None = None

    @property
    def ambiguous_fields(self) -> list[str]:
        return [f for f, s in self.fields.items() if s.ambiguous]

    def mapping_summary(self) -> dict[str, str]:
        """field -> short description of the source ("Booking_ID", "date_parts(...)")."""
        return {f: _describe_spec(s.spec) for f, s in self.fields.items()}

    def to_profile_dict(self, name: str, vendor: str | None = None) -> dict[str, Any]:
        """The profile YAML structure (see mappings/*.yaml) for this suggestion."""
        d: dict[str, Any] = {"version": 1, "name": name, "vendor": vendor or self.vendor or name}
        src = self.source
        d["description"] = f"suggested from {Path(src.path).name}" if src is not None else "suggested mapping"
        if src is not None and src.format in PROFILE_FORMATS:
            d["format"] = src.format
        reader = _reader_options(src)
        if reader:
            d["reader"] = reader
        d["signature"] = {"columns": list(self.columns), "min_match": 0.8}
        d["fields"] = {f: dict(self.fields[f].spec) for f in CANONICAL_FIELDS if f in self.fields}
        return d

    def to_profile(self, name: str, vendor: str | None = None) -> Any:
        """A :class:`~booking_desktop.mapping.profile.MappingProfile` (can be ``.save()``-d)."""
        from booking_desktop.mapping.profile import MappingProfile

        return MappingProfile.from_dict(self.to_profile_dict(name, vendor))


def _reader_options(src: Any) -> dict[str, Any]:
    if src is None:
        return {}
    out: dict[str, Any] = {}
    fmt = getattr(src, "format", None)
    if fmt == "csv":
        for key in ("delimiter", "encoding"):
            if getattr(src, key, None):
                out[key] = getattr(src, key)
    if fmt in EXCEL_FORMATS and getattr(src, "sheet", None):
        out["sheet"] = src.sheet
    if fmt in ("json", "xml") and getattr(src, "record_path", None):
        out["record_path"] = src.record_path
    if (fmt == "csv" or fmt in EXCEL_FORMATS) and (getattr(src, "header_row", None) or 1) > 1:
        out["header_row"] = int(src.header_row)
    return out


def _describe_spec(spec: dict[str, Any]) -> str:
    if "column" in spec:
        return str(spec["column"])
    key, value = next(iter(spec.items()))
    if isinstance(value, dict):
        value = ", ".join(f"{k}={v}" for k, v in value.items())
    elif isinstance(value, list):
        value = ", ".join(map(str, value))
    return f"{key}({value})"


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
    sample = _sample(frame, sample_size)
    status_words = frozenset(vocab.status_synonyms)
    sniffs = sniff_frame(sample, status_words)
    headers = {c: expand(normalize_text(c)) for c in columns}

    candidates: dict[str, list[Candidate]] = {f: [] for f in SUGGESTED_FIELDS}
    rate_like = {c: _rate_score(headers[c]) for c in columns}
    for c in columns:
        for fld in SUGGESTED_FIELDS:
            cand = _single_column_candidate(fld, c, headers[c], sniffs[c], vocab, rate_like[c])
            if cand is not None:
                candidates[fld].append(cand)
    for cand in _composite_candidates(columns, headers, sniffs, vocab, rate_like):
        candidates[cand.field].append(cand)
    for cand in _stay_candidates(columns, sniffs, sample):
        candidates[cand.field].append(cand)
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
        )
        if fld in DATE_FIELDS and "column" in fs.spec:
            decision = _refine_date(fld, fs, frame[fs.spec["column"]], sample[fs.spec["column"]])
            if decision is not None:
                decisions[fld] = decision
        if fld == "amount" and ("column" in fs.spec or "product" in fs.spec):
            _refine_number_locale(fs, sample[fs.columns[0]], sniffs[fs.columns[0]])
        if fld == "status" and "column" in fs.spec:
            _suggest_status_map(fs, frame[fs.spec["column"]], vocab)
        fields[fld] = fs
    _share_date_order(fields, decisions)
    _currency_from_amount(fields, candidates, sniffs)
    if "booking_ref" not in fields and columns and len(frame):
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


def _hash_ref_candidate(columns: list[str]) -> Candidate:
    """No column is a reference, but the field is required: a reference hashed from every
    column is the same each time the vendor re-sends a row, so re-imports update instead
    of duplicating.  Always ambiguous: the operator confirms it."""
    spec = {"hash": list(columns), "length": HASH_REF_LENGTH, "number_duplicates": True}
    why = "no column looks like a booking reference: a stable reference is hashed from every column"
    return Candidate("booking_ref", spec, MIN_CONFIDENCE, [why], (), ambiguous=True)


def _sample(frame: pd.DataFrame, size: int) -> pd.DataFrame:
    """Rows spread evenly over the file (exports are often sorted by date or ref)."""
    if len(frame) <= size:
        return frame
    positions = np.unique(np.linspace(0, len(frame) - 1, num=size).astype(np.int64))
    return frame.iloc[positions]


def _rate_score(header: str) -> float:
    return header_score(header, RATE_SYNONYMS)[0]


def _header_reason(column: str, score: float, syn: str) -> str:
    if score >= 100:
        return f"header '{column}' = '{syn}'"
    return f"header '{column}' ~ '{syn}' ({round(score)})"


def _single_column_candidate(
    fld: str, column: str, header: str, sn: ColumnSniff, vocab: Vocabulary, rate: float
) -> Candidate | None:
    score, syn = header_score(header, vocab.header_synonyms[fld], vocab.foreign_words(fld))
    h = score / 100 if score >= HEADER_MIN_SCORE else 0.0
    reasons = [_header_reason(column, score, syn)] if h else []
    ambiguous = False
    if fld == "amount" and h and rate >= HEADER_MIN_SCORE and rate >= score:
        h *= 0.6
        ambiguous = True
        reasons.append(f"'{column}' looks like a price per night, not the total of the stay")
    if sn.n == 0:
        conf = 0.9 * h
        if h:
            reasons.append("the column is empty in the sample, so its content says nothing")
    else:
        compat, signal, why = content_evidence(fld, sn)
        conf = (1 - (1 - h) * (1 - signal)) * (COMPAT_FLOOR + (1 - COMPAT_FLOOR) * compat)
        if signal >= 0.3 or (h and compat >= 0.8 and fld not in ("property_name", "room_type", "channel")):
            reasons.append(why)
        elif h and compat < 0.8:
            reasons.append(f"but only {why}")
    if conf <= 0.05:
        return None
    rank = vocab.header_synonyms[fld].index(syn) if h else len(vocab.header_synonyms[fld])
    return Candidate(fld, {"column": column}, conf, reasons, (column,), ambiguous, rank=rank)


def _composite_candidates(
    columns: list[str],
    headers: dict[str, str],
    sniffs: dict[str, ColumnSniff],
    vocab: Vocabulary,
    rate_like: dict[str, float],
) -> list[Candidate]:
    out = _date_part_candidates(columns, headers, sniffs, vocab)
    out += _nights_sum_candidates(columns, headers, sniffs)
    out += _derived_date_candidates(columns, headers, sniffs)
    out += _full_name_candidates(columns, headers, sniffs)
    out += _rate_product_candidates(columns, headers, sniffs, rate_like)
    return out


def _rate_product_candidates(
    columns: list[str], headers: dict[str, str], sniffs: dict[str, ColumnSniff], rate_like: dict[str, float]
) -> list[Candidate]:
    """A nightly rate ("adr", "avg_price_per_room") times the nights is the amount; it loses
    to any real total column, and is dropped when the nights end up unmapped."""
    out = []
    for c in columns:
        rate = rate_like[c]
        number = sniffs[c].get("number") if sniffs[c].n else 1.0
        if rate >= HEADER_MIN_SCORE and number >= 0.9:
            _, syn = header_score(headers[c], RATE_SYNONYMS)
            reasons = [
                f"header '{c}' ~ nightly rate '{syn}' ({round(rate)})",
                f"amount = '{c}' x nights (the total of the stay)",
            ]
            conf = 0.8 * rate / 100 * (0.5 + 0.5 * number)
            out.append(Candidate("amount", {"product": [c, "@nights"]}, conf, reasons, (c,), requires=("nights",)))
    return out


def _full_name_candidates(
    columns: list[str], headers: dict[str, str], sniffs: dict[str, ColumnSniff]
) -> list[Candidate]:
    """First-name and last-name columns make the customer name: ``concat`` with a space."""

    def best(synonyms: tuple[str, ...]) -> tuple[str, float] | None:
        found = []
        for c in columns:
            score = header_score(headers[c], synonyms)[0]
            if score >= HEADER_MIN_SCORE and (sniffs[c].n == 0 or sniffs[c].get("letters") > 0.8):
                found.append((c, score))
        return max(found, key=lambda x: x[1]) if found else None

    first, last = best(FIRST_NAME_SYNONYMS), best(LAST_NAME_SYNONYMS)
    if first is None or last is None or first[0] == last[0]:
        return []
    conf = 0.95 * min(first[1], last[1]) / 100
    why = f"first name '{first[0]}' + last name '{last[0]}'"
    spec = {"concat": [first[0], last[0]], "sep": " "}
    return [Candidate("customer_name", spec, conf, [why], (first[0], last[0]))]


def _derived_date_candidates(
    columns: list[str], headers: dict[str, str], sniffs: dict[str, ColumnSniff]
) -> list[Candidate]:
    """Dates a file does not hold but implies: departure = arrival + nights; booking date =
    arrival - lead time.  They use no column of their own (or only the lead time), so they
    only win when no real column does."""
    out = [
        Candidate(
            "check_out",
            {"date_add": {"date": "@check_in", "days": "@nights"}},
            DERIVED_DATE_CONFIDENCE,
            ["no departure column: check_out = check_in + nights"],
            (),
            requires=("check_in", "nights"),
        )
    ]
    for c in columns:
        score, syn = header_score(headers[c], LEAD_TIME_SYNONYMS)
        fit = sniffs[c].get("int") if sniffs[c].n else 1.0
        if score >= HEADER_MIN_SCORE and fit >= 0.9:
            spec = {"date_add": {"date": "@check_in", "days": c, "subtract": True}}
            why = f"header '{c}' ~ '{syn}' ({round(score)}): booked_at = check_in - lead time (a date, no time)"
            conf = DERIVED_DATE_CONFIDENCE * score / 100 * fit
            out.append(Candidate("booked_at", spec, conf, [why], (c,), requires=("check_in",)))
    return out


def _stay_candidates(columns: list[str], sniffs: dict[str, ColumnSniff], sample: pd.DataFrame) -> list[Candidate]:
    """Two date columns whose second date falls 1-30 days after the first in almost every
    row are an arrival and a departure, whatever their headers say ("Von"/"Bis", "d1"/"d2")."""
    dated = [c for c in columns if sniffs[c].n and sniffs[c].get("date") >= 0.9][:MAX_STAY_COLUMNS]
    if len(dated) < 2:
        return []
    days = {}
    for c in dated:
        text = normalize_dates_auto(sample[c])[0].text
        days[c] = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce").to_numpy(dtype="datetime64[D]")
    out: list[Candidate] = []
    for a in dated:
        for b in dated:
            if a == b:
                continue
            both = ~(np.isnat(days[a]) | np.isnat(days[b]))
            if both.sum() < MIN_STAY_ROWS:
                continue
            gap = (days[b][both] - days[a][both]).astype(np.int64)
            stay = float(((gap >= 1) & (gap <= MAX_STAY_DAYS)).mean())
            if stay < 0.9:
                continue
            why = f"'{b}' is 1-{MAX_STAY_DAYS} days after '{a}' in {_pct(stay)} of rows: a stay"
            conf = 0.45 + 0.2 * stay
            out.append(Candidate("check_in", {"column": a}, conf, [why], (a,)))
            out.append(Candidate("check_out", {"column": b}, conf, [why], (b,)))
    return out


def _date_part_role(header: str) -> tuple[str, str] | None:
    """("year"|"month"|"day", prefix) for a header such as "arrival_date_day_of_month"."""
    if "day of month" in header:
        return "day", " ".join(header.replace("day of month", " ").split())
    words = header.split()
    for role, names in (("year", YEAR_WORDS), ("month", MONTH_WORDS), ("day", DAY_WORDS)):
        hit = [w for w in words if w in names]
        if hit:
            return role, " ".join(w for w in words if w not in names)
    if words and words[-1] == "date":
        return "day", " ".join(words[:-1])
    return None


def _date_part_candidates(
    columns: list[str], headers: dict[str, str], sniffs: dict[str, ColumnSniff], vocab: Vocabulary
) -> list[Candidate]:
    groups: dict[str, dict[str, tuple[str, float]]] = {}
    for c in columns:
        role_prefix = _date_part_role(headers[c])
        sn = sniffs[c]
        if role_prefix is None or sn.n == 0:
            continue
        role, prefix = role_prefix
        fit = sn.get(role)
        if role == "day" and sn.get("date_any") > 0.5:
            continue
        if fit >= 0.9:
            groups.setdefault(prefix, {}).setdefault(role, (c, fit))
    out: list[Candidate] = []
    for prefix, parts in groups.items():
        if len(parts) < 3:
            continue
        (y, fy), (m, fm), (d, fd) = parts["year"], parts["month"], parts["day"]
        content = (fy + fm + fd) / 3
        spec = {"date_parts": {"year": y, "month": m, "day": d}}
        base = f"year/month/day columns '{y}', '{m}', '{d}'"
        for fld in DATE_FIELDS:
            if prefix:
                score, syn = header_score(prefix, vocab.header_synonyms[fld])
                if score < HEADER_MIN_SCORE:
                    continue
                why = f"{base}; prefix '{prefix}' ~ '{syn}' ({round(score)})"
            elif fld == "check_in":
                score, why = 50.0, f"{base} without a prefix (taken as the arrival date)"
            else:
                continue
            conf = 0.5 + 0.45 * score / 100 * content
            out.append(Candidate(fld, spec, conf, [why], (y, m, d)))
    return out


def _nights_sum_candidates(
    columns: list[str], headers: dict[str, str], sniffs: dict[str, ColumnSniff]
) -> list[Candidate]:
    weekend = week = None
    for c in columns:
        words = set(headers[c].split())
        if not words & NIGHT_WORDS:
            continue
        if words & WEEKEND_WORDS and weekend is None:
            weekend = c
        elif words & WEEK_WORDS and week is None:
            week = c
    if weekend is None or week is None:
        return []
    fit = [sniffs[c].get("count") if sniffs[c].n else 1.0 for c in (weekend, week)]
    if min(fit) < 0.9:
        return []
    conf = 0.93 * (0.5 + 0.5 * sum(fit) / 2)
    why = f"stay length = '{weekend}' + '{week}' (weekend and week nights, {_pct(min(fit))} whole numbers)"
    return [Candidate("nights", {"sum": [weekend, week]}, conf, [why], (weekend, week))]


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


# -- dates -------------------------------------------------------------------------

DATE_FORMATS = (
    "%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d-%m-%Y", "%m-%d-%Y", "%Y/%m/%d", "%Y.%m.%d",
    "%d/%m/%y", "%m/%d/%y", "%d.%m.%y", "%Y%m%d", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y",
    "%d-%b-%Y", "%d-%b-%y",
)  # fmt: skip
# no offsets ("Z", "+02:00"): the mapping reads ISO 8601 with offsets without a format
DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M",
    "%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%m/%d/%Y %H:%M:%S",
    "%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%m/%d/%Y %I:%M %p", "%d-%m-%Y %H:%M", "%d %b %Y %H:%M",
)  # fmt: skip


def _distinct_text(values: pd.Series) -> pd.Series:
    """Distinct trimmed non-empty values (unique first: a million cells hold few dates)."""
    s = pd.Series(values.dropna().unique(), dtype="str").str.strip()
    return pd.Series(s[s != ""].unique(), dtype="str")


def _fits(values: pd.Series, fmt: str) -> bool:
    if values.empty:
        return False
    parsed = pd.to_datetime(values, format=fmt, errors="coerce")
    return bool(parsed.notna().all())


def _fitting_formats(sample: pd.Series, full: pd.Series, formats: tuple[str, ...]) -> list[str]:
    """Formats that read every distinct value: tried on the sample, confirmed on the column."""
    in_sample = [f for f in formats if _fits(sample, f)]
    if not in_sample:
        return []
    return [f for f in in_sample if _fits(full, f)]


def _order_reason(d: DateOrderDecision) -> str:
    if d.order == "dmy":
        return f"day-first dates: {d.dmy_evidence} values prove dmy, {d.mdy_evidence} prove mdy"
    if d.order == "mdy":
        return f"month-first dates: {d.mdy_evidence} values prove mdy, {d.dmy_evidence} prove dmy"
    if d.order == "ymd":
        return f"year-first dates ({d.ymd_evidence} values start with the year)"
    return f"day/month order unknown: {d.explain()}"


def _refine_date(fld: str, fs: FieldSuggestion, full: pd.Series, sample: pd.Series) -> DateOrderDecision | None:
    """Add ``date_format`` (``datetime_format`` for booked_at with times) when one explicit
    format reads every distinct value of the column, else ``date_order`` when the whole
    column proves it; mark the field ambiguous when the column cannot tell day-first
    from month-first (the operator decides)."""
    column = fs.spec["column"]
    sample_u = _distinct_text(sample)
    if sample_u.empty:
        return None
    full_u = _distinct_text(full)
    has_time = bool(sample_u.str.contains(r"\d:\d\d").mean() > 0.5)
    if has_time and fld != "booked_at":
        formats: tuple[str, ...] = ()  # a date field with times: ISO is read as is, else by order
    else:
        formats = DATETIME_FORMATS if has_time else DATE_FORMATS
    key = "datetime_format" if has_time else "date_format"
    fits = _fitting_formats(sample_u, full_u, formats) if formats else []
    # the distinct values of the whole column carry all of its day/month evidence,
    # at a fraction of the cost of a million cells
    decision = detect_date_order(full_u)
    if len(fits) == 1:
        fs.spec[key] = fits[0]
        reason = f"every value fits {fits[0]}"
        if decision.order in ("dmy", "mdy"):
            reason += f" ({_order_reason(decision)})"
        fs.reasons.append(reason)
        return decision
    if not fits and bool(iso_date_mask(full_u).all()):
        fs.reasons.append("ISO 8601 dates" + (" with times" if has_time else ""))
        return decision  # the mapping reads them without a format
    if decision.order is not None and not (has_time and fld == "booked_at"):
        if decision.order != "ymd" or not fits:
            fs.spec["date_order"] = decision.order
        fs.reasons.append(_order_reason(decision))
        return decision
    if len(fits) < 2 and (decision.order is not None or decision.checked == 0):
        if decision.checked == 0:
            fs.reasons.append("no single date format reads every value; choose one if the preview shows raw text")
        return decision
    fs.ambiguous = True
    fs.reasons.append(_order_reason(decision))
    for fmt in fits:
        spec = {"column": column, key: fmt}
        alt = Candidate(fld, spec, fs.confidence, [f"every value fits {fmt}"], (column,), ambiguous=True)
        fs.alternatives.insert(0, alt)
    if not fits and not has_time:
        for order in ("dmy", "mdy"):
            spec = {"column": column, "date_order": order}
            fs.alternatives.insert(0, Candidate(fld, spec, fs.confidence, [f"read as {order}"], (column,), True))
    return decision


def _share_date_order(fields: dict[str, FieldSuggestion], decisions: dict[str, DateOrderDecision]) -> None:
    """A file writes all its dates one way: an ambiguous date column takes the day/month
    order that the file's other date columns prove (when they agree)."""
    proven = {f: d.order for f, d in decisions.items() if d.order in ("dmy", "mdy") and not fields[f].ambiguous}
    orders = set(proven.values())
    if len(orders) != 1:
        return
    order = orders.pop()
    witness = fields[next(iter(proven))].spec["column"]
    for fld, fs in fields.items():
        if not fs.ambiguous or fld not in decisions or decisions[fld].mdy_evidence or decisions[fld].dmy_evidence:
            continue
        fits = [k.spec.get("date_format") for k in fs.alternatives if k.ambiguous]
        fmt = next((f for f in fits if _format_order(f) == order), None)
        if fmt:
            fs.spec["date_format"] = fmt
        else:
            fs.spec["date_order"] = order
        fs.ambiguous = False
        fs.alternatives = [k for k in fs.alternatives if not k.ambiguous]
        fs.reasons.append(f"same day/month order ({order}) as '{witness}', whose values prove it")


def _format_order(fmt: str | None) -> str | None:
    """"dmy" / "mdy" for a strptime format that starts with the day or the month."""
    if not fmt:
        return None
    day, month = fmt.find("%d"), fmt.find("%m")
    year = max(fmt.find("%Y"), fmt.find("%y"))
    if day < 0 or month < 0 or 0 <= year < min(day, month):
        return None
    return "dmy" if day < month else "mdy"


# -- amounts ----------------------------------------------------------------------

_COMMA_DECIMAL = r"[+-]?(?:\d{1,3}(?:[. \u00a0']\d{3})+|\d+),\d{1,2}"
_DOT_DECIMAL = r"[+-]?(?:\d{1,3}(?:[, \u00a0']\d{3})+|\d+)\.\d{1,2}"
_THOUSANDS = r"[+-]?\d{1,3}(?:([.,' \u00a0])\d{3})+(?:[.,]\d{1,2})?"


def _amount_code_split(sn: ColumnSniff) -> tuple[int, int] | None:
    """(amount part, code part) indexes when the values read "120.50 EUR" / "EUR 120.50"."""
    if max(sn.get("amount_code"), sn.get("code_amount")) < max(0.9, sn.get("number")):
        return None
    return (0, -1) if sn.get("amount_code") >= sn.get("code_amount") else (-1, 0)


def _currency_from_amount(
    fields: dict[str, FieldSuggestion], candidates: dict[str, list[Candidate]], sniffs: dict[str, ColumnSniff]
) -> None:
    """An amount written with its currency ("120 EUR") also gives the currency, when no column
    does: the one case where two fields read the same column (each its own part)."""
    amount = fields.get("amount")
    if amount is None or "column" not in amount.spec or "currency" in fields:
        return
    parts = _amount_code_split(sniffs[amount.spec["column"]])
    if parts is None:
        return
    column = amount.spec["column"]
    why = f"the currency code written after/before each amount in '{column}'"
    cand = Candidate("currency", {"column": column, "split": {"sep": " ", "index": parts[1]}}, amount.confidence,
                     [why], ())
    candidates["currency"].insert(0, cand)
    fields["currency"] = FieldSuggestion(spec=dict(cand.spec), confidence=cand.confidence, reasons=[why])


def _refine_number_locale(fs: FieldSuggestion, sample: pd.Series, sn: ColumnSniff) -> None:
    """Add ``number_locale`` when the amounts write a decimal comma ("1.234,56") or
    thousands separators ("1,234.56").  Values such as "1,234" say nothing (three digits
    after one separator fit both readings) and are not counted.  Amounts written with
    their currency code ("120 EUR") get a ``split`` that keeps the number."""
    values = _distinct_text(sample)
    parts = _amount_code_split(sn) if "column" in fs.spec else None
    if parts is not None:
        fs.spec["split"] = {"sep": " ", "index": parts[0]}
        fs.reasons.append("the number is the " + ("first" if parts[0] == 0 else "last") + " part of each value")
        values = values.str.split(" ").str[parts[0]]
    if values.empty:
        return
    comma = int(values.str.fullmatch(_COMMA_DECIMAL).sum())
    dot = int(values.str.fullmatch(_DOT_DECIMAL).sum())
    telling = values[~values.str.fullmatch(r"[+-]?\d{1,3}[.,]\d{3}").astype(bool)]
    seps = telling.str.extract(_THOUSANDS)[0].dropna()
    decimal = "," if comma > dot else "."
    thousands = [t for t in seps.value_counts().index if t != decimal]
    if decimal == "." and not thousands:
        return
    locale = {"decimal": decimal, "thousands": thousands[0] if thousands else ""}
    fs.spec["number_locale"] = locale
    if decimal == ",":
        fs.reasons.append(f"decimal comma: {comma} distinct values end in ,dd and {dot} in .dd")
    if thousands:
        fs.reasons.append(f"thousands separator {thousands[0]!r}")


# -- status values -------------------------------------------------------------------------

_NEGATIONS = frozenset({"not", "non", "no", "un"})


def _negated(norm: str) -> bool:
    return bool(set(norm.split()) & _NEGATIONS)


def _match_status(value: str, vocab: Vocabulary) -> tuple[str | None, float, str]:
    """(canonical status or None, confidence, reason) for one source value: an exact synonym
    (after normalization); else a value that contains synonyms of exactly one status
    ("cancelled_by_guest"); else a fuzzy match.  Negation must agree ("Not_Canceled" is
    not "Canceled")."""
    norm = normalize_text(value)
    target = vocab.status_synonyms.get(norm)
    if target is not None:
        return target, 1.0, f"'{value}' is a synonym of {target}"
    words = set(norm.split())
    inside = [k for k in vocab.status_synonyms if set(k.split()) <= words and _negated(k) == _negated(norm)]
    targets = {vocab.status_synonyms[k] for k in inside}
    if len(targets) == 1:
        k = max(inside, key=len)
        target = targets.pop()
        return target, STATUS_CONTAINS_CONFIDENCE, f"'{value}' contains '{k}' -> {target}"
    match = process.extractOne(norm, list(vocab.status_synonyms), scorer=fuzz.ratio, score_cutoff=STATUS_FUZZY_MIN)
    if match is not None and _negated(match[0]) == _negated(norm):
        target = vocab.status_synonyms[match[0]]
        return target, round(match[1] / 100, 3), f"'{value}' ~ '{match[0]}' ({round(match[1])}) -> {target}"
    return None, 0.0, f"no canonical status looks like '{value}'"


def _suggest_status_map(fs: FieldSuggestion, full: pd.Series, vocab: Vocabulary) -> None:
    """Map each distinct source value of the whole column to a canonical status (see
    :func:`_match_status`); unmatched values are listed for the operator."""
    raw_counts = full.value_counts()  # count first, trim the few distinct values after
    trimmed = pd.Series(raw_counts.index, dtype="str").str.strip().to_numpy()
    counts = pd.Series(raw_counts.to_numpy(), index=trimmed).groupby(level=0, sort=False).sum()
    counts = counts[counts.index != ""].sort_values(ascending=False, kind="stable").head(MAX_STATUS_VALUES)
    mapping: dict[str, str] = {}
    for value, n in counts.items():
        target, conf, why = _match_status(str(value), vocab)
        vm = ValueMapping(str(value), target, conf, why, int(n))
        fs.value_map.append(vm)
        if vm.target is None:
            fs.unmatched_values.append(value)
        elif vm.target != value:
            mapping[value] = vm.target
    if mapping:
        fs.spec["map"] = mapping
        shown = ", ".join(f"{k} -> {v}" for k, v in list(mapping.items())[:6])
        fs.reasons.append(f"status values: {shown}")
    if fs.unmatched_values:
        fs.reasons.append(f"no canonical status for: {', '.join(fs.unmatched_values[:6])}")
        known = sum(v.count for v in fs.value_map if v.target is not None) / max(1, int(counts.sum()))
        if known < 0.5:
            fs.ambiguous = True
            fs.reasons.append(f"only {_pct(known)} of rows have a value that maps to a status")
