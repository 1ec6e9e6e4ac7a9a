"""Profile files: loading checks everything at once and names file + key; saving round-trips."""

from __future__ import annotations

import dataclasses
import textwrap

import pytest
import yaml

from booking_desktop.errors import ProfileError
from booking_desktop.mapping import MappingProfile

GOOD = """\
version: 1
name: inntown
vendor: INNTOWN
description: Hotel Reservations export
format: csv
reader: {delimiter: ",", encoding: utf-8}
signature:
  columns: [Booking_ID, no_of_adults, arrival_year]
  min_match: 0.8
fields:
  booking_ref: {column: Booking_ID}
  status: {column: booking_status, map: {Canceled: cancelled, Not_Canceled: confirmed, Yes: confirmed, No: pending}}
  check_in: {date_parts: {year: arrival_year, month: arrival_month, day: arrival_date}}
  check_out: {date_add: {date: "@check_in", days: "@nights"}}
  nights: {sum: [no_of_weekend_nights, no_of_week_nights]}
  amount: {product: [avg_price_per_room, "@nights"]}
  currency: {constant: EUR}
  children: {column: no_of_children, default: 0}
  adults: {column: no_of_adults}
rules:
  customer_name: {required: false}
  adults: {max: 10}
"""


def write(tmp_path, text, name="p.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load_error(tmp_path, text) -> ProfileError:
    path = write(tmp_path, text)
    with pytest.raises(ProfileError) as info:
        MappingProfile.load(path)
    return info.value


def test_load_good_profile(tmp_path):
    p = MappingProfile.load(write(tmp_path, GOOD))
    assert (p.name, p.vendor, p.format) == ("inntown", "INNTOWN", "csv")
    assert p.signature.columns == ["Booking_ID", "no_of_adults", "arrival_year"]
    assert p.fields["children"] == {"column": "no_of_children", "default": "0"}  # YAML number -> text
    # YAML 1.1 would read Yes/No as booleans; a value map must keep them as text
    assert p.fields["status"]["map"]["Yes"] == "confirmed"
    assert p.fields["status"]["map"]["No"] == "pending"
    assert p.rules == {"customer_name": {"required": False}, "adults": {"max": 10}}
    assert p.reader_options() == {"delimiter": ",", "encoding": "utf-8", "format": "csv"}
    assert p.source_columns()[:2] == ["Booking_ID", "booking_status"]


def test_save_load_round_trip_is_identical_and_readable(tmp_path):
    p = MappingProfile.load(write(tmp_path, GOOD))
    out = p.save(tmp_path / "out" / "saved.yaml")
    again = MappingProfile.load(out)
    assert again.to_dict() == p.to_dict()
    text = out.read_text(encoding="utf-8")
    keys = [line.split(":")[0] for line in text.splitlines() if line and not line.startswith(" ")]
    assert keys == ["version", "name", "vendor", "description", "format", "reader", "signature", "fields", "rules"]
    assert "  booking_ref: {column: Booking_ID}" in text  # one line per simple field
    assert "'Yes': confirmed" in text  # quoted so that YAML 1.1 tools read it as text too
    assert yaml.safe_load(text)["fields"]["status"]["map"]["Yes"] == "confirmed"


def test_fields_saved_in_canonical_order(tmp_path):
    p = MappingProfile.from_dict(
        {"name": "x", "vendor": "X", "fields": {"currency": {"constant": "EUR"}, "booking_ref": {"column": "R"}}}
    )
    assert list(p.to_dict()["fields"]) == ["booking_ref", "currency"]


def test_every_problem_is_reported_at_once_with_file_and_key(tmp_path):
    err = load_error(
        tmp_path,
        """\
        version: 2
        name: ""
        colour: blue
        format: pdf
        reader: {header_row: 0, drop_totals_row: "yes"}
        signature: {columns: [a, a], min_match: 1.5}
        fields:
          booking_reff: {column: x}
          check_in: {column: a, date_format: "%d/%m", date_order: xyz}
          check_out: {column: b, date_format: "dd/mm/yyyy"}
          amount: {column: a, constant: 3, frobnicate: 1}
          nights: {sum: [a]}
          adults: {product: [a, "@children"]}
          status: Status
          channel: {}
          room_type: {column: r, case: shouty, length: 12}
          currency: {column: c, number_locale: {decimal: ",", thousands: ","}}
          booked_at: {column: c, datetime_format: "%Y-%m-%d"}
          country: {column: k, map: {PT: PRT, pt: ESP}}
          booking_ref: {hash: [a, b], length: 3}
        rules:
          adults: {max: 1, min: 5}
          foo: {required: maybe}
          customer_name: {min: 3, frob: 1}
        """,
    )
    where = str(tmp_path / "p.yaml")
    msgs = [p.message for p in err.problems]
    assert all(m.startswith(where + ": ") for m in msgs)
    keys = {m[len(where) + 2 :].split(": ")[0] for m in msgs}
    expected = {
        "version",
        "name",
        "vendor",
        "colour",
        "format",
        "reader.header_row",
        "reader.drop_totals_row",
        "signature.columns",
        "signature.min_match",
        "fields.booking_reff",
        "fields.check_in.date_format",
        "fields.check_in.date_order",
        "fields.check_in",
        "fields.check_out.date_format",
        "fields.amount.frobnicate",
        "fields.amount",
        "fields.nights.sum",
        "fields.adults",
        "fields.status",
        "fields.channel",
        "fields.room_type.case",
        "fields.room_type.length",
        "fields.currency.number_locale",
        "fields.booked_at.datetime_format",
        "fields.country.map.pt",
        "fields.booking_ref.length",
        "rules.adults",
        "rules.foo",
        "rules.customer_name.frob",
    }
    assert expected <= keys, expected - keys
    assert str(err).startswith(f"{where}: {len(msgs)} problems: ")
    assert "did you mean booking_ref?" in str(err)


def test_rule_kinds_are_checked_against_the_schema(tmp_path):
    err = load_error(
        tmp_path,
        GOOD.replace("adults: {max: 10}", "customer_name: {min: 3}").replace(
            "  customer_name: {required: false}\n", ""
        ),
    )
    assert [p.field for p in err.problems] == ["rules.customer_name.min"]
    assert "only numeric fields have bounds" in str(err)


def test_cycle_of_field_references_is_rejected(tmp_path):
    err = load_error(
        tmp_path,
        """\
        name: x
        vendor: X
        fields:
          nights: {sum: [a, "@amount"]}
          amount: {product: [b, "@nights"]}
        """,
    )
    assert "go round in a circle" in str(err)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("name: [a\n", "line 2, column 1: not valid YAML"),
        ("- a\n- b\n", "a profile is a YAML mapping"),
        ("name: x\nvendor: X\n", "fields: missing"),
    ],
)
def test_unparseable_or_empty_profiles(tmp_path, text, fragment):
    err = load_error(tmp_path, text)
    assert fragment in str(err)
    assert str(tmp_path / "p.yaml") in str(err)


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(ProfileError, match=r"nope\.yaml: cannot read the profile"):
        MappingProfile.load(tmp_path / "nope.yaml")


