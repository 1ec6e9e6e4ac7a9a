"""Composite candidates: fields filled from several columns, or from none of their own.

Year / month / day columns, weekend + week nights, nightly rate x nights, first + last
name, two date columns that look like a stay, dates derived with ``date_add``.  They
compete with the single-column candidates in the engine's assignment.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pandas as pd

from booking_desktop.mapping.dates import normalize_dates_auto
from booking_desktop.mapping.sniff import ColumnSniff
from booking_desktop.mapping.suggest_evidence import HEADER_MIN_SCORE, RATE_SYNONYMS, Vocabulary, header_score
from booking_desktop.mapping.suggest_model import DATE_FIELDS, Candidate, pct


class SampledColumns(Protocol):
    """The sampled rows of a column by name (a DataFrame or the engine's lazy sample)."""

    def __getitem__(self, column: str) -> pd.Series: ...


LEAD_TIME_SYNONYMS = ("lead time", "lead days", "booking lead time", "days in advance", "advance days", "lead")
MAX_STAY_COLUMNS, MIN_STAY_ROWS, MAX_STAY_DAYS = 6, 5, 30  # arrival/departure pairs found from content
FIRST_NAME_SYNONYMS = ("first name", "firstname", "given name", "forename", "fname", "guest first name")
LAST_NAME_SYNONYMS = ("last name", "lastname", "surname", "family name", "lname", "guest last name", "guest surname")
DERIVED_DATE_CONFIDENCE = 0.7  # check_out from check_in + nights, booked_at from a lead time
YEAR_WORDS, MONTH_WORDS = {"year", "yr", "yyyy"}, {"month", "mon", "mm"}
DAY_WORDS = {"day", "dd", "dom"}
WEEKEND_WORDS, WEEK_WORDS, NIGHT_WORDS = {"weekend"}, {"week", "weekday", "weekdays"}, {"night", "nights"}


def composite_candidates(
    columns: list[str],
    headers: dict[str, str],
    sniffs: dict[str, ColumnSniff],
    vocab: Vocabulary,
    rate_like: dict[str, float],
) -> list[Candidate]:
    """Every composite candidate the headers and the sampled content allow (not the stays,
    which need the sampled dates themselves: :func:`stay_candidates`)."""
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


def stay_candidates(
    columns: list[str], sniffs: dict[str, ColumnSniff], sample: SampledColumns
) -> list[Candidate]:
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
            why = f"'{b}' is 1-{MAX_STAY_DAYS} days after '{a}' in {pct(stay)} of rows: a stay"
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
    why = f"stay length = '{weekend}' + '{week}' (weekend and week nights, {pct(min(fit))} whole numbers)"
    return [Candidate("nights", {"sum": [weekend, week]}, conf, [why], (weekend, week))]
