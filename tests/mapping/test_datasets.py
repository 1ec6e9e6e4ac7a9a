"""End to end on the two real data sets: real reader -> shipped profile -> validation.

The mapping itself must cause no problem at all; every validation finding must be a
defect of the data, counted here independently from the raw cells."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from booking_desktop.mapping import apply_mapping, find_profile, load_profile
from booking_desktop.readers import read_file
from booking_desktop.schema import load_schema
from booking_desktop.validation import validate

pytestmark = pytest.mark.datasets


def run(path, name):
    raw = read_file(path)
    match = find_profile(raw.columns)
    assert match is not None and match.profile.name == name and match.exact
    profile = load_profile(name)
    mapped = apply_mapping(raw, profile)
    checked = validate(mapped.text, load_schema().rules(profile.rules))
    return raw, mapped, checked


def counts(checked) -> dict[tuple[str, str], int]:
    return checked.problems.frame.groupby(["field", "code"]).size().to_dict()


def num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="raise")


@pytest.fixture(scope="module")
def hotel_bookings(datasets_dir):
    return run(datasets_dir / "hotel_bookings.zip", "hotel_bookings")


@pytest.fixture(scope="module")
def hotel_reservations(datasets_dir):
    return run(datasets_dir / "hotel_reservations.csv.gz", "hotel_reservations")


def test_hotel_bookings_maps_without_mapping_problems(hotel_bookings):
    raw, mapped, _ = hotel_bookings
    assert len(mapped.text) == len(raw) == 119_390
    assert len(mapped.problems) == 0 and mapped.file_problems == []
    t = mapped.text
    # 31,994 rows of the file are exact duplicates of another row; numbering them keeps refs unique
    assert int(raw.frame.duplicated().sum()) == 31_994
    assert t["booking_ref"].is_unique and t["booking_ref"].str.fullmatch(r"HB-[0-9a-f]{16}").all()
    assert t["status"].value_counts().to_dict() == {"completed": 75_166, "cancelled": 43_017, "no_show": 1_207}
    assert t["check_in"].min() == "2015-07-01" and t["check_in"].max() == "2017-08-31"
    assert (t["currency"] == "EUR").all()


def test_hotel_bookings_findings_are_real_data_defects(hotel_bookings):
    raw, _, checked = hotel_bookings
    f = raw.frame
    nights = num(f["stays_in_weekend_nights"]) + num(f["stays_in_week_nights"])
    adr = pd.Series([Decimal(x) for x in f["adr"]])
    negative_amount = int(((adr * nights.astype(object)) < 0).sum())
    assert counts(checked) == {
        ("adults", "range"): int((num(f["adults"]) == 0).sum()),  # 403 bookings for zero adults
        ("nights", "range"): int((nights == 0).sum()),  # 715 zero-night stays...
        ("check_out", "date_order"): int((nights == 0).sum()),  # ...so check-out == check-in
        ("amount", "range"): negative_amount,  # a negative average daily rate
        ("country", "unknown_country"): int((f["country"] == "TMP").sum()),  # not ISO 3166 (Timor-Leste is TLS)
    }


def test_hotel_reservations_maps_without_mapping_problems(hotel_reservations):
    raw, mapped, _ = hotel_reservations
    assert len(mapped.text) == len(raw) == 36_275
    assert len(mapped.problems) == 0 and mapped.file_problems == []
    t = mapped.text
    assert t["booking_ref"].tolist() == raw.frame["Booking_ID"].tolist()
    assert set(t["status"]) == {"cancelled", "confirmed"}
    # amount = nightly price x nights, exact: spot-check against Python's decimal
    nights = num(raw.frame["no_of_weekend_nights"]) + num(raw.frame["no_of_week_nights"])
    for i in range(0, len(t), 997):
        want = Decimal(raw.frame["avg_price_per_room"][i]) * int(nights[i])
        assert Decimal(t["amount"][i]) == want


def test_hotel_reservations_findings_are_real_data_defects(hotel_reservations):
    raw, _, checked = hotel_reservations
    f = raw.frame
    nights = num(f["no_of_weekend_nights"]) + num(f["no_of_week_nights"])
    feb29 = int(((f["arrival_year"] == "2018") & (f["arrival_month"] == "2") & (f["arrival_date"] == "29")).sum())
    assert feb29 == 37
    zero_nights = int((nights == 0).sum())
    assert counts(checked) == {
        ("adults", "range"): int((num(f["no_of_adults"]) == 0).sum()),  # 139 bookings for zero adults
        ("check_in", "format"): feb29,  # 2018-02-29: 2018 is not a leap year
        ("check_out", "required"): feb29,  # check_out is derived from that impossible check_in
        ("nights", "range"): zero_nights,  # 78 zero-night stays...
        ("check_out", "date_order"): zero_nights,  # ...so check-out == check-in
    }
