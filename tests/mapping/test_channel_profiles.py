"""The big channels' exports, recognised without a profile being picked.

Each test writes a small file with the channel's real column headers (sources in
docs/PROFILES.md) and realistic values, including the awkward ones operators meet: amounts
with a currency symbol or code in the cell, European separators, payout lines among the
reservations, status words of the channel's own.  It runs the whole pipeline on it with no
profile given and asserts what an operator relies on: the right profile, each field from the
right column, canonical statuses, the booked total (not fees, commissions or payouts) in the
right currency, non-bookings never imported, the guest's country (never the property's) and
the expected valid/invalid counts with the reasons.
"""

from __future__ import annotations

import csv
import datetime as dt

import pandas as pd
import pytest

from booking_desktop.mapping import find_profile
from booking_desktop.pipeline import run_to_end
from booking_desktop.readers import read_file


def write_csv(path, header, rows, delimiter=","):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)
    return path


def cell_problems(result) -> set[tuple[int, str, str]]:
    """(1-based record in the result, field, code) of every error."""
    f = result.problems.frame
    f = f[f["severity"] == "error"]
    return {(int(r) + 1, str(fl), str(c)) for r, fl, c in zip(f["row"], f["field"], f["code"], strict=True)}


def assert_mapped(result, expected: dict[str, str]) -> None:
    for field, column in expected.items():
        assert result.mapping.get(field, "").startswith(f"column {column}"), (field, result.mapping.get(field))


def col(result, field) -> list:
    return [None if pd.isna(v) else v for v in result.text[field].tolist()]


# ---------------------------------------------------------------------------------------------
# Booking.com: extranet > Reservations > Download


BOOKING_HEADER = [
    "Book number", "Booked by", "Guest name(s)", "Check-in", "Check-out", "Booked on", "Status", "Rooms",
    "Persons", "Adults", "Children", "Children's age(s)", "Price", "Commission %", "Commission amount",
    "Payment status", "Payment method (Payment Provider)", "Remarks", "Booker group", "Booker country",
    "Travel purpose", "Device", "Unit type", "Duration (nights)", "Cancellation date", "Address", "Phone number",
]  # fmt: skip


def booking_row(ref, guest, cin, cout, booked, status, adults, children, price, commission, country, unit, nights,
                phone="", cancelled=""):  # fmt: skip
    last, first = guest.split()[-1], guest.split()[0]
    persons = str(int(adults) + int(children or 0))
    return [ref, f"{last}, {first}", guest, cin, cout, booked, status, "1", persons, adults, children, "",
            price, "15", commission, "Payment via Booking.com", "", "", "", country, "Leisure", "Mobile", unit,
            nights, cancelled, "", phone]  # fmt: skip


@pytest.fixture
def booking_file(tmp_path):
    rows = [
        booking_row("6547074679", "Lukas Hauck", "2025-12-15", "2025-12-17", "2025-12-09 00:26:33", "ok", "1", "0",
                    "126.63 EUR", "18.99 EUR", "de", "One-Bedroom Apartment", "2"),
        booking_row("4649972566", "Ann Smith", "2025-03-08", "2025-03-09", "2025-03-01 10:00:00",
                    "cancelled_by_guest", "2", "0", "0 EUR", "0 EUR", "gb", "Studio", "1", "+44 20 7946 0958",
                    "2025-03-05"),
        booking_row("5123987001", "Marco Rossi", "2025-06-01", "2025-06-05", "2025-05-02 18:44:10",
                    "cancelled_by_hotel", "2", "1", "1234.50 EUR", "185.18 EUR", "it", "Family Room", "4"),
        booking_row("5123987002", "Yuki Tanaka", "2025-07-10", "2025-07-12", "2025-07-01 08:00:00", "no_show", "1",
                    "0", "210.00 EUR", "31.50 EUR", "jp", "Studio", "2"),
        # the Excel export carries the unrounded price (4 decimals): rounded to the cent, and reported
        booking_row("5123987003", "Eva Novak", "2025-08-01", "2025-08-03", "2025-07-20 12:00:00", "OK", "2", "0",
                    "126.6314 EUR", "15.195768 EUR", "cz", "Studio", "2"),
    ]  # fmt: skip
    return write_csv(tmp_path / "Check-in 2025-03-01 to 2025-08-31.csv", BOOKING_HEADER, rows)


