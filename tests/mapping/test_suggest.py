"""Suggesting a mapping for a file without a profile (issue 2)."""

from __future__ import annotations

import importlib
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from call_counts import python_steps, steps_per_row

from booking_desktop.mapping.suggest import MIN_CONFIDENCE, MappingSuggestion, suggest_mapping
from booking_desktop.readers.base import Locations, RawTable, SourceInfo


def raw_table(columns: dict[str, list], path: str = "export.csv", **source) -> RawTable:
    frame = pd.DataFrame({k: pd.Series(v, dtype="str") for k, v in columns.items()})
    info = SourceInfo(Path(path), source.pop("format", "csv"), **source)
    return RawTable(frame, Locations("line {}", np.arange(2, len(frame) + 2, dtype=np.int64)), info)


def used_columns(sug: MappingSuggestion) -> list[str]:
    return [c for fs in sug.fields.values() for c in fs.columns]


def assert_each_column_once(sug: MappingSuggestion) -> None:
    used = used_columns(sug)
    assert len(used) == len(set(used)), f"a column is assigned twice: {sug.mapping_summary()}"
    assert set(sug.unmapped_columns).isdisjoint(used)


def columns_of(sug: MappingSuggestion) -> dict[str, str]:
    return {f: fs.spec["column"] for f, fs in sug.fields.items() if "column" in fs.spec}


N = 40


def _cycle(values: list[str], n: int = N) -> list[str]:
    return [values[i % len(values)] for i in range(n)]


def obvious_file() -> RawTable:
    i = range(N)
    return raw_table(
        {
            "Booking ID": [f"BK{k:05d}" for k in i],
            "Status": _cycle(["Confirmed", "Cancelled", "No-Show"]),
            "Guest Name": [f"Guest{chr(65 + k % 26)} Surname{chr(97 + k % 7)}{k}" for k in i],
            "Email": [f"guest{k}@example.com" for k in i],
            "Phone": [f"+44 20 7946 {k:04d}" for k in i],
            "Hotel": _cycle(["Seaside Inn", "City Lodge"]),
            "Room Type": _cycle(["Double", "Single", "Suite"]),
            "Channel": _cycle(["Direct", "Booking.com", "Expedia"]),
            "Check-in": [f"2024-03-{1 + k % 28:02d}" for k in i],
            "Check-out": [f"2024-04-{1 + k % 28:02d}" for k in i],
            "Nights": _cycle(["1", "2", "3", "7"]),
            "Adults": _cycle(["1", "2", "2", "3"]),
            "Children": _cycle(["0", "0", "1"]),
            "Total": [f"{100 + k}.50" for k in i],
            "Currency": _cycle(["EUR", "GBP"]),
            "Booked At": [f"2024-01-{1 + k % 28:02d} 10:{k % 60:02d}:00" for k in i],
            "Country": _cycle(["GB", "DE", "FR", "PT", "ES", "IT", "NL", "US", "IE"]),
        }
    )


def test_obvious_headers_map_every_field_to_its_column():
    sug = suggest_mapping(obvious_file())
    assert columns_of(sug) == {
        "booking_ref": "Booking ID",
        "status": "Status",
        "customer_name": "Guest Name",
        "customer_email": "Email",
        "customer_phone": "Phone",
        "property_name": "Hotel",
        "room_type": "Room Type",
        "channel": "Channel",
        "check_in": "Check-in",
        "check_out": "Check-out",
        "nights": "Nights",
        "adults": "Adults",
        "children": "Children",
        "amount": "Total",
        "currency": "Currency",
        "booked_at": "Booked At",
        "country": "Country",
    }
    assert sug.unmapped_columns == []
    assert all(fs.confidence >= 0.85 for fs in sug.fields.values()), sug.mapping_summary()
    assert "header 'Email'" in " ".join(sug.fields["customer_email"].reasons)
    assert_each_column_once(sug)


