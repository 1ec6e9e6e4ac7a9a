"""`booking-desktop-cli validate`: what an operator or a script sees."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from cli_files import PROFILE

CSV = """Ref;Guest;Arrive;Leave;Pax;Total;Cur;State
A-001;Ana Silva;2024-05-01;2024-05-04;2;300.00;EUR;CNF
A-002;Ben Okafor;2024-05-02;2024-05-01;1;120.50;EUR;CNF
A-003;;2024-05-03;2024-05-05;2;99.999;EUR;CXL
A-001;Eva Rossi;2024-02-30;2024-03-02;0;80;USD;CNF
A-005;Hiro Tanaka;2024-06-01;2024-06-03;2;150;EUR;BLOCKED
"""


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "booking_desktop", *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture()
def vendor_file(tmp_path: Path) -> tuple[Path, Path]:
    f = tmp_path / "acme_may.csv"
    f.write_text(CSV, encoding="utf-8")
    p = tmp_path / "acme.yaml"
    p.write_text(PROFILE, encoding="utf-8")
    return f, p


def test_json_reports_each_problem_with_record_field_code_and_line(vendor_file):
    f, p = vendor_file
    out = cli("validate", str(f), "--profile", str(p), "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["file"].endswith("acme_may.csv")
    assert doc["format"] == "csv"
    assert doc["profile"] == "acme"
    assert doc["vendor"] == "ACME"
    assert doc["mapping"]["booking_ref"]
    assert (doc["records"], doc["valid"], doc["invalid"]) == (5, 1, 4)
    triples = {(e["row"], e["field"], e["code"]) for e in doc["errors"] if e["row"] is not None}
    assert {
        (2, "check_out", "date_order"),
        (3, "customer_name", "required"),
        (3, "amount", "precision"),
        (4, "booking_ref", "duplicate_ref"),
        (4, "check_in", "format"),
        (4, "adults", "range"),
        (5, "status", "enum"),
    } <= triples
    dup = next(e for e in doc["errors"] if e["code"] == "duplicate_ref")
    assert dup["location"] == "line 5" and dup["severity"] == "error" and dup["value"] == "A-001"
    assert doc["errors_by_code"]["duplicate_ref"] == 1
    # record 1 is clean
    assert not [e for e in doc["errors"] if e["row"] == 1 and e["severity"] == "error"]


def test_profile_is_detected_from_headers_when_not_given(vendor_file, tmp_path, monkeypatch):
    f, p = vendor_file
    monkeypatch.setenv("BOOKING_DESKTOP_DATA_DIR", str(tmp_path))
    from booking_desktop.pipeline import run_to_end

    result = run_to_end(f, profiles_dir=p.parent)
    assert result.profile is not None and result.profile.name == "acme"
    assert result.vendor == "ACME"


def test_vendor_option_overrides_profile(vendor_file):
    f, p = vendor_file
    doc = json.loads(cli("validate", str(f), "--profile", str(p), "--vendor", "ACME2", "--json").stdout)
    assert doc["vendor"] == "ACME2"


def test_without_profile_a_mapping_is_suggested(tmp_path):
    f = tmp_path / "unknown.csv"
    f.write_text(
        "Booking ID,Guest Name,Email,Check-in,Check-out,Adults,Total,Currency,Status\n"
        "B1,Ana Silva,ANA@EXAMPLE.COM,2024-05-01,2024-05-04,2,300.00,EUR,confirmed\n"
        "B2,Ben Okafor,ben@example.com,2024-05-02,2024-05-06,1,120.50,EUR,cancelled\n",
        encoding="utf-8",
    )
    out = cli("validate", str(f), "--vendor", "NEWCO", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["profile"] is None
    assert doc["mapping"]["booking_ref"] and doc["mapping"]["customer_email"]
    assert (doc["records"], doc["valid"]) == (2, 2), doc["errors"]


@pytest.mark.parametrize("suffix", [".csv", ".json", ".xlsx"])
def test_report_lists_every_problem(vendor_file, tmp_path, suffix):
    f, p = vendor_file
    report = tmp_path / f"report{suffix}"
    out = cli("validate", str(f), "--profile", str(p), "--report", str(report))
    assert out.returncode == 0, out.stderr
    if suffix == ".csv":
        frame = pd.read_csv(report)
    elif suffix == ".xlsx":
        frame = pd.read_excel(report, engine="calamine")
    else:
        frame = pd.DataFrame(json.loads(report.read_text(encoding="utf-8")))
    assert {"row", "field", "code", "message", "location"} <= set(frame.columns)
    assert ((frame["code"] == "duplicate_ref") & (frame["row"] == 4)).any()


def test_human_summary_names_counts_and_places(vendor_file):
    f, p = vendor_file
    out = cli("validate", str(f), "--profile", str(p))
    assert out.returncode == 0
    assert "records: 5" in out.stdout and "invalid: 4" in out.stdout
    assert "record 4 (line 5) booking_ref" in out.stdout


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("empty.csv", b"", "empty"),
        ("binary.csv", bytes(range(256)) * 4, "binary.csv"),
        ("data.bin", b"a,b\n1,2\n", "supported"),
        ("broken.json", b'[{"a": 1,', "broken.json"),
    ],
)
def test_unreadable_file_exits_2_with_one_line(tmp_path, name, content, needle):
    f = tmp_path / name
    f.write_bytes(content)
    out = cli("validate", str(f), "--json")
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], out.stderr
    assert "Traceback" not in out.stderr


def test_bad_profile_is_a_clear_error(vendor_file, tmp_path):
    f, _ = vendor_file
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nname: bad\nvendor: X\nfields:\n  chek_in: {column: Arrive}\n", encoding="utf-8")
    out = cli("validate", str(f), "--profile", str(bad))
    assert out.returncode == 2
    assert "bad.yaml" in out.stderr and "chek_in" in out.stderr
    assert "Traceback" not in out.stderr


# -- issue 9: files read but with nothing to map, --encoding, --output --------------------------


def run_main(capsys, monkeypatch, tmp_path, *args: str) -> tuple[int, str, str]:
    """The CLI in this process (a subprocess per case costs seconds of start-up)."""
    from booking_desktop.cli import main

    monkeypatch.setenv("BOOKING_DESKTOP_DATA_DIR", str(tmp_path / "data"))
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_file_with_nothing_to_map_exits_0_with_the_readers_own_notices(tmp_path, capsys, monkeypatch):
    f = tmp_path / "blank.csv"
    f.write_text("a,b,c\n,,\n,,\n", encoding="utf-8")
    code, out, err = run_main(capsys, monkeypatch, tmp_path, "validate", str(f))
    assert code == 0, err
    assert "blank-row" in out and "lines 2, 3" in out and "no-records" in out
    assert "no-mapping" in out and "nothing to map" in out
    assert "<profile>" not in out + err and "fields:" not in out + err  # no internal placeholder or YAML path


def test_nothing_to_map_in_json_mode_and_with_output(tmp_path, capsys, monkeypatch):
    f = tmp_path / "blank.csv"
    f.write_text("a,b,c\n,,\n", encoding="utf-8")
    rows = tmp_path / "rows.csv"
    code, out, err = run_main(capsys, monkeypatch, tmp_path, "validate", str(f), "--json", "--output", str(rows))
    assert code == 0, err
    doc = json.loads(out)
    assert (doc["records"], doc["mapping"]) == (0, {})
    assert {"blank-row", "no-records", "no-mapping"} <= {e["code"] for e in doc["errors"]}
    assert pd.read_csv(rows).empty and "record" in pd.read_csv(rows).columns  # header only


def test_a_json_array_of_arrays_validates_as_a_table(tmp_path, capsys, monkeypatch):
    p = tmp_path / "acme.yaml"
    p.write_text(PROFILE, encoding="utf-8")
    f = tmp_path / "acme.json"
    table = [line.split(";") for line in CSV.splitlines()]
    f.write_text(json.dumps(table), encoding="utf-8")
    code, out, err = run_main(capsys, monkeypatch, tmp_path, "validate", str(f), "--profile", str(p), "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert (doc["records"], doc["valid"], doc["invalid"]) == (5, 1, 4)
    dup = next(e for e in doc["errors"] if e["code"] == "duplicate_ref")
    assert (dup["row"], dup["location"]) == (4, "$[4]")


LATIN1 = "Ref;Guest;Arrive;Leave;Pax;Total;Cur;State\nA-001;Agliè Rossi;2024-05-01;2024-05-04;2;300.00;EUR;CNF\n"


def _customer(tmp_path, capsys, monkeypatch, *extra: str, profile: str = PROFILE) -> tuple[str, dict]:
    p = tmp_path / "acme.yaml"
    p.write_text(profile, encoding="utf-8")
    f = tmp_path / "latin1.csv"
    f.write_bytes(LATIN1.encode("latin_1"))
    rows = tmp_path / "rows.jsonl"
    code, out, err = run_main(
        capsys, monkeypatch, tmp_path, "validate", str(f), "--profile", str(p), "--json", "--output", str(rows), *extra
    )
    assert code == 0, err
    return json.loads(rows.read_text(encoding="utf-8").splitlines()[0])["customer_name"], json.loads(out)


def test_an_uncertain_encoding_is_reported_and_can_be_pinned(tmp_path, capsys, monkeypatch):
    name, doc = _customer(tmp_path, capsys, monkeypatch)
    assert name == "Agliè Rossi"
    (notice,) = [e for e in doc["errors"] if e["code"] == "encoding-uncertain"]
    assert "cp1250" in notice["message"] and "'Aglič'" in notice["message"]
    name, doc = _customer(tmp_path, capsys, monkeypatch, "--encoding", "cp1250")
    assert name == "Aglič Rossi"  # what the operator asked for, and no more doubt
    assert not [e for e in doc["errors"] if e["code"] == "encoding-uncertain"]


def test_the_profiles_encoding_pins_it_and_encoding_option_wins(tmp_path, capsys, monkeypatch):
    pinned = PROFILE.replace("signature:", "reader: {encoding: cp1250}\nsignature:")
    name, doc = _customer(tmp_path, capsys, monkeypatch, profile=pinned)
    assert name == "Aglič Rossi" and not [e for e in doc["errors"] if e["code"] == "encoding-uncertain"]
    name, _ = _customer(tmp_path, capsys, monkeypatch, "--encoding", "latin-1", profile=pinned)
    assert name == "Agliè Rossi"


def test_an_unknown_encoding_option_is_one_line(vendor_file, tmp_path, capsys, monkeypatch):
    f, _ = vendor_file
    code, out, err = run_main(capsys, monkeypatch, tmp_path, "validate", str(f), "--encoding", "klingon")
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        "booking-desktop-cli: unknown encoding 'klingon' (e.g. utf-8, cp1252, cp1250, iso8859-7)"
    ]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".xlsx"])
def test_output_writes_the_canonical_rows_with_record_status_and_problems(
    vendor_file, tmp_path, capsys, monkeypatch, suffix
):
    f, p = vendor_file
    rows = tmp_path / f"rows{suffix}"
    code, _, err = run_main(
        capsys, monkeypatch, tmp_path, "validate", str(f), "--profile", str(p), "--output", str(rows)
    )
    assert code == 0, err
    if suffix == ".csv":
        frame = pd.read_csv(rows, dtype=str, keep_default_na=False)
    elif suffix == ".xlsx":
        frame = pd.read_excel(rows, engine="calamine", dtype=str).fillna("")
    else:
        docs = [json.loads(line) for line in rows.read_text(encoding="utf-8").splitlines()]
        assert docs[0]["amount_minor"] == 30000 and docs[0]["customer_email"] is None  # JSON types kept
        frame = pd.DataFrame([{k: "" if v is None else str(v) for k, v in d.items()} for d in docs])
    assert frame["record"].tolist() == ["1", "2", "3", "4", "5"]
    assert frame["location"].tolist() == ["line 2", "line 3", "line 4", "line 5", "line 6"]
    assert frame["row_status"].tolist() == ["valid", "invalid", "invalid", "invalid", "invalid"]
    assert "booking_ref:duplicate_ref" in frame.loc[3, "problems"]
    first = frame.iloc[0]
    assert (first["vendor"], first["booking_ref"], first["status"]) == ("ACME", "A-001", "confirmed")
    assert (first["check_in"], first["check_out"], first["amount"], first["amount_minor"]) == (
        "2024-05-01",
        "2024-05-04",
        "300.00",
        "30000",
    )


def test_output_in_xlsx_never_turns_a_vendor_value_into_a_formula(tmp_path, capsys, monkeypatch):
    import openpyxl

    p = tmp_path / "acme.yaml"
    p.write_text(PROFILE, encoding="utf-8")
    f = tmp_path / "acme.csv"
    f.write_text(CSV.replace("Ana Silva", '=HYPERLINK("http://x","y")'), encoding="utf-8")
    rows = tmp_path / "rows.xlsx"
    code, _, err = run_main(
        capsys, monkeypatch, tmp_path, "validate", str(f), "--profile", str(p), "--output", str(rows)
    )
    assert code == 0, err
    ws = openpyxl.load_workbook(rows).active
    header = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=header.index("customer_name") + 1)
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x","y")', "s")


def test_output_with_an_unsupported_suffix_is_one_line(vendor_file, tmp_path, capsys, monkeypatch):
    f, p = vendor_file
    code, _, err = run_main(
        capsys, monkeypatch, tmp_path, "validate", str(f), "--profile", str(p), "--output", str(tmp_path / "r.txt")
    )
    assert code == 2 and "must end in .csv, .jsonl, .xlsx" in err


def test_records_whose_columns_map_to_nothing_exit_0_as_nothing_mapped(tmp_path, capsys, monkeypatch):
    # regression: a hashed booking_ref was suggested for any file, so such a file "validated" with
    # every row invalid and an invented reference instead of saying that nothing maps
    f = tmp_path / "prices.csv"
    f.write_text("colour,size,weight\nred,L,heavy\nblue,M,light\n", encoding="utf-8")
    code, out, err = run_main(capsys, monkeypatch, tmp_path, "validate", str(f))
    assert code == 0, err
    assert "nothing mapped" in out and "records: 2  columns: colour, size, weight" in out
    assert "no-mapping" in out and "none of its columns (colour, size, weight) could be mapped" in out
    assert "required" not in out and err == ""
    code, out, err = run_main(capsys, monkeypatch, tmp_path, "validate", str(f), "--json")
    doc = json.loads(out)
    assert (code, doc["records"], doc["mapping"], doc["valid"], doc["invalid"]) == (0, 2, {}, 0, 0)
    assert [e["code"] for e in doc["errors"]] == ["no-mapping"]