def test_booking_com_reservations_export(booking_file):
    result = run_to_end(booking_file)
    assert result.profile.name == "booking_com_reservations"
    assert result.vendor == "BOOKINGCOM"
    assert_mapped(result, {
        "booking_ref": "Book number", "status": "Status", "customer_name": "Guest name(s)",
        "customer_phone": "Phone number", "room_type": "Unit type", "check_in": "Check-in",
        "check_out": "Check-out", "nights": "Duration (nights)", "adults": "Adults", "children": "Children",
        "amount": "Price", "currency": "Price", "booked_at": "Booked on", "country": "Booker country",
    })  # fmt: skip
    assert col(result, "status") == ["confirmed", "cancelled", "cancelled", "no_show", "confirmed"]
    # the booked price, not the commission
    assert col(result, "amount") == ["126.63", "0", "1234.50", "210.00", "126.63"]
    assert col(result, "currency") == ["EUR"] * 5
    # Booker country is the guest's
    assert col(result, "country") == ["DE", "GB", "IT", "JP", "CZ"]
    assert col(result, "booked_at")[0] == "2025-12-09T00:26:33"
    assert (result.records, result.valid, result.invalid) == (5, 5, 0)
    assert cell_problems(result) == set()
    (rounded,) = result.problems.problems(result.raw.locations)
    assert (rounded.row, rounded.field, rounded.code, rounded.severity) == (5, "amount", "rounded", "warning")
    assert rounded.value == "126.6314 EUR"  # what the file says, kept in the report
    assert rounded.message == (
        "Price 126.6314 EUR has more decimals than EUR has: rounded to 126.63 (money: round in the profile)"
    )


# ---------------------------------------------------------------------------------------------
# Airbnb: Reservations > Export > Download CSV file (reservations.csv)

AIRBNB_RES_HEADER = [
    "Confirmation code", "Status", "Guest name", "Contact", "# of adults", "# of children", "# of infants",
    "Start date", "End date", "# of nights", "Booked", "Listing", "Earnings",
]  # fmt: skip


def test_airbnb_reservations_export(tmp_path):
    rows = [
        ["HMABC12345", "Confirmed", "Sam Field", "+1 (412) 555-4321", "2", "0", "0", "9/12/2026", "9/15/2026", "3",
         "2026-08-30", "Rose Room", "$412.50"],
        ["HMDEF45678", "Past guest", "Lee Okafor", "", "2", "1", "0", "08/01/2026", "08/06/2026", "5", "2026-07-02",
         "Rose Room", "$1,020.00"],
        ["HMGHI78901", "Canceled by guest", "Kai Osei", "", "1", "0", "0", "10/02/2026", "10/05/2026", "3",
         "2026-09-01", "Garden Studio", "$0.00"],
        ["HMJKL01234", "Currently hosting", "Anna Müller", "", "2", "0", "1", "09/03/2026", "09/10/2026", "7",
         "2026-06-15", "Garden Studio", "€1.234,56"],
        # 1.234 reads as 1234 (de) or 1.234 (en); the column has both forms, so nothing decides
        ["HMMNO56789", "Confirmed", "Jun Tan", "", "2", "0", "0", "11/20/2026", "11/23/2026", "3", "2026-10-01",
         "Rose Room", "€1.234"],
        ["HMPQR90123", "Canceled by Airbnb", "Hiro Sato", "", "1", "0", "0", "12/01/2026", "12/04/2026", "3",
         "2026-10-11", "Rose Room", "-$50.00"],
    ]  # fmt: skip
    path = write_csv(tmp_path / "reservations.csv", AIRBNB_RES_HEADER, rows)
    result = run_to_end(path)
    assert result.profile.name == "airbnb_reservations"
    assert_mapped(result, {
        "booking_ref": "Confirmation code", "status": "Status", "customer_name": "Guest name",
        "customer_phone": "Contact", "property_name": "Listing", "check_in": "Start date", "check_out": "End date",
        "nights": "# of nights", "adults": "# of adults", "children": "# of children", "amount": "Earnings",
        "currency": "Earnings", "booked_at": "Booked",
    })  # fmt: skip
    assert col(result, "status") == ["confirmed", "completed", "cancelled", "confirmed", "confirmed", "cancelled"]
    assert col(result, "check_in")[:2] == ["2026-09-12", "2026-08-01"]  # month first, as Airbnb writes
    assert col(result, "amount") == ["412.50", "1020.00", "0.00", "1234.56", "€1.234", "-50.00"]
    assert col(result, "currency") == ["USD", "USD", "USD", "EUR", "EUR", "USD"]
    assert col(result, "country") == [None] * 6  # the file has no guest country: nothing is made up
    assert (result.records, result.valid, result.invalid) == (6, 4, 2)
    # the value stays as sent, so validation also says it is no number
    assert cell_problems(result) == {(5, "amount", "ambiguous_number"), (5, "amount", "type"), (6, "amount", "range")}
    msg = result.problems.frame.query("code == 'ambiguous_number'")["message"].iloc[0]
    assert "€1.234" in msg and "decimal" in msg


