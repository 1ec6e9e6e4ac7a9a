"""The transform builder reads and writes field specs without changing them (Qt-free)."""

from __future__ import annotations

import pytest

from booking_desktop.gui import transform_kinds as kinds
from booking_desktop.mapping.registry import list_profiles, shipped_profiles_dir

SHIPPED = [(p.name, f, spec) for p in list_profiles(shipped_profiles_dir()) for f, spec in p.fields.items()]


@pytest.mark.parametrize(("profile", "field", "spec"), SHIPPED, ids=[f"{p}.{f}" for p, f, _ in SHIPPED])
def test_every_shipped_field_spec_comes_back_unchanged(profile, field, spec):
    kind, values, extras = kinds.split_spec(spec)
    rebuilt, left_out = kinds.build_spec(kind, values, extras)
    assert left_out == []
    assert rebuilt == spec


def test_the_kinds_cover_every_source_key_the_profiles_know():
    from booking_desktop.mapping.spec import SOURCE_KEYS

    assert set(kinds.BY_KEY) == set(SOURCE_KEYS)


def test_a_form_makes_the_spec_its_kind_writes():
    spec, left_out = kinds.build_spec(
        "concat", {"concat": ["first", "last"], "sep": " ", "default": ""}, {"case": "title"}
    )
    assert (spec, left_out) == ({"concat": ["first", "last"], "sep": " ", "case": "title"}, [])
    spec, _ = kinds.build_spec("date_add", {"date_add.date": "@check_in", "date_add.days": "Nights"}, {})
    assert spec == {"date_add": {"date": "@check_in", "days": "Nights"}}  # subtract: false is not written
    spec, _ = kinds.build_spec("hash", {"hash": ["a", "b"], "length": 12, "number_duplicates": True}, {})
    assert spec == {"hash": ["a", "b"], "length": 12, "number_duplicates": True}


def test_options_another_kind_does_not_take_are_named_not_dropped_silently():
    kind, values, extras = kinds.split_spec({"column": "Arrival", "date_format": "%d/%m/%Y", "default": "x"})
    assert (kind, values, extras) == ("column", {"column": "Arrival", "default": "x"}, {"date_format": "%d/%m/%Y"})
    spec, left_out = kinds.build_spec("constant", {"constant": "2024-01-01", "default": "x"}, extras)
    assert spec == {"constant": "2024-01-01", "default": "x"}
    assert left_out == ["date_format"]


def test_date_kinds_are_offered_for_date_fields_only():
    assert "date_parts" in [k.key for k in kinds.kinds_for("check_in")]
    assert not {"date_parts", "date_add"} & {k.key for k in kinds.kinds_for("amount")}