def test_cryptic_headers_are_mapped_from_telling_content():
    sug = suggest_mapping(
        raw_table(
            {
                "x1": [f"person{k}@mail.example.org" for k in range(N)],
                "x2": _cycle(["EUR", "USD", "GBP", "CHF"]),
                "x3": _cycle(["12", "7", "30", "4"]),
            }
        )
    )
    assert sug.fields["customer_email"].spec == {"column": "x1"}
    assert any("e-mail" in r for r in sug.fields["customer_email"].reasons)
    assert sug.fields["currency"].spec == {"column": "x2"}
    assert any("ISO 4217" in r for r in sug.fields["currency"].reasons)
    # small numbers alone say nothing about which count they are
    assert "x3" in sug.unmapped_columns


def test_header_contradicted_by_content_is_not_trusted():
    sug = suggest_mapping(raw_table({"Email": _cycle(["1", "2", "3"]), "Name": _cycle(["a b", "c d"])}))
    assert "customer_email" not in sug.fields
    best = sug.candidates["customer_email"][0]
    assert best.confidence < MIN_CONFIDENCE
    assert any("only 0% of values look like e-mail" in r for r in best.reasons)


def test_arrival_and_departure_are_found_from_dates_under_foreign_headers():
    arrivals = [f"2024-06-{1 + k % 20:02d}" for k in range(N)]
    departures = [f"2024-06-{3 + k % 20 + k % 5:02d}" for k in range(N)]
    sug = suggest_mapping(raw_table({"Bis": departures, "Von": arrivals, "Gast": [f"G{k}" for k in range(N)]}))
    assert sug.fields["check_in"].spec["column"] == "Von"
    assert sug.fields["check_out"].spec["column"] == "Bis"
    assert any("after 'Von'" in r for r in sug.fields["check_out"].reasons)


def test_a_column_is_never_assigned_to_two_fields():
    # "Date" fits check_in, check_out and booked_at alike; "Ref" fits booking_ref only
    dates = [f"2024-05-{1 + k % 28:02d}" for k in range(N)]
    sug = suggest_mapping(raw_table({"Date": dates, "Ref": [f"R{k}" for k in range(N)]}))
    date_fields = [f for f in ("check_in", "check_out", "booked_at") if f in sug.fields]
    assert len(date_fields) == 1
    assert_each_column_once(sug)
    # the other date fields still list the column as a (losing) candidate
    others = [f for f in ("check_in", "check_out", "booked_at") if f not in date_fields]
    assert all(any(k.columns == ("Date",) for k in sug.candidates[f]) for f in others)


def test_a_real_departure_column_beats_the_derived_one():
    sug = suggest_mapping(
        raw_table(
            {
                "Arrival": _cycle(["2024-05-01", "2024-05-03"]),
                "Departure": _cycle(["2024-05-04", "2024-05-05"]),
                "Nights": _cycle(["3", "2"]),
            }
        )
    )
    assert sug.fields["check_out"].spec == {"column": "Departure", "date_format": "%Y-%m-%d"}
    assert any("date_add" in k.spec for k in sug.candidates["check_out"])


def test_first_and_last_name_columns_make_the_customer_name():
    sug = suggest_mapping(
        raw_table(
            {
                "Surname": [f"Smith{chr(97 + k % 26)}" for k in range(N)],
                "FirstName": [f"Ann{chr(97 + k % 26)}" for k in range(N)],
                "Ref": [f"R{k}" for k in range(N)],
            }
        )
    )
    assert sug.fields["customer_name"].spec == {"concat": ["FirstName", "Surname"], "sep": " "}
    assert_each_column_once(sug)


def test_weak_fields_stay_unmapped_and_no_reference_is_invented_for_them():
    sug = suggest_mapping(raw_table({"foo": _cycle(["a", "b"]), "bar": _cycle(["x1", "y2"])}))
    # nothing maps, so no hashed booking_ref either: rows made of an invented reference are not bookings
    assert sug.fields == {}
    assert sug.unmapped_columns == ["foo", "bar"]
    assert "status" in sug.unmapped_fields and "booking_ref" in sug.unmapped_fields


