"""What the transform builder asks for each kind of transform (Qt-free).

A field spec has one source key (``column``, ``concat``, ``sum``...; see ``mapping/transforms.py``)
and options.  :data:`KINDS` lists, per source, the inputs of its form; :func:`split_spec` reads a
spec into a kind, the form's values and the other options; :func:`build_spec` makes the spec back.
Options the form does not show (``map``, ``date_format``, ``money``...) are kept when the chosen
kind takes them and reported as left out otherwise, never dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from booking_desktop.mapping.spec import DATE_FIELDS, OPTION_SOURCES, SOURCE_KEYS

COLUMN, COLUMNS, TEXT, NUMBER, FLAG = "column", "columns", "text", "number", "flag"


@dataclass(frozen=True)
class Input:
    key: str  # where the value goes: "sep", or "date_parts.year" (a key inside the source's mapping)
    label: str
    kind: str  # COLUMN (one column, or @field when refs), COLUMNS (an ordered choice), TEXT, NUMBER, FLAG
    tip: str = ""
    required: bool = True
    refs: bool = False  # may name an already mapped canonical field (@nights)


@dataclass(frozen=True)
class Kind:
    key: str
    title: str
    inputs: tuple[Input, ...]
    least: int = 1  # columns at least (COLUMNS inputs)
    dates_only: bool = False


DEFAULT = Input("default", "Default", TEXT, "the value when the source is empty", required=False)
KINDS: tuple[Kind, ...] = (
    Kind("column", "Column", (Input("column", "Column", COLUMN, "the file's column"),)),
    Kind(
        "concat",
        "Join columns",
        (
            Input("concat", "Columns", COLUMNS, "joined in the order you tick them", refs=True),
            Input("sep", "Separator", TEXT, "between the values, e.g. a space", required=False),
        ),
    ),
    Kind(
        "date_parts",
        "Date from parts",
        tuple(
            Input(f"date_parts.{p}", p.capitalize(), COLUMN, f"the column holding the {p}")
            for p in ("year", "month", "day")
        ),
        dates_only=True,
    ),
    Kind(
        "date_add",
        "Date plus days",
        (
            Input("date_add.date", "Date", COLUMN, "a date column or @field", refs=True),
            Input("date_add.days", "Days", COLUMN, "a column of day counts or @field", refs=True),
            Input("date_add.subtract", "Subtract the days", FLAG, required=False),
        ),
        dates_only=True,
    ),
    Kind("sum", "Sum", (Input("sum", "Columns", COLUMNS, "added up", refs=True),), least=2),
    Kind("product", "Product", (Input("product", "Columns", COLUMNS, "multiplied", refs=True),), least=2),
    Kind("constant", "Constant", (Input("constant", "Value", TEXT, "the same value in every row"),)),
    Kind(
        "hash",
        "Reference from columns (hash)",
        (
            Input("hash", "Columns", COLUMNS, "the values that identify a booking", refs=True),
            Input("prefix", "Prefix", TEXT, "written before the digest", required=False),
            Input("length", "Digits", NUMBER, "hex digits, 8 to 64 (16 when not given)", required=False),
            Input("number_duplicates", "Number duplicates", FLAG, "-2, -3… on repeated values", required=False),
        ),
    ),
)
BY_KEY = {k.key: k for k in KINDS}


def kinds_for(field: str) -> list[Kind]:
    return [k for k in KINDS if not k.dates_only or field in DATE_FIELDS]


def _inputs(kind: Kind) -> tuple[Input, ...]:
    return (*kind.inputs, DEFAULT)


def split_spec(spec: dict[str, Any] | None) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(kind, the form's values, the other options) of ``spec``; a spec without a known source is
    read as a column with everything in the options (the YAML tab shows it whole)."""
    spec = dict(spec or {})
    kind = next((k for k in SOURCE_KEYS if k in spec and k in BY_KEY), "column")
    values: dict[str, Any] = {}
    used: set[str] = set()
    for inp in _inputs(BY_KEY[kind]):
        top, _, sub = inp.key.partition(".")
        if top not in spec:
            continue
        if sub:
            inner = spec[top] if isinstance(spec[top], dict) else {}
            if sub in inner:
                values[inp.key] = inner[sub]
        else:
            values[inp.key] = spec[top]
        used.add(top)
    return kind, values, {k: v for k, v in spec.items() if k not in used}


def build_spec(kind: str, values: dict[str, Any], extras: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The field spec from the form; and the options of ``extras`` left out because ``kind`` does not
    take them (said to the operator)."""
    spec: dict[str, Any] = {}
    for inp in _inputs(BY_KEY[kind]):
        v = values.get(inp.key)
        if v is None or v == "" or v == [] or (inp.kind == FLAG and v is False):
            if not inp.required:
                continue
            v = [] if inp.kind == COLUMNS else ""
        top, _, sub = inp.key.partition(".")
        if sub:
            spec.setdefault(top, {})[sub] = v
        else:
            spec[top] = v
    left_out = []
    for k, v in extras.items():
        if k in SOURCE_KEYS or kind not in OPTION_SOURCES.get(k, (kind,)):
            left_out.append(k)
        else:
            spec[k] = v
    return spec, left_out
