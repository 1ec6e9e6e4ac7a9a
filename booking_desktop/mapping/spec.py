"""What a profile may say: the keys, the canonical fields, and the checker that reports
every problem of a profile at once (file + YAML key path), so that an operator fixing a
profile sees the whole list, not one error per attempt.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from booking_desktop.errors import Problem, ProfileError
from booking_desktop.mapping.dates import DATE_ORDERS, format_has_time, valid_strptime_format
from booking_desktop.schema import CANONICAL_FIELDS, OVERRIDE_KEYS, load_schema


def canonical_fields() -> list[str]:
    """The canonical field names, in schema order."""
    return list(CANONICAL_FIELDS)


PROFILE_VERSION = 1
FORMATS = ("csv", "xlsx", "json", "xml")
# other names the readers accept for the same formats
FORMAT_ALIASES = ("tsv", "txt", "excel", "xls", "xlsm", "ods", "ndjson", "jsonl")
TOP_KEYS = ("version", "name", "vendor", "description", "format", "reader", "signature", "fields", "rules", "rows")
SOURCE_KEYS = ("column", "concat", "date_parts", "date_add", "sum", "product", "constant", "hash")
OPTION_KEYS = (
    "sep",
    "split",
    "number_locale",
    "date_format",
    "date_order",
    "datetime_format",
    "map",
    "case",
    "default",
    "prefix",
    "length",
    "number_duplicates",
    "money",
    "country_names",
)
FIELD_KEYS = SOURCE_KEYS + OPTION_KEYS
RULE_KEYS = OVERRIDE_KEYS  # the rule overrides the schema understands
CASES = ("upper", "lower", "title")
DATE_FIELDS = ("check_in", "check_out", "booked_at")
# option -> the source keys it may accompany
_OPTION_SOURCES: dict[str, tuple[str, ...]] = {
    "sep": ("concat",),
    "split": ("column",),
    "number_locale": ("column", "sum", "product"),
    "date_format": ("column",),
    "date_order": ("column",),
    "datetime_format": ("column",),
    "map": ("column", "concat"),
    "case": ("column", "concat"),
    "default": SOURCE_KEYS,
    "prefix": ("hash",),
    "length": ("hash",),
    "number_duplicates": ("hash",),
    "money": ("column",),
    "country_names": ("column",),
}
OPTION_SOURCES = _OPTION_SOURCES  # public: the transform builder offers only the options a source takes
MONEY_KEYS = ("decimal", "symbols")
# reader options the readers understand; others pass through unchecked (the readers own them)
_READER_TYPES: dict[str, tuple[type, ...]] = {
    "delimiter": (str,),
    "encoding": (str,),
    "quotechar": (str,),
    "sheet": (str, int),
    "header_row": (int,),
    "record_path": (str,),
    "drop_totals_row": (bool,),
    "null_values": (list,),
    "extra_null_values": (list,),
    "member": (str,),
}
HASH_MAX_LENGTH = 64  # hex digits of a 256-bit blake2b digest


def spec_source(spec: Mapping[str, Any]) -> str:
    """The source key of a field spec (``column``, ``concat``, ...)."""
    for key in SOURCE_KEYS:
        if key in spec:
            return key
    raise KeyError("field spec has no source key")


def spec_columns(spec: Mapping[str, Any]) -> list[str]:
    """Source columns a spec reads (``@field`` references excluded)."""
    kind = spec_source(spec)
    arg = spec[kind]
    if kind == "column":
        cols = [arg]
    elif kind == "date_parts":
        cols = [arg[k] for k in ("year", "month", "day")]
    elif kind == "date_add":
        cols = [arg["date"], arg["days"]]
    elif kind in ("concat", "sum", "product", "hash"):
        cols = list(arg)
    else:
        cols = []
    return [str(c) for c in cols if kind == "column" or field_ref(c) is None]


def spec_refs(spec: Mapping[str, Any]) -> list[str]:
    """Canonical fields a spec refers to with ``@field``."""
    kind = spec_source(spec)
    arg = spec[kind]
    if kind == "date_add":
        arg = [arg["date"], arg["days"]]
    if kind in ("concat", "sum", "product", "hash", "date_add"):
        return [r for r in (field_ref(c) for c in arg) if r is not None]
    return []


def field_ref(name: Any) -> str | None:
    """``"@nights"`` -> ``"nights"`` when the name after ``@`` is a canonical field; anything
    else (an XML attribute column such as ``@id``) is a source column name."""
    name = str(name)
    if name.startswith("@") and name[1:] in canonical_fields():
        return name[1:]
    return None


# ---------------------------------------------------------------------------
# checking


def profile_error(where: str, problems: list[tuple[str, str]]) -> ProfileError:
    items = [
        Problem(code="profile", message=f"{where}: {key}: {msg}" if key else f"{where}: {msg}", field=key or None)
        for key, msg in problems
    ]
    if len(items) == 1:
        head = items[0]
    else:
        head = Problem(
            code="profile",
            message=f"{where}: {len(items)} problems: " + "; ".join(f"{k}: {m}" if k else m for k, m in problems),
        )
    return ProfileError(head, items)


def _is_scalar(v: Any) -> bool:
    return isinstance(v, str | int | float) and not isinstance(v, bool)


class ProfileChecker:
    def __init__(self, where: str):
        self.where = where
        self.problems: list[tuple[str, str]] = []
        self.canonical = canonical_fields()

    def add(self, key: str, msg: str) -> None:
        self.problems.append((key, msg))

    def check(self, d: Any) -> list[tuple[str, str]]:
        if not isinstance(d, Mapping):
            self.add("", f"a profile is a YAML mapping of keys ({', '.join(TOP_KEYS)}), not {type(d).__name__}")
            return self.problems
        for k in d:
            if k not in TOP_KEYS:
                self.add(str(k), f"unknown key; allowed: {', '.join(TOP_KEYS)}")
        version = d.get("version", PROFILE_VERSION)
        if version != PROFILE_VERSION:
            self.add("version", f"unsupported version {version!r}; this program reads version {PROFILE_VERSION}")
        for key in ("name", "vendor"):
            v = d.get(key)
            if v is None or (isinstance(v, str) and not v.strip()):
                self.add(key, "missing (required)")
            elif not _is_scalar(v):
                self.add(key, "must be text")
        if "description" in d and d["description"] is not None and not isinstance(d["description"], str):
            self.add("description", "must be text")
        fmt = d.get("format")
        if fmt is not None and fmt not in FORMATS + FORMAT_ALIASES:
            self.add("format", f"{fmt!r} is not one of {', '.join(FORMATS)}")
        self._reader(d.get("reader"))
        self._signature(d.get("signature"))
        fields = d.get("fields")
        if not isinstance(fields, Mapping) or not fields:
            self.add("fields", "missing: map at least one canonical field (e.g. booking_ref: {column: Ref})")
        else:
            self._fields(fields)
        self._rules(d.get("rules"))
        self._rows(d.get("rows"))
        return self.problems

    def _rows(self, rows: Any) -> None:
        if rows is None:
            return
        from booking_desktop.mapping.rows import check_row_rules

        for key, msg in check_row_rules(rows):
            self.add(key, msg)

    def _reader(self, r: Any) -> None:
        if r is None:
            return
        if not isinstance(r, Mapping):
            self.add("reader", "must be a mapping of reader options")
            return
        for k, v in r.items():
            types = _READER_TYPES.get(str(k))
            if types and (not isinstance(v, types) or (bool not in types and isinstance(v, bool))):
                self.add(f"reader.{k}", f"must be {' or '.join(t.__name__ for t in types)}, not {v!r}")
        hr = r.get("header_row")
        if isinstance(hr, int) and not isinstance(hr, bool) and hr < 1:
            self.add("reader.header_row", "is 1-based: must be 1 or more")

    def _signature(self, s: Any) -> None:
        if s is None:
            return
        if not isinstance(s, Mapping):
            self.add("signature", "must be a mapping with columns and min_match")
            return
        for k in s:
            if k not in ("columns", "min_match"):
                self.add(f"signature.{k}", "unknown key; allowed: columns, min_match")
        cols = s.get("columns")
        if cols is not None and (not isinstance(cols, list) or not all(_is_scalar(c) for c in cols)):
            self.add("signature.columns", "must be a list of column names")
        elif isinstance(cols, list) and len({str(c) for c in cols}) != len(cols):
            self.add("signature.columns", "lists a column twice")
        mm = s.get("min_match", 0.8)
        if not isinstance(mm, int | float) or isinstance(mm, bool) or not 0 < mm <= 1:
            self.add("signature.min_match", f"must be a fraction above 0 and at most 1, not {mm!r}")

    def _fields(self, fields: Mapping[str, Any]) -> None:
        refs: dict[str, list[str]] = {}
        for name, spec in fields.items():
            key = f"fields.{name}"
            if name not in self.canonical:
                self.add(key, f"unknown canonical field{_did_you_mean(name, self.canonical)}")
                continue
            if isinstance(spec, str):
                self.add(key, f"write {{column: {spec}}} (a field spec is a mapping)")
                continue
            if not isinstance(spec, Mapping):
                self.add(key, "must be a mapping such as {column: Ref}")
                continue
            refs[name] = self._spec(name, key, spec)
        for name, targets in refs.items():
            for t in targets:
                if t == name:
                    self.add(f"fields.{name}", f"@{t} refers to the field itself")
                elif t not in fields:
                    self.add(f"fields.{name}", f"@{t} refers to a field this profile does not map")
        if _has_cycle(refs):
            self.add("fields", "@field references go round in a circle")

    def _spec(self, name: str, key: str, spec: Mapping[str, Any]) -> list[str]:
        for k in spec:
            if k not in FIELD_KEYS:
                self.add(f"{key}.{k}", f"unknown transform key; allowed: {', '.join(FIELD_KEYS)}")
        sources = [k for k in SOURCE_KEYS if k in spec]
        if not sources:
            self.add(key, f"needs exactly one source key ({', '.join(SOURCE_KEYS)}); found none")
            return []
        if len(sources) > 1:
            self.add(key, f"needs exactly one source key; found {len(sources)}: {', '.join(sources)}")
            return []
        kind = sources[0]
        arg = spec[kind]
        self._source(name, f"{key}.{kind}", kind, arg)
        for opt in OPTION_KEYS:
            if opt in spec and kind not in _OPTION_SOURCES[opt]:
                self.add(f"{key}.{opt}", f"cannot be used with {kind}")
            elif opt in spec:
                self._option(name, f"{key}.{opt}", opt, spec[opt], spec)
        if "money" in spec and "number_locale" in spec:
            self.add(key, "give only one of money, number_locale (money reads the separators itself)")
        if sum(k in spec for k in ("date_format", "date_order", "datetime_format")) > 1:
            self.add(key, "give only one of date_format, date_order, datetime_format")
        if kind == "date_add" and isinstance(arg, Mapping):
            arg = [arg.get("date"), arg.get("days")]
        if kind in ("concat", "sum", "product", "hash", "date_add") and isinstance(arg, list):
            return [r for r in (field_ref(c) for c in arg if isinstance(c, str)) if r is not None]
        return []

    def _source(self, name: str, key: str, kind: str, arg: Any) -> None:
        if kind == "column":
            if not _is_scalar(arg) or str(arg) == "":
                self.add(key, "must be a column name")
        elif kind == "constant":
            if not _is_scalar(arg):
                self.add(key, "must be a single value (text or number)")
        elif kind == "date_parts":
            if name not in DATE_FIELDS:
                self.add(key, f"only for date fields ({', '.join(DATE_FIELDS)})")
            if not isinstance(arg, Mapping):
                self.add(key, "must be {year: col, month: col, day: col}")
                return
            for part in ("year", "month", "day"):
                if not _is_scalar(arg.get(part)):
                    self.add(f"{key}.{part}", "missing: the column holding the " + part)
            for extra in set(arg) - {"year", "month", "day"}:
                self.add(f"{key}.{extra}", "unknown key; allowed: year, month, day")
        elif kind == "date_add":
            if name not in DATE_FIELDS:
                self.add(key, f"only for date fields ({', '.join(DATE_FIELDS)})")
            if not isinstance(arg, Mapping):
                self.add(key, "must be {date: column or @field, days: column or @field, subtract: false}")
                return
            for part in ("date", "days"):
                if not _is_scalar(arg.get(part)):
                    self.add(f"{key}.{part}", f"missing: the column (or @field) holding the {part}")
            if not isinstance(arg.get("subtract", False), bool):
                self.add(f"{key}.subtract", "must be true or false")
            for extra in set(arg) - {"date", "days", "subtract"}:
                self.add(f"{key}.{extra}", "unknown key; allowed: date, days, subtract")
        else:
            least = 1 if kind in ("concat", "hash") else 2
            if not isinstance(arg, list) or len(arg) < least or not all(_is_scalar(c) for c in arg):
                self.add(key, f"must be a list of at least {least} column names (or @field)")

    def _option(self, name: str, key: str, opt: str, v: Any, spec: Mapping[str, Any]) -> None:
        if opt == "sep":
            if not isinstance(v, str):
                self.add(key, "must be text")
        elif opt == "split":
            if not isinstance(v, Mapping) or not isinstance(v.get("sep"), str) or v.get("sep") == "":
                self.add(key, "must be {sep: text, index: number}")
            elif not isinstance(v.get("index", 0), int) or isinstance(v.get("index", 0), bool):
                self.add(f"{key}.index", "must be a whole number (0 = first part, -1 = last)")
        elif opt == "number_locale":
            if not isinstance(v, Mapping):
                self.add(key, 'must be {decimal: ",", thousands: "."}')
                return
            dec, thou = v.get("decimal", "."), v.get("thousands", "")
            if dec not in (".", ","):
                self.add(f"{key}.decimal", f'must be "." or ",", not {dec!r}')
            if thou not in ("", ".", ",", " ", "'", "\u00a0", "\u202f"):
                self.add(f"{key}.thousands", f"{thou!r} is not a thousands separator")
            if dec == thou:
                self.add(key, "decimal and thousands separators must differ")
            for extra in set(v) - {"decimal", "thousands"}:
                self.add(f"{key}.{extra}", "unknown key; allowed: decimal, thousands")
        elif opt in ("date_format", "datetime_format"):
            if name not in DATE_FIELDS:
                self.add(key, f"only for date fields ({', '.join(DATE_FIELDS)})")
            why = valid_strptime_format(v) if isinstance(v, str) else "must be a strptime format such as %d/%m/%Y"
            if why:
                self.add(key, why)
            elif opt == "datetime_format" and not format_has_time(v):
                self.add(key, f"{v!r} has no time; use date_format")
        elif opt == "date_order":
            if name not in DATE_FIELDS:
                self.add(key, f"only for date fields ({', '.join(DATE_FIELDS)})")
            if v not in DATE_ORDERS:
                self.add(key, f"must be one of {', '.join(DATE_ORDERS)}, not {v!r}")
        elif opt == "map":
            if not isinstance(v, Mapping) or not v:
                self.add(key, "must be a mapping of source value -> canonical value")
                return
            seen: dict[str, Any] = {}
            for src, dst in v.items():
                if not _is_scalar(src) or not _is_scalar(dst):
                    self.add(f"{key}.{src}", "source and canonical values must be text")
                    continue
                folded = str(src).strip().casefold()
                if folded in seen and str(seen[folded]) != str(dst):
                    self.add(f"{key}.{src}", f"clashes with {seen[folded]!r} (values match ignoring case)")
                seen[folded] = dst
        elif opt == "case":
            if v not in CASES:
                self.add(key, f"must be one of {', '.join(CASES)}, not {v!r}")
        elif opt == "default":
            if not _is_scalar(v):
                self.add(key, "must be a single value")
        elif opt == "prefix":
            if not isinstance(v, str):
                self.add(key, "must be text")
        elif opt == "length":
            if not isinstance(v, int) or isinstance(v, bool) or not 8 <= v <= HASH_MAX_LENGTH:
                self.add(key, f"must be a whole number from 8 to {HASH_MAX_LENGTH}")
        elif opt == "number_duplicates" and not isinstance(v, bool):
            self.add(key, "must be true or false")
        elif opt == "money":
            self._money(name, key, v)
        elif opt == "country_names":
            if name != "country":
                self.add(key, "only for the country field")
            if not isinstance(v, bool):
                self.add(key, "must be true or false")

    def _money(self, name: str, key: str, v: Any) -> None:
        if v is True or v is None:
            return
        if not isinstance(v, Mapping):
            self.add(key, 'must be true or a mapping such as {decimal: ",", symbols: {"$": USD}}')
            return
        for extra in set(v) - set(MONEY_KEYS):
            self.add(f"{key}.{extra}", f"unknown key; allowed: {', '.join(MONEY_KEYS)}")
        if "decimal" in v and v["decimal"] not in (".", ","):
            self.add(f"{key}.decimal", f'must be "." or ",", not {v["decimal"]!r}')
        symbols = v.get("symbols")
        if symbols is None:
            return
        if not isinstance(symbols, Mapping) or not symbols:
            self.add(f"{key}.symbols", 'must be a mapping of mark -> ISO code, such as {"$": USD}')
            return
        codes = load_schema().currencies
        for mark, code in symbols.items():
            if not _is_scalar(mark) or not str(mark).strip():
                self.add(f"{key}.symbols", f"{mark!r} is not a currency mark")
            elif not isinstance(code, str) or (codes and code.upper() not in codes):
                self.add(f"{key}.symbols.{mark}", f"{code!r} is not an active ISO 4217 currency code")

    def _rules(self, rules: Any) -> None:
        if rules is None:
            return
        if not isinstance(rules, Mapping):
            self.add("rules", "must be a mapping of canonical field -> rule overrides")
            return
        schema = load_schema()
        allowed = rule_keys()
        for name, r in rules.items():
            key = f"rules.{name}"
            if name not in self.canonical:
                self.add(key, f"unknown canonical field{_did_you_mean(name, self.canonical)}")
                continue
            if not isinstance(r, Mapping):
                self.add(key, "must be a mapping such as {required: false}")
                continue
            problems_before = len(self.problems)
            for rk, v in r.items():
                k2 = f"{key}.{rk}"
                if rk not in allowed:
                    self.add(k2, f"unknown rule; allowed: {', '.join(allowed)}")
                elif rk == "required" and not isinstance(v, bool):
                    self.add(k2, "must be true or false")
                elif rk in ("min", "max") and not _is_scalar(v):
                    self.add(k2, "must be a number")
                elif rk in ("min_length", "max_length") and (not isinstance(v, int) or isinstance(v, bool) or v < 0):
                    self.add(k2, "must be a whole number, 0 or more")
                elif rk == "enum" and (not isinstance(v, list) or not v or not all(_is_scalar(e) for e in v)):
                    self.add(k2, "must be a non-empty list of allowed values")
            if len(self.problems) == problems_before:
                # the schema knows each field's kind (bounds only on numbers, enum only on enums...)
                try:
                    schema.rules({name: dict(r)})
                except ValueError as exc:
                    where, sep, msg = str(exc).partition(": ")
                    if sep and where.startswith(key):
                        self.add(where, msg)
                    else:
                        self.add(key, str(exc))


def rule_keys() -> tuple[str, ...]:
    return tuple(RULE_KEYS)


def _did_you_mean(name: Any, choices: list[str]) -> str:
    from rapidfuzz import fuzz, process

    best = process.extractOne(str(name), choices, scorer=fuzz.ratio, score_cutoff=75)
    if best:
        return f" (did you mean {best[0]}?)"
    return f"; fields are: {', '.join(choices)}"


def _has_cycle(refs: dict[str, list[str]]) -> bool:
    state: dict[str, int] = {}

    def visit(n: str) -> bool:
        if state.get(n) == 1:
            return True
        if state.get(n) == 2:
            return False
        state[n] = 1
        if any(visit(t) for t in refs.get(n, [])):
            return True
        state[n] = 2
        return False

    return any(visit(n) for n in refs)
