"""Adapters over the mapping package: the only GUI code that knows its API.

The mapping widgets (``MappingPanel``, ``FieldRow`` and the dialogs) edit a
profile's *spec dictionary* and call these functions for everything that
carries a rule -- building and validating a ``MappingProfile``, the live
preview, header drift, suggestion confidences.  Keeping them in one Qt-free
module means a change of the mapping package's API is fixed in one place.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from booking_desktop.errors import Problem, ProfileError
from booking_desktop.schema import CANONICAL_FIELDS, load_schema

DATE_FIELDS = frozenset({"check_in", "check_out", "booked_at"})
DATETIME_FIELDS = frozenset({"booked_at"})
VALUE_MAP_FIELDS = frozenset({"status"})
_DATE_KEYS = ("date_format", "date_order", "datetime_format")
_SOURCE_KEYS = ("column", "concat", "date_parts", "sum", "product", "constant", "hash")


def canonical_fields() -> list[str]:
    return list(CANONICAL_FIELDS)


def required_fields() -> set[str]:
    return set(load_schema().required)


def enum_values(field: str) -> list[str]:
    return [str(v) for v in load_schema().field(field).enum or ()]


def empty_spec() -> dict[str, Any]:
    return {"version": 1, "name": "", "vendor": "", "fields": {}, "rules": {}}


def default_mappings_dir() -> Path:
    from booking_desktop.mapping.registry import user_profiles_dir

    return Path(user_profiles_dir())


def saved_profiles(mappings_dir: Path | None) -> Any:
    """The profiles the operator can choose (a ``ProfileScan``): the shipped ones and those of
    ``mappings_dir`` (None: the user's folder), a later one replacing a shipped one of its name."""
    from booking_desktop.mapping.registry import default_profile_dirs, scan_profiles, shipped_profiles_dir

    return scan_profiles(default_profile_dirs() if mappings_dir is None else [shipped_profiles_dir(), mappings_dir])


def file_stem(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", name.strip()).strip("._")
    return stem or "profile"


def profile_to_spec(profile: Any) -> dict[str, Any]:
    spec = copy.deepcopy(profile.to_dict())
    spec.setdefault("fields", {})
    spec.setdefault("rules", {})
    return spec


def profile_path(profile: Any) -> Path | None:
    for attr in ("path", "source"):
        p = getattr(profile, attr, None)
        if isinstance(p, str | Path) and str(p).endswith((".yaml", ".yml")):
            return Path(p)
    return None


def suggestion_profile(suggestion: Any) -> Any:
    src = getattr(suggestion, "source", None)
    name = Path(src.path).stem if src is not None and getattr(src, "path", None) else "suggested"
    return suggestion.to_profile(name=name)


def build_profile(spec: dict[str, Any], source: Path | None = None) -> Any:
    from booking_desktop.mapping import MappingProfile

    clean = {k: v for k, v in spec.items() if not (k == "rules" and not v)}
    return MappingProfile.from_dict(clean, source=source)


def working_profile(spec: dict[str, Any], source: Path | None = None) -> Any:
    """The profile the session maps with while the operator edits: a blank name or vendor is
    allowed (a suggested mapping has no vendor until the operator names it, here or before the
    commit, like ``MappingSuggestion.to_profile``); saving still needs both."""
    import dataclasses

    vendor = str(spec.get("vendor") or "").strip()
    profile = build_profile({**spec, "name": spec.get("name") or "unsaved", "vendor": vendor or "UNSET"}, source)
    return profile if vendor else dataclasses.replace(profile, vendor="")


def save_profile(profile: Any, path: Path) -> None:
    profile.save(path)


def spec_error(spec: dict[str, Any], only_field: str | None = None) -> str:
    """'' when the spec is a valid profile, else the problems (those of ``only_field`` when given)."""
    if not str(spec.get("name") or "").strip() or not str(spec.get("vendor") or "").strip():
        # name and vendor are asked for when saving; edits of fields are still checked
        spec = {**spec, "name": spec.get("name") or "unsaved", "vendor": spec.get("vendor") or "UNSET"}
    try:
        build_profile(spec)
    except ProfileError as exc:
        probs = exc.problems
        if only_field:  # that field's problems and those of no field; another field's are not its to fix
            probs = [p for p in probs if problem_field(p) in (only_field, None)]
        return "\n".join(str(p) for p in probs)
    return ""


def problem_field(problem: Problem) -> str | None:
    """The canonical field a profile problem is about, from its key path (``fields.check_in.date_format``,
    ``rules.adults.min``); None for the profile as a whole (``name``, ``fields``, ``signature``...)."""
    head, _, rest = (problem.field or "").partition(".")
    if head in ("fields", "rules") and rest:
        return rest.split(".", 1)[0]
    return None


def with_column(old: dict[str, Any] | None, column: str) -> dict[str, Any]:
    """Point the field at ``column``, keeping column modifiers (map, date format, default, …)."""
    if old and "column" in old:
        return {**old, "column": column}
    return {"column": column}


def with_date(spec: dict[str, Any], field: str, order: str | None = None, fmt: str | None = None) -> dict[str, Any]:
    if "column" not in spec:
        return spec
    new = {k: v for k, v in spec.items() if k not in _DATE_KEYS}
    if fmt:
        new["datetime_format" if field in DATETIME_FIELDS else "date_format"] = fmt
    elif order:
        new["date_order"] = order
    return new


def date_choice(spec: dict[str, Any] | None) -> tuple[str, str | None]:
    spec = spec or {}
    fmt = spec.get("date_format") or spec.get("datetime_format")
    if fmt:
        return "format", str(fmt)
    if spec.get("date_order"):
        return str(spec["date_order"]), None
    return "auto", None


def has_date_choice(spec: dict[str, Any] | None) -> bool:
    return spec is not None and any(k in spec for k in _DATE_KEYS)


def describe(spec: dict[str, Any] | None) -> str:
    if not spec:
        return ""
    for key in _SOURCE_KEYS:
        if key in spec:
            val = spec[key]
            if isinstance(val, list):
                inner = ", ".join(map(str, val))
            elif isinstance(val, dict):
                inner = ", ".join(f"{k}={v}" for k, v in val.items() if not isinstance(v, list | dict))
            else:
                inner = str(val)
            extra = [k for k in spec if k != key]
            return f"{key}({inner})" + (f" + {', '.join(extra)}" if extra else "")
    return spec_to_yaml(spec).strip()


def spec_to_yaml(spec: dict[str, Any]) -> str:
    return yaml.safe_dump(spec, default_flow_style=None, sort_keys=False, allow_unicode=True)


def distinct_values(raw: Any, column: str, limit: int = 200) -> list[str]:
    if raw is None or column not in raw.frame.columns:
        return []
    counts = raw.frame[column].value_counts(dropna=True)
    return [str(v) for v in counts.index[:limit]]


def suggestion_info(suggestion: Any, field: str) -> tuple[float | None, list[str], bool]:
    """(confidence 0..1 or None, reasons, ambiguous) of one field of a MappingSuggestion."""
    if suggestion is None:
        return None, [], False
    fields = getattr(suggestion, "fields", None)
    item = fields.get(field) if isinstance(fields, dict) else None
    if item is None:
        return None, [], False
    get = item.get if isinstance(item, dict) else lambda k, d=None: getattr(item, k, d)
    conf = get("confidence")
    reasons = get("reasons") or []
    if isinstance(reasons, str):
        reasons = [reasons]
    return (float(conf) if conf is not None else None), [str(r) for r in reasons], bool(get("ambiguous", False))


@dataclass(frozen=True)
class SuggestionNote:
    """What the mapping panel shows about one field's suggestion: how sure, why, and what
    speaks against it.  ``doubtful`` rows are marked so that a wrong suggestion is easy to see."""

    confidence: float | None
    reasons: list[str]
    doubts: list[str]
    ambiguous: bool
    doubtful: bool
    basis: str  # "header", "content", "header + content", "columns", "profile" or ""

    @property
    def summary(self) -> str:
        """One line for the row: the evidence against first, else the main reason."""
        if self.doubts:
            return f"⚠ {self.doubts[0]}"
        if not self.reasons:
            return ""
        return ("⚠ " if self.doubtful else "") + self.reasons[0]

    @property
    def tooltip(self) -> str:
        parts = []
        if self.confidence is not None:
            head = f"Confidence {self.confidence:.0%}"
            if self.basis:
                head += f" (from the {self.basis})"
            parts.append(head + (" — check this suggestion" if self.doubtful else ""))
        parts += [f"• {r}" for r in self.reasons]
        if self.doubts:
            parts.append("Against it:")
            parts += [f"• {d}" for d in self.doubts]
        return "\n".join(parts)


def _basis(reasons: list[str]) -> str:
    header = any(r.startswith("header '") for r in reasons)
    content = any("of values" in r or "values are" in r for r in reasons)
    if header and content:
        return "header + content"
    if header:
        return "header"
    if content:
        return "content"
    return "columns" if reasons else ""


def suggestion_note(suggestion: Any, field: str, profile: Any = None) -> SuggestionNote:
    """The :class:`SuggestionNote` of one field: from the suggestion when there is one, else
    (a mapping read from a profile) "profile <name>" for the fields the profile maps."""
    conf, reasons, ambiguous = suggestion_info(suggestion, field)
    fields = getattr(suggestion, "fields", None)
    item = fields.get(field) if isinstance(fields, dict) else None
    if item is None:
        name = getattr(profile, "name", None)
        mapped = field in (getattr(profile, "fields", None) or {})
        if suggestion is None and name and mapped:
            return SuggestionNote(None, [f"profile '{name}'"], [], False, False, "profile")
        return SuggestionNote(conf, reasons, [], ambiguous, False, "")
    doubts = [str(d) for d in (getattr(item, "doubts", None) or [])]
    doubtful = bool(getattr(item, "doubtful", bool(doubts) or ambiguous))
    return SuggestionNote(conf, reasons, doubts, ambiguous, doubtful, _basis(reasons))


def is_suggested(suggestion: Any, field: str, spec: dict[str, Any] | None) -> bool:
    """The field still reads what the suggestion chose (its reasons still apply)."""
    fields = getattr(suggestion, "fields", None)
    item = fields.get(field) if isinstance(fields, dict) else None
    if item is None:
        return spec is None
    suggested = getattr(item, "spec", None) or {}
    if spec is None:
        return False
    return suggested.get("column") == spec.get("column") and ("column" in spec or suggested == spec)


def drift_text(drift: Any) -> str:
    if drift is None:
        return ""
    get = drift.get if isinstance(drift, dict) else lambda k, d=None: getattr(drift, k, d)
    added, missing, renamed = get("added") or [], get("missing") or [], get("renamed") or {}
    if isinstance(renamed, dict):
        renamed = list(renamed.items())
    missing = [c for c in missing if c not in {r[0] for r in renamed}]  # a rename is not also missing/new
    added = [c for c in added if c not in {r[1] for r in renamed}]
    parts = []
    if renamed:
        parts.append("renamed: " + ", ".join(f"{r[0]} → {r[1]}" for r in renamed))
    if missing:
        parts.append("missing: " + ", ".join(map(str, missing)))
    if added:
        parts.append("new: " + ", ".join(map(str, added)))
    if not parts:
        return ""
    name = get("profile_name") or get("profile") or "the profile"
    name = getattr(name, "name", name)
    return f"The file's header differs from {name}: " + "; ".join(parts) + ". Check the fields below."


def drift_of(raw: Any, profile: Any) -> Any:
    """How the file's header differs from the profile's signature (None when the profile has none)."""
    if not getattr(getattr(profile, "signature", None), "columns", None):
        return None
    from booking_desktop.mapping.drift import match_profile

    return match_profile(raw.columns, profile)
