"""Files that cannot be read give one line naming the file and place -- never a traceback.
Files with the wrong name are read by what they contain."""

from __future__ import annotations

import gzip
import io
import json
import zipfile

import openpyxl
import pytest

from booking_desktop.errors import ProblemError, ReadError
from booking_desktop.readers import read_file, supported_formats

from ._helpers import cells, codes


def _xlsx_bytes() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(["ref", "n"])
    wb.active.append(["B1", 1])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _fails(path, code, *fragments, **kw):
    with pytest.raises(ReadError) as exc:
        read_file(path, **kw)
    err = exc.value
    assert isinstance(err, ProblemError)
    assert err.problem.code == code
    text = str(err)
    assert "\n" not in text and "Traceback" not in text
    assert text.startswith(path.name)
    for f in fragments:
        assert f in text
    return text


def test_missing_file(tmp_path):
    _fails(tmp_path / "nope.csv", "file-not-found", "file not found")


def test_folder_instead_of_file(tmp_path):
    (tmp_path / "dir.csv").mkdir()
    _fails(tmp_path / "dir.csv", "not-a-file")


def test_empty_file(write):
    _fails(write("e.csv", b""), "empty-file", "0 bytes")


def test_whitespace_only_file(write):
    _fails(write("e.csv", "\n \n"), "empty-file", "whitespace")


def test_binary_file_named_csv(write):
    _fails(write("b.csv", bytes(range(256)) * 10), "binary-file", "not text")


def test_pdf_named_csv(write):
    _fails(write("b.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), "binary-file", "PDF")


def test_unknown_extension_names_the_supported_formats(write):
    text = _fails(write("b.pdf", b"%PDF-1.7\n\x00\x01binary"), "unsupported-format")
    for fmt in supported_formats():
        assert fmt in text
    _fails(write("notes.md", "# just text\n"), "unsupported-format", ".csv", ".xlsx", ".json", ".xml")


def test_unknown_format_argument(write):
    _fails(write("b.csv", "a\n1\n"), "unsupported-format", "'parquet'", "csv", format="parquet")


def test_format_argument_overrides_the_extension(write):
    raw = read_file(write("b.data", "a;b\n1;2\n"), format="csv")
    assert cells(raw.frame) == [["1", "2"]]


def test_workbook_named_json_is_read_as_a_workbook_with_a_warning(write):
    raw = read_file(write("b.json", _xlsx_bytes()))
    assert cells(raw.frame) == [["B1", "1"]]
    assert raw.source.format == "xlsx"
    assert codes(raw) == ["extension-mismatch"]


def test_json_named_txt_is_read_as_json(write):
    raw = read_file(write("b.txt", '[{"ref": "B1"}]'))
    assert cells(raw.frame) == [["B1"]]
    assert codes(raw) == []


def test_xml_named_csv_is_read_as_xml_with_a_warning(write):
    raw = read_file(write("b.csv", "<r><b><ref>B1</ref></b><b><ref>B2</ref></b></r>"))
    assert cells(raw.frame) == [["B1"], ["B2"]]
    assert codes(raw) == ["extension-mismatch"]


def test_csv_named_xls_is_read_as_csv_with_a_warning(write):
    raw = read_file(write("b.xls", "ref\tn\nB1\t1\n"))
    assert cells(raw.frame) == [["B1", "1"]]
    assert codes(raw) == ["extension-mismatch"]


def test_truncated_xlsx(write):
    data = _xlsx_bytes()
    _fails(write("b.xlsx", data[: len(data) // 2]), "corrupt-workbook", "truncated or damaged")


def test_password_protected_xlsx(write):
    # What Excel writes for a password: an OLE compound file holding EncryptionInfo
    # and EncryptedPackage streams (directory entries are UTF-16 names).
    ole = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504
    ole += "EncryptionInfo".encode("utf-16-le") + b"\x00" * 100 + "EncryptedPackage".encode("utf-16-le")
    _fails(write("b.xlsx", ole + b"\x00" * 2048), "encrypted-workbook", "password")


def test_damaged_ole_workbook(write):
    _fails(write("b.xls", bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 600), "unsupported-format")


def test_gzip_is_read_transparently(write):
    raw = read_file(write("b.csv.gz", gzip.compress(b"ref,n\nB1,1\n")))
    assert cells(raw.frame) == [["B1", "1"]]
    assert raw.source.extra["container"] == "gzip"


def test_truncated_gzip(write):
    data = gzip.compress(b"ref,n\n" + b"B1,1\n" * 1000)
    _fails(write("b.csv.gz", data[:40]), "corrupt-archive", "truncated")


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_zip_with_one_data_file(write):
    raw = read_file(write("b.zip", _zip({"export/b.json": json.dumps([{"ref": "B1"}]).encode(), "README": b"x"})))
    assert cells(raw.frame) == [["B1"]]
    assert raw.source.extra["member"] == "b.json"


def test_zip_with_several_data_files_needs_the_member_option(write):
    path = write("b.zip", _zip({"a.csv": b"ref\nA1\n", "b.csv": b"ref\nB1\n"}))
    _fails(path, "zip-ambiguous", "a.csv", "b.csv", "member")
    assert cells(read_file(path, {"member": "b.csv"}).frame) == [["B1"]]


def test_error_inside_a_zip_names_archive_and_member(write):
    path = write("b.zip", _zip({"b.json": b'[{"ref": }]'}))
    with pytest.raises(ReadError, match=r"^b\.zip!b\.json line 1 column 10: malformed JSON"):
        read_file(path)


def test_unknown_option_is_a_warning(write):
    raw = read_file(write("b.csv", "a\n1\n"), {"sheeet": "x"})
    assert codes(raw) == ["unknown-option"]


@pytest.mark.parametrize("name", ["e.json", "e.xml", "e.csv"])
def test_whitespace_only_file_of_any_format(write, name):
    _fails(write(name, "  \r\n\t\n"), "empty-file", "only whitespace")


def test_workbook_encrypted_by_excel_rules(write, tmp_path):
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml", reason="msoffcrypto-tool encrypts the fixture")
    plain = write("plain.xlsx", _xlsx_bytes())
    out = io.BytesIO()
    with plain.open("rb") as fh:
        ooxml.OOXMLFile(fh).encrypt("secret", out)
    _fails(write("locked.xlsx", out.getvalue()), "encrypted-workbook", "password-protected")


def test_csv_that_starts_like_json_is_still_read_as_csv(write):
    raw = read_file(write("b.csv", "[ref],[name]\nB1,Ann\n"))
    assert raw.columns == ["[ref]", "[name]"]
    assert cells(raw.frame) == [["B1", "Ann"]]
    assert codes(raw) == []


def test_broken_json_in_a_txt_file_is_reported_as_json(write):
    _fails(write("b.txt", '[{"ref": "B1",}]'), "malformed-json", "line 1 column")
