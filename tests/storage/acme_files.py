"""A small vendor file and its profile, written by the storage tests that go through the real pipeline."""

from __future__ import annotations

from pathlib import Path

FIELDS = """fields:
  booking_ref: {column: Ref}
  customer_name: {column: Guest}
  check_in: {column: Arrive}
  check_out: {column: Leave}
  adults: {column: Pax}
  amount: {column: Total}
  currency: {column: Cur}
  status: {constant: confirmed}
"""

# record 2: departure before arrival; record 4: no adults
CSV = """Ref,Guest,Arrive,Leave,Pax,Total,Cur
A1,Ana Silva,2024-05-01,2024-05-04,2,300.00,EUR
A2,Ben Okafor,2024-05-02,2024-05-01,1,120.50,EUR
A3,Chloe Diaz,2024-05-03,2024-05-05,2,99.00,EUR
A4,Dee Patel,2024-05-03,2024-05-06,0,80.00,EUR
"""


def profile_text(name: str = "acme", vendor: str = "ACME") -> str:
    return f"version: 1\nname: {name}\nvendor: {vendor}\n{FIELDS}"


def write_profile(folder: Path, name: str = "acme", vendor: str = "ACME") -> Path:
    p = folder / f"{name}.yaml"
    p.write_text(profile_text(name, vendor), encoding="utf-8")
    return p


def write_acme(folder: Path) -> tuple[Path, Path]:
    """(acme.csv, acme.yaml)"""
    f = folder / "acme.csv"
    f.write_text(CSV, encoding="utf-8")
    return f, write_profile(folder)
