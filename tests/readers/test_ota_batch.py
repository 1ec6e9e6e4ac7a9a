"""A folder or zip of OTA messages is one batch; deep nesting is refused before any walk."""

from __future__ import annotations

import zipfile

import pytest

from booking_desktop.errors import ReadError
from booking_desktop.pipeline import run_to_end
from booking_desktop.readers import read_file, xml_reader

from . import ota_messages as m
from ._helpers import codes, locations


def _stamped(xml: str, stamp: str) -> str:
    return xml.replace('TimeStamp="2024-05-02T10:15:00Z"', f'TimeStamp="{stamp}"')


CANCEL_4711 = f"""<OTA_HotelResNotifRQ xmlns="http://www.opentravel.org/OTA/2003/05" TimeStamp="2024-05-03T08:00:00Z">
  <POS><Source><RequestorID ID="SITEMINDER"/></Source></POS>
  <HotelReservations>
    <HotelReservation ResStatus="Cancel" CreateDateTime="2024-05-01T08:30:00Z">
      <UniqueID Type="14" ID="BDC-4711"/>
      <RoomStays><RoomStay><GuestCounts><GuestCount AgeQualifyingCode="10" Count="2"/></GuestCounts>
        <TimeSpan Start="2024-06-10" End="2024-06-12"/><Total AmountAfterTax="250.50" CurrencyCode="EUR"/>
        <BasicPropertyInfo HotelCode="LIS01" HotelName="Hotel Tejo"/>
        <Guarantee><GuaranteesAccepted><GuaranteeAccepted>
          <PaymentCard CardCode="VI" CardNumber="{m.PAN_1}" SeriesCode="{m.CVV_1}" ExpireDate="{m.EXP_1}"/>
        </GuaranteeAccepted></GuaranteesAccepted></Guarantee>
      </RoomStay></RoomStays>
      <ResGuests><ResGuest><Profiles><ProfileInfo><Profile><Customer>
        <PersonName><GivenName>Ana</GivenName><Surname>Silva</Surname></PersonName>
      </Customer></Profile></ProfileInfo></Profiles></ResGuest></ResGuests>
    </HotelReservation>
  </HotelReservations>
</OTA_HotelResNotifRQ>
"""


def _messages() -> dict[str, str]:
    # named so that name order and TimeStamp order disagree: the TimeStamp decides
    return {
        "a_cancel.xml": CANCEL_4711,
        "b_new.xml": m.RES_NOTIF,
        "c_soap.xml": m.SOAP_RETRIEVE.replace('TimeStamp="2024-05-03T06:00:00Z"', 'TimeStamp="2024-05-03T06:00:00Z"'),
        "d_broken.xml": "<OTA_HotelResNotifRQ><HotelReservations>",
        "notes.txt": "not a message",
    }


def _check_batch(raw, label: str, sep: str) -> None:
    assert raw.frame["ReservationID"].tolist() == ["BDC-4711", "BDC-4712", "EXP-9001", "EXP-9001"]
    assert raw.frame["ResStatus"].tolist() == ["Cancel", "Cancelled", "Reserved", "Reserved"]
    where = locations(raw)
    assert where[0] == f"{label}{sep}a_cancel.xml /OTA_HotelResNotifRQ/HotelReservations/HotelReservation[1]"
    assert where[1] == f"{label}{sep}b_new.xml /OTA_HotelResNotifRQ/HotelReservations/HotelReservation[2]"
    assert where[3].startswith(f"{label}{sep}c_soap.xml /Envelope/Body/OTA_ResRetrieveRS/")
    assert where[3].endswith("/RoomStays/RoomStay[2]")
    by_code = {p.code: p for p in raw.problems}
    assert "superseded" in by_code and "BDC-4711 in " in by_code["superseded"].message
    assert by_code["unreadable-member"].location == f"{label}{sep}d_broken.xml"
    assert raw.source.extra["batch"]["files"] == 4 and raw.source.extra["batch"]["read"] == 3
    text = raw.frame.astype(object).to_string() + " ".join(p.message for p in raw.problems)
    assert [s for s in m.SECRETS if s in text] == []


