"""Vendor mapping: profiles (YAML) that turn a RawTable into the canonical text frame.

See ``docs/PROFILES.md`` for the profile format.  ``suggest_mapping`` (the
mapping suggester) is imported lazily so this package works without it.
"""

from __future__ import annotations

from typing import Any

from booking_desktop.mapping.dates import DateOrderDecision, detect_date_order
from booking_desktop.mapping.drift import ProfileMatch, match_profile
from booking_desktop.mapping.profile import MappingProfile, Signature, canonical_fields
from booking_desktop.mapping.registry import (
    find_profile,
    list_profiles,
    load_profile,
    rank_profiles,
    scan_profiles,
    shipped_profiles_dir,
    user_profiles_dir,
)
from booking_desktop.mapping.transforms import MappedTable, apply_mapping

__all__ = [
    "DateOrderDecision",
    "MappedTable",
    "MappingProfile",
    "ProfileMatch",
    "Signature",
    "apply_mapping",
    "canonical_fields",
    "detect_date_order",
    "find_profile",
    "list_profiles",
    "load_profile",
    "match_profile",
    "rank_profiles",
    "scan_profiles",
    "shipped_profiles_dir",
    "suggest_mapping",
    "user_profiles_dir",
]


def __getattr__(name: str) -> Any:
    if name == "suggest_mapping":
        from booking_desktop.mapping.suggest import suggest_mapping

        return suggest_mapping
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