def test_without_a_reference_column_a_hashed_reference_is_offered_for_confirmation():
    sug = suggest_mapping(
        raw_table({"Hotel": _cycle(["A", "B"]), "Arrival": _cycle(["2024-01-01", "2024-01-02"]), "Notes": ["n"] * N})
    )
    fs = sug.fields["booking_ref"]
    assert fs.spec == {"hash": ["Hotel", "Arrival", "Notes"], "length": 16, "number_duplicates": True}
    assert fs.ambiguous and fs.confidence == MIN_CONFIDENCE
    # the hash reads columns without taking them away from other fields
    assert sug.fields["property_name"].spec == {"column": "Hotel"}
    assert sug.unmapped_columns == ["Notes"]


# -- dates -------------------------------------------------------------------------


def dates_file(values: list[str]) -> RawTable:
    return raw_table({"Booking Ref": [f"B{k}" for k in range(len(values))], "Arrival": values})


def test_day_first_dates_get_a_day_first_format_with_the_evidence():
    sug = suggest_mapping(dates_file(_cycle(["03/04/2024", "31/01/2024", "15/02/2024", "07/08/2024"])))
    fs = sug.fields["check_in"]
    assert fs.spec == {"column": "Arrival", "date_format": "%d/%m/%Y"}
    assert not fs.ambiguous
    assert any("2 values prove dmy, 0 prove mdy" in r for r in fs.reasons), fs.reasons


def test_month_first_dates_get_a_month_first_format():
    sug = suggest_mapping(dates_file(_cycle(["03/04/2024", "01/31/2024", "02/15/2024"])))
    fs = sug.fields["check_in"]
    assert fs.spec == {"column": "Arrival", "date_format": "%m/%d/%Y"}
    assert not fs.ambiguous


def test_dates_that_fit_both_orders_are_marked_ambiguous_for_the_operator():
    sug = suggest_mapping(dates_file(_cycle(["03/04/2024", "01/02/2024", "12/11/2024"])))
    fs = sug.fields["check_in"]
    assert fs.ambiguous
    assert fs.spec == {"column": "Arrival"}
    assert any("day-first and month-first both fit" in r for r in fs.reasons), fs.reasons
    offered = {k.spec.get("date_format") for k in fs.alternatives}
    assert {"%d/%m/%Y", "%m/%d/%Y"} <= offered
    assert sug.ambiguous_fields == ["check_in"]


def test_an_ambiguous_date_column_takes_the_order_the_other_date_column_proves():
    sug = suggest_mapping(
        raw_table(
            {
                "Arrival": _cycle(["31/01/2024", "05/02/2024"]),
                "Departure": _cycle(["02/02/2024", "07/02/2024"]),  # fits both orders on its own
            }
        )
    )
    assert sug.fields["check_in"].spec == {"column": "Arrival", "date_format": "%d/%m/%Y"}
    out = sug.fields["check_out"]
    assert out.spec == {"column": "Departure", "date_format": "%d/%m/%Y"}
    assert not out.ambiguous
    assert any("same day/month order (dmy) as 'Arrival'" in r for r in out.reasons)


def test_date_columns_proving_opposite_orders_stay_ambiguous():
    sug = suggest_mapping(
        raw_table(
            {
                "Arrival": _cycle(["31/01/2024", "05/02/2024"]),
                "Departure": _cycle(["01/31/2024", "02/05/2024"]),
                "Booked": _cycle(["01/02/2024", "03/04/2024"]),
            }
        )
    )
    assert sug.fields["booked_at"].ambiguous


def test_mixed_separators_get_a_date_order_instead_of_a_format():
    sug = suggest_mapping(dates_file(_cycle(["03/04/2024", "31.01.2024", "15-02-2024"])))
    fs = sug.fields["check_in"]
    assert fs.spec == {"column": "Arrival", "date_order": "dmy"}
    assert any("day-first dates" in r for r in fs.reasons)


def test_date_order_is_decided_from_the_whole_column_not_the_sample():
    values = ["03/04/2024"] * 10_000
    values[50] = "25/12/2024"  # the only day-first proof, outside the 100-row sample
    sug = suggest_mapping(dates_file(values), sample_size=100)
    assert sug.fields["check_in"].spec == {"column": "Arrival", "date_format": "%d/%m/%Y"}


