"""XML: repeated-element detection, attributes and children as columns, namespaces, safety."""

from __future__ import annotations

import pytest

from booking_desktop.errors import ReadError
from booking_desktop.readers import read_file

from ._helpers import cells, locations

EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<export generated="2024-03-01">
  <hotel>Sea View</hotel>
  <bookings>
    <booking id="1"><ref> B1 </ref><guest type="adult"><name>Ann</name></guest><note>a</note><note>b</note></booking>
    <booking id="2"><ref>B2</ref><guest><name>NULL</name></guest></booking>
    <booking id="3"><ref>B3</ref><amount>12.50</amount></booking>
  </bookings>
</export>
"""


def test_repeated_element_is_the_record(write):
    raw = read_file(write("a.xml", EXPORT))
    assert raw.source.record_path == "/export/bookings/booking"
    assert raw.columns == ["@id", "ref", "guest.@type", "guest.name", "note", "amount"]
    assert cells(raw.frame) == [
        ["1", "B1", "adult", "Ann", "a; b", None],
        ["2", "B2", None, None, None, None],
        ["3", "B3", None, None, None, "12.50"],
    ]
    assert locations(raw) == [f"/export/bookings/booking[{i}]" for i in (1, 2, 3)]


@pytest.mark.parametrize("path", ["/export/bookings/booking", "bookings/booking", "booking"])
def test_record_path_option(write, path):
    raw = read_file(write("a.xml", EXPORT), {"record_path": path})
    assert len(raw) == 3
    assert raw.locations[2] == "/export/bookings/booking[3]"


def test_record_path_can_pick_another_element(write):
    raw = read_file(write("a.xml", EXPORT), {"record_path": "guest"})
    assert cells(raw.frame) == [["adult", "Ann"], [None, None]]
    assert raw.locations[1] == "(/export/bookings/booking/guest)[2]"


def test_record_path_not_found(write):
    with pytest.raises(ReadError, match="no element matches record_path 'room'"):
        read_file(write("a.xml", EXPORT), {"record_path": "room"})


def test_namespaces_are_stripped_and_prefixed_on_a_clash(write):
    xml = (
        '<b:export xmlns:b="urn:bookings" xmlns:ext="urn:ext">'
        "<b:booking><b:ref>B1</b:ref><ext:ref>X1</ext:ref></b:booking>"
        "<b:booking><b:ref>B2</b:ref><b:n>2</b:n></b:booking></b:export>"
    )
    raw = read_file(write("a.xml", xml))
    assert raw.columns == ["ref", "ext:ref", "n"]
    assert cells(raw.frame) == [["B1", "X1", None], ["B2", None, "2"]]
    assert raw.locations[0] == "/export/booking[1]"


def test_malformed_xml_names_line_and_column(write):
    with pytest.raises(ReadError) as exc:
        read_file(write("a.xml", "<export>\n  <booking><ref>B1</booking>\n</export>"))
    assert exc.value.problem.code == "malformed-xml"
    assert str(exc.value).startswith("a.xml line 2 column")


def test_entity_expansion_bomb_is_refused(write):
    bomb = '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    for i in range(9):
        inner = (f"&lol{i - 1};" if i else "&lol;") * 10
        bomb += f' <!ENTITY lol{i} "{inner}">\n'
    bomb += "]>\n<r><b><x>&lol8;</x></b></r>\n"
    with pytest.raises(ReadError) as exc:
        read_file(write("bomb.xml", bomb))
    assert exc.value.problem.code == "xml-forbidden"
    assert str(exc.value).startswith("bomb.xml: refused an entity declaration")


def test_external_entity_is_refused_and_not_read(write, tmp_path):
    secret = write("secret.txt", "TOP-SECRET")
    xml = f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>\n<r><b><v>&x;</v></b></r>'
    with pytest.raises(ReadError) as exc:
        read_file(write("xxe.xml", xml))
    assert exc.value.problem.code == "xml-forbidden"
    assert "external entity" in str(exc.value)
    assert "TOP-SECRET" not in str(exc.value)


def test_repeated_children_inside_few_records_are_not_taken_for_records(write):
    notes = "".join(f"<note>n{i}</note>" for i in range(5))
    rooms = "".join(f'<room type="T{i}"/>' for i in range(4))
    xml = f"<export><booking><ref>B1</ref>{notes}<rooms>{rooms}</rooms></booking>"
    xml += "<booking><ref>B2</ref></booking></export>"
    raw = read_file(write("a.xml", xml))
    assert raw.source.record_path == "/export/booking"
    assert raw.frame["ref"].tolist() == ["B1", "B2"]
    assert raw.frame["note"].iloc[0] == "n0; n1; n2; n3; n4"
    assert raw.frame["rooms.room.@type"].iloc[0] == "T0; T1; T2; T3"


def test_a_single_flat_record_and_attribute_only_records(write):
    raw = read_file(write("a.xml", '<booking><ref>B1</ref><amount currency="EUR">5</amount></booking>'))
    assert cells(raw.frame) == [["B1", "5", "EUR"]]
    assert raw.locations[0] == "/booking[1]"
    raw = read_file(write("b.xml", '<export><b id="1" n="2"/><b id="3"/></export>'))
    assert raw.columns == ["@id", "@n"]
    assert cells(raw.frame) == [["1", "2"], ["3", None]]
