"""A mapping chosen in a session gives what the CLI gives for the same file and profile.

Regression: the CLI pipeline and the session's remap each mapped and validated on their own; the
pipeline put the vendor the operator named before the profile's, the remap the profile's first, so
a file opened with a vendor and then given a profile reported the profile's vendor while its rows
held the named one.  Both now go through ``pipeline.map_and_validate``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from cli_files import PROFILE

from booking_desktop.generators import drive
from booking_desktop.mapping import load_profile
from booking_desktop.session.loading import load_session

CSV = """Ref;Guest;Arrive;Leave;Pax;Total;Cur;State
A-001;Ana Silva;2024-05-01;2024-05-04;2;300.00;EUR;CNF
A-002;Ben Okafor;2024-05-02;2024-05-01;1;120.50;EUR;CNF
A-003;;2024-05-03;2024-05-05;2;99.999;EUR;CXL
A-001;Eva Rossi;2024-02-30;2024-03-02;0;80;USD;CNF
A-005;Hiro Tanaka;2024-06-01;2024-06-03;2;150;EUR;BLOCKED
"""


@pytest.fixture
def files(tmp_path: Path, monkeypatch) -> tuple[Path, Path, Path]:
    monkeypatch.setenv("BOOKING_DESKTOP_DATA_DIR", str(tmp_path / "data"))
    f = tmp_path / "acme_may.csv"
    f.write_text(CSV, encoding="utf-8")
    p = tmp_path / "acme.yaml"
    p.write_text(PROFILE, encoding="utf-8")
    empty = tmp_path / "no_profiles"
    empty.mkdir()
    return f, p, empty


def cli_json(capsys, *args: str) -> dict:
    from booking_desktop.cli import main

    assert main(["validate", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def session_facts(session) -> dict:
    """What the CLI reports, computed from the session's frames (not from its counters)."""
    r = session.result
    f = r.problems.frame
    errors = f[f["severity"] == "error"]
    return {
        "vendor": r.vendor,
        "records": len(r.text),
        "invalid": int(errors["row"].nunique()),
        "by_code": {str(k): int(v) for k, v in f["code"].value_counts().items()},
        "cells": {(int(row) + 1, str(fld), str(code)) for row, fld, code in zip(f["row"], f["field"], f["code"])},
        "file_codes": sorted(p.code for p in r.file_problems),
    }


def cli_facts(doc: dict) -> dict:
    cells = [e for e in doc["errors"] if e["row"] is not None]
    return {
        "vendor": doc["vendor"],
        "records": doc["records"],
        "invalid": doc["invalid"],
        "by_code": dict(pd.Series([e["code"] for e in cells], dtype=object).value_counts().astype(int)),
        "cells": {(e["row"], e["field"], e["code"]) for e in cells},
        "file_codes": sorted(e["code"] for e in doc["errors"] if e["row"] is None),
    }


def opened(path: Path, profiles_dir: Path, vendor: str | None = None):
    loaded = drive(load_session(path, profiles_dir=profiles_dir, vendor=vendor))
    return loaded.session


def test_a_profile_chosen_after_a_suggestion_counts_like_the_cli(files, capsys):
    f, p, empty = files
    session = opened(f, empty)
    assert session.result.profile is None  # nothing matched: a suggested mapping
    session.remap(load_profile(p))
    ours = session_facts(session)
    theirs = cli_facts(cli_json(capsys, str(f), "--profile", str(p)))
    assert ours == theirs
    assert (ours["vendor"], ours["records"], ours["invalid"]) == ("ACME", 5, 4)


def test_a_named_vendor_wins_over_the_profile_chosen_later_like_on_the_cli(files, capsys):
    f, p, empty = files
    session = opened(f, empty, vendor="ACME2")
    session.remap(load_profile(p))
    theirs = cli_facts(cli_json(capsys, str(f), "--profile", str(p), "--vendor", "ACME2"))
    assert session_facts(session) == theirs
    assert theirs["vendor"] == "ACME2"
    assert set(session.result.text["vendor"]) == {"ACME2"}  # what the rows hold is what is reported


def test_a_changed_profile_applied_to_a_detected_one_counts_like_the_cli(files, capsys, tmp_path):
    f, p, _empty = files
    session = opened(f, p.parent)
    assert session.result.profile is not None and session.result.profile.name == "acme"
    changed = tmp_path / "changed" / "acme.yaml"
    changed.parent.mkdir()
    changed.write_text(PROFILE.replace("CXL: cancelled}", "CXL: cancelled, BLOCKED: confirmed}"), encoding="utf-8")
    session.remap(load_profile(changed))
    ours = session_facts(session)
    assert ours == cli_facts(cli_json(capsys, str(f), "--profile", str(changed)))
    assert (5, "status", "enum") not in ours["cells"]  # the change took effect
