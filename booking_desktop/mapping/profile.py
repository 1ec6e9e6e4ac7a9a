"""Mapping profiles: one YAML file per vendor saying how its export becomes canonical bookings.

A profile is data an operator edits, so loading one checks *everything* and
reports every finding at once -- with the file and the YAML key path
(``mappings/x.yaml: fields.check_in.date_format: ...``) -- instead of failing
on the first.  The format is described in ``docs/PROFILES.md``.

Field specs stay plain dicts (``{"column": "Booking_ID"}``): they are what the
YAML says, they round-trip unchanged, and other parts (the suggestion engine,
the GUI's mapping panel) can build them without a class hierarchy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from booking_desktop.mapping.rows import normalize_rules
from booking_desktop.mapping.spec import (  # noqa: F401 - re-exported: the profile API of record
    CASES,
    DATE_FIELDS,
    FIELD_KEYS,
    FORMAT_ALIASES,
    FORMATS,
    HASH_MAX_LENGTH,
    OPTION_KEYS,
    PROFILE_VERSION,
    RULE_KEYS,
    SOURCE_KEYS,
    TOP_KEYS,
    ProfileChecker,
    canonical_fields,
    field_ref,
    profile_error,
    rule_keys,
    spec_columns,
    spec_refs,
    spec_source,
)


@dataclass
class Signature:
    """The header a vendor's files carry; ``min_match`` of it must be present."""

    columns: list[str] = field(default_factory=list)
    min_match: float = 0.8


@dataclass
class MappingProfile:
    name: str
    vendor: str = ""
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    version: int = PROFILE_VERSION
    description: str = ""
    format: str | None = None
    reader: dict[str, Any] = field(default_factory=dict)
    signature: Signature = field(default_factory=Signature)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)  # row rules, see mapping/rows.py
    source: Path | None = None  # the file it was loaded from

    # -- construction ---------------------------------------------------
    @classmethod
    def from_dict(cls, d: Any, source: str | Path | None = None) -> MappingProfile:
        """Check ``d`` (as parsed from YAML) and build a profile; raise :class:`ProfileError`
        listing every problem."""
        where = str(source) if source is not None else "<profile>"
        problems = ProfileChecker(where).check(d)
        if problems:
            raise profile_error(where, problems)
        assert isinstance(d, Mapping)
        sig = d.get("signature") or {}
        return cls(
            name=str(d["name"]),
            vendor=str(d.get("vendor") or ""),  # "": the rows name it (fields.vendor)
            description=str(d.get("description") or ""),
            version=int(d.get("version", PROFILE_VERSION)),
            format=d.get("format"),
            reader=dict(d.get("reader") or {}),
            signature=Signature(
                columns=[str(c) for c in sig.get("columns") or []],
                min_match=float(sig.get("min_match", 0.8)),
            ),
            fields={str(k): _normalize_spec(v) for k, v in (d.get("fields") or {}).items()},
            rules={str(k): dict(v) for k, v in (d.get("rules") or {}).items()},
            rows=normalize_rules(d.get("rows")),
            source=Path(source) if source is not None else None,
        )

    @classmethod
    def load(cls, path: str | Path) -> MappingProfile:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise profile_error(str(path), [("", f"cannot read the profile: {reason}")]) from None
        from booking_desktop.mapping import profile_cache

        hit, data = profile_cache.cached(text)
        if not hit:
            data = parse_yaml(text, path)
            profile_cache.keep(text, data)
            profile_cache.save()
        return cls.from_dict(data, source=path)

    # -- output -----------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain data in the file's key order (fields in canonical order)."""
        out: dict[str, Any] = {"version": self.version, "name": self.name, "vendor": self.vendor}
        if self.description:
            out["description"] = self.description
        if self.format:
            out["format"] = self.format
        if self.reader:
            out["reader"] = dict(self.reader)
        if self.signature.columns:
            out["signature"] = {"columns": list(self.signature.columns), "min_match": self.signature.min_match}
        order = {f: i for i, f in enumerate(canonical_fields())}
        fields = sorted(self.fields.items(), key=lambda kv: order.get(kv[0], len(order)))
        out["fields"] = {k: _ordered_spec(v) for k, v in fields}
        if self.rules:
            rules = sorted(self.rules.items(), key=lambda kv: order.get(kv[0], len(order)))
            keys = rule_keys()
            out["rules"] = {k: {rk: v[rk] for rk in keys if rk in v} for k, v in rules}
        if self.rows:
            out["rows"] = [dict(r) for r in self.rows]
        return out

    def to_yaml(self) -> str:
        import yaml

        return yaml.dump(
            _flowify(self.to_dict()), Dumper=_dumper(), sort_keys=False, allow_unicode=True, width=120
        )

    def save(self, path: str | Path) -> Path:
        """Write the profile as YAML (checked first, so a saved profile always loads)."""
        path = Path(path)
        MappingProfile.from_dict(self.to_dict(), source=path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_yaml(), encoding="utf-8")
        self.source = path
        return path

    # -- queries ----------------------------------------------------------
    def reader_options(self) -> dict[str, Any]:
        """Options for ``readers.read_file`` (``format`` included when the profile names one)."""
        opts = dict(self.reader)
        if self.format and "format" not in opts:
            opts["format"] = self.format
        return opts

    def source_columns(self) -> list[str]:
        """Every source column the fields read, in field order, without repeats."""
        seen: dict[str, None] = {}
        for spec in self.fields.values():
            for col in spec_columns(spec):
                seen.setdefault(col, None)
        return list(seen)

    def signature_columns(self) -> list[str]:
        return list(self.signature.columns) or self.source_columns()


