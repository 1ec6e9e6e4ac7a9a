"""Single-column evidence for the suggester: the header and the sampled content.

* the header: exact match with one of the schema's ``x-header-synonyms`` after
  normalization (case, punctuation, underscores, camelCase, common abbreviations such
  as ``conf`` / ``no``), else a fuzzy score (rapidfuzz) that is penalized for every
  word the header and the synonym do not share;
* the content of a sample of the column (:mod:`booking_desktop.mapping.sniff`): how
  well the values fit the field's type (``compat``) and how much they alone point at
  the field (``signal``).

:func:`single_column_candidate` combines both into one :class:`Candidate`; the
composite candidates (:mod:`.suggest_composites`) reuse :func:`header_score`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz

from booking_desktop.mapping.sniff import ColumnSniff, normalize_text
from booking_desktop.mapping.suggest_model import SUGGESTED_FIELDS, Candidate, pct

HEADER_MIN_SCORE = 80  # fuzzy header scores below this are no evidence at all
EXTRA_WORD_PENALTY = 12  # per header word the synonym lacks ("no of weekend nights" vs "nights")
MISSING_WORD_PENALTY = 15  # per synonym word the header lacks ("date" vs "arrival date")
FOREIGN_WORD_PENALTY = 13  # extra, per header word that is another field's synonym ("status" for booked_at)
COMPAT_FLOOR = 0.35  # confidence factor when no sampled value fits the field's type
STATUS_MAX_DISTINCT = 30  # more distinct values than this is not a status column

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


def content_evidence(fld: str, sn: ColumnSniff) -> tuple[float, float, str]:
    """(compat, signal, reason) of a sampled column for a field; see the module docstring."""
    g = sn.get
    if fld == "customer_email":
        c = g("email")
        return c, 0.95 * c, f"{pct(c)} of values look like e-mail addresses"
    if fld == "customer_phone":
        c = g("phone")
        return c, 0.7 * c * (0.6 if g("int") > 0.5 else 1.0), f"{pct(c)} of values look like phone numbers"
    if fld in ("check_in", "check_out"):
        c = g("date_any")
        return c, 0.4 * g("date"), f"{pct(c)} of values look like dates"
    if fld == "booked_at":
        c = g("date_any")
        return c, 0.55 * g("datetime") + 0.25 * g("date"), f"{pct(c)} of values look like dates or date-times"
    if fld in ("nights", "adults", "children"):
        c = g("count")
        mean = sn.int_mean if sn.int_mean is not None else -1.0
        typical = {"adults": 1 <= mean <= 4, "children": 0 <= mean < 1, "nights": 1 <= mean <= 14}[fld]
        return c, (0.25 if typical else 0.1) * c, f"{pct(c)} of values are small whole numbers"
    if fld == "amount":
        coded = max(g("amount_code"), g("code_amount"))
        if coded > g("number"):
            return coded, 0.4 * coded, f"{pct(coded)} of values are amounts with a currency code"
        c = g("number")
        return c, 0.4 * g("has_decimals"), f"{pct(c)} of values are amounts ({pct(g('has_decimals'))} with decimals)"
    if fld == "currency":
        c = g("currency")
        why = "values are ISO 4217 codes" if c >= 0.995 else f"{pct(c)} of values are ISO 4217 currency codes"
        return c, 0.9 * c, why
    if fld == "country":
        code, name = g("country_code"), g("country_name")
        c = max(code, name)
        spread = 0.5 + 0.5 * min(1.0, sn.n_distinct / 8)
        kind = "ISO 3166 country codes" if code >= name else "country names"
        return c, 0.75 * c * spread, f"{pct(c)} of values are {kind}"
    if fld == "status":
        low_card = sn.n_distinct <= STATUS_MAX_DISTINCT
        c = g("letters") * (1.0 if low_card else 0.3)
        known = g("status")
        return max(c, known), 0.85 * known * low_card, f"{pct(known)} of values are known booking statuses"
    if fld == "booking_ref":
        u = sn.uniqueness
        c = g("ref") * (1.0 if u >= 0.8 else u) if g("ref") else min(u, 0.5)
        return c, 0.6 * g("ref") * u**4, f"{pct(u)} of values are distinct, {pct(g('ref'))} look like references"
    if fld == "customer_name":
        c = g("letters") * (1 - g("email")) * min(1.0, 5 * sn.uniqueness + g("person_name"))
        signal = 0.55 * g("person_name") * min(1.0, 2 * sn.uniqueness)
        return c, signal, f"{pct(g('person_name'))} of values look like names"
    # property_name, room_type, channel: free text, the header decides
    return max(g("letters"), 0.6), 0.0, f"{pct(g('letters'))} of values contain letters"


def rate_score(header: str) -> float:
    return header_score(header, RATE_SYNONYMS)[0]


def _header_reason(column: str, score: float, syn: str) -> str:
    if score >= 100:
        return f"header '{column}' = '{syn}'"
    return f"header '{column}' ~ '{syn}' ({round(score)})"


def single_column_candidate(
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
