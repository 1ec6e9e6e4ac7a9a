"""Typed values read in the file's own formats (Qt-free): each value the file's format reads becomes
exactly what the same text becomes when it is in the file; canonical values and values with anything
but a number or a date in them stay as typed."""

from __future__ import annotations

import pytest

from booking_desktop.mapping import MappingProfile
from booking_desktop.pipeline import run_to_end
from booking_desktop.session import WorkSession

PROFILE = {
    "version": 1,
    "name": "dotted",
    "vendor": "DOTS",
    "fields": {
        "booking_ref": {"column": "Ref"},
        "status": {"column": "Status"},
        "customer_name": {"column": "Guest"},
        "property_name": {"column": "Hotel"},
        "check_in": {"column": "Arrive", "date_format": "%d.%m.%Y"},
        "check_out": {"column": "Depart", "date_order": "dmy"},
        "booked_at": {"column": "Booked", "datetime_format": "%d.%m.%Y %H:%M"},
        "adults": {"column": "Adults", "number_locale": {"decimal": ",", "thousands": "."}},
        "amount": {"column": "Total", "number_locale": {"decimal": ",", "thousands": "."}},
        "currency": {"column": "Cur"},
    },
}
HEADER = "Ref;Status;Guest;Hotel;Arrive;Depart;Booked;Adults;Total;Cur\n"
ROW = "R{i};confirmed;Ann;H;{arrive};{depart};{booked};{adults};{total};EUR\n"
COLUMN = {"check_in": "arrive", "check_out": "depart", "booked_at": "booked", "adults": "adults", "amount": "total"}
BASE = {"arrive": "01.03.2024", "depart": "04.03.2024", "booked": "01.02.2024 10:00", "adults": "2", "total": "10,00"}

READ_BY_THE_FILE = [  # (field, typed): the file's format reads it
    ("check_in", "05.03.2024"),
    ("check_in", "5.3.2024"),
    ("check_out", "06/03/2024"),
    ("check_out", "6-3-2024"),
    ("booked_at", "01.02.2024 09:30"),
    ("adults", "1.000"),
    ("amount", "1.250,00"),
    ("amount", "-12,5"),
    ("amount", "(7,25)"),
]
KEPT = [  # (field, typed): canonical, or nothing the file's format may read
    ("check_in", "2024-03-05"),
    ("check_in", "31.02.2024"),
    ("check_out", "06/03/2024, late"),
    ("booked_at", "2024-02-01T09:30:00"),
    ("adults", "3"),
    ("amount", "1300.00"),
    ("amount", "1.2O0,00"),
    ("amount", "EUR 12,50"),
    ("amount", "12,3,4"),
]


@pytest.fixture
def session(tmp_path):
    path = tmp_path / "dotted.csv"
    path.write_text(HEADER + ROW.format(i=1, **BASE), encoding="utf-8")
    return WorkSession.from_result(run_to_end(path, profile=MappingProfile.from_dict(PROFILE)))


def as_in_the_file(tmp_path, field: str, text: str) -> str | None:
    """The canonical text the real pipeline makes of ``text`` written in the file itself."""
    path = tmp_path / f"one_{abs(hash((field, text)))}.csv"
    path.write_text(HEADER + ROW.format(i=2, **{**BASE, COLUMN[field]: text}), encoding="utf-8")
    v = run_to_end(path, profile=MappingProfile.from_dict(PROFILE)).text[field].iat[0]
    return None if v is None or v != v else str(v)


@pytest.mark.parametrize(("field", "typed"), READ_BY_THE_FILE)
def test_a_value_the_files_format_reads_becomes_what_the_file_would_make_of_it(session, tmp_path, field, typed):
    session.set_cell(0, field, typed)
    got = session.value(0, field)
    assert got == as_in_the_file(tmp_path, field, typed) and got != typed
    assert session.last_input_notes and f"{typed!r} read as {got}" in session.last_input_notes[0]
    f = session.result.problems.frame
    codes = set(f.loc[(f["row"] == 0) & (f["field"] == field), "code"])
    assert not codes & {"format", "type"}  # it reads as a date or a number (1000 adults is out of range)


@pytest.mark.parametrize(("field", "typed"), KEPT)
def test_canonical_and_unreadable_values_stay_as_typed(session, field, typed):
    session.set_cell(0, field, typed)
    assert session.value(0, field) == typed


def test_a_paste_reads_each_value_and_undo_is_one_step(session):
    before = {f: session.value(0, f) for f in ("check_in", "amount", "adults")}
    session.set_cells([(0, "check_in", "07.03.2024"), (0, "amount", "99,90"), (0, "adults", "x")], "Paste 1 × 3")
    assert [session.value(0, f) for f in ("check_in", "amount", "adults")] == ["2024-03-07", "99.90", "x"]
    assert any("'x' kept as typed" in n for n in session.last_input_notes)
    session.undo()
    assert {f: session.value(0, f) for f in before} == before


def test_without_a_profile_input_is_taken_as_typed(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("booking_ref,check_in,total,currency\nR1,2024-03-01,10.00,EUR\n", encoding="utf-8")
    s = WorkSession.from_result(run_to_end(path))
    s.set_cell(0, "amount", "1.250,00")  # the suggestion read the column with a decimal point
    assert s.value(0, "amount") == "1.250,00"