def test_folder_of_messages_is_one_batch(tmp_path):
    folder = tmp_path / "inbox"
    (folder / "2024-05").mkdir(parents=True)
    for name, text in _messages().items():
        (folder / ("2024-05" if name == "c_soap.xml" else "") / name).write_text(text, encoding="utf-8")
    (folder / ".hidden.xml").write_text("<x/>", encoding="utf-8")
    raw = read_file(folder)
    assert any(w.startswith("inbox/2024-05/c_soap.xml /Envelope/") for w in locations(raw))
    (folder / "2024-05" / "c_soap.xml").rename(folder / "c_soap.xml")
    raw = read_file(folder)
    _check_batch(raw, "inbox", "/")
    assert raw.source.content_sha256()  # an import can record what it read


def test_zip_of_messages_is_one_batch_and_validates(tmp_path):
    path = tmp_path / "day.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in _messages().items():
            if name != "notes.txt":
                zf.writestr(name, text)
    raw = read_file(path)
    _check_batch(raw, "day.zip", "!")
    result = run_to_end(path)
    assert result.profile is not None and result.profile.name == "ota_hotel_reservations"
    assert result.text["booking_ref"].tolist() == ["BDC-4711", "BDC-4712", "EXP-9001/1", "EXP-9001/2"]
    assert result.text["status"].tolist() == ["cancelled", "cancelled", "confirmed", "confirmed"]
    assert result.invalid == 0


def test_a_zip_member_option_still_reads_one_message(tmp_path):
    path = tmp_path / "day.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.xml", m.RES_NOTIF)
        zf.writestr("b.xml", m.ALPINEBITS)
    assert len(read_file(path, {"member": "b.xml"})) == 2
    assert read_file(path).frame["ReservationID"].tolist() == ["BDC-4711", "BDC-4712", "AB-6677", "AB-6600"]


