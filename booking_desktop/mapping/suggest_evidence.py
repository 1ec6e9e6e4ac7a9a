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

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

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
# headers of real exports the schema's synonyms miss (Airbnb: "Listing", "Earnings"); kept with
# the suggester, which weighs them (suggest_semantics doubts "Earnings" as net of fees)
VENDOR_HEADERS = {
    "property_name": ("listing", "listing name", "apartment", "house name"),
    "amount": ("earnings", "gross earnings", "total earnings", "total payout"),
    "customer_phone": ("contact", "guest contact", "phone 1", "mobile 1"),
}
# status words of real exports the schema's synonyms miss (Airbnb's reservation list, channel
# managers); the suggester puts them in the profile's value map, so validation needs none of them
VENDOR_STATUSES = {
    "past guest": "completed", "currently hosting": "confirmed", "arriving soon": "confirmed",
    "checking out today": "confirmed", "checked in": "confirmed", "in house": "confirmed", "inhouse": "confirmed",
    "awaiting guest review": "completed", "review guest": "completed", "upcoming": "confirmed",
    "inquiry": "pending", "enquiry": "pending", "request to book": "pending", "awaiting payment": "pending",
    "expired": "cancelled", "denied": "cancelled", "withdrawn": "cancelled", "no shows": "no_show",
}  # fmt: skip
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
        words = [*schema.header_synonyms.get(name, ()), name, *VENDOR_HEADERS.get(name, ())]
        headers[name] = tuple(dict.fromkeys(expand(normalize_text(w)) for w in words))
    synonyms = {normalize_text(k): v for k, v in schema.status_synonyms.items()}
    for k, v in VENDOR_STATUSES.items():
        synonyms.setdefault(normalize_text(k), v)
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


class HeaderShortlist:
    """For each of a file's headers, the synonyms it could match at :data:`HEADER_MIN_SCORE`.

    :func:`header_score` scores a header against every synonym with rapidfuzz and word
    penalties; a file of 9,000 columns times a few hundred synonyms made that a minute.
    Most pairs cannot reach the minimum, and that is known without scoring them:

    * the space-less comparison (one-word headers or synonyms) is ``fuzz.ratio``, computed
      for every pair at once in C (``cdist``, a few ms per thousand headers);
    * the word comparison is at most 100 less the penalties for the words one side lacks,
      so it reaches the minimum only when at most one word differs: the header shares a
      word with the synonym, or one side has no word besides stop words.

    Only the pairs left are scored; every score at the minimum or above is the same as
    without the shortlist (scores below it are no evidence anywhere)."""

    def __init__(self, headers: Iterable[str], synonyms: Iterable[str]):
        self.headers = list(dict.fromkeys(headers))
        self.synonyms = list(dict.fromkeys(synonyms))
        self._allowed: dict[str, frozenset[str]] = {}
        self._known = frozenset(self.synonyms)
        self._unknown: dict[tuple[str, ...], tuple[str, ...]] = {}
        if self.headers and self.synonyms:
            self._build()

    def _build(self) -> None:
        cut = HEADER_MIN_SCORE
        slack = 100 - cut
        compact = process.cdist([h.replace(" ", "") for h in self.headers],
                                [w.replace(" ", "") for w in self.synonyms], scorer=fuzz.ratio,
                                score_cutoff=cut, dtype=np.uint8)  # fmt: skip
        close = compact >= cut
        words = [frozenset(w.split()) for w in self.synonyms]
        by_word: dict[str, list[int]] = {}
        for j, ws in enumerate(words):
            for w in ws:
                by_word.setdefault(w, []).append(j)
        stop_only = [j for j, ws in enumerate(words) if not ws - STOP_WORDS]
        one_word = [j for j, ws in enumerate(words) if len(ws - STOP_WORDS) <= 1]
        for i, h in enumerate(self.headers):
            hw = frozenset(h.split())
            content = len(hw - STOP_WORDS)
            pairs = {j for w in hw for j in by_word.get(w, ())}
            pairs.update(one_word if content == 0 else stop_only if content == 1 else ())
            keep = {self.synonyms[j] for j in np.flatnonzero(close[i]).tolist()}
            for j in pairs:
                extra = len(hw - words[j] - STOP_WORDS)
                missing = len(words[j] - hw - STOP_WORDS)
                if EXTRA_WORD_PENALTY * extra + MISSING_WORD_PENALTY * missing <= slack:
                    keep.add(self.synonyms[j])
            self._allowed[h] = frozenset(keep)

    def worth_scoring(self, header: str, synonyms: tuple[str, ...]) -> tuple[str, ...]:
        """The synonyms of ``synonyms`` that ``header`` could match (all of them for a header
        or a synonym this shortlist was not built for)."""
        allowed = self._allowed.get(header)
        if allowed is None:
            return synonyms
        unknown = self._unknown.get(synonyms)
        if unknown is None:
            unknown = self._unknown[synonyms] = tuple(s for s in synonyms if s not in self._known)
        if not allowed and not unknown:
            return ()
        return tuple(s for s in synonyms if s in allowed or s in unknown)


_SHORTLIST: ContextVar[HeaderShortlist | None] = ContextVar("header_shortlist", default=None)


