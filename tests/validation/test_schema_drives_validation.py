"""The validator reads its rules from the schema file: editing a copy of the file changes the result."""

from __future__ import annotations

import json

import pytest
from validation_frames import text_frame, triples

from booking_desktop.schema import load_schema
from booking_desktop.validation import validate


@pytest.fixture
def schema_copy(repo_root, tmp_path):
    raw = json.loads((repo_root / "booking_desktop" / "resources" / "schema" / "booking.schema.json").read_text())

    def write(edit) -> object:
        data = json.loads(json.dumps(raw))
        edit(data)
        path = tmp_path / "booking.schema.json"
        path.write_text(json.dumps(data))
        return load_schema(path).rules()

    return write


def test_extra_enum_value(schema_copy):
    frame = text_frame({"status": "overbooked"})
    assert triples(validate(frame)) == [(0, "status", "enum")]

    def edit(d):
        d["properties"]["status"]["enum"].append("overbooked")

    r = validate(frame, schema_copy(edit))
    assert triples(r) == []
    assert r.typed.loc[0, "status"] == "overbooked"


def test_new_status_synonym(schema_copy):
    def edit(d):
        d["properties"]["status"]["x-synonyms"]["confirmed"].append("Firm")

    r = validate(text_frame({"status": "FIRM"}), schema_copy(edit))
    assert triples(r) == [] and r.typed.loc[0, "status"] == "confirmed"


def test_bounds_lengths_required_and_severity(schema_copy):
    def edit(d):
        d["properties"]["adults"]["maximum"] = 2
        d["properties"]["booking_ref"]["maxLength"] = 3
        d["required"].remove("customer_name")
        d["required"].append("country")
        d["properties"]["country"]["x-severity"] = {}

    rules = schema_copy(edit)
    frame = text_frame({"adults": "3", "booking_ref": "ABCD", "customer_name": None, "country": None},
                       {"country": "XX"})
    r = validate(frame, rules)
    assert triples(r) == [(0, "booking_ref", "length"), (0, "adults", "range"), (0, "country", "required"),
                          (1, "country", "unknown_country")]
    assert r.error_rows.tolist() == [True, True]


def test_currency_table(schema_copy):
    def edit(d):
        d["x-currencies"]["exponents"]["EUR"] = 3

    r = validate(text_frame({"amount": "1.234"}), schema_copy(edit))
    assert triples(r) == [] and r.typed.loc[0, "amount_minor"] == 1234


def test_field_kind_comes_from_format(schema_copy):
    def edit(d):
        d["properties"]["channel"]["format"] = "email"

    r = validate(text_frame({"channel": "Direct"}), schema_copy(edit))
    assert triples(r) == [(0, "channel", "format")]


def test_inconsistent_field_order_is_rejected(schema_copy):
    def edit(d):
        d["x-field-order"] = list(reversed(d["x-field-order"]))

    with pytest.raises(ValueError, match="x-field-order"):
        schema_copy(edit)