# ---------------------------------------------------------------------------------------------
# Airbnb: Earnings > Transaction history > Export CSV

AIRBNB_TX_HEADER = [
    "Date", "Arriving by date", "Type", "Confirmation code", "Booking date", "Start date", "End date", "Nights",
    "Guest", "Listing", "Details", "Reference code", "Currency", "Amount", "Paid out", "Service fee",
    "Fast Pay fee", "Cleaning fee", "Gross earnings", "Occupancy taxes", "Earnings year",
]  # fmt: skip


def tx(type_, code="", booked="", start="", end="", nights="", guest="", listing="", details="", currency="USD",
       amount="", paid="", fee="", cleaning="", gross=""):  # fmt: skip
    return ["10/10/2026", "10/11/2026", type_, code, booked, start, end, nights, guest, listing, details, "",
            currency, amount, paid, fee, "", cleaning, gross, "", "2026"]  # fmt: skip


def test_airbnb_transaction_history_payout_lines_are_never_bookings(tmp_path):
    rows = [
        tx("Payout", details="Transfer to Checking ****1234 (USD)", paid="2,110.50"),
        tx("Reservation", "HMB7T2QW4N", "09/20/2026", "10/03/2026", "10/07/2026", "4", "Daniel Tan",
           "Cozy Studio", amount="1,600.50", fee="49.50", cleaning="180.00", gross="1,650.00"),
        tx("Reservation", "HMD3L8PY6J", "09/25/2026", "10/09/2026", "10/12/2026", "3", "Nurul Huda",
           "Cozy Studio", amount="494.70", fee="15.30", gross="510.00"),
        tx("Adjustment", "HMD3L8PY6J", details="Guest requested a refund", amount="-80.00"),
        tx("Resolution Payout", details="Damage claim 1234", amount="120.00"),
        tx("Payout", details="Transfer to Checking ****1234 (USD)", paid="120.00"),
        tx("Early Payout Fee", details="new kind of line", amount="-5.00"),
        tx("Reservation", "HMX9K2LL7Q", "11/02/2026", "12/28/2026", "01/02/2027", "5", "Ola Nordmann",
           "Family 3BR Condo", currency="usd", amount="1,984.00", fee="61.30", gross="2,045.30"),
    ]  # fmt: skip
    path = write_csv(tmp_path / "airbnb_10_2026-10_2026.csv", AIRBNB_TX_HEADER, rows)
    result = run_to_end(path)
    assert result.profile.name == "airbnb_transactions"
    assert_mapped(result, {
        "booking_ref": "Confirmation code", "customer_name": "Guest", "property_name": "Listing",
        "check_in": "Start date", "check_out": "End date", "nights": "Nights", "amount": "Gross earnings",
        "currency": "Currency", "booked_at": "Booking date",
    })  # fmt: skip
    # payout, adjustment and resolution lines are left out, counted, with where they are
    assert result.records == 4
    assert result.record_numbers_array().tolist() == [2, 3, 7, 8]
    assert result.skipped_rows == {
        "payout line (a bank transfer to the host, not a booking)": 2,
        "adjustment, resolution, tax or co-host line (money on a booking, not a booking)": 2,
    }
    notices = [p for p in result.file_problems if p.code == "rows_skipped"]
    assert [p.value for p in notices] == ["2", "2"]
    assert "line 2" in notices[0].message and "line 7" in notices[0].message
    # the booked total is Gross earnings: not Amount (after Airbnb's fee), not Paid out
    assert col(result, "amount") == ["1650.00", "510.00", None, "2045.30"]
    assert col(result, "currency") == ["USD", "USD", "USD", "USD"]
    assert col(result, "booking_ref")[:2] == ["HMB7T2QW4N", "HMD3L8PY6J"]
    # a kind of line the profile does not know is flagged, never imported as a booking
    assert (result.valid, result.invalid) == (3, 1)
    assert (3, "status", "not_a_booking") in cell_problems(result)
    assert {r for r, _, _ in cell_problems(result)} == {3}
    assert col(result, "check_out")[3] == "2027-01-02"


