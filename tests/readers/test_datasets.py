"""The real data sets read completely: row counts, byte-exact unpacking, trimmed cells, missing values."""

from __future__ import annotations

import pytest

from booking_desktop.readers import read_file

pytestmark = pytest.mark.datasets


def test_hotel_bookings_zip(datasets_dir):
    raw = read_file(datasets_dir / "hotel_bookings.zip")
    assert len(raw) == 119_390
    assert len(raw.columns) == 32
    assert raw.source.extra["member"] == "hotel_bookings.csv"
    # README: sha256 of the unzipped CSV
    assert raw.source.extra["content_sha256"] == "73e51427059600ddb9220f472ca8c6b24035c76a48eee7ce5ecc005e86f3fab0"
    f = raw.frame
    assert f["hotel"].iloc[0] == "Resort Hotel"  # padded with spaces in the file
    for col in raw.columns:
        values = f[col].dropna()
        assert not values.str.match(r"^\s|.*\s$").any(), col
        assert not values.isin(["NULL", "NA"]).any(), col
    assert f["company"].isna().sum() > 100_000  # "NULL" in the file
    assert f["children"].isna().sum() == 4  # "NA" in the file
    assert raw.locations[len(raw) - 1] == "line 119391"
    assert [p.code for p in raw.problems] == []


def test_hotel_reservations_gzip(datasets_dir):
    raw = read_file(datasets_dir / "hotel_reservations.csv.gz")
    assert len(raw) == 36_275
    assert raw.columns[0] == "Booking_ID"
    assert raw.source.extra["content_sha256"] == "3afabf9f36902ee415aeb8dd5c4dc1ccc5e67c105371a4882446a695619dc0ed"
    assert raw.frame["Booking_ID"].is_unique
    assert raw.frame["Booking_ID"].iloc[0] == "INN00001"
