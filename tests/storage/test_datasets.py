"""End to end on a real data set: file -> pipeline -> CLI import -> MongoDB, exactly once."""

from __future__ import annotations

import json

import pytest

from booking_desktop.cli import main

pytestmark = [pytest.mark.slow, pytest.mark.datasets]


def test_hotel_reservations_import_and_reimport(datasets_dir, mongo_server, mongo_db, config_dir, capsys):
    path = datasets_dir / "hotel_reservations.csv.gz"
    if not path.exists():
        pytest.skip(f"{path.name} not in {datasets_dir}")
    args = [
        "import",
        str(path),
        "--profile",
        "hotel_reservations",
        "--uri",
        mongo_server.uri,
        "--db",
        mongo_db.name,
        "--batch-size",
        "2000",
        "--json",
    ]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["status"] == "completed" and first["records"] == 36275
    assert first["inserted"] + first["rejected"] == first["records"] and first["updated"] == 0
    assert mongo_db.bookings.count_documents({}) == first["inserted"]
    assert mongo_db.rejected_rows.count_documents({}) == first["rejected"] > 0
    row = mongo_db.rejected_rows.find_one()
    assert row["errors"] and row["raw"] and row["location"]
    doc = mongo_db.bookings.find_one({"booking_ref": "INN00001"})
    assert doc["amount_minor"] == 19500 and doc["currency"] == "EUR"

    assert main(args) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["inserted"], again["updated"], again["unchanged"], again["rejected"]) == (
        0,
        0,
        first["inserted"],
        first["rejected"],
    )
    assert mongo_db.bookings.count_documents({}) == first["inserted"]
    assert mongo_db.rejected_rows.count_documents({}) == first["rejected"]
