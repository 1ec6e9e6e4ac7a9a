"""Suggested mappings for the headers real vendors send (issue 9), field by field.

The files are built in tests/mapping/vendor_files.py: Airbnb's reservations export,
Booking.com's extranet list, a channel manager's payout report; the Kaggle data set is
read from ../shared/datasets when it is there."""

from __future__ import annotations

import pytest

from booking_desktop.mapping import apply_mapping
from booking_desktop.mapping.suggest import MIN_CONFIDENCE, MappingSuggestion, suggest_mapping
from booking_desktop.validation import validate

from .vendor_files import N, airbnb, booking_com, payout_report, table


def sources(sug: MappingSuggestion) -> dict[str, object]:
    """field -> the column it reads (or the whole spec for composites)."""
    return {f: fs.spec.get("column", fs.spec) for f, fs in sug.fields.items()}


def without(raw, *drop, **change):
    cols = {c: raw.frame[c].tolist() for c in raw.frame.columns if c not in drop}
    cols.update(change)
    return table(cols)


def test_airbnb_reservations_export():
    sug = suggest_mapping(airbnb())
    got = sources(sug)
    assert got == {
        "booking_ref": "Confirmation code", "status": "Status", "customer_name": "Guest name",
        "customer_phone": "Contact", "property_name": "Listing", "check_in": "Start date", "check_out": "End date",
        "nights": "# of nights", "adults": "# of adults", "children": "# of children", "amount": "Earnings",
        "booked_at": "Booked",
    }  # fmt: skip
    f = sug.fields
    assert f["check_in"].spec["date_format"] == "%m/%d/%Y"  # US dates without leading zeros ("1/3/2024")
    assert f["status"].spec["map"] == {
        "Confirmed": "confirmed", "Canceled by guest": "cancelled", "Past guest": "completed",
        "Currently hosting": "confirmed",
    }  # fmt: skip
    # Earnings are the host's payout: used for want of a total, shown as doubtful
    assert f["amount"].doubtful and any("net of fees" in d for d in f["amount"].doubts)
    assert f["amount"].spec["number_locale"]["decimal"] == "."  # "$612.50": the sign is dropped
    assert any("'$'" in d and "choose the currency" in d for d in f["amount"].doubts)
    assert "currency" not in f  # "$" is the sign of many currencies: nothing invented
    mapped = apply_mapping(airbnb(), sug.to_profile("airbnb", vendor="AIRBNB"))
    assert not len(mapped.problems)
    assert mapped.text["amount"].iloc[0] == airbnb().frame["Earnings"].iloc[0].lstrip("$").replace(",", "")
    start = airbnb().frame["Start date"].iloc[0]
    m, d, y = (int(x) for x in start.split("/"))
    assert mapped.text["check_in"].iloc[0] == f"{y:04d}-{m:02d}-{d:02d}"


def test_booking_com_reservations_export():
    sug = suggest_mapping(booking_com())
    got = sources(sug)
    assert got == {
        "booking_ref": "Book number", "status": "Status", "customer_name": "Guest name(s)",
        "customer_phone": "Phone number", "room_type": "Unit type", "check_in": "Check-in", "check_out": "Check-out",
        "nights": "Duration (nights)", "adults": "Adults", "children": "Children", "amount": "Price",
        "currency": "Price", "booked_at": "Booked on", "country": "Booker country",
    }  # fmt: skip
    f = sug.fields
    assert f["amount"].spec["split"] == {"sep": " ", "index": 0}  # "417.40 EUR"
    assert f["currency"].spec["split"] == {"sep": " ", "index": -1}
    assert f["status"].spec["map"] == {"ok": "confirmed", "cancelled_by_guest": "cancelled"}
    for col in ("Rooms", "Commission amount", "Commission %", "Cancellation date", "Booked by", "People"):
        assert col in sug.unmapped_columns
    assert not any(fs.doubtful for fs in f.values()), {k: fs.doubts for k, fs in f.items() if fs.doubtful}


PAYOUT = {
    "booking_ref": "Reservation No", "status": "Status", "customer_name": "Guest", "property_name": "Hotel name",
    "room_type": "Room", "check_in": "Arrival", "check_out": "Departure", "nights": "Nights", "amount": "Total price",
    "currency": "Currency", "country": "Guest country",
}  # fmt: skip


