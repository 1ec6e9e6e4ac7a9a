"""JSON: arrays, JSON Lines, nested records, flattening, record paths, malformed input."""

from __future__ import annotations

import json

import pytest

from booking_desktop.errors import ReadError
from booking_desktop.readers import read_file

from ._helpers import cells, codes, locations

NESTED = {
    "meta": {"exported": "2024-03-01", "hotels": [{"id": 1}]},
    "data": {
        "bookings": [
            {"ref": "B1", "amount": 1234.50, "guest": {"name": " Ann ", "tags": ["vip", "late"]}, "paid": True},
            {"ref": "B2", "amount": None, "guest": {"name": "Bob"}, "rooms": [{"type": "DBL"}], "paid": False},
            {"ref": "B3", "amount": 7, "extra": "NULL"},
        ]
    },
}


def test_array_of_objects(write):
    raw = read_file(write("a.json", json.dumps([{"ref": "B1", "n": 2}, {"ref": "B2", "x": "y"}])))
    assert raw.columns == ["ref", "n", "x"]
    assert cells(raw.frame) == [["B1", "2", None], ["B2", None, "y"]]
    assert locations(raw) == ["$[0]", "$[1]"]
    assert raw.source.record_path == "$"


def test_nested_records_are_found_and_flattened(write):
    text = json.dumps(NESTED).replace("1234.5", "1234.50")
    raw = read_file(write("a.json", text))
    assert raw.source.record_path == "$.data.bookings"
    assert raw.columns == ["ref", "amount", "guest.name", "guest.tags", "paid", "rooms", "extra"]
    assert cells(raw.frame) == [
        ["B1", "1234.50", "Ann", "vip; late", "true", None, None],
        ["B2", None, "Bob", None, "false", '[{"type": "DBL"}]', None],
        ["B3", "7", None, None, None, None, None],
    ]
    assert locations(raw) == ["$.data.bookings[0]", "$.data.bookings[1]", "$.data.bookings[2]"]


@pytest.mark.parametrize("path", ["$.meta.hotels", "meta.hotels", "$['meta']['hotels']"])
def test_record_path_pins_the_records(write, path):
    raw = read_file(write("a.json", json.dumps(NESTED)), {"record_path": path})
    assert cells(raw.frame) == [["1"]]
    assert raw.locations[0] == "$.meta.hotels[0]"


def test_record_path_not_found(write):
    with pytest.raises(ReadError, match=r"record_path 'data\.nope'") as exc:
        read_file(write("a.json", json.dumps(NESTED)), {"record_path": "data.nope"})
    assert exc.value.problem.code == "record-path-not-found"


def test_arrays_option_keeps_json_text(write):
    raw = read_file(write("a.json", json.dumps([{"tags": ["a", "b"]}])), {"arrays": "json"})
    assert cells(raw.frame) == [['["a", "b"]']]


def test_json_lines_with_line_locations(write):
    raw = read_file(write("a.ndjson", '{"ref": "B1"}\n\n{"ref": "B2", "n": 1}\n'))
    assert cells(raw.frame) == [["B1", None], ["B2", "1"]]
    assert locations(raw) == ["line 1", "line 3"]
    assert raw.source.format == "ndjson"


def test_json_lines_in_a_json_file_are_recognised(write):
    raw = read_file(write("a.json", '{"ref": "B1"}\n{"ref": "B2"}\n'))
    assert locations(raw) == ["line 1", "line 2"]


def test_malformed_json_names_line_and_column(write):
    with pytest.raises(ReadError) as exc:
        read_file(write("a.json", '[\n  {"ref": "B1"},\n  {"ref" "B2"}\n]'))
    assert exc.value.problem.code == "malformed-json"
    assert str(exc.value).startswith("a.json line 3 column 10: malformed JSON")


def test_malformed_json_lines_names_the_line(write):
    with pytest.raises(ReadError, match=r"a\.jsonl line 2 column"):
        read_file(write("a.jsonl", '{"ref": "B1"}\n{"ref": \n'))


def test_items_that_are_not_objects_are_skipped_with_a_warning(write):
    raw = read_file(write("a.json", '[{"ref": "B1"}, 42, {"ref": "B3"}]'))
    assert cells(raw.frame) == [["B1"], ["B3"]]
    assert locations(raw) == ["$[0]", "$[2]"]
    assert codes(raw) == ["not-a-record"]


def test_empty_array_has_no_records(write):
    raw = read_file(write("a.json", "[]"))
    assert len(raw) == 0 and codes(raw) == ["no-records"]


def test_a_single_flat_object_is_one_record(write):
    raw = read_file(write("a.json", '{"ref": "B1", "n": 2}'))
    assert cells(raw.frame) == [["B1", "2"]]


def test_document_without_an_array_of_objects_has_no_records(write):
    raw = read_file(write("a.json", '{"meta": {"ids": [1, 2, 3]}, "other": {"x": []}}'))
    assert len(raw) == 0 and codes(raw) == ["no-records"]