def test_booking_times_get_a_datetime_format():
    stamps = _cycle(["14/03/2024 09:15", "02/01/2024 17:40", "28/02/2024 23:05"])
    sug = suggest_mapping(raw_table({"Ref": [f"R{k}" for k in range(N)], "Created": stamps}))
    assert sug.fields["booked_at"].spec == {"column": "Created", "datetime_format": "%d/%m/%Y %H:%M"}


def test_iso_dates_with_times_need_no_format_and_are_not_ambiguous():
    stamps = _cycle(["2024-03-01T10:00:00Z", "2024-03-02 11:30", "2024-03-05T08:00:00+01:00"])
    sug = suggest_mapping(raw_table({"Ref": [f"R{k}" for k in range(N)], "Booking Date": stamps}))
    fs = sug.fields["booked_at"]
    assert fs.spec == {"column": "Booking Date"} and not fs.ambiguous
    sug.to_profile("stamps", "V")  # regression: an offset format once made the profile invalid


def test_arrival_dates_exported_with_midnight_times_need_no_option():
    sug = suggest_mapping(dates_file(_cycle(["2024-07-01 00:00:00", "2024-07-13 00:00:00"])))
    assert sug.fields["check_in"].spec == {"column": "Arrival"}
    assert "ISO 8601 dates with times" in sug.fields["check_in"].reasons


def test_offset_stamps_of_one_shape_get_no_offset_format():
    stamps = [f"2024-03-{1 + k % 28:02d}T10:00:00+01:00" for k in range(N)]
    sug = suggest_mapping(raw_table({"Ref": [f"R{k}" for k in range(N)], "Created": stamps}))
    assert sug.fields["booked_at"].spec == {"column": "Created"}
    sug.to_profile("stamps", "V")


def test_a_blank_header_is_never_suggested():
    sug = suggest_mapping(raw_table({"": [f"g{k}@example.com" for k in range(N)], "Ref": [f"R{k}" for k in range(N)]}))
    assert "customer_email" not in sug.fields
    assert "" in sug.unmapped_columns
    sug.to_profile("blank", "V")


def test_year_month_day_columns_become_date_parts():
    sug = suggest_mapping(
        raw_table(
            {
                "res_no": [f"{9000 + k}" for k in range(N)],
                "departure_year": _cycle(["2023", "2024"]),
                "departure_month": _cycle(["January", "March", "December"]),
                "departure_day": _cycle(["1", "17", "31", "9"]),
            }
        )
    )
    assert sug.fields["check_out"].spec == {
        "date_parts": {"year": "departure_year", "month": "departure_month", "day": "departure_day"}
    }
    assert_each_column_once(sug)


# -- amounts -----------------------------------------------------------------------


def test_nightly_rate_and_a_total_column_prefer_the_total():
    sug = suggest_mapping(
        raw_table(
            {"Nights": _cycle(["1", "2"]), "Rate": _cycle(["80.00", "95.50"]), "Total": _cycle(["80.00", "191.00"])}
        )
    )
    assert sug.fields["amount"].spec == {"column": "Total"}


def test_nightly_rate_times_nights_when_there_is_no_total():
    sug = suggest_mapping(raw_table({"Nights": _cycle(["1", "2"]), "ADR": _cycle(["80.00", "95.50"])}))
    assert sug.fields["amount"].spec == {"product": ["ADR", "@nights"]}
    assert sug.fields["nights"].spec == {"column": "Nights"}


def test_nightly_rate_without_nights_is_not_a_product():
    sug = suggest_mapping(raw_table({"Ref": [f"R{k}" for k in range(N)], "ADR": _cycle(["80.00", "95.50"])}))
    amount = sug.fields.get("amount")
    assert amount is None or "product" not in amount.spec


def test_decimal_comma_amounts_get_a_number_locale():
    sug = suggest_mapping(raw_table({"Amount": _cycle(["1.234,56", "99,90", "12,00"])}))
    assert sug.fields["amount"].spec == {"column": "Amount", "number_locale": {"decimal": ",", "thousands": "."}}


