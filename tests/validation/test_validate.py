"""Each validation rule, asserted as [row, field, code] triples on small frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from validation_frames import text_frame, triples

from booking_desktop.schema import CANONICAL_FIELDS, load_schema
from booking_desktop.validation import validate


def test_a_good_booking_has_no_problems_and_typed_columns():
    r = validate(text_frame({}))
    assert triples(r) == []
    t = r.typed
    assert list(t.columns) == [*CANONICAL_FIELDS[:15], "amount_minor", *CANONICAL_FIELDS[15:]]
    assert str(t["check_in"].dtype) == "datetime64[ns]"
    assert str(t["booked_at"].dtype) == "datetime64[ns, UTC]"
    assert {str(t[c].dtype) for c in ("nights", "adults", "children", "amount_minor")} == {"Int64"}
    assert t["vendor"].dtype == "str" and t["amount"].dtype == "str"
    assert t.loc[0, "amount_minor"] == 30000
    assert t.loc[0, "customer_phone"] == "+442079460958"
    assert not r.error_rows.any() and not r.warning_rows.any()


def test_required_fields():
    r = validate(text_frame({"vendor": None, "customer_name": None, "check_in": ""}))
    assert triples(r) == [(0, "vendor", "required"), (0, "customer_name", "required"), (0, "check_in", "required")]
    assert r.problems.frame.loc[0, "message"] == "vendor is required"


def test_missing_columns_count_as_empty():
    frame = text_frame({}).drop(columns=["booking_ref", "country", "nights"])
    r = validate(frame)
    assert triples(r) == [(0, "booking_ref", "required")]
    assert r.typed.loc[0, "nights"] == 3  # derived from the dates


def test_leap_days_and_impossible_dates():
    r = validate(text_frame(
        {"check_in": "2024-02-29", "check_out": "2024-03-01", "nights": None},
        {"check_in": "2023-02-29", "nights": None},
        {"check_in": "2023-02-30", "nights": None},
        {"check_in": "2024-04-31", "nights": None},
        {"check_in": "31/02/2024", "nights": None},
        {"check_in": "2024-3-1", "nights": None},
        {"check_in": "1900-02-29", "nights": None},
        {"check_in": "2000-02-29", "check_out": "2000-03-01", "nights": None, "booked_at": None},
    ))
    assert triples(r) == [(i, "check_in", "format") for i in (1, 2, 3, 4, 5, 6)]
    assert r.typed.loc[0, "check_in"] == pd.Timestamp("2024-02-29")
    assert r.typed.loc[0, "nights"] == 1
    assert r.typed.loc[7, "nights"] == 1
    assert pd.isna(r.typed.loc[1, "check_in"])
    msg = r.problems.frame.loc[0, "message"]
    assert "2023-02-29" in msg and "YYYY-MM-DD" in msg


def test_date_order_names_both_dates():
    r = validate(text_frame({"check_in": "2024-03-05", "check_out": "2024-03-01", "nights": None},
                            {"check_in": "2024-03-05", "check_out": "2024-03-05", "nights": None}))
    assert triples(r) == [(0, "check_out", "date_order"), (1, "check_out", "date_order")]
    assert r.problems.frame.loc[0, "message"] == "check_out 2024-03-01 is not after check_in 2024-03-05"
    assert pd.isna(r.typed.loc[0, "nights"])


def test_nights_derived_or_checked_against_the_dates():
    r = validate(text_frame({"nights": None}, {"nights": "3"}, {"nights": "4"}, {"nights": "0"}))
    assert triples(r) == [(2, "nights", "nights_mismatch"), (3, "nights", "range")]
    assert r.typed["nights"].tolist()[:2] == [3, 3]
    assert pd.isna(r.typed.loc[2, "nights"])
    assert "(3 nights)" in r.problems.frame.loc[0, "message"]


def test_integers_type_and_range():
    r = validate(text_frame({"adults": "two"}, {"children": "-1"}, {"adults": "0"}, {"adults": "+2", "children": "1.0"},
                            {"adults": "99999999999999999999"}))
    assert triples(r) == [(0, "adults", "type"), (1, "children", "range"), (2, "adults", "range"),
                          (4, "adults", "range")]
    assert r.typed.loc[3, "adults"] == 2 and r.typed.loc[3, "children"] == 1
    assert r.problems.frame.loc[1, "message"] == "children -1 is below the minimum 0"


def test_booking_ref_kept_as_text_and_length_limits():
    r = validate(text_frame({"booking_ref": "000123"}, {"booking_ref": "x" * 64}, {"booking_ref": "y" * 65}))
    assert triples(r) == [(2, "booking_ref", "length")]
    assert r.typed.loc[0, "booking_ref"] == "000123"
    assert "65 characters" in r.problems.frame.loc[0, "message"]


def test_duplicate_refs_flag_repeats_only_and_name_the_first_record():
    r = validate(text_frame({"booking_ref": "A"}, {"booking_ref": "B"}, {"booking_ref": "A"}, {"booking_ref": "A"},
                            {"booking_ref": "a"}, {"booking_ref": "0A"}))
    assert triples(r) == [(2, "booking_ref", "duplicate_ref"), (3, "booking_ref", "duplicate_ref")]
    assert "repeats record 1" in r.problems.frame.loc[0, "message"]
    assert r.error_rows.tolist() == [False, False, True, True, False, False]


def test_duplicates_are_per_vendor():
    r = validate(text_frame({"booking_ref": "A"}, {"booking_ref": "A", "vendor": "globex"},
                            {"booking_ref": "A", "vendor": "globex"}))
    assert triples(r) == [(2, "booking_ref", "duplicate_ref")]
    assert "repeats record 2" in r.problems.frame.loc[0, "message"]


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [("CNF", "confirmed"), ("Confirmed", "confirmed"), ("booked", "confirmed"), ("CXL", "cancelled"),
     ("Canceled", "cancelled"), ("cancelled", "cancelled"), ("No-Show", "no_show"), ("NoShow", "no_show"),
     ("no show", "no_show"), ("NO_SHOW", "no_show"), ("Check-Out", "completed"), ("Checked out", "completed"),
     ("Completed", "completed"), ("Pending", "pending"), ("Tentative", "pending"), ("OPTION", "pending")],
)
def test_status_synonyms_normalize(raw, canonical):
    r = validate(text_frame({"status": raw}))
    assert triples(r) == []
    assert r.typed.loc[0, "status"] == canonical


def test_unknown_status_is_enum_error():
    r = validate(text_frame({"status": "maybe"}))
    assert triples(r) == [(0, "status", "enum")]
    assert "confirmed, pending, cancelled, completed, no_show" in r.problems.frame.loc[0, "message"]


def test_email_checked_and_lower_cased():
    r = validate(text_frame({"customer_email": "Ann.Lee@Example.COM"}, {"customer_email": "ann@"},
                            {"customer_email": "a b@example.com"}, {"customer_email": None}))
    assert triples(r) == [(1, "customer_email", "format"), (2, "customer_email", "format")]
    assert r.typed.loc[0, "customer_email"] == "ann.lee@example.com"


def test_phone_normalized():
    r = validate(text_frame({"customer_phone": "(020) 7946.0958"}, {"customer_phone": "0044 20 7946 0958"},
                            {"customer_phone": "12-34"}, {"customer_phone": "+1 234 567 890 123 456"},
                            {"customer_phone": "call me"}))
    assert triples(r) == [(2, "customer_phone", "format"), (3, "customer_phone", "format"),
                          (4, "customer_phone", "format")]
    assert r.typed["customer_phone"].tolist()[:2] == ["02079460958", "+442079460958"]


def test_amount_precision_per_currency_and_exact_minor_units():
    r = validate(text_frame(
        {"amount": "12.345", "currency": "EUR"},
        {"amount": "100.5", "currency": "JPY"},
        {"amount": "100", "currency": "JPY"},
        {"amount": "12.345", "currency": "KWD"},
        {"amount": "12.3456", "currency": "KWD"},
        {"amount": "0.10", "currency": "EUR"},
        {"amount": "19.990", "currency": "eur"},
        {"amount": "0012.5", "currency": "USD"},
        {"amount": "99999999999999.99", "currency": "EUR"},
    ))
    assert triples(r) == [(0, "amount", "precision"), (1, "amount", "precision"), (4, "amount", "precision")]
    assert r.problems.frame.loc[0, "message"] == "amount 12.345 has 3 decimals; EUR allows 2"
    minor = [None if pd.isna(v) else int(v) for v in r.typed["amount_minor"]]
    assert minor == [None, None, 100, 12345, None, 10, 1999, 1250, 9999999999999999]
    amounts = [None if pd.isna(v) else v for v in r.typed["amount"]]
    assert amounts == [None, None, "100", "12.345", None, "0.10", "19.99", "12.50", "99999999999999.99"]
    assert r.typed.loc[6, "currency"] == "EUR"


def test_amount_type_and_range():
    r = validate(text_frame({"amount": "12,50"}, {"amount": "abc"}, {"amount": "-5"}, {"amount": "-0.00"},
                            {"amount": "1e5"}, {"amount": "123456789012345"}))
    assert triples(r) == [(0, "amount", "type"), (1, "amount", "type"), (2, "amount", "range"), (4, "amount", "type"),
                          (5, "amount", "range")]
    assert r.typed.loc[3, "amount_minor"] == 0


def test_unknown_currency_leaves_minor_units_empty():
    r = validate(text_frame({"currency": "EURO"}, {"currency": "XAU"}))
    assert triples(r) == [(0, "currency", "format"), (1, "currency", "format")]
    assert r.typed["amount_minor"].isna().all()


def test_country_alpha3_stored_as_alpha2_and_unknown_is_a_warning():
    r = validate(text_frame({"country": "DEU"}, {"country": "gbr"}, {"country": "fr"}, {"country": "XX"},
                            {"country": "Germany"}))
    assert triples(r) == [(3, "country", "unknown_country"), (4, "country", "unknown_country")]
    assert r.typed["country"].tolist()[:3] == ["DE", "GB", "FR"]
    assert set(r.problems.frame["severity"]) == {"warning"}
    assert not r.error_rows.any() and r.warning_rows.tolist() == [False, False, False, True, True]


def test_booked_after_check_in_is_a_warning_that_does_not_block():
    r = validate(text_frame(
        {"booked_at": "2024-03-02T09:00:00"},
        {"booked_at": "2024-03-01T23:00:00Z"},
        {"booked_at": "2024-03-02T01:00:00+02:00"},
        {"booked_at": "2024-02-30T10:00:00Z"},
        {"booked_at": "2024-01-15 10:00"},
        {"booked_at": "yesterday"},
    ))
    assert triples(r) == [(0, "booked_at", "booked_after_check_in"), (3, "booked_at", "format"),
                          (5, "booked_at", "format")]
    assert r.problems.frame.loc[0, "severity"] == "warning"
    assert r.error_rows.tolist() == [False, False, False, True, False, True]
    assert r.typed.loc[2, "booked_at"] == pd.Timestamp("2024-03-01T23:00:00Z")
    assert r.typed.loc[4, "booked_at"] == pd.Timestamp("2024-01-15T10:00:00Z")


def test_problem_values_are_the_raw_text():
    r = validate(text_frame({"adults": "two", "country": "xx"}))
    assert r.problems.frame["value"].tolist() == ["two", "xx"]
    first = next(r.problems.problems())
    assert first.row == 1 and first.field == "adults" and first.value == "two"


def test_empty_frame():
    r = validate(text_frame({}).iloc[0:0])
    assert len(r.typed) == 0 and len(r.problems) == 0 and r.error_rows.shape == (0,)


class TestOverrides:
    def test_customer_name_optional(self):
        rules = load_schema().rules({"customer_name": {"required": False}})
        frame = text_frame({"customer_name": None})
        assert triples(validate(frame)) == [(0, "customer_name", "required")]
        assert triples(validate(frame, rules)) == []

    def test_adults_max(self):
        rules = load_schema().rules({"adults": {"max": 4}})
        r = validate(text_frame({"adults": "4"}, {"adults": "5"}), rules)
        assert triples(r) == [(1, "adults", "range")]
        assert r.problems.frame.loc[0, "message"] == "adults 5 is above the maximum 4"

    def test_amount_bounds_are_exact(self):
        rules = load_schema().rules({"amount": {"min": "0.5", "max": 1000}})
        r = validate(text_frame({"amount": "0.49"}, {"amount": "0.50"}, {"amount": "1000.00"}, {"amount": "1000.01"}),
                     rules)
        assert triples(r) == [(0, "amount", "range"), (3, "amount", "range")]

    def test_status_enum_narrowed(self):
        rules = load_schema().rules({"status": {"enum": ["confirmed", "cancelled"]}})
        r = validate(text_frame({"status": "CNF"}, {"status": "pending"}), rules)
        assert triples(r) == [(1, "status", "enum")]


def test_no_python_objects_per_cell_in_problems():
    r = validate(text_frame(*[{"adults": "two"}] * 50))
    assert all(str(r.problems.frame[c].dtype) in ("str", "int64") for c in r.problems.frame.columns)
    assert isinstance(r.error_rows, np.ndarray) and r.error_rows.all()


def test_decimal_edge_forms_are_exact():
    r = validate(text_frame(
        {"amount": "+12.50"},
        {"amount": "0000000000000000000012.50"},
        {"amount": "1.000000000000000000000"},
        {"amount": "1.0000000000000000000001"},
        {"amount": ".5"},
        {"amount": "5."},
        {"amount": "1.2.3"},
        {"amount": "12 50"},
        {"amount": "99999999999999.994", "currency": "KWD"},
    ))
    assert triples(r) == [(3, "amount", "precision"), (4, "amount", "type"), (5, "amount", "type"),
                          (6, "amount", "type"), (7, "amount", "type")]
    minor = [None if pd.isna(v) else int(v) for v in r.typed["amount_minor"]]
    assert minor == [1250, 1250, 100, None, None, None, None, None, 99999999999999994]
    assert r.typed.loc[1, "amount"] == "12.50" and r.typed.loc[2, "amount"] == "1.00"


def test_integer_edge_forms():
    r = validate(text_frame({"adults": "+2"}, {"adults": "2.0"}, {"adults": "007"}, {"adults": "-0"},
                            {"adults": "2.5"}, {"adults": " 2"}))
    assert triples(r) == [(3, "adults", "range"), (4, "adults", "type"), (5, "adults", "type")]
    assert r.typed["adults"].tolist()[:3] == [2, 2, 7]


def test_years_outside_the_bounds_are_range_errors_not_crashes():
    r = validate(text_frame(
        {"check_in": "0001-01-01", "nights": None},
        {"check_in": "1899-12-31", "nights": None},
        {"booked_at": "9999-12-31T00:00:00Z"},
        {"booked_at": "0001-01-01"},
        {"check_out": "2200-01-01", "nights": None},
    ))
    assert triples(r) == [(0, "check_in", "range"), (1, "check_in", "range"), (2, "booked_at", "range"),
                          (3, "booked_at", "range"), (4, "check_out", "range")]
    assert r.problems.frame.loc[1, "message"] == "check_in '1899-12-31' is before 1900-01-01"


def test_schema_pattern_has_json_schema_search_semantics(tmp_path, repo_root):
    import json

    raw = json.loads((repo_root / "booking_desktop" / "resources" / "schema" / "booking.schema.json").read_text())
    raw["properties"]["room_type"]["pattern"] = "[A-Z]"  # must contain a capital somewhere
    path = tmp_path / "s.json"
    path.write_text(json.dumps(raw))
    r = validate(text_frame({"room_type": "double"}, {"room_type": "king Size"}), load_schema(path).rules())
    assert triples(r) == [(0, "room_type", "format")]


def test_lengths_count_characters_not_bytes():
    r = validate(text_frame({"booking_ref": "é" * 64}, {"booking_ref": "é" * 65}))
    assert triples(r) == [(1, "booking_ref", "length")]
