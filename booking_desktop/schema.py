"""The canonical booking schema, loaded from ``booking_desktop/resources/schema/booking.schema.json``.

The JSON file is the single source of truth: field order, required set, enums,
bounds, lengths, patterns, personal-data flags, status synonyms, currency
exponents and header synonyms all come from it, so that changing a rule means
editing one data file (and the validator, the mapping suggester and the docs
follow).  :class:`Rules` is the schema with a mapping profile's ``rules:``
overrides applied; the validator only ever reads a :class:`Rules`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from booking_desktop import paths

DEFAULT_SCHEMA_PATH = paths.schema_path()

# Field kinds the validator knows how to check, derived from JSON Schema type/format/enum.
KINDS = ("text", "enum", "email", "phone", "date", "datetime", "integer", "decimal", "currency", "country")
_FORMAT_KINDS = {
    "date": "date",
    "date-time": "datetime",
    "email": "email",
    "phone": "phone",
    "decimal": "decimal",
    "iso4217": "currency",
    "iso3166-1": "country",
}
OVERRIDE_KEYS = ("required", "min", "max", "min_length", "max_length", "enum")
_LENGTH_KINDS = ("text", "email", "phone")
_NUMERIC_KINDS = ("integer", "decimal")


def normalize_token(value: str) -> str:
    """Lower-case, trim, and collapse runs of spaces/underscores/dashes to one space.

    Used for status synonyms and header synonyms so that ``No-Show``,
    ``no_show`` and ``NO  SHOW`` compare equal.
    """
    return re.sub(r"[\s_\-]+", " ", value.strip().lower()).strip()


@dataclass(frozen=True)
class FieldSpec:
    """One canonical field, as the schema (plus overrides) defines it."""

    name: str
    kind: str
    required: bool
    enum: tuple[str, ...] | None = None
    minimum: Decimal | None = None  # integer/decimal bounds, exact
    maximum: Decimal | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    format_minimum: str | None = None  # date/date-time bounds (on the date part)
    format_maximum: str | None = None
    personal: bool = False
    description: str = ""
    header_synonyms: tuple[str, ...] = ()
    severities: tuple[tuple[str, str], ...] = ()  # (code, severity) where not "error"
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)  # every x- keyword

    def severity(self, code: str) -> str:
        for c, s in self.severities:
            if c == code:
                return s
        return "error"


def _kind_of(name: str, prop: dict[str, Any]) -> str:
    typ = prop.get("type")
    fmt = prop.get("format")
    if typ == "integer":
        return "integer"
    if typ != "string":
        raise ValueError(f"schema field {name!r}: unsupported type {typ!r}")
    if fmt is not None:
        try:
            return _FORMAT_KINDS[fmt]
        except KeyError:
            raise ValueError(f"schema field {name!r}: unsupported format {fmt!r}") from None
    return "enum" if "enum" in prop else "text"


def _decimal(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(f"{where}: expected a number, got {value!r}")
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{where}: expected a number, got {value!r}") from None
    if not d.is_finite():
        raise ValueError(f"{where}: expected a finite number, got {value!r}")
    return d


def _field_spec(name: str, prop: dict[str, Any], required: bool) -> FieldSpec:
    kind = _kind_of(name, prop)
    enum = prop.get("enum")
    return FieldSpec(
        name=name,
        kind=kind,
        required=required,
        enum=tuple(enum) if enum is not None else None,
        minimum=_decimal(prop["minimum"], f"schema {name}.minimum") if "minimum" in prop else None,
        maximum=_decimal(prop["maximum"], f"schema {name}.maximum") if "maximum" in prop else None,
        min_length=prop.get("minLength"),
        max_length=prop.get("maxLength"),
        pattern=prop.get("pattern"),
        format_minimum=prop.get("formatMinimum"),
        format_maximum=prop.get("formatMaximum"),
        personal=bool(prop.get("x-personal", False)),
        description=prop.get("description", ""),
        header_synonyms=tuple(prop.get("x-header-synonyms", ())),
        severities=tuple(sorted(prop.get("x-severity", {}).items())),
        extra={k: v for k, v in prop.items() if k.startswith("x-")},
    )


@dataclass(frozen=True, eq=False)
class BookingSchema:
    """The parsed schema file.  Obtain it with :func:`load_schema`."""

    path: Path
    id: str
    version: str
    fields: tuple[FieldSpec, ...]
    currencies: dict[str, int]  # active code -> minor-unit exponent
    raw: dict[str, Any] = field(repr=False)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def required(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields if f.required)

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"unknown canonical field {name!r}")

    @cached_property
    def status_synonyms(self) -> dict[str, str]:
        """Normalized vendor status text (see :func:`normalize_token`) -> canonical status."""
        out: dict[str, str] = {}
        for spec in self.fields:
            for canonical, words in spec.extra.get("x-synonyms", {}).items():
                out[normalize_token(canonical)] = canonical
                for w in words:
                    out[normalize_token(w)] = canonical
        return out

    @cached_property
    def header_synonyms(self) -> dict[str, tuple[str, ...]]:
        """Canonical field -> header names vendors use for it (for the mapping suggester)."""
        return {f.name: f.header_synonyms for f in self.fields}

    @property
    def personal_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.personal)

    def currency_exponent(self, code: str) -> int | None:
        """Minor-unit digits of an active ISO 4217 code (``None`` if not a booking currency)."""
        return self.currencies.get(code.strip().upper())

    @cached_property
    def country_codes(self) -> dict[str, str]:
        """Accepted upper-case country code -> ISO 3166-1 alpha-2 (from pycountry + schema aliases)."""
        spec = next(f for f in self.fields if f.kind == "country")
        accept = spec.extra.get("x-accept", ["alpha_2", "alpha_3"])
        out: dict[str, str] = {}
        for c in iso_countries():
            for attr in accept:
                code = c.get(attr)
                if code:
                    out[code.upper()] = c["alpha_2"]
        for alias, target in spec.extra.get("x-aliases", {}).items():
            out[alias.upper()] = target
        return out

    def rules(self, overrides: dict[str, Any] | None = None) -> Rules:
        """The schema with a profile's ``rules:`` section applied.

        ``overrides`` is ``{field: {required, min, max, min_length, max_length, enum}}``;
        anything else raises ``ValueError`` naming the offending entry.
        """
        if not overrides:
            return Rules(self, self.fields, {})
        if not isinstance(overrides, dict):
            raise ValueError(f"rules: expected a mapping of field -> settings, got {type(overrides).__name__}")
        by_name = {f.name: f for f in self.fields}
        for name, settings in overrides.items():
            if name not in by_name:
                raise ValueError(f"rules: unknown field {name!r}; known fields: {', '.join(self.field_names)}")
            by_name[name] = _apply_override(by_name[name], settings)
        return Rules(self, tuple(by_name[f.name] for f in self.fields), dict(overrides))


def _apply_override(spec: FieldSpec, settings: Any) -> FieldSpec:
    where = f"rules.{spec.name}"
    if not isinstance(settings, dict):
        raise ValueError(f"{where}: expected a mapping of settings, got {settings!r}")
    changes: dict[str, Any] = {}
    for key, value in settings.items():
        if key not in OVERRIDE_KEYS:
            raise ValueError(f"{where}: unknown key {key!r}; allowed: {', '.join(OVERRIDE_KEYS)}")
        if key == "required":
            if not isinstance(value, bool):
                raise ValueError(f"{where}.required: expected true or false, got {value!r}")
            changes["required"] = value
        elif key in ("min", "max"):
            if spec.kind not in _NUMERIC_KINDS:
                raise ValueError(f"{where}.{key}: only numeric fields have bounds ({spec.name} is {spec.kind})")
            d = _decimal(value, f"{where}.{key}")
            if spec.kind == "integer" and d != d.to_integral_value():
                raise ValueError(f"{where}.{key}: {spec.name} is a whole number, got {value!r}")
            changes["minimum" if key == "min" else "maximum"] = d
        elif key in ("min_length", "max_length"):
            if spec.kind not in _LENGTH_KINDS:
                raise ValueError(f"{where}.{key}: only text fields have a length ({spec.name} is {spec.kind})")
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{where}.{key}: expected a whole number >= 0, got {value!r}")
            changes[key] = value
        else:  # enum
            if spec.kind != "enum":
                raise ValueError(f"{where}.enum: only fields with a fixed list of values take an enum")
            if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
                raise ValueError(f"{where}.enum: expected a non-empty list of values, got {value!r}")
            changes["enum"] = tuple(value)
    new = replace(spec, **changes)
    lo, hi = new.minimum, new.maximum
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(f"{where}: min {lo} is greater than max {hi}")
    if new.min_length is not None and new.max_length is not None and new.min_length > new.max_length:
        raise ValueError(f"{where}: min_length {new.min_length} is greater than max_length {new.max_length}")
    return new


@dataclass(frozen=True, eq=False)
class Rules:
    """Validation rules in force: the schema plus a profile's overrides."""

    schema: BookingSchema
    fields: tuple[FieldSpec, ...]
    overrides: dict[str, Any]

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"unknown canonical field {name!r}")

    @property
    def required(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields if f.required)

    def severity(self, field_name: str, code: str) -> str:
        return self.field(field_name).severity(code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rules) and other.schema is self.schema and other.fields == self.fields

    def __hash__(self) -> int:
        return hash((id(self.schema), self.fields))


