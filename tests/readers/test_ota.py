"""OpenTravel reservation messages: one record per reservation (or room), the fields an
operator needs, SOAP envelopes, AlpineBits, empty lists -- and payment cards kept out."""

from __future__ import annotations

import pytest

from booking_desktop.readers import read_file

from . import ota_messages as m
from ._helpers import codes, locations


def rows(raw, *cols):
    return [tuple(None if v is None or v != v else v for v in r) for r in raw.frame[list(cols)].itertuples(index=False)]


def test_res_notif_gives_one_record_per_reservation_with_its_fields(write):
    raw = read_file(write("notif.xml", m.RES_NOTIF))
    assert len(raw) == 2  # not one per GuestCount
    assert raw.source.format == "xml" and raw.source.extra["ota"]["message"] == "OTA_HotelResNotifRQ"
    assert rows(raw, "ReservationID", "ResStatus", "CancellationID", "HotelReservationIDs") == [
        ("BDC-4711", "Book", None, "10:PMS-0042"),
        ("BDC-4712", "Cancelled", "CXL-88", None),
    ]
    assert rows(raw, "GivenName", "Surname", "Email", "Phone", "Country") == [
        ("Ana", "Silva", "ana.silva@example.pt", "+351 912 345 678", "PT"),
        ("Bruno", "Costa", "bruno.costa@example.com", None, "BR"),
    ]
    assert rows(raw, "Start", "End", "Adults", "Children", "Infants") == [
        ("2024-06-10", "2024-06-12", "2", "1", "1"),
        ("2024-07-01", "2024-07-04", "1", "0", "0"),
    ]
    assert rows(raw, "RoomTypeCode", "RoomType", "RatePlanCode", "HotelCode", "HotelName") == [
        ("DBL", "Double Room Sea View", "BAR", "LIS01", "Hotel Tejo"),
        ("SGL", "SGL", None, "LIS01", "Hotel Tejo"),
    ]
    # the room's Total wins over the sum of its rates; DecimalPlaces="2" on 36000 is 360.00
    assert rows(raw, "Amount", "Currency", "AmountSource", "AmountBeforeTax") == [
        ("250.50", "EUR", "Total", "230.00"),
        ("360.00", "EUR", "Total", None),
    ]
    assert rows(raw, "CreateDateTime", "Channel", "Sender", "CardType", "CardLast4") == [
        ("2024-05-01T08:30:00Z", "Booking.com", "SITEMINDER", "VI", "1111"),
        ("2024-04-20T17:05:00Z", "Booking.com", "SITEMINDER", "MC", "4444"),
    ]
    assert locations(raw) == [f"/OTA_HotelResNotifRQ/HotelReservations/HotelReservation[{i}]" for i in (1, 2)]
    assert codes(raw) == ["card-data-dropped"]


def test_soap_envelope_and_a_reservation_with_two_rooms(write):
    raw = read_file(write("retrieve.xml", m.SOAP_RETRIEVE))
    assert raw.source.extra["ota"]["envelope"] == "SOAP 1.1"
    assert rows(raw, "ReservationID", "RoomStay", "RoomStays", "RoomTypeCode", "Adults", "Children") == [
        ("EXP-9001", "1", "2", "KNG", "2", "0"),
        ("EXP-9001", "2", "2", "TWN", "1", "1"),
    ]
    # dates and hotel from ResGlobalInfo apply to each room; the second room's amount is the
    # exact sum of a one-night base rate and a rate total (99.95 + 100.05)
    assert rows(raw, "Start", "End", "HotelName", "Amount", "Currency", "AmountSource") == [
        ("2024-08-01", "2024-08-03", "Midtown Lofts", "450.00", "USD", "Total"),
        ("2024-08-01", "2024-08-03", "Midtown Lofts", "200.00", "USD", "sum of 2 rate(s)"),
    ]
    assert rows(raw, "Phone", "Sender", "Channel") == [("+1 212 5550123", "EXPEDIA", "EXP")] * 2
    base = "/Envelope/Body/OTA_ResRetrieveRS/ReservationsList/HotelReservation[1]/RoomStays/RoomStay"
    assert locations(raw) == [f"{base}[1]", f"{base}[2]"]


def test_alpinebits_counts_children_by_age_and_a_cancellation_keeps_its_reference(write):
    raw = read_file(write("ab.xml", m.ALPINEBITS))
    assert rows(raw, "ReservationID", "ResStatus", "Adults", "Children", "Channel", "Sender") == [
        ("AB-6677", "Requested", "2", "2", "www.example-portal.it", None),
        ("AB-6600", "Cancelled", "2", "0", None, None),
    ]
    assert "ota-no-sender" in codes(raw)


def test_an_empty_reservations_list_has_no_records(write):
    raw = read_file(write("empty.xml", m.EMPTY_LIST))
    assert len(raw) == 0
    assert [p.message for p in raw.problems if p.code == "no-records"] == [
        "the file is an OTA_ResRetrieveRS without reservations; nothing to import"
    ]
    generic = read_file(write("empty2.xml", m.EMPTY_LIST), {"ota": False})
    assert len(generic) == 0 and "no-records" in codes(generic)  # no record made up from the root


