"""The schema file is complete, versioned and its loader rejects bad overrides clearly."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from booking_desktop.schema import CANONICAL_FIELDS, load_schema, normalize_token


def test_fields_are_the_architecture_contract_in_order(repo_root):
    doc = (repo_root / "docs" / "ARCHITECTURE.md").read_text()
    block = doc.split("## Canonical fields (names are final)")[1].split("##")[0]
    documented = re.findall(r"[a-z_]+", block.split("(this order)")[0])
    assert list(CANONICAL_FIELDS) == documented
    assert load_schema().field_names == CANONICAL_FIELDS


def test_schema_is_versioned_json_schema(repo_root):
    raw = json.loads((repo_root / "booking_desktop" / "resources" / "schema" / "booking.schema.json").read_text())
    assert raw["$schema"].endswith("2020-12/schema")
    assert raw["$id"] and raw["version"]
    assert set(raw["required"]) <= set(raw["properties"])
    custom = {k for prop in raw["properties"].values() for k in prop if not k.startswith("x-")}
    assert custom <= {"type", "format", "description", "enum", "minimum", "maximum", "minLength", "maxLength",
                      "pattern", "formatMinimum", "formatMaximum"}


def test_field_specs_come_from_the_file():
    s = load_schema()
    ref = s.field("booking_ref")
    assert (ref.kind, ref.required, ref.min_length, ref.max_length) == ("text", True, 1, 64)
    assert s.field("status").enum == ("confirmed", "pending", "cancelled", "completed", "no_show")
    assert s.field("adults").minimum == Decimal(1) and s.field("children").minimum == Decimal(0)
    assert s.field("nights").required is False and "x-derived" in s.field("nights").extra
    assert {f.name for f in s.fields if f.personal} == {"customer_name", "customer_email", "customer_phone"}
    assert s.field("country").severity("unknown_country") == "warning"
    assert s.field("booked_at").severity("booked_after_check_in") == "warning"
    assert s.field("amount").severity("precision") == "error"
    with pytest.raises(KeyError):
        s.field("price")


def test_every_field_has_header_synonyms_for_the_mapping_suggester():
    s = load_schema()
    for name in CANONICAL_FIELDS:
        assert len(s.header_synonyms[name]) >= 5, name
    assert "confirmation number" in s.header_synonyms["booking_ref"]
    assert "arrival" in s.header_synonyms["check_in"]


@pytest.mark.parametrize(
    ("vendor_text", "canonical"),
    [("CNF", "confirmed"), ("Booked", "confirmed"), ("CXL", "cancelled"), ("Canceled", "cancelled"),
     ("No-Show", "no_show"), ("NoShow", "no_show"), ("no show", "no_show"), ("Check-Out", "completed"),
     ("Checked out", "completed"), ("Tentative", "pending"), ("Option", "pending")],
)
def test_status_synonyms(vendor_text, canonical):
    assert load_schema().status_synonyms[normalize_token(vendor_text)] == canonical


@pytest.mark.parametrize(("code", "exp"), [("JPY", 0), ("KWD", 3), ("BHD", 3), ("EUR", 2), ("usd", 2), ("XAU", None),
                                            ("ABC", None)])
def test_currency_exponent(code, exp):
    assert load_schema().currency_exponent(code) == exp


def test_load_schema_is_cached():
    assert load_schema() is load_schema()


def test_rules_overrides_apply():
    rules = load_schema().rules({"customer_name": {"required": False}, "adults": {"max": 4, "min": 1},
                                 "status": {"enum": ["confirmed", "cancelled"]}, "room_type": {"max_length": 10}})
    assert not rules.field("customer_name").required
    assert rules.field("adults").maximum == Decimal(4)
    assert rules.field("status").enum == ("confirmed", "cancelled")
    assert rules.field("room_type").max_length == 10
    assert load_schema().field("customer_name").required  # the schema itself is untouched


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"guest": {"required": False}}, "unknown field 'guest'"),
        ({"adults": {"maximum": 3}}, "rules.adults: unknown key 'maximum'"),
        ({"adults": {"max_length": 3}}, "only text fields have a length"),
        ({"vendor": {"max": 3}}, "only numeric fields have bounds"),
        ({"adults": {"min": 5, "max": 2}}, "min 5 is greater than max 2"),
        ({"adults": {"max": 2.5}}, "whole number"),
        ({"customer_name": {"required": "no"}}, "expected true or false"),
        ({"country": {"enum": ["DE"]}}, "only fields with a fixed list"),
        ({"adults": 3}, "expected a mapping"),
    ],
)
def test_bad_overrides_are_value_errors_naming_the_entry(overrides, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        load_schema().rules(overrides)


def test_broken_schema_file_is_a_clear_error(tmp_path):
    p = tmp_path / "s.json"
    p.write_text("{not json")
    with pytest.raises(ValueError, match="cannot read booking schema"):
        load_schema(p)
