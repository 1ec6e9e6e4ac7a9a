"""PCI DSS: a payment card in an OTA message (number, security code, expiry, holder, token)
lands nowhere -- not in the frame, raw cells, mapped rows, problems, the journal, rejected
rows, logs, reports, CLI output or error messages.  Only card type and last four remain."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from booking_desktop.errors import ReadError
from booking_desktop.pipeline import run_to_end
from booking_desktop.readers import read_file
from booking_desktop.session.work_session import WorkSession
from booking_desktop.storage.imports import raw_cells

from . import ota_messages as m


def leaks(text: str) -> list[str]:
    return [s for s in m.SECRETS if s in text]


def everything_in(raw) -> str:
    cells = raw.frame.astype(object).to_string() + repr(raw.columns)
    return cells + " ".join(f"{p.location} {p.message}" for p in raw.problems) + repr(raw.source.extra)


@pytest.mark.parametrize("opts", [{}, {"ota": False}, {"record_path": "PaymentCard"}, {"record_path": "Guarantee"}])
def test_card_data_is_not_in_the_raw_table_whatever_the_reader(write, opts):
    raw = read_file(write("notif.xml", m.RES_NOTIF), opts)
    assert leaks(everything_in(raw)) == []
    assert len(raw) > 0
    assert "card-data-dropped" in [p.code for p in raw.problems]
    text = raw.frame.astype(object).to_string()
    assert "1111" in text and "4444" in text  # the last four are kept
    rows = [raw_cells(raw.frame, i) for i in range(len(raw))]  # what a rejected row stores
    assert leaks(json.dumps(rows)) == []


def test_soap_header_credentials_are_not_read(write):
    raw = read_file(write("retrieve.xml", m.SOAP_RETRIEVE))
    assert leaks(everything_in(raw)) == []


def test_card_data_is_not_in_the_mapped_rows_problems_or_journal(write, tmp_path):
    path = write("notif.xml", m.RES_NOTIF)
    result = run_to_end(path)
    assert result.profile is not None and result.profile.name == "ota_hotel_reservations"
    shown = result.text.astype(object).to_string() + result.problems.frame.astype(object).to_string()
    shown += " ".join(p.message for p in result.file_problems) + json.dumps(result.mapping)
    assert leaks(shown) == []
    session = WorkSession(result)
    journal = session.attach_journal(tmp_path / "journal")
    session.set_cells([(0, "customer_name", "Ana M. Silva")], "edit")
    session.set_cells([(1, "amount", "361.00")], "edit")
    written = journal.path.read_text(encoding="utf-8")
    assert "Ana M. Silva" in written
    assert leaks(written) == []


def test_a_broken_message_with_a_card_fails_without_quoting_it(write):
    broken = m.RES_NOTIF.replace("</PaymentCard>", "</PaymentCrd>", 1)
    with pytest.raises(ReadError) as exc:
        read_file(write("broken.xml", broken))
    assert exc.value.problem.code == "malformed-xml"
    assert "\n" not in str(exc.value) and leaks(str(exc.value)) == []


def test_cli_validate_output_report_and_log_hold_no_card_data(write, tmp_path):
    path = write("notif.xml", m.RES_NOTIF)
    env = {**os.environ, "BOOKING_DESKTOP_LOG_DIR": str(tmp_path / "logs")}
    outputs = []
    for args in (["--json"], ["--report", str(tmp_path / "r.csv")], ["--report", str(tmp_path / "r.json")]):
        argv = [sys.executable, "-m", "booking_desktop", "-v", "validate", str(path), *args]
        out = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env)
        assert out.returncode == 0, out.stderr
        outputs.append(out.stdout + out.stderr)
    doc = json.loads(outputs[0].splitlines()[0])
    assert doc["records"] == 2 and doc["valid"] == 2
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p != path]  # reports, logs (not the message)
    assert any(p.parent.name == "logs" for p in files)
    written = [p.read_text(encoding="utf-8", errors="replace") for p in files]
    assert (tmp_path / "r.csv").exists() and (tmp_path / "r.json").exists()
    assert leaks("\n".join(outputs + written)) == []
