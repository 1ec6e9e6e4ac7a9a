"""Text encodings: BOMs, UTF-16, legacy code pages and files that mix encodings."""

from __future__ import annotations

import codecs

import pytest

from booking_desktop.errors import Severity
from booking_desktop.readers import read_file

from ._helpers import cells, codes

TEXT = "ref,guest,city\nB1,Zoë Müller,Málaga\nB2,François,Köln\n"
ROWS = [["B1", "Zoë Müller", "Málaga"], ["B2", "François", "Köln"]]


@pytest.mark.parametrize(
    ("prefix", "codec", "expected"),
    [
        (b"", "utf-8", "utf-8"),
        (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
        (b"", "utf-16-le", "utf-16-le"),  # no BOM: recognised by its NUL bytes
        (b"", "cp1252", "cp1252"),
    ],
)
def test_encodings_are_detected(write, prefix, codec, expected):
    raw = read_file(write("b.csv", prefix + TEXT.encode(codec)))
    assert raw.source.encoding == expected
    assert raw.columns == ["ref", "guest", "city"]  # no BOM glued to the first header
    assert cells(raw.frame) == ROWS
    assert raw.problems == []


def test_cp1252_only_characters(write):
    raw = read_file(write("b.csv", "ref,amount\nB1,€ 12 – “net”\n".encode("cp1252")))
    assert cells(raw.frame) == [["B1", "€ 12 – “net”"]]


def test_mixed_encodings_are_decoded_and_the_lines_named(write):
    data = "ref,guest\nB1,Zoë\n".encode() + "B2,Müller\n".encode("cp1252") + "B3,Łukasz\n".encode()
    data += "B4,Gonçalves\n".encode("cp1252")
    raw = read_file(write("b.csv", data))
    assert cells(raw.frame) == [["B1", "Zoë"], ["B2", "Müller"], ["B3", "Łukasz"], ["B4", "Gonçalves"]]
    (problem,) = [p for p in raw.problems if p.code == "encoding"]
    assert problem.severity == Severity.WARNING
    assert "lines 3, 5" in problem.message
    assert raw.source.encoding == "utf-8+cp1252"


def test_encoding_option_forces_a_codec(write):
    raw = read_file(write("b.csv", "ref,x\nB1,Ωμέγα\n".encode("iso8859_7")), {"encoding": "iso8859_7"})
    assert cells(raw.frame) == [["B1", "Ωμέγα"]]
    assert codes(raw) == []


def test_json_and_xml_in_utf16(write):
    raw = read_file(write("a.json", codecs.BOM_UTF16_LE + '[{"g": "Zoë"}]'.encode("utf-16-le")))
    assert cells(raw.frame) == [["Zoë"]]
    xml = '<?xml version="1.0" encoding="UTF-16"?><r><b><g>Zoë</g></b><b><g>Ann</g></b></r>'
    raw = read_file(write("a.xml", xml.encode("utf-16")))
    assert cells(raw.frame) == [["Zoë"], ["Ann"]]