def test_amounts_written_with_their_currency_give_amount_and_currency():
    raw = raw_table({"Book number": [f"{3000 + k}" for k in range(N)], "Price": _cycle(["120 EUR", "99.50 EUR"])})
    sug = suggest_mapping(raw)
    assert sug.fields["booking_ref"].spec == {"column": "Book number"}
    assert sug.fields["amount"].spec == {"column": "Price", "split": {"sep": " ", "index": 0}}
    assert sug.fields["currency"].spec == {"column": "Price", "split": {"sep": " ", "index": -1}}
    text = importlib.import_module("booking_desktop.mapping").apply_mapping(raw, sug.to_profile("ota", "OTA")).text
    assert text.loc[1, ["amount", "currency"]].tolist() == ["99.50", "EUR"]


def test_a_header_ending_in_the_field_name_is_that_field():
    # "booker" names another field, but "country" is the head noun
    sug = suggest_mapping(raw_table({"Booker country": _cycle(["GB", "DE"]), "Booker": _cycle(["Al Bo", "Cy Do"])}))
    assert sug.fields["country"].spec == {"column": "Booker country"}
    assert any("header 'Booker country'" in r for r in sug.fields["country"].reasons)


def test_amounts_that_cannot_tell_their_separator_get_no_locale():
    sug = suggest_mapping(raw_table({"Amount": _cycle(["1,234", "2,000", "15"])}))
    assert sug.fields["amount"].spec == {"column": "Amount"}


# -- status ------------------------------------------------------------------------


def test_status_values_are_mapped_to_canonical_statuses():
    values = _cycle(["CXL", "Confirmed", "No Show", "Cancled", "Not_Canceled", "Check-Out", "weird"], 70)
    sug = suggest_mapping(raw_table({"Booking Status": values}))
    fs = sug.fields["status"]
    assert fs.spec["column"] == "Booking Status"
    assert fs.spec["map"] == {
        "CXL": "cancelled",
        "Confirmed": "confirmed",
        "No Show": "no_show",
        "Cancled": "cancelled",
        "Not_Canceled": "confirmed",
        "Check-Out": "completed",
    }
    assert fs.unmatched_values == ["weird"]
    by_source = {v.source: v for v in fs.value_map}
    assert by_source["CXL"].confidence == 1.0
    assert 0.85 <= by_source["Cancled"].confidence < 1.0  # fuzzy
    assert by_source["weird"].target is None and by_source["weird"].count == 10


def test_status_values_that_contain_a_synonym_are_mapped():
    sug = suggest_mapping(raw_table({"Status": _cycle(["ok", "cancelled_by_guest", "cancelled_by_hotel", "no_show"])}))
    fs = sug.fields["status"]
    assert fs.spec["map"] == {"ok": "confirmed", "cancelled_by_guest": "cancelled", "cancelled_by_hotel": "cancelled"}
    assert {v.source: v.confidence for v in fs.value_map}["cancelled_by_guest"] == 0.9


def test_a_status_header_over_unknown_values_is_flagged_for_the_operator():
    sug = suggest_mapping(raw_table({"Status": _cycle(["Paid", "Unpaid", "Paid", "Cancelled"])}))
    fs = sug.fields["status"]
    assert fs.ambiguous
    assert fs.unmatched_values == ["Paid", "Unpaid"]
    assert any("only 25% of rows" in r for r in fs.reasons)


def test_negated_status_is_not_fuzzy_matched_to_its_opposite():
    sug = suggest_mapping(raw_table({"status": _cycle(["Not Cancelld", "Cancelled"])}))
    fs = sug.fields["status"]
    assert fs.spec["map"].get("Not Cancelld") != "cancelled"


# -- profiles ----------------------------------------------------------------------


def test_profile_dict_has_signature_and_reader_options():
    refs = {"Booking ID": [f"B{k}" for k in range(N)]}
    raw = raw_table(refs, path="/data/acme.csv", delimiter=";", encoding="cp1252")
    d = suggest_mapping(raw).to_profile_dict("acme", "ACME")
    assert d["name"] == "acme" and d["vendor"] == "ACME" and d["format"] == "csv"
    assert d["reader"] == {"delimiter": ";", "encoding": "cp1252"}
    assert d["signature"]["columns"] == ["Booking ID"]
    assert d["fields"] == {"booking_ref": {"column": "Booking ID"}}