def test_payout_report():
    sug = suggest_mapping(payout_report())
    assert sources(sug) == PAYOUT
    assert sug.fields["status"].spec["map"] == {"CNF": "confirmed", "PND": "pending", "CXL": "cancelled",
                                                "NSH": "no_show"}  # fmt: skip
    for col in ("Payment fee", "Host Fee", "ADR", "Exchange delta", "Commission", "Net of commission", "Payout date",
                "Payout ID", "_id", "Rooms", "Country", "City"):  # fmt: skip
        assert col in sug.unmapped_columns, col


@pytest.mark.parametrize(
    ("drop", "field", "expected", "not_this"),
    [
        # a decimal amount is never a phone number, whatever else is missing
        ((), "customer_phone", None, None),
        (("Guest",), "customer_name", None, "Hotel name"),  # a hotel name is not the customer
        (("Room",), "room_type", None, "Rooms"),  # a count is not a room type
        (("Departure",), "check_out", {"date_add": {"date": "@check_in", "days": "@nights"}}, "Payout date"),
        (("Reservation No",), "booking_ref", "_id", "Payout ID"),  # a payout id is not a booking reference
        (("Guest country",), "country", None, "Country"),  # the property's country is not the guest's
        (("Total price",), "amount", {"product": ["ADR", "@nights"]}, "Payment fee"),
    ],
)
def test_payout_report_columns_that_look_right_and_are_not(drop, field, expected, not_this):
    sug = suggest_mapping(without(payout_report(), *drop))
    assert sources(sug).get(field) == expected
    if not_this is not None:
        alternatives = [k for k in sug.candidates[field] if k.columns == (not_this,)]
        assert alternatives and all(k.doubts and k.confidence < MIN_CONFIDENCE for k in alternatives), alternatives


def test_fee_columns_are_no_phone_even_without_any_other_money_column():
    raw = payout_report()
    cols = {c: raw.frame[c].tolist() for c in ("Reservation No", "Payment fee", "Host Fee", "ADR", "Exchange delta")}
    cols["Float"] = [f"{120069.2 + i:.4f}" for i in range(N)]
    sug = suggest_mapping(table(cols))
    assert "customer_phone" not in sug.fields
    phone = [k for k in sug.candidates["customer_phone"] if k.confidence >= 0.2]
    assert phone == []


def test_a_vendor_reservation_number_beats_a_database_id_even_when_it_repeats():
    """A reservation of two rooms is two rows with one number; ``_id`` is unique per row."""
    repeated = [f"R-{20240000 + (i // 2) * 13}" for i in range(N)]
    sug = suggest_mapping(without(payout_report(), **{"Reservation No": repeated}))
    assert sources(sug)["booking_ref"] == "Reservation No"
    db_id = next(k for k in sug.candidates["booking_ref"] if k.columns == ("_id",))
    assert any("database id" in d for d in db_id.doubts)


@pytest.mark.parametrize("make", [airbnb, booking_com, payout_report])
def test_two_files_with_identical_headers_get_identical_suggestions(make):
    """Another month of the same export (other rows, another size) maps the same way."""
    a, b = suggest_mapping(make(N)), suggest_mapping(make(17))
    assert sources(a) == sources(b)
    assert {f: fs.spec for f, fs in a.fields.items() if f != "status"} == {
        f: fs.spec for f, fs in b.fields.items() if f != "status"
    }


def test_every_suggestion_says_why():
    for make in (airbnb, booking_com, payout_report):
        for fld, fs in suggest_mapping(make()).fields.items():
            assert fs.reasons, (make.__name__, fld)