def test_generic_reader_takes_the_reservation_not_its_guest_counts(write):
    xml = m.RES_NOTIF.replace(m.RES_NOTIF[m.RES_NOTIF.index('    <HotelReservation CreateDateTime="2024-04') :], "")
    xml += "  </HotelReservations>\n</OTA_HotelResNotifRQ>\n"
    raw = read_file(write("one.xml", xml), {"ota": False})
    assert len(raw) == 1
    assert raw.source.record_path == "/OTA_HotelResNotifRQ/HotelReservations/HotelReservation"
    assert raw.frame["UniqueID.@ID"].tolist() == ["BDC-4711"]
    assert raw.frame["RoomStays.RoomStay.GuestCounts.GuestCount.@Count"].tolist() == ["2; 1; 1"]
    card = [c for c in raw.columns if "PaymentCard" in c]
    assert sorted(card) == [
        "RoomStays.RoomStay.Guarantee.GuaranteesAccepted.GuaranteeAccepted.PaymentCard.@CardCode",
        "RoomStays.RoomStay.Guarantee.GuaranteesAccepted.GuaranteeAccepted.PaymentCard.last4",
    ]
    assert "card-data-dropped" in codes(raw)


def test_modify_messages_and_a_soap_fault(write):
    modify = m.RES_NOTIF.replace("OTA_HotelResNotifRQ", "OTA_HotelResModifyNotifRQ")
    modify = modify.replace("HotelReservations>", "HotelResModifies>").replace("<HotelReservation ", "<HotelResModify ")
    modify = modify.replace("</HotelReservation>", "</HotelResModify>").replace(' ResStatus="Book"', "")
    raw = read_file(write("mod.xml", modify))
    assert raw.frame["ResStatus"].tolist() == ["Modify", "Cancelled"]
    fault = (
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault>'
        "<s:Code><s:Value>s:Receiver</s:Value></s:Code><s:Reason><s:Text>Hotel not found</s:Text></s:Reason>"
        "</s:Fault></s:Body></s:Envelope>"
    )
    raw = read_file(write("fault.xml", fault))
    assert len(raw) == 0
    assert any(p.code == "ota-error" and "Hotel not found" in p.message for p in raw.problems)


@pytest.mark.parametrize("body", ["<HotelReservations/>", ""])
def test_unknown_or_empty_lists_never_invent_a_record(write, body):
    raw = read_file(
        write(
            "x.xml", f'<OTA_HotelResNotifRQ xmlns="http://www.opentravel.org/OTA/2003/05">{body}</OTA_HotelResNotifRQ>'
        )
    )
    assert len(raw) == 0 and "no-records" in codes(raw)


def test_the_built_in_profile_maps_each_reservation_onto_a_valid_booking(write):
    from booking_desktop.pipeline import run_to_end

    result = run_to_end(write("notif.xml", m.RES_NOTIF))
    assert result.profile is not None and result.profile.name == "ota_hotel_reservations"
    assert (result.records, result.valid) == (2, 2)
    t = result.text
    assert t.loc[0, ["vendor", "booking_ref", "status", "customer_name", "check_in", "check_out"]].tolist() == [
        "SITEMINDER", "BDC-4711", "confirmed", "Ana Silva", "2024-06-10", "2024-06-12",
    ]  # fmt: skip
    assert t.loc[0, ["adults", "children", "amount", "currency", "room_type", "channel", "country"]].tolist() == [
        "2", "2", "250.50", "EUR", "Double Room Sea View", "Booking.com", "PT",
    ]  # fmt: skip
    assert t["status"].tolist() == ["confirmed", "cancelled"]
    assert t.loc[1, "booked_at"] == "2024-04-20T17:05:00Z"
    alpine = run_to_end(write("ab.xml", m.ALPINEBITS), vendor="ALPINE-CM")
    assert alpine.valid == 2 and alpine.text["status"].tolist() == ["pending", "cancelled"]
    no_vendor = run_to_end(write("ab2.xml", m.ALPINEBITS))
    # no sender: the rows are checked like any other (not invalid for want of a vendor), no vendor is
    # made up, and one warning counts them
    assert (no_vendor.valid, no_vendor.vendor) == (2, None) and no_vendor.text["vendor"].isna().all()
    codes_found = {p.code: p for p in no_vendor.file_problems}
    assert "ota-no-sender" in codes_found
    assert codes_found["vendor-missing"].message.startswith("2 of 2 rows have no vendor (column Sender is empty")


def test_the_vendor_is_each_messages_sender_never_the_format_name(write):
    """The profile's vendor was the constant "OTA": the name of the format, not of who sent the rows."""
    from booking_desktop.mapping import load_profile
    from booking_desktop.pipeline import run_to_end

    assert load_profile("ota_hotel_reservations").vendor == ""
    result = run_to_end(write("notif.xml", m.RES_NOTIF))
    assert result.vendor is None and result.text["vendor"].tolist() == ["SITEMINDER", "SITEMINDER"]
    assert "vendor-missing" not in [p.code for p in result.file_problems]
    given = run_to_end(write("notif2.xml", m.RES_NOTIF), vendor="CM-1")
    assert given.text["vendor"].tolist() == ["CM-1", "CM-1"] and given.vendor == "CM-1"


def test_a_batch_with_and_without_senders_counts_the_rows_without_one(tmp_path):
    from booking_desktop.pipeline import run_to_end

    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a.xml").write_text(m.RES_NOTIF, encoding="utf-8")
    (folder / "b.xml").write_text(m.ALPINEBITS, encoding="utf-8")
    result = run_to_end(folder)
    vendors = result.text["vendor"]
    refs = result.text["booking_ref"].tolist()
    assert vendors.notna().sum() == 2 and set(vendors.dropna()) == {"SITEMINDER"}
    assert result.invalid == 0 and len(refs) == 4
    missing = next(p for p in result.file_problems if p.code == "vendor-missing")
    assert missing.message.startswith("2 of 4 rows have no vendor")
