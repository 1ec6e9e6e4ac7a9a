"""Hostile files: each gets a one-line refusal (or is read whole), in bounded memory, without a hang.

Every file is made here and kept small: bombs are built by streaming zeros and the limits are
lowered for the test (``limits.overridden``), so the same code paths run as with gigabytes.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import struct
import subprocess
import sys
import textwrap
import threading
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from booking_desktop.errors import ReadError
from booking_desktop.readers import read_file
from booking_desktop.readers.limits import LIMITS, overridden

from ._helpers import cells

MB = 1_000_000
HEADER = "ref,name\n"
FIRST = "".join(f"R{i},N{i}\n" for i in range(10))
SECOND = "".join(f"R{i},N{i}\n" for i in range(10, 20))


def refusal(path: Path, **options) -> ReadError:
    with pytest.raises(ReadError) as info:
        read_file(path, options or None)
    message = str(info.value)
    assert "\n" not in message and len(message) < 400, message
    assert "Traceback" not in message and "ZipInfo" not in message
    return info.value


def zeros_gzip(path: Path, megabytes: int) -> Path:
    """A gzip bomb: ``megabytes`` MB of zeros, streamed (about 1 KB per MB on disk)."""
    with gzip.open(path, "wb") as fh:
        block = b"0" * MB
        for _ in range(megabytes):
            fh.write(block)
    return path


def patch_declared_size(data: bytes, name: str, size: int) -> bytes:
    """The zip with ``name``'s uncompressed size changed in its local and central headers."""
    buf = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(name)
    struct.pack_into("<I", buf, info.header_offset + 22, size)
    central = buf.find(b"PK\x01\x02")
    while central >= 0:
        n = struct.unpack_from("<H", buf, central + 28)[0]
        if bytes(buf[central + 46 : central + 46 + n]) == name.encode():
            struct.pack_into("<I", buf, central + 24, size)
            return bytes(buf)
        central = buf.find(b"PK\x01\x02", central + 4)
    raise AssertionError(f"{name} not in the central directory")


def set_encrypted_flag(data: bytes) -> bytes:
    """Mark every member password-protected (general-purpose bit 0), as an encrypting zip tool does."""
    buf = bytearray(data)
    for magic, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = buf.find(magic)
        while at >= 0:
            flags = struct.unpack_from("<H", buf, at + offset)[0]
            struct.pack_into("<H", buf, at + offset, flags | 1)
            at = buf.find(magic, at + 4)
    return bytes(buf)


# -- compressed files ---------------------------------------------------------------------------


def test_gzip_bomb_is_refused_at_the_limit_naming_it(tmp_path):
    bomb = zeros_gzip(tmp_path / "bookings.csv.gz", 60)
    with overridden(inflated_bytes=10 * MB):
        tracemalloc.start()
        try:
            exc = refusal(bomb)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert exc.problem.code == "too-large"
    assert str(exc) == "bookings.csv.gz: the gzip file inflates past 10 MB (limit)"
    # the limit is checked while the bytes stream: never much more than the limit is held
    assert peak < 2 * 10 * MB  # the limit and a block or two, not the 60 MB


