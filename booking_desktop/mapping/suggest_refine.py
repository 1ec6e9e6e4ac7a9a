"""Refinements of the assigned sources, from whole columns.

Date columns get ``date_format`` / ``date_order`` (or are marked ambiguous for the
operator; an ambiguous column takes the order the file's other date columns prove),
amounts a ``number_locale`` (or a ``split`` when written "120 EUR", which then also
gives the currency), status columns a value map.
"""

from __future__ import annotations

import pandas as pd
from rapidfuzz import fuzz, process

from booking_desktop.mapping.dates import DateOrderDecision, detect_date_order, iso_date_mask, normalize_dates_auto
from booking_desktop.mapping.sniff import CURRENCY_SIGN_RE, CURRENCY_SIGNS, ColumnSniff, normalize_text
from booking_desktop.mapping.suggest_evidence import Vocabulary
from booking_desktop.mapping.suggest_model import Candidate, FieldSuggestion, ValueMapping, pct

STATUS_FUZZY_MIN = 85
STATUS_CONTAINS_CONFIDENCE = 0.9  # "cancelled_by_guest" holds the synonym "cancelled"
MAX_STATUS_VALUES = 200  # distinct status values looked at
ABBREV_MIN_LETTERS, ABBREV_MAX_LETTERS = 2, 5  # vendor status codes matched by their letters in order


# -- dates -------------------------------------------------------------------------

