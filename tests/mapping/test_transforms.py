"""apply_mapping: each transform on small RawTables built in memory."""

from __future__ import annotations

import pandas as pd
import pytest

from booking_desktop.mapping import apply_mapping, canonical_fields

from ._helpers import profile, raw_table, triples


def mapped(columns, fields, vendor=None, **extra):
    return apply_mapping(raw_table(columns), profile(fields, **extra), vendor=vendor)


def values(m, field):
    return [None if pd.isna(v) else v for v in m.text[field].tolist()]


def test_frame_has_every_canonical_column_in_order_as_str():
    m = mapped({"Ref": ["A1", "A2"]}, {"booking_ref": {"column": "Ref"}})
    assert list(m.text.columns) == list(canonical_fields())
    assert all(str(t) == "str" for t in m.text.dtypes)
    assert values(m, "booking_ref") == ["A1", "A2"]
    assert values(m, "customer_email") == [None, None]  # unmapped -> NA
    assert values(m, "vendor") == ["TEST", "TEST"]
    assert m.mapping["booking_ref"] == "column Ref"


def test_vendor_argument_overrides_profile_vendor():
    m = mapped({"Ref": ["A1"]}, {"booking_ref": {"column": "Ref"}}, vendor="ACME")
    assert values(m, "vendor") == ["ACME"]
    assert m.mapping["vendor"] == "constant ACME"


def test_trim_always_and_blank_is_missing():
    m = mapped({"Ref": ["  A1 ", "   ", None]}, {"booking_ref": {"column": "Ref"}})
    assert values(m, "booking_ref") == ["A1", None, None]


def test_case_transforms():
    m = mapped(
        {"r": ["dlx king"], "n": ["ann LEE"], "c": ["EUR"]},
        {
            "room_type": {"column": "r", "case": "upper"},
            "customer_name": {"column": "n", "case": "title"},
            "currency": {"column": "c", "case": "lower"},
        },
    )
    assert values(m, "room_type") == ["DLX KING"]
    assert values(m, "customer_name") == ["Ann Lee"]
    assert values(m, "currency") == ["eur"]


def test_value_map_is_case_insensitive_on_trimmed_value_and_passes_unknown_values():
    m = mapped(
        {"s": ["Canceled", " not_canceled ", "CANCELED", "Weird", None]},
        {"status": {"column": "s", "map": {"Canceled": "cancelled", "Not_Canceled": "confirmed"}}},
    )
    assert values(m, "status") == ["cancelled", "confirmed", "cancelled", "Weird", None]
    assert len(m.problems) == 0  # unknown values are validation's business


def test_date_format_normalizes_and_keeps_unreadable_text():
    m = mapped({"d": ["31/12/2024", "31/02/2024", None]}, {"check_in": {"column": "d", "date_format": "%d/%m/%Y"}})
    assert values(m, "check_in") == ["2024-12-31", "31/02/2024", None]


def test_date_order_declared():
    m = mapped({"d": ["03/04/2024", "12/01/2025"]}, {"check_in": {"column": "d", "date_order": "mdy"}})
    assert values(m, "check_in") == ["2024-03-04", "2025-12-01"]


def test_undeclared_dates_detect_order_from_the_whole_column():
    m = mapped({"d": ["03/04/2024", "25/04/2024"]}, {"check_in": {"column": "d"}})
    assert values(m, "check_in") == ["2024-04-03", "2024-04-25"]
    assert "dmy detected" in m.mapping["check_in"]
    assert m.file_problems == []


def test_ambiguous_dates_are_left_raw_with_a_file_problem_saying_how_to_fix():
    m = mapped({"Arrival": ["03/04/2024", "05/06/2024"]}, {"check_in": {"column": "Arrival"}})
    assert values(m, "check_in") == ["03/04/2024", "05/06/2024"]
    (p,) = [p for p in m.file_problems if p.code == "ambiguous_date_format"]
    assert "'Arrival'" in p.message and "date_format" in p.message
    assert p.field == "check_in"


def test_iso_dates_need_no_declaration():
    m = mapped({"d": ["2024-03-01", "2024-03-02 00:00:00"]}, {"check_in": {"column": "d"}})
    assert values(m, "check_in") == ["2024-03-01", "2024-03-02"]
    assert m.file_problems == []


def test_datetime_format_for_booked_at():
    m = mapped({"c": ["01/03/2024 14:05", "bad"]}, {"booked_at": {"column": "c", "datetime_format": "%d/%m/%Y %H:%M"}})
    assert values(m, "booked_at") == ["2024-03-01T14:05:00", "bad"]


def test_date_parts_with_month_names_and_impossible_dates():
    m = mapped(
        {"y": ["2015", "2017", "2018"], "m": ["July", "feb", "2"], "d": ["1", "30", "29"]},
        {"check_in": {"date_parts": {"year": "y", "month": "m", "day": "d"}}},
    )
    assert values(m, "check_in") == ["2015-07-01", "2017-02-30", "2018-02-29"]
    assert m.mapping["check_in"] == "date from y/m/d"