# ---------------------------------------------------------------------------------------------
# Agoda: YCS > Bookings > export (CSV and Excel)

AGODA_HEADER = [
    "BookingIDExternal_reference_ID", "Status", "StayDateFrom", "StayDateTo", "BookedDate", "Customer_Name",
    "Customer_Nationality", "RoomType", "No_of_adult", "No_of_children", "Special_Request", "PaymentModel",
    "ReferenceSellInclusive", "Total_inclusive_rate", "Commission", "Currency", "CancellationPolicyDescription",
]  # fmt: skip

AGODA_ROWS = [
    ["473966145", "Confirmed", "2026-04-24", "2026-04-26", "2026-04-01 10:22", "Budi Santoso", "Indonesia",
     "Deluxe Double", "2", "0", "", "Agoda Collect", "Rp1,445,000.00", "1,228,250.00", "216,750.00", "IDR",
     "Free cancellation until 2026-04-20"],
    ["473966146", "Cancelled", "2026-05-01", "2026-05-03", "2026-04-02 09:00", "Sarah Lee", "Singapore",
     "Deluxe Double", "2", "1", "Late arrival", "Agoda Collect", "1,200,000.00", "1,020,000.00", "180,000.00",
     "IDR", "Non-refundable"],
    ["473966147", "CANCELLED", "2026-05-10", "2026-05-11", "2026-04-03 12:30", "Tom Baker", "United Kingdom",
     "Standard Twin", "1", "0", "", "Property Collect", "650,000.00", "552,500.00", "97,500.00", "IDR", ""],
    ["473966148", "Departed", "2026-03-01", "2026-03-04", "2026-02-11 08:15", "Emily Clark", "United States",
     "Suite", "2", "2", "", "Agoda Collect", "4,350,000.00", "3,697,500.00", "652,500.00", "IDR", ""],
    # the amount names USD, the row says IDR: a problem, not a guess
    ["473966149", "Confirmed", "2026-06-01", "2026-06-02", "2026-05-20 16:45", "Li Wei", "China",
     "Standard Twin", "1", "0", "", "Agoda Collect", "US$120.00", "102.00", "18.00", "IDR", ""],
    ["473966150", "No show", "2026-06-05", "2026-06-07", "2026-05-21 07:05", "Kim Minjun", "South Korea",
     "Deluxe Double", "2", "0", "", "Property Collect", "1,445,000.00", "1,228,250.00", "216,750.00", "IDR", ""],
]  # fmt: skip


