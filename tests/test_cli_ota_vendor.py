"""`booking-desktop-cli validate/import` of OpenTravel messages: the vendor of each row is its message's
sender; rows without one are checked, reported, and never imported under a made-up vendor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from readers import ota_messages as m

from booking_desktop.cli import main


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a.xml").write_text(m.RES_NOTIF, encoding="utf-8")
    (folder / "b.xml").write_text(m.ALPINEBITS, encoding="utf-8")
    return folder


def test_validate_names_the_senders_and_counts_the_rows_without_one(inbox, capsys):
    code, out, err = run_cli(capsys, "validate", str(inbox), "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert (doc["records"], doc["valid"], doc["invalid"], doc["vendor"]) == (4, 4, 0, "SITEMINDER")
    missing = [e for e in doc["errors"] if e["code"] == "vendor-missing"]
    assert len(missing) == 1 and missing[0]["message"].startswith("2 of 4 rows have no vendor")


def test_import_refuses_rows_without_a_vendor_and_commits_each_senders_rows(
    inbox, tmp_path, capsys, mongo_server, mongo_db, config_dir
):
    import zipfile

    db = ["--uri", mongo_server.uri, "--db", mongo_db.name]
    day = tmp_path / "day.zip"
    with zipfile.ZipFile(day, "w") as zf:
        for f in sorted(inbox.iterdir()):
            zf.write(f, f.name)
    code, _, err = run_cli(capsys, "import", str(day), *db, "--json")
    assert code == 2 and "2 row(s) have no vendor" in err and "Traceback" not in err
    assert mongo_db.bookings.count_documents({}) == 0  # nothing committed, nothing under "OTA"

    alone = tmp_path / "ab.xml"
    alone.write_text(m.ALPINEBITS, encoding="utf-8")
    code, _, err = run_cli(capsys, "import", str(alone), *db, "--json")
    assert code == 2 and "their own vendor (column Sender) is empty in every row" in err

    sent = tmp_path / "notif.xml"
    sent.write_text(m.RES_NOTIF, encoding="utf-8")
    code, _, err = run_cli(capsys, "import", str(sent), *db, "--json")
    assert code == 0, err
    stored = sorted((d["vendor"], d["booking_ref"]) for d in mongo_db.bookings.find({}))
    assert stored == [("SITEMINDER", "BDC-4711"), ("SITEMINDER", "BDC-4712")]

    code, _, err = run_cli(capsys, "import", str(alone), *db, "--vendor", "ALPINE-CM", "--json")
    assert code == 0, err
    vendors = sorted({d["vendor"] for d in mongo_db.bookings.find({}, {"vendor": 1})})
    assert vendors == ["ALPINE-CM", "SITEMINDER"]