def _parse(path: Path) -> BookingSchema:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"cannot read booking schema {path}: {exc}") from exc
    props: dict[str, Any] = raw.get("properties", {})
    order = raw.get("x-field-order", list(props))
    if list(order) != list(props) or len(set(order)) != len(order):
        raise ValueError(f"booking schema {path}: x-field-order does not match the properties")
    required = set(raw.get("required", []))
    unknown = required - set(props)
    if unknown:
        raise ValueError(f"booking schema {path}: required lists unknown fields {sorted(unknown)}")
    fields = tuple(_field_spec(name, props[name], name in required) for name in order)
    cur = raw.get("x-currencies", {})
    default_exp = int(cur.get("default-exponent", 2))
    exps = cur.get("exponents", {})
    currencies = {c.upper(): int(exps.get(c, default_exp)) for c in cur.get("codes", [])}
    return BookingSchema(
        path=path,
        id=str(raw.get("$id", "")),
        version=str(raw.get("version", "")),
        fields=fields,
        currencies=currencies,
        raw=raw,
    )


def iso_countries() -> tuple[dict[str, str], ...]:
    """pycountry's ISO 3166-1 records (``alpha_2``, ``alpha_3``, ``name``, ``common_name``, ...)."""
    return _pycountry_records("iso3166-1", "countries")