# ---------------------------------------------------------------------------
# normalization and YAML


def _normalize_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Scalars the YAML parsed as numbers become text (``constant: 1`` -> ``"1"``)."""
    out: dict[str, Any] = {}
    for k, v in spec.items():
        if k in ("constant", "default", "column"):
            out[k] = str(v)
        elif k in ("concat", "sum", "product", "hash"):
            out[k] = [str(c) for c in v]
        elif k == "date_parts":
            out[k] = {p: str(v[p]) for p in ("year", "month", "day")}
        elif k == "date_add":
            out[k] = {"date": str(v["date"]), "days": str(v["days"])}
            if v.get("subtract"):
                out[k]["subtract"] = True
        elif k == "map":
            out[k] = {str(a): str(b) for a, b in v.items()}
        elif k == "money":
            money = dict(v) if isinstance(v, Mapping) else {}
            if "symbols" in money:
                money["symbols"] = {str(a): str(b).upper() for a, b in money["symbols"].items()}
            out[k] = money
        else:
            out[k] = v
    return out


def _ordered_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    order = {k: i for i, k in enumerate(FIELD_KEYS)}
    return {k: spec[k] for k in sorted(spec, key=lambda k: order.get(k, len(order)))}


def parse_yaml(text: str, path: Path) -> Any:
    """``text`` through PyYAML with the profile loader; a YAML error is a ProfileError naming the place."""
    import yaml

    try:
        return yaml.load(text, Loader=_loader())  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise profile_error(str(path), [("", f"{place}not valid YAML ({reason})")]) from None


@lru_cache(maxsize=1)
def _loader() -> Any:
    """SafeLoader with YAML 1.2 booleans: ``Yes``/``No``/``On``/``Off`` stay text, so a value map
    like ``{Yes: confirmed}`` means what it says.  Only true/false are booleans.  libyaml's parser
    when PyYAML has it (about 8x faster: every profile is read to match a file's header).  Built
    on first use: PyYAML is imported only when a profile is parsed or written (profile_cache)."""
    import yaml

    class _ProfileLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
        pass

    _ProfileLoader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    _ProfileLoader.add_implicit_resolver(
        "tag:yaml.org,2002:bool",
        re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
        list("tTfF"),
    )
    return _ProfileLoader


class _Flow(dict):
    """A mapping written on one line (``{column: Booking_ID}``)."""


class _FlowList(list):
    pass


class _Folded(str):
    """Long text written as a folded block (``>-``), wrapped at the dumper's width."""


@lru_cache(maxsize=1)
def _dumper() -> Any:
    import yaml

    class _ProfileDumper(yaml.SafeDumper):
        def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
            super().increase_indent(flow, False)

    _ProfileDumper.add_representer(
        _Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True)
    )
    _ProfileDumper.add_representer(
        _FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True)
    )
    _ProfileDumper.add_representer(
        _Folded, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style=">")
    )
    return _ProfileDumper


def _flowify(d: dict[str, Any]) -> dict[str, Any]:
    out = dict(d)
    if len(out.get("description", "")) > 80 and "\n" not in out["description"]:
        out["description"] = _Folded(out["description"])
    if out.get("reader") and all(not isinstance(v, dict | list) for v in out["reader"].values()):
        out["reader"] = _Flow(out["reader"])
    if "signature" in out:
        out["signature"] = {**out["signature"], "columns": _FlowList(out["signature"]["columns"])}
    out["fields"] = {k: _flow_spec(v) for k, v in out["fields"].items()}
    if "rows" in out:
        out["rows"] = [{**r, "when": _Flow(r["when"])} for r in out["rows"]]
    if "rules" in out:
        out["rules"] = {
            k: _Flow({rk: _FlowList(rv) if isinstance(rv, list) else rv for rk, rv in v.items()})
            for k, v in out["rules"].items()
        }
    return out


def _flow_spec(spec: dict[str, Any]) -> Any:
    if "map" in spec and len(spec["map"]) > 3:
        # long value maps read better as a block under the field
        return {
            k: (_Flow(v) if isinstance(v, dict) and k != "map" else _FlowList(v) if isinstance(v, list) else v)
            for k, v in spec.items()
        }
    return _Flow(
        {k: (_FlowList(v) if isinstance(v, list) else _Flow(v) if isinstance(v, dict) else v) for k, v in spec.items()}
    )