def test_json_profile_keeps_the_record_path():
    raw = raw_table({"id": [f"B{k}" for k in range(N)]}, path="a.json", format="json", record_path="$.data.bookings")
    assert suggest_mapping(raw).to_profile_dict("a", "A")["reader"] == {"record_path": "$.data.bookings"}


def test_workbook_profile_keeps_the_sheet_and_header_row():
    raw = raw_table({"id": [f"B{k}" for k in range(N)]}, path="a.xlsm", format="xlsm", sheet="Bookings", header_row=3)
    d = suggest_mapping(raw).to_profile_dict("a", "A")
    assert d["reader"] == {"sheet": "Bookings", "header_row": 3}
    assert "format" not in d  # profiles know csv, xlsx, json and xml only


def test_suggestion_round_trips_through_a_saved_profile(tmp_path):
    profile_mod = pytest.importorskip("booking_desktop.mapping.profile")
    sug = suggest_mapping(obvious_file())
    profile = sug.to_profile("obvious", "ACME")
    path = profile.save(tmp_path / "obvious.yaml")
    loaded = profile_mod.MappingProfile.load(path)
    assert loaded.to_dict()["fields"] == sug.to_profile_dict("obvious", "ACME")["fields"]
    assert loaded.vendor == "ACME"


def test_applying_the_suggestion_yields_canonical_text():
    mapping = importlib.import_module("booking_desktop.mapping")
    if not hasattr(mapping, "apply_mapping"):
        pytest.skip("booking_desktop.mapping.apply_mapping has not landed yet")
    raw = raw_table(
        {
            "Ref": [f"R{k}" for k in range(N)],
            "State": _cycle(["CXL", "OK"]),
            "Arrival": _cycle(["31/01/2024", "05/02/2024"]),
            "x9": [f"g{k}@example.com" for k in range(N)],
            "Amount": _cycle(["1.234,56", "99,90"]),
        }
    )
    sug = suggest_mapping(raw, vendor="ACME")
    text = mapping.apply_mapping(raw, sug.to_profile("acme"), vendor="ACME").text
    assert text.loc[0, ["booking_ref", "status", "check_in", "customer_email"]].tolist() == [
        "R0", "cancelled", "2024-01-31", "g0@example.com",
    ]  # fmt: skip
    assert text.loc[1, ["status", "check_in"]].tolist() == ["confirmed", "2024-02-05"]
    assert text["amount"].head(2).tolist() == ["1234.56", "99.90"]


# -- real data and speed -----------------------------------------------------------


@pytest.mark.datasets
def test_hotel_reservations_data_set(datasets_dir):
    path = datasets_dir / "hotel_reservations.csv.gz"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    from booking_desktop.readers import read_file

    raw = read_file(path)
    sug = suggest_mapping(raw)
    f = sug.fields
    assert f["booking_ref"].spec == {"column": "Booking_ID"}
    parts = {"year": "arrival_year", "month": "arrival_month", "day": "arrival_date"}
    assert f["check_in"].spec == {"date_parts": parts}
    assert f["nights"].spec == {"sum": ["no_of_weekend_nights", "no_of_week_nights"]}
    assert f["amount"].spec == {"product": ["avg_price_per_room", "@nights"]}
    assert f["status"].spec == {
        "column": "booking_status",
        "map": {"Canceled": "cancelled", "Not_Canceled": "confirmed"},
    }
    assert f["adults"].spec == {"column": "no_of_adults"}
    assert f["children"].spec == {"column": "no_of_children"}
    # the file has no departure and no booking date, but implies both
    assert f["check_out"].spec == {"date_add": {"date": "@check_in", "days": "@nights"}}
    assert f["booked_at"].spec == {"date_add": {"date": "@check_in", "days": "lead_time", "subtract": True}}
    assert "type_of_meal_plan" in sug.unmapped_columns
    assert_each_column_once(sug)
    d = sug.to_profile_dict("hotel_reservations", "INNTOWN")
    assert d["signature"]["columns"] == raw.columns
    assert d["reader"]["delimiter"] == ","