@contextmanager
def shortlisted(headers: Iterable[str], synonyms: Iterable[str]) -> Iterator[HeaderShortlist]:
    """Within the block, :func:`header_score` skips the synonyms a header cannot match
    (see :class:`HeaderShortlist`).  A context variable: each thread has its own."""
    shortlist = HeaderShortlist(headers, synonyms)
    token = _SHORTLIST.set(shortlist)
    try:
        yield shortlist
    finally:
        _SHORTLIST.reset(token)


def header_score(
    header: str, synonyms: tuple[str, ...], foreign: frozenset[str] = frozenset()
) -> tuple[float, str]:
    """Best score (0..100) of a normalized+expanded header against synonyms, and which synonym.
    ``foreign``: words that name other fields (see :meth:`Vocabulary.foreign_words`)."""
    best, best_syn = 0.0, ""
    shortlist = _SHORTLIST.get()
    if shortlist is not None:
        synonyms = shortlist.worth_scoring(header, tuple(synonyms))
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
    compat, signal, why = _content(fld, sn)
    return compat, signal, why()


def _content(fld: str, sn: ColumnSniff) -> tuple[float, float, Callable[[], str]]:
    """:func:`content_evidence` with the reason written only when asked for (a wide file
    weighs every column for every field and keeps few of the reasons)."""
    g = sn.get
    if fld == "customer_email":
        c = g("email")
        return c, 0.95 * c, lambda: f"{pct(c)} of values look like e-mail addresses"
    if fld == "customer_phone":
        c = g("phone")
        return c, 0.7 * c * (0.6 if g("int") > 0.5 else 1.0), lambda: f"{pct(c)} of values look like phone numbers"
    if fld in ("check_in", "check_out"):
        c = g("date_any")
        return c, 0.4 * g("date"), lambda: f"{pct(c)} of values look like dates"
    if fld == "booked_at":
        c = g("date_any")
        return c, 0.55 * g("datetime") + 0.25 * g("date"), lambda: f"{pct(c)} of values look like dates or date-times"
    if fld in ("nights", "adults", "children"):
        c = g("count")
        mean = sn.int_mean if sn.int_mean is not None else -1.0
        typical = {"adults": 1 <= mean <= 4, "children": 0 <= mean < 1, "nights": 1 <= mean <= 14}[fld]
        return c, (0.25 if typical else 0.1) * c, lambda: f"{pct(c)} of values are small whole numbers"
    if fld == "amount":
        coded, sign = max(g("amount_code"), g("code_amount")), g("amount_sign")
        if coded > g("number") and coded >= sign:
            return coded, 0.4 * coded, lambda: f"{pct(coded)} of values are amounts with a currency code"
        if sign > g("number"):
            return sign, 0.4 * sign, lambda: f"{pct(sign)} of values are amounts with a currency sign"
        c, dec = g("number"), g("has_decimals")
        return c, 0.4 * dec, lambda: f"{pct(c)} of values are amounts ({pct(dec)} with decimals)"
    if fld == "currency":
        c = g("currency")
        return c, 0.9 * c, lambda: (
            "values are ISO 4217 codes" if c >= 0.995 else f"{pct(c)} of values are ISO 4217 currency codes"
        )
    if fld == "country":
        code, name = g("country_code"), g("country_name")
        c = max(code, name)
        spread = 0.5 + 0.5 * min(1.0, sn.n_distinct / 8)
        kind = "ISO 3166 country codes" if code >= name else "country names"
        return c, 0.75 * c * spread, lambda: f"{pct(c)} of values are {kind}"
    if fld == "status":
        low_card = sn.n_distinct <= STATUS_MAX_DISTINCT
        c = g("letters") * (1.0 if low_card else 0.3)
        known = g("status")
        return max(c, known), 0.85 * known * low_card, lambda: f"{pct(known)} of values are known booking statuses"
    if fld == "booking_ref":
        u = sn.uniqueness
        # a reservation of several rooms repeats its number: repeats lower the signal, the fit a little
        c = g("ref") * min(1.0, 0.6 + u) if g("ref") else min(u, 0.5)
        ref = g("ref")
        return c, 0.6 * ref * u**4, lambda: f"{pct(u)} of values are distinct, {pct(ref)} look like references"
    if fld == "customer_name":
        c = g("letters") * (1 - g("email")) * min(1.0, 5 * sn.uniqueness + g("person_name"))
        signal = 0.55 * g("person_name") * min(1.0, 2 * sn.uniqueness)
        return c, signal, lambda: f"{pct(g('person_name'))} of values look like names"
    # property_name, room_type, channel: free text, the header decides
    return max(g("letters"), 0.6), 0.0, lambda: f"{pct(g('letters'))} of values contain letters"


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
        compat, signal, why = _content(fld, sn)
        conf = (1 - (1 - h) * (1 - signal)) * (COMPAT_FLOOR + (1 - COMPAT_FLOOR) * compat)
        if conf <= 0.05:
            return None
        if signal >= 0.3 or (h and compat >= 0.8 and fld not in ("property_name", "room_type", "channel")):
            reasons.append(why())
        elif h and compat < 0.8:
            reasons.append(f"but only {why()}")
    if conf <= 0.05:
        return None
    rank = vocab.header_synonyms[fld].index(syn) if h else len(vocab.header_synonyms[fld])
    return Candidate(fld, {"column": column}, conf, reasons, (column,), ambiguous, rank=rank)