def test_a_folder_without_messages_is_not_a_file(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.csv").write_text("a\n1\n")
    with pytest.raises(ReadError) as exc:
        read_file(tmp_path / "d")
    assert exc.value.problem.code == "not-a-file"


def test_deep_nesting_is_refused_before_any_tree_walk(write, monkeypatch):
    """100,000 levels took 60 s before the recursion message; now the depth check refuses it
    and the record search (whose walks were quadratic in the depth) never runs."""

    def never(*_a, **_k):
        raise AssertionError("walked a document that should have been refused")

    monkeypatch.setattr(xml_reader, "_find_records", never)
    n = 100_000
    with pytest.raises(ReadError) as exc:
        read_file(write("deep.xml", "<a>" * n + "x" + "</a>" * n))
    assert exc.value.problem.code == "xml-too-deep"
    assert "\n" not in str(exc.value) and str(exc.value).startswith("deep.xml: elements nested deeper than 256")
    soap = "<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'><s:Body>" + "<b>" * n
    soap += "</b>" * n + "</s:Body></s:Envelope>"
    with pytest.raises(ReadError, match="nested deeper"):
        read_file(write("deep_soap.xml", soap))


def test_nesting_within_the_limit_is_read(write):
    depth = xml_reader.MAX_DEPTH - 2
    raw = read_file(write("ok.xml", "<r>" + "<a>" * depth + "<v>1</v>" + "</a>" * depth + "</r>"))
    assert len(raw) == 1


def test_entity_bomb_inside_an_ota_message_is_refused(write):
    bomb = '<?xml version="1.0"?>\n<!DOCTYPE OTA_ResRetrieveRS [<!ENTITY a "aaaaaaaaaa">'
    bomb += '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
    bomb += '<OTA_ResRetrieveRS xmlns="http://www.opentravel.org/OTA/2003/05"><ReservationsList>'
    bomb += '<HotelReservation><UniqueID Type="14" ID="&b;"/></HotelReservation></ReservationsList></OTA_ResRetrieveRS>'
    with pytest.raises(ReadError) as exc:
        read_file(write("bomb.xml", bomb))
    assert exc.value.problem.code == "xml-forbidden" and "entity declaration" in str(exc.value)
    assert codes(read_file(write("fine.xml", m.ALPINEBITS))) == ["ota-no-sender"]


def test_a_fifo_named_zip_is_not_opened_to_look_for_a_batch(tmp_path):
    import os

    from booking_desktop.readers.batch import zip_is_batch

    fifo = tmp_path / "pipe.zip"
    os.mkfifo(fifo)
    assert zip_is_batch(fifo) is False  # returns at once: opening it would block until a writer comes


# -- a batch within readers/limits.py, as every other archive -------------------------------------


def _batch_zip(path, members: dict[str, str | bytes], compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return path


def _refused(path) -> ReadError:
    with pytest.raises(ReadError) as info:
        read_file(path)
    assert "\n" not in str(info.value) and "Traceback" not in str(info.value)
    return info.value


def test_a_batch_zip_with_too_many_members_is_refused_by_the_archive_limit(tmp_path):
    from booking_desktop.readers.limits import overridden

    path = _batch_zip(tmp_path / "day.zip", {f"res_{i:03d}.xml": m.RES_NOTIF for i in range(30)})
    with overridden(zip_members=20):
        exc = _refused(path)
    assert exc.problem.code == "too-large"
    assert str(exc).startswith("day.zip: the archive holds 30 members, past 20 (limit) (first: res_000.xml, ")


def test_a_batch_member_inflating_past_the_limit_is_refused_in_bounded_memory(tmp_path):
    import tracemalloc

    from booking_desktop.readers.limits import overridden

    bomb = m.RES_NOTIF.replace("</OTA_HotelResNotifRQ>", "<!--" + "0" * 30_000_000 + "--></OTA_HotelResNotifRQ>")
    path = _batch_zip(tmp_path / "day.zip", {"a.xml": m.RES_NOTIF, "b_bomb.xml": bomb})
    del bomb
    tracemalloc.start()
    try:
        with overridden(inflated_bytes=5_000_000):
            exc = _refused(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(exc) == "day.zip: b_bomb.xml with the members before it inflates past 5 MB (limit)"
    assert peak < 15_000_000  # the limit and a block, never the 30 MB member (read whole before)


def test_batch_members_together_past_the_limit_are_refused(tmp_path):
    from booking_desktop.readers.limits import overridden

    path = _batch_zip(tmp_path / "day.zip", {f"res_{i}.xml": m.RES_NOTIF for i in range(8)})
    size = len(m.RES_NOTIF.encode())
    with overridden(inflated_bytes=3 * size + 10):
        exc = _refused(path)
    assert exc.problem.code == "too-large" and "res_3.xml with the members before it inflates past" in str(exc)
    with overridden(inflated_bytes=size - 1):
        assert str(_refused(path)).startswith("day.zip: res_0.xml inflates past ")


def test_a_batch_member_inflating_past_its_declared_size_is_corrupt(tmp_path):
    import io

    from .test_hostile import patch_declared_size

    buf = io.BytesIO()
    _batch_zip(buf, {"a.xml": m.RES_NOTIF, "b.xml": m.RES_NOTIF})
    path = tmp_path / "liar.zip"
    path.write_bytes(patch_declared_size(buf.getvalue(), "b.xml", 40))
    exc = _refused(path)
    assert exc.problem.code == "corrupt-archive"
    assert "b.xml inflates past the 40 bytes the archive declares for it" in str(exc)


def test_a_password_protected_batch_names_the_member(tmp_path):
    import io

    from .test_hostile import set_encrypted_flag

    buf = io.BytesIO()
    _batch_zip(buf, {"a.xml": m.RES_NOTIF, "b.xml": m.RES_NOTIF}, zipfile.ZIP_STORED)
    path = tmp_path / "locked.zip"
    path.write_bytes(set_encrypted_flag(buf.getvalue()))
    exc = _refused(path)
    assert exc.problem.code == "encrypted-archive" and "(member a.xml)" in str(exc)


def test_a_folder_with_more_files_than_the_archive_limit_is_refused(tmp_path):
    from booking_desktop.readers.limits import overridden

    folder = tmp_path / "inbox"
    folder.mkdir()
    for i in range(12):
        (folder / f"res_{i}.xml").write_text(m.RES_NOTIF, encoding="utf-8")
    with overridden(zip_members=10):
        exc = _refused(folder)
    assert str(exc) == "inbox: the folder holds 12 XML files, past 10 (limit)"
