"""JSON cases from public test corpora (frictionless-py's array-of-arrays tables, pandas'
``orient="split"``) and hostile content: a byte-order mark between records, a huge string."""

from __future__ import annotations

import codecs

import pytest

from booking_desktop.errors import ReadError
from booking_desktop.readers import read_file
from booking_desktop.readers.cleaning import MAX_CELL_CHARS

from ._helpers import cells, codes, locations


def test_an_array_of_arrays_is_a_table_whose_first_array_is_the_header(write):
    raw = read_file(write("a.json", '[["ref", "guest", "n"], ["B1", "Ann", 2], ["B2", "Ben", 1.50]]'))
    assert raw.columns == ["ref", "guest", "n"]
    assert cells(raw.frame) == [["B1", "Ann", "2"], ["B2", "Ben", "1.50"]]
    assert locations(raw) == ["$[1]", "$[2]"]
    assert codes(raw) == []


def test_short_and_long_rows_of_an_array_table_are_reported(write):
    raw = read_file(write("a.json", '[["ref", "n"], ["B1"], ["B2", 1, {"x": 1}], ["B3", [1, 2]]]'))
    assert cells(raw.frame) == [["B1", None], ["B2", "1"], ["B3", "[1, 2]"]]
    ragged = [p for p in raw.problems if p.code == "ragged-row"]
    assert [(p.row, p.location) for p in ragged] == [(1, "a.json $[1]"), (2, "a.json $[2]")]


def test_an_array_of_number_arrays_is_not_taken_for_a_header(write):
    raw = read_file(write("a.json", "[[1, 2], [3, 4]]"))
    assert len(raw) == 0 and "not-a-record" in codes(raw)


def test_nested_values_keep_their_numbers_as_json_numbers(write):
    raw = read_file(write("a.json", '[{"ref": "B1", "rooms": [{"n": 2, "rate": 99.50}]}]'))
    assert raw.frame["rooms"].iloc[0] == '[{"n": 2, "rate": 99.50}]'  # not {"n": "2"}


def test_pandas_split_orient_is_a_table(write):
    raw = read_file(
        write("a.json", '{"columns": ["ref", "guest"], "index": [0, 1], "data": [["B1", "Ann"], ["B2", null]]}')
    )
    assert cells(raw.frame) == [["B1", "Ann"], ["B2", None]]
    assert locations(raw) == ["$.data[0]", "$.data[1]"]


def test_a_byte_order_mark_between_records_and_inside_a_value_is_removed(write):
    data = b'[{"ref": "B1"},\n' + codecs.BOM_UTF8 + b'{"ref": "' + codecs.BOM_UTF8 + b'B2"}]'
    raw = read_file(write("a.json", data))
    assert raw.frame["ref"].tolist() == ["B1", "B2"]
    (notice,) = [p for p in raw.problems if p.code == "encoding"]
    assert "byte-order mark" in notice.message and notice.location == "a.json line 2"


@pytest.mark.parametrize("escape", ["", '\\"', "\\\\"])
def test_a_string_past_the_cell_limit_is_refused_before_parsing(write, escape):
    big = escape + "x" * (MAX_CELL_CHARS + 1)
    with pytest.raises(ReadError) as exc:
        read_file(write("a.json", '[{"ref": "B1", "notes": "ok"},\n {"ref": "B2", "notes": "' + big + '"}]'))
    assert exc.value.problem.code == "cell-too-large"
    assert str(exc.value).startswith("a.json line 2 column 25:")


def test_escaped_quotes_do_not_hide_a_string_boundary(write):
    # many escaped quotes and backslashes, every string short: read normally
    value = 'say \\"hi\\" \\\\' * 20
    body = ",".join(f'{{"ref": "B{i}", "notes": "{value}"}}' for i in range(5000))
    raw = read_file(write("a.json", f"[{body}]"))
    assert len(raw) == 5000 and raw.frame["notes"].iloc[0] == 'say "hi" \\' * 20


def test_a_long_string_in_a_utf16_file_is_refused_too(write):
    text = '[{"ref": "B1", "notes": "' + "x" * (MAX_CELL_CHARS + 1) + '"}]'
    with pytest.raises(ReadError) as exc:
        read_file(write("a.json", codecs.BOM_UTF16_LE + text.encode("utf-16-le")))
    assert exc.value.problem.code == "cell-too-large"
