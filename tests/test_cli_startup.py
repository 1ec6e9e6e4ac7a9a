"""Start-up of the CLI: a command imports only its own libraries (timings: bench/bench_cli.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "booking_desktop" / "resources" / "samples" / "lisboa_pms_export.csv"


def test_validate_does_not_import_the_database_or_keyring_libraries():
    """Building every command's parser imported pymongo and keyring (0.8 s) for a validate."""
    script = (
        "import sys, contextlib, io\n"
        "from booking_desktop.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = main(['validate', {str(SAMPLE)!r}])\n"
        "print(code, sorted(m for m in ('pymongo', 'keyring', 'booking_desktop.storage') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "0 []"


def test_help_still_lists_every_command():
    out = subprocess.run(
        [sys.executable, "-m", "booking_desktop", "--help"], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr
    for command in ("validate", "import", "connections", "local-db"):
        assert command in out.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "booking_desktop", "nosuch"], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert bad.returncode == 2 and "invalid choice: 'nosuch'" in bad.stderr


def test_every_command_module_registers_the_name_it_is_listed_under():
    import argparse

    from booking_desktop.cli import COMMANDS, build_parser

    for name in COMMANDS:
        parser = build_parser(name)
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        assert list(sub.choices) == [name]


def test_validate_with_an_exact_profile_imports_neither_pycountry_nor_rapidfuzz():
    """pycountry's import looks its version up in the installed distributions (15 ms) and rapidfuzz
    (9 ms) only finds renamed columns: neither is needed to validate a file its profile fits."""
    script = (
        "import sys, contextlib, io\n"
        "from booking_desktop.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        f"    code = main(['validate', {str(SAMPLE)!r}, '--json'])\n"
        "import json; doc = json.loads(out.getvalue())\n"
        "print(code, doc['profile'], sorted(m for m in ('pycountry', 'rapidfuzz') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "0 lisboa_pms []"


def test_the_country_and_currency_tables_read_without_pycountry_are_pycountrys():
    import pycountry

    from booking_desktop.schema import iso_countries, iso_currencies

    assert [dict(c) for c in iso_countries()] == [{k: getattr(c, k) for k in c._fields} for c in pycountry.countries]
    assert [c["alpha_3"] for c in iso_currencies()] == [c.alpha_3 for c in pycountry.currencies]
    assert len(iso_countries()) > 240 and {"DE", "PT", "GB"} <= {c["alpha_2"] for c in iso_countries()}