def test_gzip_bomb_under_a_memory_ceiling_gives_the_message_not_a_crash(tmp_path):
    """300 MB of zeros in a 300 KB file, read with address space for about 200 MB more than the
    interpreter and its libraries use: the read must stop at the limit, not die."""
    bomb = zeros_gzip(tmp_path / "b.csv.gz", 300)
    script = textwrap.dedent(
        f"""
        import resource, sys
        from booking_desktop.readers import read_file
        from booking_desktop.readers.limits import LIMITS
        from booking_desktop.errors import ReadError
        LIMITS.inflated_bytes = 60_000_000
        vm = next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmSize"))
        resource.setrlimit(resource.RLIMIT_AS, (vm + 200_000_000, resource.RLIM_INFINITY))
        try:
            read_file({str(bomb)!r})
        except ReadError as exc:
            print(exc)
            sys.exit(2)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert proc.stdout.strip() == "b.csv.gz: the gzip file inflates past 60 MB (limit)"
    assert proc.stderr == ""


@pytest.mark.parametrize(
    ("suffix", "compress"), [(".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress)]
)
def test_every_member_of_a_concatenated_stream_is_read(tmp_path, suffix, compress):
    """``cat a.gz b.gz > c.gz`` is one valid file; reading only the first member lost 10 of 20 rows."""
    path = tmp_path / f"bookings.csv{suffix}"
    path.write_bytes(compress((HEADER + FIRST).encode()) + compress(SECOND.encode()))
    raw = read_file(path)
    assert len(raw.frame) == 20
    assert cells(raw.frame)[-1] == ["R19", "N19"]
    assert raw.source.extra["member"] == "bookings.csv"
    assert not raw.problems


@pytest.mark.parametrize(("suffix", "compress"), [(".bz2", bz2.compress), (".xz", lzma.compress)])
def test_bz2_and_xz_open_like_gz(tmp_path, suffix, compress):
    path = tmp_path / f"export.csv{suffix}"
    path.write_bytes(compress((HEADER + FIRST).encode()))
    raw = read_file(path)
    assert raw.source.format == "csv" and len(raw.frame) == 10
    assert raw.source.extra["container"] == {".bz2": "bzip2", ".xz": "xz"}[suffix]


def test_xz_bomb_is_refused_too(tmp_path):
    path = tmp_path / "big.csv.xz"
    with lzma.open(path, "wb", preset=0) as fh:
        for _ in range(20):
            fh.write(b"0" * MB)
    with overridden(inflated_bytes=5 * MB):
        assert str(refusal(path)) == "big.csv.xz: the xz file inflates past 5 MB (limit)"


def test_trailing_bytes_after_a_gzip_stream_are_reported_and_zero_padding_is_not(tmp_path):
    padded = tmp_path / "padded.csv.gz"
    padded.write_bytes(gzip.compress((HEADER + FIRST).encode()) + b"\0" * 512)
    assert not read_file(padded).problems
    junk = tmp_path / "junk.csv.gz"
    junk.write_bytes(gzip.compress((HEADER + FIRST).encode()) + b"not gzip at all")
    raw = read_file(junk)
    assert len(raw.frame) == 10
    assert [p.code for p in raw.problems] == ["trailing-data"]
    assert "15 bytes after the end of the gzip data" in raw.problems[0].message


def test_truncated_gzip_is_refused(tmp_path):
    whole = gzip.compress((HEADER + FIRST * 50).encode())
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(whole[: len(whole) // 2])
    exc = refusal(path)
    assert exc.problem.code == "corrupt-archive" and "truncated" in str(exc)


def test_text_starting_with_bzh_is_still_text(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text("BZh code,name\nBZh1,a\n")
    assert cells(read_file(path).frame) == [["BZh1", "a"]]


# -- not regular files ----------------------------------------------------------------------------


def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "bookings.csv"
    os.mkfifo(fifo)
    outcome: list[BaseException | object] = []

    def attempt() -> None:
        try:
            outcome.append(read_file(fifo))
        except BaseException as exc:  # noqa: BLE001  # handed to the test thread
            outcome.append(exc)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout=20)
    if worker.is_alive():  # unblock the reader so the thread ends, then fail
        with open(fifo, "wb"):
            pass
        pytest.fail("read_file blocked on a FIFO")
    (exc,) = outcome
    assert isinstance(exc, ReadError)
    assert exc.problem.code == "not-a-file"
    assert str(exc) == "bookings.csv: is a named pipe (FIFO), not a regular file; only regular files are read"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_device_behind_a_symlink_is_refused(tmp_path):
    link = tmp_path / "export.csv"
    link.symlink_to("/dev/zero")
    exc = refusal(link)
    assert exc.problem.code == "not-a-file"
    assert "a character device, not a regular file" in str(exc)


def test_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text(HEADER + FIRST * 100)
    with overridden(file_bytes=1000):
        assert str(refusal(path)) == "huge.csv: the file is 6.01 KB, past 1 KB (limit)"


# -- zip archives ---------------------------------------------------------------------------------


def test_zip_member_over_the_limit_is_refused(tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bookings.csv", HEADER + "0" * (12 * MB))
    with overridden(inflated_bytes=10 * MB):
        assert str(refusal(path)) == "export.zip: bookings.csv inflates past 10 MB (limit)"


def test_zip_member_inflating_past_its_declared_size_is_refused(tmp_path):
    """A member may declare a few bytes and inflate to gigabytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bookings.csv", HEADER + FIRST * 100)
    path = tmp_path / "liar.zip"
    path.write_bytes(patch_declared_size(buf.getvalue(), "bookings.csv", 20))
    exc = refusal(path)
    assert exc.problem.code == "corrupt-archive"
    assert "bookings.csv inflates past the 20 bytes the archive declares for it" in str(exc)


def test_mimetype_member_is_not_inflated_whole(tmp_path):
    """An archive's ``mimetype`` is looked at to tell an ODS from a zip: only its first bytes."""
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", b"0" * (40 * MB))
        zf.writestr("bookings.csv", HEADER + FIRST)
    tracemalloc.start()
    try:
        raw = read_file(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(raw.frame) == 10
    assert peak < 10 * MB


def test_zip_with_too_many_members_gets_a_short_message(tmp_path):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(300):
            zf.writestr(f"part{i}.csv", HEADER)
    with overridden(zip_members=200):
        exc = refusal(path)
    assert str(exc) == (
        "many.zip: the archive holds 300 members, past 200 (limit) "
        "(first: part0.csv, part1.csv, part2.csv, part3.csv, part4.csv, …)"
    )


def test_ambiguous_zip_lists_a_few_members_and_the_count(tmp_path):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(50):
            zf.writestr(f"part{i}.csv", HEADER)
    exc = refusal(path)
    assert exc.problem.code == "zip-ambiguous"
    assert "50 data files (50 members: part0.csv, part1.csv, part2.csv, part3.csv, part4.csv, …)" in str(exc)


def test_password_protected_zip_names_the_member(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("bookings.csv", HEADER + FIRST)
    path = tmp_path / "locked.zip"
    path.write_bytes(set_encrypted_flag(buf.getvalue()))
    exc = refusal(path)
    assert exc.problem.code == "encrypted-archive"
    assert str(exc) == (
        "locked.zip: the zip archive is password-protected (member bookings.csv); "
        "extract it with its password and open the file inside"
    )


# -- workbooks ------------------------------------------------------------------------------------


def small_xlsx(path: Path, rows: int) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["ref", "name"])
    for i in range(rows):
        ws.append([f"R{i}", f"Name {i}"])
    wb.save(path)
    return path


def test_workbook_inflating_past_the_limit_is_refused_before_calamine_reads_it(tmp_path):
    path = small_xlsx(tmp_path / "big.xlsx", 3000)
    assert len(read_file(path).frame) == 3000
    with overridden(workbook_inflated_bytes=50_000):
        exc = refusal(path)
    assert exc.problem.code == "too-large"
    assert str(exc) == "big.xlsx: the workbook inflates past 50 KB (limit)"


def test_workbook_with_too_many_cells_is_refused_before_calamine_holds_them(tmp_path):
    """Dense sheet XML (15 bytes a cell) costs calamine and Python 60-100 bytes a cell: the cells
    are counted while the sheet streams."""
    path = small_xlsx(tmp_path / "dense.xlsx", 3000)  # 6,002 cells
    with overridden(workbook_cells=6_100):
        assert len(read_file(path).frame) == 3000
    with overridden(workbook_cells=5_000):
        assert str(refusal(path)) == "dense.xlsx: the workbook holds more than 5,000 cells (limit)"


def test_workbook_part_inflating_past_its_declared_size_is_refused(tmp_path):
    path = small_xlsx(tmp_path / "liar.xlsx", 3000)
    path.write_bytes(patch_declared_size(path.read_bytes(), "xl/worksheets/sheet1.xml", 100))
    exc = refusal(path)
    assert exc.problem.code == "corrupt-workbook"
    assert "xl/worksheets/sheet1.xml inflates past the 100 bytes the archive declares for it" in str(exc)


def test_encrypted_ods_says_password_protected(tmp_path):
    """LibreOffice keeps an encrypted ODS a zip with its mimetype and encrypts the parts; the
    manifest lists their encryption data."""
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
        '<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x">'
        '<manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-vector="x"/>'
        "</manifest:encryption-data></manifest:file-entry></manifest:manifest>"
    )
    path = tmp_path / "locked.ods"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("META-INF/manifest.xml", manifest)
        zf.writestr("content.xml", os.urandom(2000))
    exc = refusal(path)
    assert exc.problem.code == "encrypted-workbook"
    assert str(exc) == "locked.ods: the workbook is password-protected; save it without a password"


def test_default_limits_are_the_documented_ones():
    assert LIMITS.inflated_bytes == 2_000_000_000
    assert LIMITS.workbook_inflated_bytes == 1_000_000_000
    assert LIMITS.zip_members == 10_000


# -- huge cells -----------------------------------------------------------------------------------


def _best_time(fn, arg, repeat: int = 5) -> float:
    import time

    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn(arg)
        best = min(best, time.perf_counter() - t)
    return best


def test_normalizing_a_huge_upper_case_cell_is_linear():
    """A 100 KB upper-case status cell took 258 s: "([A-Z]+)([A-Z][a-z])" backtracked over every
    run of capitals.  16 times the text must cost about 16 times as much, not 256 times."""
    from booking_desktop.mapping.sniff import normalize_text

    assert normalize_text("checkInDate") == "check in date"
    assert normalize_text("HTMLParser") == "html parser"
    assert normalize_text("Guest name(s)") == "guest name"
    small, big = "A" * 4_000 + "b", "A" * 64_000 + "b"
    assert normalize_text(big) == "a" * 63_999 + " ab"
    ratio = _best_time(normalize_text, big) / _best_time(normalize_text, small)
    assert ratio < 80, f"64,000 characters cost {ratio:.0f}x 4,000 (quadratic is 256x)"


def test_huge_upper_case_status_cell_is_validated(tmp_path):
    """The suggested-mapping path looks at status values; the file is read, mapped and checked."""
    from booking_desktop.pipeline import run_to_end

    rows = [f"B-{i},Ann Lee,2024-01-02,2024-01-05,120.50,EUR,confirmed" for i in range(5)]
    rows[2] = rows[2].replace("confirmed", "A" * 100_000)
    path = tmp_path / "export.csv"
    path.write_text("booking id,guest,check in,check out,price,cur,state\n" + "\n".join(rows) + "\n")
    result = run_to_end(path)
    assert result.records == 5
    third = result.problems.frame.query("row == 2")
    assert ("status", "enum") in set(zip(third["field"], third["code"], strict=True))


# -- sparse workbooks: a few cells that calamine would hold as a huge grid ------------------------

_XLSX_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
    '+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
    'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
    '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
    'name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}


def _xlsx(path: Path, cells: str, dimension: str = "") -> Path:
    sheet = (
        '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dimension}<sheetData>{cells}</sheetData></worksheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in _XLSX_PARTS.items():
            zf.writestr(name, text)
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def _xcell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _ods(path: Path, rows: str) -> Path:
    content = (
        '<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:'
        'office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:'
        f'tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="S">{rows}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/manifest.xml", _ODS_MANIFEST)
        zf.writestr("content.xml", content)
    return path


_ODS_MANIFEST = (
    '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
    'spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def _ocell(text: str, repeat: int = 1) -> str:
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell{rep} office:value-type="string"><text:p>{text}</text:p></table:table-cell>'


def _refused_in_a_child(path: Path) -> str:
    """read_file in a child process under a 2 GB address-space ceiling: should the check regress,
    calamine's failed allocation aborts the child (Rust aborts, no exception), not the test run."""
    script = textwrap.dedent(
        f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (2_000_000_000, 2_000_000_000))
        from booking_desktop.readers import ReadError, read_file
        try:
            read_file({str(path)!r})
            print("read")
        except ReadError as exc:
            print(exc)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-500:]
    return out.stdout.strip()


def test_an_xlsx_cell_far_from_the_others_is_refused_before_calamine_builds_the_grid(tmp_path):
    """Regression: one cell at ZZ200000 beside two others made calamine allocate 140 million cells
    (4.5 GB) and abort the process."""
    cells = f'<row r="1">{_xcell("A1", "ref")}</row><row r="2">{_xcell("A2", "R1")}</row>'
    path = _xlsx(tmp_path / "far.xlsx", cells + f'<row r="200000">{_xcell("ZZ200000", "x")}</row>')
    assert _refused_in_a_child(path) == (
        "far.xlsx: the sheet's cells span 200,000 rows x 702 columns (to ZZ200000), 140,400,000 cells "
        "held as one grid, past 25,000,000 (limit)"
    )
    # a cell reference far below its own row's number, in one of the first 26 columns
    deep = _xlsx(tmp_path / "deep.xlsx", cells + '<row r="3"><c r="Z1048576"><v>1</v></c></row>')
    assert "span 1,048,576 rows x 26 columns (to Z1048576)" in _refused_in_a_child(deep)


def test_a_whole_sheet_dimension_with_few_cells_is_read(tmp_path):
    cells = f'<row r="1">{_xcell("A1", "ref")}</row><row r="2">{_xcell("A2", "R1")}</row>'
    path = _xlsx(tmp_path / "dim.xlsx", cells, '<dimension ref="A1:XFD1048576"/>')
    assert read_file(path).frame["ref"].tolist() == ["R1"]  # calamine ignores the dimension: so do we


def test_ods_repeated_rows_and_columns_are_counted_expanded(tmp_path):
    rows = f"<table:table-row>{_ocell('ref')}</table:table-row>"
    bomb = _ods(tmp_path / "rows.ods", rows + f'<table:table-row table:number-rows-repeated="1048576">'
                f"{_ocell('R1', 16384)}</table:table-row>")  # fmt: skip
    assert _refused_in_a_child(bomb) == (
        "rows.ods: the workbook's cells, with their repeats (table:number-rows-repeated / "
        "number-columns-repeated) expanded, are more than 25,000,000 (limit)"
    )
    tall = _ods(tmp_path / "tall.ods", rows + f'<table:table-row table:number-rows-repeated="5000">'
                f"{_ocell('R1')}</table:table-row>")  # fmt: skip
    with overridden(workbook_cells=4000):
        assert "are more than 4,000 (limit)" in str(refusal(tall))
    assert len(read_file(tall)) == 5000  # under the limit: every repeated row is a record


def test_libreoffice_empty_repeats_are_not_counted(tmp_path):
    """LibreOffice ends every row with an empty cell repeated to the last column and the sheet with a
    million empty rows: nothing calamine holds, so nothing counted."""
    empty_tail = '<table:table-cell table:number-columns-repeated="16000"/>'
    rows = "".join(
        f"<table:table-row>{_ocell(a)}{_ocell(b)}{empty_tail}</table:table-row>"
        for a, b in [("ref", "name"), ("R1", "Ana"), ("R2", "Ben")]
    )
    rows += f'<table:table-row table:number-rows-repeated="1048000">{empty_tail}</table:table-row>'
    path = _ods(tmp_path / "office.ods", rows)
    with overridden(workbook_cells=10):
        raw = read_file(path)
    assert raw.frame["name"].tolist() == ["Ana", "Ben"]


def test_an_ods_repeat_after_a_formula_holding_a_greater_than_sign_is_counted(tmp_path):
    """A quoted attribute value may hold ">" ("of:=[.A1]>0"): the repeat after it still counts."""
    cell = ('<table:table-cell table:formula="of:=[.A1]&gt;0 or [.B1]>0" table:number-columns-repeated="3000" '
            'office:value-type="float" office:value="1"/>')  # fmt: skip
    rows = f"<table:table-row>{_ocell('ref')}</table:table-row>"
    repeated = f'<table:table-row table:number-rows-repeated="20">{cell}</table:table-row>'
    path = _ods(tmp_path / "formula.ods", rows + repeated)
    with overridden(workbook_cells=50_000):
        assert "are more than 50,000 (limit)" in str(refusal(path))  # 20 x 3,000 = 60,000
