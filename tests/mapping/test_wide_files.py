"""A file of thousands of columns (issue 9: a 9,074-column export took 53-84 s to suggest a
mapping for and to match against the profiles).  The work is counted, not timed
(tests/call_counts.py); bench/bench_suggest_wide.py has the figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from call_counts import python_steps

from booking_desktop.mapping import list_profiles, rank_profiles
from booking_desktop.mapping import suggest_evidence as evidence
from booking_desktop.mapping.drift import _renames
from booking_desktop.mapping.sniff import normalize_text, sniff, sniff_frame
from booking_desktop.mapping.suggest import _all_synonyms, expand, suggest_mapping, vocabulary
from booking_desktop.schema import load_schema

from .vendor_files import airbnb, booking_com, payout_report, table

BOOKING = {
    "Reservation No": [f"R{i:05d}" for i in range(30)],
    "Guest name": [f"Guest{i} Name" for i in range(30)],
    "Arrival": [f"2024-03-{1 + i % 28:02d}" for i in range(30)],
    "Departure": [f"2024-04-{1 + i % 28:02d}" for i in range(30)],
    "Total": [f"{100 + i}.50" for i in range(30)],
}


def wide(n_filler: int):
    """The booking columns and ``n_filler`` pivoted columns ("Occ 2024-01-05 R3") whose
    headers share no word with any field's synonyms."""
    cols = dict(BOOKING)
    for k in range(n_filler):
        day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=k // 5)
        cols[f"Occ {day:%Y-%m-%d} R{k % 5}"] = [str((k + i) % 7) for i in range(30)]
    return table(cols)


class CountingFuzz:
    """rapidfuzz's ``fuzz`` module, counting the word comparisons (``token_set_ratio``) made
    from Python.  The other scorers are passed through untouched: the shortlist hands
    ``ratio`` to ``process.cdist``, which runs it in C for all pairs at once."""

    def __init__(self, real):
        self.real, self.calls = real, 0

    def __getattr__(self, name):
        fn = getattr(self.real, name)
        if name != "token_set_ratio":
            return fn

        def counted(*args, **kwargs):
            self.calls += 1
            return fn(*args, **kwargs)

        return counted


def test_header_scoring_does_not_grow_with_columns_that_match_nothing(monkeypatch):
    """Before: every column was scored against every synonym in Python (9,074 x ~260)."""
    counts = []
    for n in (100, 1000):
        counter = CountingFuzz(evidence.fuzz)
        monkeypatch.setattr(evidence, "fuzz", counter)
        sug = suggest_mapping(wide(n))
        monkeypatch.setattr(evidence, "fuzz", counter.real)
        counts.append(counter.calls)
        assert {f: fs.spec.get("column") for f, fs in sug.fields.items() if f != "status"} == {
            "booking_ref": "Reservation No", "customer_name": "Guest name", "check_in": "Arrival",
            "check_out": "Departure", "amount": "Total",
        }  # fmt: skip
    assert counts[0] == counts[1], counts


def test_suggestion_work_grows_linearly_with_the_columns():
    small, _ = python_steps(suggest_mapping, wide(200))
    big, _ = python_steps(suggest_mapping, wide(2000))
    assert (big - small) / 1800 < 1500, (small, big)  # Python steps per extra column (was about 6,000)
    assert big / small < 10 * 1.2  # ten times the columns: at most ten times the work


def test_profile_matching_grows_linearly_with_the_columns():
    profiles = list_profiles()
    cols_small = [str(c) for c in wide(200).frame.columns]
    cols_big = [str(c) for c in wide(2000).frame.columns]
    small, _ = python_steps(rank_profiles, cols_small, profiles)
    big, _ = python_steps(rank_profiles, cols_big, profiles)
    # every profile's renames: was one Python scorer call per (missing, added) pair
    assert (big - small) / 1800 < 30 * len(profiles), (small, big)