def test_sum_and_product_are_exact_decimals_keeping_operand_precision():
    m = mapped(
        {"we": ["1", "0", "2"], "wk": ["2", "3", "5"], "rate": ["75.5", "0.10", "33.33"]},
        {"nights": {"sum": ["we", "wk"]}, "amount": {"product": ["rate", "@nights"]}},
    )
    assert values(m, "nights") == ["3", "3", "7"]
    assert values(m, "amount") == ["226.5", "0.30", "233.31"]
    assert m.mapping["amount"] == "product of rate × @nights"


def test_sum_with_a_non_number_is_a_transform_problem_with_the_raw_values():
    m = mapped({"we": ["1", "x"], "wk": ["2", "3"]}, {"nights": {"sum": ["we", "wk"]}})
    assert values(m, "nights") == ["3", None]
    assert triples(m.problems) == [(1, "nights", "transform")]
    assert m.problems.frame["value"][0] == "x + 3"


def test_number_locale_european_and_spaces_and_currency_symbols():
    m = mapped(
        {"t": ["1.234,56", "1 234,56", "€ 12,50", "12,5", "n/a"]},
        {"amount": {"column": "t", "number_locale": {"decimal": ",", "thousands": "."}}},
    )
    assert values(m, "amount") == ["1234.56", "1234.56", "12.50", "12.5", "n/a"]


def test_number_locale_applies_to_arithmetic_operands():
    m = mapped(
        {"rate": ["1.000,50"], "n": ["2"]},
        {"amount": {"product": ["rate", "n"], "number_locale": {"decimal": ",", "thousands": "."}}},
    )
    assert values(m, "amount") == ["2001.00"]


def test_constant_and_default():
    m = mapped(
        {"c": ["1", None, " "]},
        {"currency": {"constant": "EUR"}, "children": {"column": "c", "default": 0}},
    )
    assert values(m, "currency") == ["EUR"] * 3
    assert values(m, "children") == ["1", "0", "0"]


def test_concat_skips_missing_parts():
    m = mapped(
        {"f": ["Ann", None, "Bo", None], "l": ["Lee", "Kim", None, None]},
        {"customer_name": {"concat": ["f", "l"], "sep": " "}},
    )
    assert values(m, "customer_name") == ["Ann Lee", "Kim", "Bo", None]


@pytest.mark.parametrize(
    ("index", "expected"), [(0, ["+351 1", "x", None]), (1, ["+351 2", None, None]), (-1, ["+351 2", "x", None])]
)
def test_split_takes_a_part(index, expected):
    m = mapped(
        {"p": ["+351 1 / +351 2", "x", None]},
        {"customer_phone": {"column": "p", "split": {"sep": "/", "index": index}}},
    )
    assert values(m, "customer_phone") == expected


def test_date_add_derives_check_out_and_booked_at():
    m = mapped(
        {"d": ["2024-02-27", "2018-02-29"], "n": ["3", "2"], "lead": ["10", "1"]},
        {
            "check_in": {"column": "d"},
            "nights": {"column": "n"},
            "check_out": {"date_add": {"date": "@check_in", "days": "@nights"}},
            "booked_at": {"date_add": {"date": "@check_in", "days": "lead", "subtract": True}},
        },
    )
    assert values(m, "check_out") == ["2024-03-01", None]  # leap year; impossible check_in gives nothing
    assert values(m, "booked_at") == ["2024-02-17", None]


def test_missing_source_column_is_a_clear_file_problem_not_a_crash():
    m = mapped(
        {"Ref": ["A"], "arrival_year": ["2024"]},
        {
            "booking_ref": {"column": "Ref"},
            "room_type": {"column": "Room", "default": "STD"},
            "check_in": {"date_parts": {"year": "arrival_date_year", "month": "m", "day": "d"}},
        },
    )
    assert values(m, "room_type") == ["STD"]
    assert values(m, "check_in") == [None]
    missing = {p.value: p for p in m.file_problems if p.code == "missing_column"}
    assert set(missing) == {"Room", "arrival_date_year", "m", "d"}
    assert missing["Room"].severity == "warning"
    assert missing["arrival_date_year"].severity == "error"
    assert "renamed to 'arrival_year'?" in missing["arrival_date_year"].message


def test_columns_match_despite_padding_and_case():
    m = mapped({" Booking_ID  ": ["A"]}, {"booking_ref": {"column": "booking_id"}})
    assert values(m, "booking_ref") == ["A"]
    assert not [p for p in m.file_problems if p.code == "missing_column"]