def write_agoda_xlsx(path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Booking List"
    ws.append(AGODA_HEADER)
    for row in AGODA_ROWS:
        cells: list = list(row)
        cells[0] = int(row[0])
        for i in (2, 3):
            cells[i] = dt.datetime.strptime(row[i], "%Y-%m-%d")
        cells[4] = dt.datetime.strptime(row[4], "%Y-%m-%d %H:%M")
        cells[8], cells[9] = int(row[8]), int(row[9])
        for i in (12, 13, 14):  # numbers as numbers, except a cell written as text with its symbol
            if row[i][0].isdigit():
                cells[i] = float(row[i].replace(",", ""))
        ws.append(cells)
    wb.save(path)
    return path


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_agoda_booking_export(tmp_path, fmt):
    if fmt == "csv":
        path = write_csv(tmp_path / "BookingList.csv", AGODA_HEADER, AGODA_ROWS)
    else:
        path = write_agoda_xlsx(tmp_path / "BookingList.xlsx")
    result = run_to_end(path)
    assert result.profile.name == "agoda_bookings"
    assert_mapped(result, {
        "booking_ref": "BookingIDExternal_reference_ID", "status": "Status", "customer_name": "Customer_Name",
        "room_type": "RoomType", "check_in": "StayDateFrom", "check_out": "StayDateTo", "adults": "No_of_adult",
        "children": "No_of_children", "amount": "ReferenceSellInclusive", "currency": "Currency",
        "booked_at": "BookedDate", "country": "Customer_Nationality",
    })  # fmt: skip
    assert col(result, "status") == ["confirmed", "cancelled", "cancelled", "completed", "confirmed", "no_show"]
    # what the guest paid (reference sell, inclusive), not the net rate or the commission
    amounts = col(result, "amount")
    assert [float(a) for a in amounts[:4]] == [1445000.0, 1200000.0, 650000.0, 4350000.0]
    assert col(result, "currency") == ["IDR"] * 6
    # the guest's nationality, never the property's country (the hotel is in Indonesia)
    assert col(result, "country") == ["ID", "SG", "GB", "US", "CN", "KR"]
    assert col(result, "booked_at")[0] == "2026-04-01T10:22:00"
    assert (result.records, result.valid, result.invalid) == (6, 5, 1)
    assert cell_problems(result) == {(5, "amount", "currency_mismatch")}
    msg = result.problems.frame.query("code == 'currency_mismatch'")["message"].iloc[0]
    assert "USD" in msg and "IDR" in msg


# ---------------------------------------------------------------------------------------------
# Expedia: Partner Central > Reservations > export

EXPEDIA_HEADER = [
    "Reservation ID", "Confirmation #", "Guest", "Room", "Booked", "Check-in", "Check-out", "Booking amount",
    "Status", "Payment type",
]  # fmt: skip


def test_expedia_reservation_report(tmp_path):
    rows = [
        ["9012345678", "HX-1001", "John Doe", "Standard King", "2026-09-01 14:05", "Sep 19, 2026", "Sep 22, 2026",
         "US$1,234.56", "Prestay", "Expedia Collect"],
        ["9012345679", "HX-1002", "Jana Nováková", "Double Room", "2026-08-02 09:10", "Aug 20, 2026",
         "Aug 23, 2026", "€1.234,56", "Poststay", "Hotel Collect"],
        # kr is the Swedish, Norwegian, Danish and Icelandic krona: not guessed
        ["9012345680", "HX-1003", "Lars Berg", "Double Room", "2026-08-03 10:00", "Sep 1, 2026", "Sep 3, 2026",
         "1 234,56 kr", "Cancelled", "Hotel Collect"],
        ["9012345681", "", "Mary Major", "Standard King", "2026-08-04 11:00", "Sep 5, 2026", "Sep 6, 2026",
         "$412.00", "Booked", "Expedia Collect"],
        ["9012345682", "HX-1005", "Paul Roy", "Suite", "2026-08-05 12:00", "Sep 7, 2026", "Sep 9, 2026",
         "CAD 300.00", "No show", "Hotel Collect"],
        ["9012345683", "HX-1006", "Ann Lee", "Suite", "2026-08-06 13:00", "Sep 10, 2026", "Sep 11, 2026",
         "89.10 USD", "CANCELLED", "Expedia Collect"],
    ]  # fmt: skip
    path = write_csv(tmp_path / "reservations_export.csv", EXPEDIA_HEADER, rows)
    result = run_to_end(path)
    assert result.profile.name == "expedia_reservations"
    assert_mapped(result, {
        "booking_ref": "Reservation ID", "status": "Status", "customer_name": "Guest", "room_type": "Room",
        "check_in": "Check-in", "check_out": "Check-out", "amount": "Booking amount", "currency": "Booking amount",
        "booked_at": "Booked",
    })  # fmt: skip
    assert col(result, "status") == ["confirmed", "completed", "cancelled", "confirmed", "no_show", "cancelled"]
    assert col(result, "amount") == ["1234.56", "1234.56", "1234.56", "412.00", "300.00", "89.10"]
    assert col(result, "currency") == ["USD", "EUR", "kr", "$", "CAD", "USD"]
    assert col(result, "check_in")[0] == "2026-09-19"
    assert (result.records, result.valid, result.invalid) == (6, 4, 2)
    errors = cell_problems(result)
    assert {(3, "currency", "currency_symbol"), (4, "currency", "currency_symbol")} <= errors
    assert {r for r, _, _ in errors} == {3, 4}
    msgs = result.problems.frame.query("code == 'currency_symbol'")["message"].tolist()
    assert "SEK" in msgs[0] and "NOK" in msgs[0] and "USD" in msgs[1] and "CAD" in msgs[1]


# ---------------------------------------------------------------------------------------------
# a generic PMS layout

PMS_HEADER = [
    "Reservation Number", "Third Party Confirmation Number", "Status", "Name", "Email", "Phone Number", "Country",
    "Adults", "Children", "Room Type", "Check in Date", "Check out Date", "Nights", "Source", "Reservation Date",
    "Grand Total", "Deposit", "Balance Due", "Currency", "Property", "Property Country",
]  # fmt: skip


def test_generic_pms_layout(tmp_path):
    def row(ref, status, name, email, country, total, deposit, balance, nights="3"):
        return [ref, "", status, name, email, "+351 912 345 678", country, "2", "0", "Double Room", "2026-05-01",
                "2026-05-04", nights, "Booking.com", "2026-03-15 09:30", total, deposit, balance, "EUR",
                "Casa Lisboa", "Portugal"]  # fmt: skip

    rows = [
        row("CB-1001", "Confirmed", "Marie Dubois", "marie@example.fr", "France", "450.00", "100.00", "350.00"),
        row(
            "CB-1002", "Checked Out", "John Smith", "john@example.co.uk", "United Kingdom", "€1,234.50", "0.00", "0.00"
        ),
        row("CB-1003", "No Show", "Max Weber", "max@example.de", "DE", "300.00", "300.00", "0.00"),
        row("CB-1004", "Cancelled", "Ana Costa", "ana@example.pt", "Portugal", "0.00", "0.00", "0.00"),
        row("CB-1005", "In-House", "Aslan Lion", "aslan@example.com", "Narnia", "620.00", "0.00", "620.00"),
        row("CB-1006", "Checked Out", "Jo Bloggs", "jo@@example.com", "Ireland", "275.00", "0.00", "0.00"),
    ]
    path = write_csv(tmp_path / "reservations_report.csv", PMS_HEADER, rows)
    result = run_to_end(path)
    assert result.profile.name == "generic_pms"
    assert_mapped(result, {
        "booking_ref": "Reservation Number", "status": "Status", "customer_name": "Name", "customer_email": "Email",
        "customer_phone": "Phone Number", "property_name": "Property", "room_type": "Room Type", "channel": "Source",
        "check_in": "Check in Date", "check_out": "Check out Date", "nights": "Nights", "adults": "Adults",
        "children": "Children", "amount": "Grand Total", "currency": "Currency", "booked_at": "Reservation Date",
        "country": "Country",
    })  # fmt: skip
    assert col(result, "status") == ["confirmed", "completed", "no_show", "cancelled", "confirmed", "completed"]
    # the total, not the deposit or the balance due
    assert col(result, "amount") == ["450.00", "1234.50", "300.00", "0.00", "620.00", "275.00"]
    # the guest's country, not the property's (Portugal)
    assert col(result, "country") == ["FR", "GB", "DE", "PT", "Narnia", "IE"]
    assert (result.records, result.valid, result.invalid) == (6, 5, 1)
    assert cell_problems(result) == {(6, "customer_email", "format")}
    warnings = result.problems.frame.query("severity == 'warning'")
    assert set(zip(warnings["row"] + 1, warnings["code"])) == {(5, "unknown_country")}


# ---------------------------------------------------------------------------------------------
# recognition


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (BOOKING_HEADER, "booking_com_reservations"),
        (AIRBNB_RES_HEADER, "airbnb_reservations"),
        (AIRBNB_TX_HEADER, "airbnb_transactions"),
        (AGODA_HEADER, "agoda_bookings"),
        (EXPEDIA_HEADER, "expedia_reservations"),
        (PMS_HEADER, "generic_pms"),
    ],
)
def test_each_header_picks_its_own_profile(header, expected):
    assert find_profile(header).profile.name == expected


