"""The sample vendor files in resources/samples: the right profile is found for each, and
mapping + validation report exactly the defects planted in them -- nothing caused by the
mapping itself."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from booking_desktop.mapping import apply_mapping, find_profile
from booking_desktop.readers import read_file
from booking_desktop.schema import load_schema
from booking_desktop.validation import validate


@pytest.fixture(scope="module")
def samples(repo_root):
    return repo_root / "booking_desktop" / "resources" / "samples"


# file -> (profile, records, {(record, field, code)} planted on purpose)
EXPECTED = {
    "lisboa_pms_export.csv": (
        "lisboa_pms",
        32,
        {
            (5, "check_in", "format"),
            (10, "customer_email", "format"),
            (14, "check_out", "date_order"),
            (18, "status", "enum"),
            (22, "booking_ref", "duplicate_ref"),
            (27, "amount", "range"),
        },
    ),
    "alpine_lodges_report.xlsx": (
        "alpine_lodges",
        40,
        {
            (4, "customer_name", "required"),
            (9, "children", "range"),
            (13, "check_out", "date_order"),
            (20, "amount", "precision"),
            (26, "currency", "format"),
            (32, "status", "enum"),
        },
    ),
    "citybreak_api_export.json": (
        "citybreak_api",
        30,
        {
            (3, "booking_ref", "required"),
            (7, "check_out", "date_order"),
            (12, "amount", "type"),
            (16, "customer_email", "format"),
            (19, "booked_at", "booked_after_check_in"),
            (24, "currency", "format"),
        },
    ),
    "nordic_channel_export.xml": (
        "nordic_channel",
        30,
        {
            (4, "customer_email", "format"),
            (9, "adults", "range"),
            (15, "check_in", "format"),
            (21, "customer_phone", "format"),
            (28, "amount", "required"),
        },
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_finds_its_profile_and_shows_only_the_planted_defects(samples, name):
    profile_name, records, planted = EXPECTED[name]
    raw = read_file(samples / name)
    match = find_profile(raw.columns)
    assert match is not None and match.profile.name == profile_name
    assert match.exact, match.describe()
    raw = read_file(samples / name, match.profile.reader_options())
    assert len(raw) == records  # title rows and the totals row of the workbook are not records
    mapped = apply_mapping(raw, match.profile)
    assert len(mapped.problems) == 0 and mapped.file_problems == []
    checked = validate(mapped.text, load_schema().rules(match.profile.rules))
    found = {(p.row, p.field, p.code) for p in checked.problems.problems()}
    assert found == planted


def test_lisboa_values_are_normalized(samples):
    raw = read_file(samples / "lisboa_pms_export.csv", {"delimiter": ";", "encoding": "cp1252"})
    match = find_profile(raw.columns)
    t = apply_mapping(raw, match.profile).text
    assert t["amount"][0] == raw.frame["Total (€)"][0].replace(".", "").replace(",", ".")
    assert t["check_in"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").sum() == 31  # all but the 30.02.2024
    assert t["booked_at"].str.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00").all()
    assert set(t["status"]) == {"confirmed", "cancelled", "no_show", "TBC"}
    assert any("ã" in n or "ç" in n or "é" in n or "ö" in n or "ü" in n for n in t["customer_name"].dropna())


def test_tsv_without_profile_matches_none_and_its_dates_prove_month_first(samples):
    from booking_desktop.mapping import detect_date_order

    raw = read_file(samples / "harbour_inn_reservations.tsv")
    assert raw.columns == ["Conf No", "Guest", "Arrival", "Departure", "Total", "Cur", "Status"]
    assert find_profile(raw.columns) is None
    decision = detect_date_order(raw.frame["Arrival"])
    assert decision.order == "mdy" and decision.mdy_evidence == 2 and decision.dmy_evidence == 0


def test_generator_reproduces_the_committed_files(samples, tmp_path):
    spec = importlib.util.spec_from_file_location("make_samples", samples / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_samples"] = module
    try:
        spec.loader.exec_module(module)
        assert module.main([str(tmp_path)]) == 0
    finally:
        sys.modules.pop("make_samples", None)
    made = sorted(p.name for p in tmp_path.iterdir())
    assert made == sorted([*EXPECTED, "harbour_inn_reservations.tsv"])
    for name in made:
        assert (tmp_path / name).read_bytes() == (samples / name).read_bytes(), name