@pytest.mark.datasets
def test_hotel_bookings_data_set(datasets_dir):
    path = datasets_dir / "hotel_bookings.zip"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    from booking_desktop.readers import read_file

    sug = suggest_mapping(read_file(path))
    f = sug.fields
    parts = {"year": "arrival_date_year", "month": "arrival_date_month", "day": "arrival_date_day_of_month"}
    assert f["check_in"].spec == {"date_parts": parts}
    assert f["nights"].spec == {"sum": ["stays_in_weekend_nights", "stays_in_week_nights"]}
    assert f["amount"].spec == {"product": ["adr", "@nights"]}
    assert f["status"].spec == {
        "column": "reservation_status",
        "map": {"Check-Out": "completed", "Canceled": "cancelled", "No-Show": "no_show"},
    }
    assert f["country"].spec == {"column": "country"}
    assert f["property_name"].spec == {"column": "hotel"}
    # no column is a booking reference (one is hashed from every column, for the operator to confirm),
    # and the date of the last status change is not the booking date
    assert f["booking_ref"].spec["hash"] == sug.columns and f["booking_ref"].ambiguous
    assert f["channel"].spec == {"column": "distribution_channel"}  # "distribution channel" ranks first
    assert f["booked_at"].spec["date_add"]["days"] == "lead_time"
    assert "reservation_status_date" in sug.unmapped_columns
    assert_each_column_once(sug)


def _big_export(n: int) -> RawTable:
    rng = np.random.default_rng(7)
    day = rng.integers(1, 29, n)
    month = rng.integers(1, 13, n)

    def pick(values):
        return pd.Series(np.asarray(values, dtype=object)[rng.integers(0, len(values), n)], dtype="str")

    frame = pd.DataFrame(
        {
            "Booking ID": pd.Series(np.char.add("B", np.arange(n).astype(str)), dtype="str"),
            "Status": pick(["Confirmed", "Cancelled", "No-Show"]),
            "Check-in": pd.Series(
                np.char.add(np.char.add(np.char.zfill(day.astype(str), 2), "/"), np.char.zfill(month.astype(str), 2)),
                dtype="str",
            )
            + "/2024",
            "Nights": pick(["1", "2", "3", "4"]),
            "Adults": pick(["1", "2"]),
            "Total": pick(["100.00", "250.50", "80.10"]),
            "Currency": pick(["EUR", "USD"]),
            "Email": pick([f"g{k}@example.com" for k in range(5000)]),
        }
    )
    return RawTable(frame, Locations("line {}", np.arange(2, n + 2)), SourceInfo(Path("big.csv"), "csv"))


@pytest.mark.big
def test_a_million_rows_are_suggested_from_whole_columns():
    """The Python work (tests/call_counts.py) is the same for a tenth of the rows: no per-row loop."""
    small_steps, _ = python_steps(suggest_mapping, _big_export(100_000))
    steps, sug = python_steps(suggest_mapping, _big_export(1_000_000))
    assert steps_per_row(small_steps, steps, 100_000, 1_000_000) < 0.001, (small_steps, steps)
    assert sug.fields["check_in"].spec == {"column": "Check-in", "date_format": "%d/%m/%Y"}
    assert set(sug.fields) == {
        "booking_ref", "status", "check_in", "check_out", "nights", "adults", "amount", "currency", "customer_email",
    }  # fmt: skip
    assert sug.fields["check_out"].spec == {"date_add": {"date": "@check_in", "days": "@nights"}}


@pytest.mark.perf
def test_perf_a_million_rows_are_suggested_in_about_a_second():
    raw = _big_export(1_000_000)
    start = time.perf_counter()
    suggest_mapping(raw)
    elapsed = time.perf_counter() - start
    print(f"suggest_mapping, 1,000,000 rows x 8 columns: {elapsed:.2f} s")
    assert elapsed < 2.5, f"suggestion took {elapsed:.2f} s"