def test_header_variants_channels_send_are_still_recognised():
    """Airbnb's 'upcoming' export has no Arriving by date or Paid out, spells Confirmation Code with a
    capital C and adds fee columns; Booking.com's shorter export lacks a few columns."""
    upcoming = [c for c in AIRBNB_TX_HEADER if c not in ("Arriving by date", "Paid out")]
    upcoming = ["Confirmation Code" if c == "Confirmation code" else c for c in upcoming] + ["Pet fee"]
    assert find_profile(upcoming).profile.name == "airbnb_transactions"
    short = [c for c in BOOKING_HEADER if c not in ("Booker group", "Device", "Address", "Children's age(s)")]
    assert find_profile(short).profile.name == "booking_com_reservations"


def test_the_synthetic_samples_keep_their_profiles(repo_root):
    samples = repo_root / "booking_desktop" / "resources" / "samples"
    found = {}
    for name in ("lisboa_pms_export.csv", "alpine_lodges_report.xlsx", "citybreak_api_export.json",
                 "nordic_channel_export.xml", "harbour_inn_reservations.tsv"):  # fmt: skip
        m = find_profile(read_file(samples / name).columns)
        found[name] = m.profile.name if m else None
    assert found == {
        "lisboa_pms_export.csv": "lisboa_pms",
        "alpine_lodges_report.xlsx": "alpine_lodges",
        "citybreak_api_export.json": "citybreak_api",
        "nordic_channel_export.xml": "nordic_channel",
        "harbour_inn_reservations.tsv": None,
    }
