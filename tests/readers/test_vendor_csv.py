"""CSV cases found on public test corpora (issue 9), each rebuilt as a small file.

csv-spectrum (BSD-2-Clause, github.com/max-mapper/csv-spectrum): ``newlines_crlf.csv``,
``escaped_quotes.csv``, ``empty.csv``; frictionless-py and pandas test data: rows of only
delimiters, ``#`` comment lines, a quoted field after padding (``1, "Test line 1"``).  The
hostile cases (stray byte-order marks, NUL bytes, huge cells, very wide files) are ours.
"""

from __future__ import annotations

import codecs

import pytest

from booking_desktop.errors import ReadError, Severity
from booking_desktop.readers import read_file
from booking_desktop.readers.cleaning import MAX_CELL_CHARS, MAX_COLUMNS

from ._helpers import cells, codes, locations


def test_rows_of_only_delimiters_are_skipped_with_a_notice_not_read_as_records(write):
    raw = read_file(write("b.csv", 'ref,name,n\nB1,Ann,1\n,,\nB2,Ben,2\n"","",""\n , ,\nB3,Cid,3\n'))
    assert cells(raw.frame) == [["B1", "Ann", "1"], ["B2", "Ben", "2"], ["B3", "Cid", "3"]]
    assert locations(raw) == ["line 2", "line 4", "line 7"]
    (notice,) = [p for p in raw.problems if p.code == "blank-row"]
    assert notice.severity == Severity.WARNING
    assert "3 row(s)" in notice.message and "lines 3, 5, 6" in notice.message
    assert notice.location == "b.csv line 3"


def test_a_short_row_of_delimiters_is_blank_not_ragged(write):
    # three commas under a five-column header: the exact parser runs, and the row is still just blank
    raw = read_file(write("b.csv", "ref,a,b,c,d\nB1,1,2,3,4\n,,,\nB2,1,2,3,4\n"))
    assert locations(raw) == ["line 2", "line 4"]
    assert codes(raw) == ["blank-row"]


def test_record_numbers_of_ragged_rows_follow_the_skipped_blank_rows(write):
    raw = read_file(write("b.csv", "ref,a,b\n,,\nB1,1\nB2,1,2\n"))
    (ragged,) = [p for p in raw.problems if p.code == "ragged-row"]
    assert (ragged.row, ragged.location) == (1, "b.csv line 3")


def test_a_comment_line_in_the_middle_is_skipped_and_reported(write):
    raw = read_file(write("b.csv", "ref,name,n\nB1,Ann,1\n# exported by PMS 4.2, page 2\nB2,Ben,2\n#note,,\n"))
    assert cells(raw.frame) == [["B1", "Ann", "1"], ["B2", "Ben", "2"]]
    (notice,) = [p for p in raw.problems if p.code == "comment-row"]
    assert "lines 3, 5" in notice.message
    assert "ragged-row" not in codes(raw)  # the comment's own commas do not make it a broken record


def test_a_hash_value_with_other_values_is_data(write):
    raw = read_file(write("b.csv", "ref,name\n#123,Ann\n"))
    assert cells(raw.frame) == [["#123", "Ann"]]
    assert codes(raw) == []


@pytest.mark.parametrize("pad", [" ", "  "])
def test_a_quoted_field_after_padding_is_unquoted_and_unescaped(write, pad):
    text = f'id,{pad}"text"\n1,{pad}"Test line 1"\n2,{pad}"say ""hi"", then go"\n3,plain\n'
    raw = read_file(write("b.csv", text))
    assert raw.columns == ["id", "text"]
    assert cells(raw.frame) == [["1", "Test line 1"], ["2", 'say "hi", then go'], ["3", "plain"]]
    assert locations(raw) == ["line 2", "line 3", "line 4"]
    assert "ragged-row" not in codes(raw)


def test_escaped_quotes_without_padding_keep_their_meaning(write):
    raw = read_file(write("b.csv", 'a,b\n1,"ha ""ha"" ha"\n3,4\n'))  # csv-spectrum escaped_quotes.csv
    assert cells(raw.frame) == [["1", 'ha "ha" ha'], ["3", "4"]]