def test_hash_refs_are_stable_prefixed_and_sized():
    cols = {"h": ["Resort", "Resort", "City"], "d": ["2015-07-01", "2015-07-02", "2015-07-01"]}
    fields = {"booking_ref": {"hash": ["h", "d"], "prefix": "HB-", "length": 16}}
    a = values(mapped(cols, fields), "booking_ref")
    b = values(mapped({"h": [" resort "], "d": ["2015-07-01"]}, fields), "booking_ref")
    assert len(set(a)) == 3
    assert all(r.startswith("HB-") and len(r) == 19 for r in a)
    assert b[0] == a[0]  # trimmed, case-insensitive, independent of the other rows
    # the value itself is fixed forever (blake2b of "resort<US>2015-07-01"): refs already stored
    # in MongoDB must come out the same on every machine and every later version
    assert a[0] == "HB-023ebb1114e43385"


def test_hash_numbers_identical_rows_so_refs_are_unique_and_order_independent():
    fields = {"booking_ref": {"hash": ["h", "d"], "number_duplicates": True}}
    a = values(mapped({"h": ["R", "R", "C"], "d": ["1", "1", "1"]}, fields), "booking_ref")
    b = values(mapped({"h": ["C", "R", "R"], "d": ["1", "1", "1"]}, fields), "booking_ref")
    assert len(set(a)) == 3
    assert set(a) == set(b)
    plain = values(mapped({"h": ["R", "R"], "d": ["1", "1"]}, {"booking_ref": {"hash": ["h", "d"]}}), "booking_ref")
    assert plain[0] == plain[1] == a[0]  # the first occurrence keeps the un-numbered ref


def test_at_field_references_resolve_in_dependency_order():
    m = mapped(
        {"a": ["1"], "b": ["2"], "r": ["10.25"]},
        {"amount": {"product": ["r", "@nights"]}, "nights": {"sum": ["a", "b"]}},
    )
    assert values(m, "amount") == ["30.75"]


def test_header_drift_is_reported_once_by_apply_mapping():
    p = profile(
        {"booking_ref": {"column": "Ref"}},
        signature={"columns": ["Ref", "Guest", "arrival_date_year"], "min_match": 0.5},
    )
    m = apply_mapping(raw_table({"Ref": ["A"], "Guest": ["x"], "arrival_year": ["2024"], "Extra": ["1"]}), p)
    drift = [x for x in m.file_problems if x.code == "header_drift"]
    assert len(drift) == 1
    assert "'arrival_date_year' -> 'arrival_year'" in drift[0].message and "new 'Extra'" in drift[0].message


def test_empty_and_all_missing_files_map_without_errors():
    fields = {
        "booking_ref": {"column": "a"},
        "customer_phone": {"column": "p", "split": {"sep": "/", "index": 1}},
        "status": {"column": "p", "map": {"x": "confirmed"}},
        "check_in": {"column": "d"},
        "nights": {"sum": ["a", "b"]},
        "amount": {"product": ["a", "@nights"]},
        "check_out": {"date_add": {"date": "@check_in", "days": "@nights"}},
    }
    empty = mapped({"a": [], "b": [], "p": [], "d": []}, fields)
    assert empty.text.shape == (0, len(canonical_fields()))
    blank = mapped({"a": [None], "b": [None], "p": [None], "d": [None]}, fields)
    assert blank.text.drop(columns="vendor").isna().all().all()
    assert len(empty.problems) == len(blank.problems) == 0 and blank.file_problems == []


def test_chunked_columns_from_concatenated_frames():
    # frames concatenated by a reader hold their columns in several arrow chunks
    raw = raw_table({"s": ["CNF"], "p": ["1/2"], "r": ["1.5"]})
    raw.frame = pd.concat([raw.frame, raw.frame], ignore_index=True)
    raw.locations = raw.locations.take([0, 0])
    m = apply_mapping(
        raw,
        profile(
            {
                "status": {"column": "s", "map": {"cnf": "confirmed"}},
                "customer_phone": {"column": "p", "split": {"sep": "/", "index": -1}},
                "amount": {"product": ["r", "r"]},
                "booking_ref": {"hash": ["s", "p"], "number_duplicates": True},
            }
        ),
    )
    assert values(m, "status") == ["confirmed", "confirmed"]
    assert values(m, "customer_phone") == ["2", "2"]
    assert values(m, "amount") == ["2.25", "2.25"]
    assert len(set(values(m, "booking_ref"))) == 2


def test_booked_at_without_format_uses_the_detected_order_or_reports_ambiguity():
    m = mapped({"c": ["03/04/2024 14:05", "13/04/2024 09:00"]}, {"booked_at": {"column": "c"}})
    assert values(m, "booked_at") == ["2024-04-03T14:05:00", "2024-04-13T09:00:00"]
    m = mapped({"c": ["03/04/2024 14:05", "05/04/2024 09:00"]}, {"booked_at": {"column": "c"}})
    assert values(m, "booked_at") == ["03/04/2024 14:05", "05/04/2024 09:00"]
    assert [p.code for p in m.file_problems] == ["ambiguous_date_format"]