@pytest.mark.datasets
def test_kaggle_hotel_bookings(datasets_dir):
    from booking_desktop.readers import read_file

    sug = suggest_mapping(read_file(datasets_dir / "hotel_bookings.zip"))
    got = sources(sug)
    assert got["booking_ref"]["hash"][:2] == ["hotel", "is_canceled"] and sug.fields["booking_ref"].ambiguous
    del got["booking_ref"]
    assert got == {
        "status": "reservation_status", "property_name": "hotel", "room_type": "reserved_room_type",
        "channel": "distribution_channel",
        "check_in": {"date_parts": {"year": "arrival_date_year", "month": "arrival_date_month",
                                    "day": "arrival_date_day_of_month"}},
        "check_out": {"date_add": {"date": "@check_in", "days": "@nights"}},
        "nights": {"sum": ["stays_in_weekend_nights", "stays_in_week_nights"]},
        "adults": "adults", "children": "children", "amount": {"product": ["adr", "@nights"]},
        "booked_at": {"date_add": {"date": "@check_in", "days": "lead_time", "subtract": True}},
        "country": "country",
    }  # fmt: skip
    assert sug.fields["status"].spec["map"] == {"Check-Out": "completed", "Canceled": "cancelled",
                                                "No-Show": "no_show"}  # fmt: skip
    assert "customer_phone" not in sug.fields  # adr is a float column, not a phone


def test_an_unknown_status_code_is_reported_once_per_distinct_value_with_its_rows():
    raw = without(payout_report(), Status=["CNF", "ZQX", "CNF", "ZQX", "QQ"] * (N // 5))
    sug = suggest_mapping(raw)
    problems = sug.problems()
    assert [(p.code, p.value) for p in problems] == [("unmapped_status", "ZQX"), ("unmapped_status", "QQ")]
    assert "(24 rows)" in problems[0].message and "(12 rows)" in problems[1].message
    assert sug.fields["status"].doubtful
    checked = validate(apply_mapping(raw, sug.to_profile("p", vendor="V")).text)
    assert (checked.problems.frame["field"] == "status").sum() == 36  # the rows still fail the status check


@pytest.mark.parametrize(
    ("header", "values", "field"),
    [
        ("Invoice no", [f"INV-{i:05d}" for i in range(N)], "booking_ref"),
        ("Guest ID", [f"G{i:06d}" for i in range(N)], "booking_ref"),
        ("Room No", [str(100 + i % 40) for i in range(N)], "room_type"),
        ("Modified", [f"2024-03-{1 + i % 28:02d} 10:00:00" for i in range(N)], "booked_at"),
        ("Cancellation date", [f"2024-03-{1 + i % 28:02d}" for i in range(N)], "check_in"),
        ("Company", [f"Acme Travel {chr(65 + i % 26)}" for i in range(N)], "customer_name"),
        ("Host Fee", [f"{120069.2 + i:.4f}" for i in range(N)], "customer_phone"),
    ],
)
def test_look_alike_columns_are_not_taken_for_the_field(header, values, field):
    """Each header of the docs' table (docs/PROFILES.md) alone next to a reference column."""
    cols = {"Reservation code": [f"RC{i:05d}" for i in range(N)], header: values}
    if field == "booking_ref":
        cols = {header: values, "Guest name": [f"Anna Lee{i}" for i in range(N)]}
    sug = suggest_mapping(table(cols))
    assert sources(sug).get(field) != header
    kept = [k for k in sug.candidates[field] if k.columns == (header,) and k.confidence >= 0.2]
    assert all(k.doubts for k in kept), kept


@pytest.mark.parametrize(
    ("code", "status"),
    [("PND", "pending"), ("NSH", "no_show"), ("TNT", "pending"), ("CNFM", "confirmed"), ("CMP", "completed")],
)
def test_vendor_status_codes_are_matched_by_their_letters_with_a_confidence(code, status):
    values = ["CNF", "CXL", code] * (N // 3)
    fs = suggest_mapping(table({"Res no": [f"R{i}" for i in range(N)], "Status": values})).fields["status"]
    vm = next(v for v in fs.value_map if v.source == code)
    assert vm.target == status and 0.5 < vm.confidence < 1.0 and vm.count == N // 3
    assert fs.spec["map"][code] == status


def test_a_code_that_fits_two_statuses_is_not_guessed():
    fs = suggest_mapping(table({"Res no": [f"R{i}" for i in range(N)], "Status": ["CNF", "CN"] * (N // 2)}))
    status = fs.fields["status"]
    assert "CN" in status.unmatched_values and "CN" not in status.spec.get("map", {})