@pytest.mark.parametrize("extra", ["", "8,9\n"], ids=["fast-path", "ragged-row-exact-path"])
def test_an_embedded_crlf_inside_a_quoted_value_is_kept_as_it_was(write, extra):
    # csv-spectrum newlines_crlf.csv (its .gitattributes checks it out with CRLF line ends)
    text = 'a,b,c\r\n1,2,3\r\n"Once upon \r\na time",5,6\r\n7,8,9\r\n' + extra.replace("\n", "\r\n")
    raw = read_file(write("b.csv", text))
    assert cells(raw.frame)[1] == ["Once upon \r\na time", "5", "6"]
    assert locations(raw)[:3] == ["line 2", "line 3", "line 5"]


def test_a_byte_order_mark_in_the_middle_is_removed_and_reported(write):
    data = codecs.BOM_UTF8 + b"ref,name\nR000000001,Ana\nR000000002,Ben\n" + codecs.BOM_UTF8 + b"R000000003,Cid\n"
    raw = read_file(write("b.csv", data))
    assert raw.frame["ref"].tolist() == ["R000000001", "R000000002", "R000000003"]
    (notice,) = [p for p in raw.problems if p.code == "encoding"]
    assert "byte-order mark" in notice.message and notice.location == "b.csv line 4"


def test_a_byte_order_mark_in_a_utf16_file_is_removed_too(write):
    text = "ref,name\nR1,Ana\n\ufeffR2,Ben\n"
    raw = read_file(write("b.csv", codecs.BOM_UTF16_LE + text.encode("utf-16-le")))
    assert raw.frame["ref"].tolist() == ["R1", "R2"]
    assert "encoding" in codes(raw)


def test_a_nul_byte_after_the_sniffed_start_is_removed_and_its_line_reported(write):
    body = b"".join(b"R%09d,Name %d\n" % (i, i) for i in range(1000))  # 19 KB: past the 8 KiB sniff
    raw = read_file(write("b.csv", b"ref,name\n" + body + b"R999,Bad\x00Name\n"))
    assert raw.frame["name"].iloc[-1] == "BadName"
    (notice,) = [p for p in raw.problems if p.code == "encoding"]
    assert "NUL" in notice.message and notice.location == "b.csv line 1002"


def test_nul_padding_at_the_end_is_reported_as_padding(write):
    raw = read_file(write("b.csv", b"ref,name\n" + b"R1,Ann\n" * 2000 + b"\x00" * 50_000))
    assert len(raw) == 2000
    (notice,) = [p for p in raw.problems if p.code == "encoding"]
    assert "ends with 50,000 NUL" in notice.message and notice.location == "b.csv line 2001"


def test_many_nul_bytes_past_a_text_start_are_a_binary_file(write):
    data = b"ref,name\n" + b"R1,Ann\n" * 2000 + b"\x00\x01\x02\x03" * 2000 + b"R2,Ben\n"
    with pytest.raises(ReadError) as exc:
        read_file(write("b.csv", data))
    assert exc.value.problem.code == "binary-file"
    assert "line 2002" in str(exc.value)


@pytest.mark.parametrize("quoted", [False, True])
def test_a_cell_past_the_size_limit_is_refused_with_its_line(write, quoted):
    big = "x" * (MAX_CELL_CHARS + 1)
    value = f'"{big}"' if quoted else big
    with pytest.raises(ReadError) as exc:
        read_file(write("b.csv", f"ref,notes\nR1,ok\nR2,{value}\nR3,ok\n"))
    assert exc.value.problem.code == "cell-too-large"
    assert str(exc.value).startswith("b.csv line 3:")


def test_a_multiline_cell_past_the_size_limit_is_refused(write):
    big = "word\n" * (MAX_CELL_CHARS // 5 + 1)
    with pytest.raises(ReadError) as exc:
        read_file(write("b.csv", f'ref,notes\nR1,"{big}"\nR2,ok\n'))
    assert exc.value.problem.code == "cell-too-large"
    assert "line 2" in str(exc.value)


def test_a_cell_at_the_size_limit_is_read(write):
    big = "é" * MAX_CELL_CHARS  # 2 bytes a character: the limit counts characters
    raw = read_file(write("b.csv", f"ref,notes\nR1,{big}\nR2,ok\n"))
    assert raw.frame["notes"].str.len().tolist() == [MAX_CELL_CHARS, 2]


def test_too_many_columns_are_refused_before_parsing(write):
    n = MAX_COLUMNS + 1
    header = ",".join(f"c{i}" for i in range(n))
    with pytest.raises(ReadError) as exc:
        read_file(write("b.csv", header + "\n" + ",".join("1" * n) + "\n"))
    assert exc.value.problem.code == "too-many-columns"
    assert f"{n:,} columns" in str(exc.value)
