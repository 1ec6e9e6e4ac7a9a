"""Header drift: how far a file's header is from what a profile expects.

Vendors change their exports without telling anyone: a column appears, one
disappears, ``arrival_date_year`` becomes ``arrival_year``.  Matching a header
against a profile's signature says how sure we are that the file is that
vendor's (``score``) and lists the differences, so the operator is told about
them instead of getting silently empty columns.  A missing signature column
whose name is close to an added column is reported as a likely rename.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from booking_desktop.errors import Problem, Severity

if TYPE_CHECKING:
    from booking_desktop.mapping.profile import MappingProfile

RENAME_SIMILARITY = 75.0  # rapidfuzz ratio (0-100) above which a missing/added pair is a likely rename


@lru_cache(maxsize=65536)
def header_key(name: str) -> str:
    """How headers are compared: trimmed, case-folded, runs of spaces/_/- as one ``_``."""
    return re.sub(r"[\s_\-]+", "_", str(name).strip().casefold()).strip("_")


@dataclass
class ProfileMatch:
    """How well a header fits a profile.  ``score`` is the fraction of the signature present."""

    profile: MappingProfile | None
    score: float
    missing: list[str] = field(default_factory=list)  # signature columns not in the file
    added: list[str] = field(default_factory=list)  # file columns not in the signature
    #: (expected, found, similarity 0-100); None until :attr:`renamed` is first read: finding a profile
    #: ranks every profile and needs no renames, so rapidfuzz is imported only when one is asked for
    renamed_pairs: list[tuple[str, str, float]] | None = None

    @property
    def renamed(self) -> list[tuple[str, str, float]]:
        """Missing signature columns that look renamed to an added column: (expected, found, similarity)."""
        if self.renamed_pairs is None:
            self.renamed_pairs = _renames(self.missing, self.added)
        return self.renamed_pairs

    @property
    def exact(self) -> bool:
        return not (self.missing or self.added)

    @property
    def accepted(self) -> bool:
        """The score reaches the profile's ``signature.min_match``."""
        return self.profile is not None and self.score >= self.profile.signature.min_match

    def renamed_to(self, column: str) -> str | None:
        for old, new, _ in self.renamed:
            if old == column:
                return new
        return None

    def describe(self) -> str:
        parts = []
        renamed_old = {o for o, _, _ in self.renamed}
        renamed_new = {n for _, n, _ in self.renamed}
        if self.renamed:
            parts.append("renamed? " + ", ".join(f"{o!r} -> {n!r}" for o, n, _ in self.renamed))
        missing = [c for c in self.missing if c not in renamed_old]
        added = [c for c in self.added if c not in renamed_new]
        if missing:
            parts.append("missing " + ", ".join(repr(c) for c in missing))
        if added:
            parts.append("new " + ", ".join(repr(c) for c in added))
        return "; ".join(parts) if parts else "header as expected"

    def problems(self) -> list[Problem]:
        """Problems about choosing this profile: none.  The header drift is reported by
        ``apply_mapping`` (see :meth:`drift_problems`), which sees every file -- also when the
        profile was chosen by hand -- so that it is reported exactly once."""
        return []

    def drift_problems(self) -> list[Problem]:
        """A ``header_drift`` warning when the header differs from the signature."""
        if self.exact or self.profile is None:
            return []
        name = self.profile.name
        return [
            Problem(
                code="header_drift",
                severity=Severity.WARNING,
                message=(
                    f"the header differs from profile {name!r} ({self.score:.0%} of its columns present): "
                    f"{self.describe()}; check the profile's fields and signature"
                ),
            )
        ]


@lru_cache(maxsize=65536)
def _key_words(name: str) -> tuple[str, frozenset[str], str]:
    """(header key, its distinct words, those words sorted and joined by spaces)."""
    key = header_key(name)
    words = frozenset(w for w in key.split("_") if w)
    return key, words, " ".join(sorted(words))


def match_columns(columns: Iterable[str], expected: Iterable[str]) -> tuple[float, list[str], list[str], list]:
    score, missing, added = _match_columns(columns, expected)
    return score, missing, added, _renames(missing, added)


def _match_columns(columns: Iterable[str], expected: Iterable[str]) -> tuple[float, list[str], list[str]]:
    cols = [str(c) for c in columns]
    exp = [str(c) for c in expected]
    have = {header_key(c) for c in cols}
    want = {header_key(c) for c in exp}
    missing = [c for c in exp if header_key(c) not in have]
    added = [c for c in cols if header_key(c) not in want]
    score = (len(exp) - len(missing)) / len(exp) if exp else 0.0
    return score, missing, added


def _renames(missing: list[str], added: list[str]) -> list[tuple[str, str, float]]:
    """Greedy best pairs of (missing, added) names above :data:`RENAME_SIMILARITY`.

    The similarity of a pair is the larger of rapidfuzz's ``ratio`` of the keys and
    ``token_set_ratio`` of their words.  Both are computed for all pairs at once in C: the
    ratio directly, the token set ratio as the ratio of the sorted distinct words for pairs
    that share no word (what it is then) and one by one only for the pairs that share one.
    A file of 9,000 columns against a profile of 30 was 270,000 Python calls a profile."""
    if not missing or not added:
        return []
    from rapidfuzz import fuzz, process

    km, wm, sm = zip(*(_key_words(m) for m in missing))
    ka, wa, sa = zip(*(_key_words(a) for a in added))
    sim = process.cdist(km, ka, scorer=fuzz.ratio, dtype=np.float64)
    np.maximum(sim, process.cdist(sm, sa, scorer=fuzz.ratio, dtype=np.float64), out=sim)
    wanted = frozenset().union(*wm)
    shared: dict[int, list[int]] = {}
    for j, ws in enumerate(wa):
        for w in ws & wanted:
            for i, mw in enumerate(wm):
                if w in mw:
                    shared.setdefault(i, []).append(j)
    for i, js in shared.items():
        js = sorted(set(js))
        spaced = km[i].replace("_", " ")
        exact = process.cdist([spaced], [ka[j].replace("_", " ") for j in js], scorer=fuzz.token_set_ratio,
                              dtype=np.float64)[0]  # fmt: skip
        sim[i, js] = np.maximum(sim[i, js], exact)
    rows, cols = np.nonzero(sim >= RENAME_SIMILARITY)
    pairs = sorted(
        ((float(sim[i, j]), i, j) for i, j in zip(rows.tolist(), cols.tolist())), key=lambda p: (-p[0], p[1], p[2])
    )
    used_m: set[int] = set()
    used_a: set[int] = set()
    out = []
    for value, i, j in pairs:
        if i in used_m or j in used_a:
            continue
        used_m.add(i)
        used_a.add(j)
        out.append((i, missing[i], added[j], round(value, 1)))
    return [(m, a, v) for _, m, a, v in sorted(out)]


def match_profile(columns: Iterable[str], profile: MappingProfile) -> ProfileMatch:
    """Compare a file's header with ``profile``'s signature (or, without one, with the columns
    its fields read -- then extra file columns are not drift)."""
    cols = [str(c) for c in columns]
    expected = profile.signature_columns()
    score, missing, added = _match_columns(cols, expected)
    if not profile.signature.columns:
        renamed = _renames(missing, added)
        return ProfileMatch(profile, score, missing, [a for _, a, _ in renamed], renamed)
    return ProfileMatch(profile, score, missing, added)