def test_save_refuses_an_invalid_profile(tmp_path):
    p = MappingProfile(name="x", vendor="X", fields={"bogus": {"column": "a"}})
    with pytest.raises(ProfileError, match=r"fields\.bogus"):
        p.save(tmp_path / "x.yaml")
    assert not (tmp_path / "x.yaml").exists()


def test_every_shipped_profile_loads_and_round_trips(repo_root, tmp_path):
    paths = sorted((repo_root / "booking_desktop" / "resources" / "mappings").glob("*.yaml"))
    assert len(paths) >= 6
    for path in paths:
        p = MappingProfile.load(path)
        assert p.name == path.stem
        again = MappingProfile.load(p.save(tmp_path / path.name))
        assert again.to_dict() == p.to_dict(), path.name


def test_a_profile_needs_a_vendor_unless_its_rows_name_their_own(tmp_path):
    err = load_error(tmp_path, "name: x\nfields:\n  booking_ref: {column: Ref}\n")
    assert "vendor: missing (required unless fields.vendor maps it)" in str(err)
    path = tmp_path / "rows.yaml"
    path.write_text("name: x\nfields:\n  vendor: {column: Sender}\n  booking_ref: {column: Ref}\n", encoding="utf-8")
    p = MappingProfile.load(path)
    assert p.vendor == "" and p.fields["vendor"] == {"column": "Sender"}
    p.save(tmp_path / "again.yaml")
    assert MappingProfile.load(tmp_path / "again.yaml") == dataclasses.replace(p, source=tmp_path / "again.yaml")