def _old_renames(missing, added):
    from rapidfuzz import fuzz

    from booking_desktop.mapping.drift import RENAME_SIMILARITY, header_key

    pairs = []
    for m in missing:
        for a in added:
            km, ka = header_key(m), header_key(a)
            sim = max(fuzz.ratio(km, ka), fuzz.token_set_ratio(km.replace("_", " "), ka.replace("_", " ")))
            if sim >= RENAME_SIMILARITY:
                pairs.append((sim, m, a))
    pairs.sort(key=lambda p: -p[0])
    used_m, used_a, out = set(), set(), []
    for sim, m, a in pairs:
        if m not in used_m and a not in used_a:
            used_m.add(m)
            used_a.add(a)
            out.append((m, a, round(float(sim), 1)))
    order = {m: i for i, m in enumerate(missing)}
    return sorted(out, key=lambda t: order[t[0]])


def test_likely_renames_are_the_ones_a_pair_by_pair_comparison_finds():
    rng = np.random.default_rng(4)
    words = ["arrival", "date", "year", "month", "day", "adr", "status", "booking", "id", "no", "guest", "name"]
    for _ in range(300):

        def name():
            return str(rng.choice(["_", " ", "-"])).join(rng.choice(words, rng.integers(1, 4)))

        missing = list(dict.fromkeys(name() for _ in range(rng.integers(1, 6))))
        added = list(dict.fromkeys(name() for _ in range(rng.integers(1, 8))))
        expected = _old_renames(missing, added)
        assert _renames(missing, added) == expected, (missing, added)


def _real_headers() -> list[str]:
    heads = [str(c) for f in (airbnb, booking_com, payout_report) for c in f().frame.columns]
    heads += [w for syns in load_schema().header_synonyms.values() for w in syns]
    heads += ["arrival_date_day_of_month", "stays_in_weekend_nights", "avg_price_per_room", "no_of_adults",
              "Emial", "Chek-in", "Total", "Number", "No.", "x1", "Guest first name", "Lead time", "Rate"]  # fmt: skip
    return [expand(normalize_text(h)) for h in heads]


def test_the_header_shortlist_changes_no_score_that_counts():
    """Skipping the pairs the shortlist rules out gives every score at HEADER_MIN_SCORE or
    above exactly as scoring every pair does."""
    vocab = vocabulary()
    headers = _real_headers()
    sets = [*vocab.header_synonyms.values(), evidence.RATE_SYNONYMS]
    full = {(h, i): evidence.header_score(h, s) for h in headers for i, s in enumerate(sets)}
    with evidence.shortlisted(headers, _all_synonyms(vocab)):
        short = {(h, i): evidence.header_score(h, s) for h in headers for i, s in enumerate(sets)}
    counted = 0
    for key, (score, syn) in full.items():
        if score >= evidence.HEADER_MIN_SCORE:
            counted += 1
            assert short[key] == (score, syn), key
        else:
            assert short[key][0] < evidence.HEADER_MIN_SCORE, key
    assert counted > 100  # the comparison covers real matches, not only misses


@pytest.mark.parametrize("rows", [None, np.array([0, 2, 3])])
def test_sniffing_all_columns_at_once_is_sniffing_each_alone(rows):
    frame = booking_com(12).frame
    together = sniff_frame(frame, frozenset({"ok", "cancelled"}), rows=rows)
    for c in frame.columns:
        values = frame[c] if rows is None else frame[c].iloc[rows]
        alone = sniff(c, values, frozenset({"ok", "cancelled"}))
        got = together[c]
        assert (got.n, got.n_distinct, got.int_max) == (alone.n, alone.n_distinct, alone.int_max), c
        assert got.frac == pytest.approx(alone.frac) and got.int_mean == pytest.approx(alone.int_mean), c


def test_a_wide_file_is_judged_on_fewer_rows_and_the_memory_stays_bounded():
    from booking_desktop.mapping.suggest import MAX_SAMPLE_CELLS, MIN_SAMPLE_ROWS, _sample_rows

    assert _sample_rows(100_000, 30, 5000) is not None and len(_sample_rows(100_000, 30, 5000)) == 5000
    rows = _sample_rows(100_000, 9074, 5000)
    assert MIN_SAMPLE_ROWS <= len(rows) <= max(MIN_SAMPLE_ROWS, MAX_SAMPLE_CELLS // 9074)
    assert rows[0] == 0 and rows[-1] == 99_999  # spread over the whole file
    assert _sample_rows(150, 9074, 5000) is None