DATE_FORMATS = (
    "%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d-%m-%Y", "%m-%d-%Y", "%Y/%m/%d", "%Y.%m.%d",
    "%d/%m/%y", "%m/%d/%y", "%d.%m.%y", "%Y%m%d", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y",
    "%d-%b-%Y", "%d-%b-%y", "%d.%b.%Y", "%d/%b/%Y", "%d.%b.%y", "%d/%b/%y", "%d %b %y",
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


def refine_date(fld: str, fs: FieldSuggestion, full: pd.Series, sample: pd.Series) -> DateOrderDecision | None:
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
        if decision.checked == 0 and not has_time and not normalize_dates_auto(full_u)[0].n_failed:
            fs.reasons.append("dates with month names (read as such, in any of the languages the mapping knows)")
        elif decision.checked == 0:
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


def share_date_order(fields: dict[str, FieldSuggestion], decisions: dict[str, DateOrderDecision]) -> None:
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


def currency_from_amount(
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


def currency_from_sign(fields: dict[str, FieldSuggestion], candidates: dict[str, list[Candidate]],
                       sample: pd.Series | None) -> None:
    """Amounts written "€120.50" give the currency when the sign names one currency and no
    column does; "$" and "¥" name several, so the operator is told to choose."""
    amount = fields.get("amount")
    if amount is None or "currency" in fields or sample is None or "number_locale" not in amount.spec:
        return
    signs = set("".join(_distinct_text(sample).str.findall(CURRENCY_SIGN_RE).sum() or []))
    if len(signs) != 1:
        return
    sign = signs.pop()
    code = CURRENCY_SIGNS.get(sign, "")
    column = amount.spec.get("column")
    if not code:
        amount.doubts.append(f"the amounts are written with '{sign}', which several currencies use: "
                             "choose the currency")  # fmt: skip
        return
    why = f"every amount in '{column}' is written with '{sign}' ({code})"
    cand = Candidate("currency", {"constant": code}, 0.8, [why], ())
    candidates["currency"].insert(0, cand)
    fields["currency"] = FieldSuggestion(spec=dict(cand.spec), confidence=cand.confidence, reasons=[why])


def refine_number_locale(fs: FieldSuggestion, sample: pd.Series, sn: ColumnSniff) -> None:
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
    signed = "column" in fs.spec and parts is None and sn.get("amount_sign") >= 0.5
    if signed:  # "$1,234.50": the number_locale drops the sign (it keeps only digits, signs and separators)
        values = values.str.replace(CURRENCY_SIGN_RE, "", regex=True).str.strip()
    if values.empty:
        return
    comma = int(values.str.fullmatch(_COMMA_DECIMAL).sum())
    dot = int(values.str.fullmatch(_DOT_DECIMAL).sum())
    telling = values[~values.str.fullmatch(r"[+-]?\d{1,3}[.,]\d{3}").astype(bool)]
    seps = telling.str.extract(_THOUSANDS)[0].dropna()
    decimal = "," if comma > dot else "."
    thousands = [t for t in seps.value_counts().index if t != decimal]
    if decimal == "." and not thousands and not signed:
        return
    locale = {"decimal": decimal, "thousands": thousands[0] if thousands else ""}
    if signed:
        fs.reasons.append("the currency sign is dropped, the number kept")
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
    code = _abbreviation(norm, vocab)
    if code is not None:
        target, word, conf = code
        return target, conf, f"'{value}' abbreviates '{word}' (its letters in order) -> {target}"
    return None, 0.0, f"no canonical status looks like '{value}'"


def _letters_in_order(code: str, word: str) -> bool:
    it = iter(word)
    return all(ch in it for ch in code)


def _abbreviation(norm: str, vocab: Vocabulary) -> tuple[str, str, float] | None:  # (status, word, conf)
    """A vendor code ("PND", "CNFM", "NSH", "TNT") whose letters appear in order in the
    synonyms of exactly one canonical status, starting with its first letter: (status,
    the word it abbreviates, confidence).  Confidence grows with the letters the code
    spells (two letters are a weak guess, "CNFM" a strong one); a code that fits two
    statuses ("CN": confirmed or cancelled?) is none."""
    code = norm.replace(" ", "")
    if not (ABBREV_MIN_LETTERS <= len(code) <= ABBREV_MAX_LETTERS) or not code.isalpha():
        return None
    fits: dict[str, str] = {}
    for word, target in vocab.status_synonyms.items():
        compact = word.replace(" ", "")
        if len(compact) > len(code) and compact[0] == code[0] and _letters_in_order(code[1:], compact[1:]):
            fits.setdefault(target, word)
    if len(fits) != 1:
        return None
    target, word = fits.popitem()
    return target, word, round(min(0.85, 0.45 + 0.1 * len(code)), 3)


def suggest_status_map(fs: FieldSuggestion, full: pd.Series, vocab: Vocabulary) -> None:
    """Map each distinct source value of the whole column to a canonical status (see
    :func:`_match_status`); unmatched values are listed for the operator."""
    raw_counts = full.value_counts()  # count first, trim the few distinct values after
    trimmed = pd.Series(raw_counts.index, dtype="str").str.strip().to_numpy()
    counts = pd.Series(raw_counts.to_numpy(), index=trimmed).groupby(level=0, sort=False).sum()
    counts = counts[counts.index != ""].sort_values(ascending=False, kind="stable").head(MAX_STATUS_VALUES)
    mapping: dict[str, str] = {}
    for key, n in counts.items():
        value = str(key)  # the index is the trimmed text
        target, conf, why = _match_status(value, vocab)
        vm = ValueMapping(value, target, conf, why, int(n))
        fs.value_map.append(vm)
        if vm.target is None:
            fs.unmatched_values.append(value)
        elif vm.target != value:
            mapping[value] = vm.target
    if mapping:
        fs.spec["map"] = mapping
        shown = ", ".join(f"{k} -> {v}" for k, v in list(mapping.items())[:6])
        fs.reasons.append(f"status values: {shown}")
        guesses = [v for v in fs.value_map if v.target is not None and v.confidence < 1.0]
        if guesses:
            fs.reasons.append("guessed: " + ", ".join(f"{v.source} -> {v.target} ({v.confidence:.0%})"
                                                      for v in guesses[:6]))  # fmt: skip
    if fs.unmatched_values:
        unknown = [v for v in fs.value_map if v.target is None]
        listed = ", ".join(f"{v.source} ({v.count:,} row{'s' if v.count != 1 else ''})" for v in unknown[:6])
        more = f" and {len(unknown) - 6} more" if len(unknown) > 6 else ""
        fs.doubts.append(f"no canonical status for: {listed}{more}")
        known = sum(v.count for v in fs.value_map if v.target is not None) / max(1, int(counts.sum()))
        if known < 0.5:
            fs.ambiguous = True
            fs.reasons.append(f"only {pct(known)} of rows have a value that maps to a status")
