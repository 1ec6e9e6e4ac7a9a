"""How a grid presents its columns: titles an operator reads, which columns hold numbers (shown
right-aligned), and the key column kept in view while scrolling sideways.  Qt-free.

The canonical names stay the contract (files, tooltips, the journal); titles are for reading only.
"""

from __future__ import annotations

from collections.abc import Sequence

KEY_FIELD = "booking_ref"  # frozen at the left edge: the record an operator is looking at

TITLES = {
    "vendor": "Vendor",
    "booking_ref": "Booking ref",
    "status": "Status",
    "customer_name": "Guest name",
    "customer_email": "Guest email",
    "customer_phone": "Guest phone",
    "property_name": "Property",
    "room_type": "Room type",
    "channel": "Channel",
    "check_in": "Check-in",
    "check_out": "Check-out",
    "nights": "Nights",
    "adults": "Adults",
    "children": "Children",
    "amount": "Amount",
    "currency": "Currency",
    "booked_at": "Booked at",
    "country": "Country",
}
NUMBER_KINDS = frozenset({"integer", "decimal"})


def column_title(name: str) -> str:
    """``check_in`` -> ``Check-in``; a field without a title reads as words (``room_type`` -> ``Room type``)."""
    return TITLES.get(name) or name.replace("_", " ").strip().capitalize() or name


def numeric_columns(fields: Sequence[str]) -> list[bool]:
    """True for the fields whose values are numbers in the canonical schema (right-aligned)."""
    from booking_desktop.schema import load_schema

    schema = load_schema()
    known = set(schema.field_names)
    return [f in known and schema.field(f).kind in NUMBER_KINDS for f in fields]