def iso_currencies() -> tuple[dict[str, str], ...]:
    """pycountry's ISO 4217 records (``alpha_3``, ``name``, ``numeric``)."""
    return _pycountry_records("iso4217", "currencies")


@lru_cache(maxsize=4)
def _pycountry_records(database: str, attribute: str) -> tuple[dict[str, str], ...]:
    """One of pycountry's databases, read from its own file without importing pycountry: its
    import looks its version up among the installed distributions, 15 ms of every CLI start
    for a 40 KB file.  Through pycountry itself when the file is not where pycountry keeps it."""
    import importlib.util

    spec = importlib.util.find_spec("pycountry")  # finds the package without running it
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        db = Path(folder) / "databases" / f"{database}.json"
        if db.is_file():
            return tuple(json.loads(db.read_bytes())[database.removeprefix("iso")])
    import pycountry

    return tuple({k: getattr(c, k) for k in c._fields} for c in getattr(pycountry, attribute))


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime_ns: int) -> BookingSchema:
    return _parse(Path(path))


def load_schema(path: str | Path | None = None) -> BookingSchema:
    """Load (and cache) the booking schema; ``path=None`` is the bundled file."""
    p = Path(path) if path is not None else DEFAULT_SCHEMA_PATH
    p = p.resolve()
    try:
        mtime = p.stat().st_mtime_ns
    except OSError as exc:
        raise ValueError(f"cannot read booking schema {p}: {exc}") from exc
    return _load_cached(str(p), mtime)


CANONICAL_FIELDS: tuple[str, ...] = load_schema().field_names
