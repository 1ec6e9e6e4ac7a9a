"""A vendor file with planted defects and its profile (one profile rule), for the review-queue tests."""

from __future__ import annotations

from pathlib import Path

PROFILE = """version: 1
name: {name}
vendor: {vendor}
fields:
  booking_ref: {{column: Ref}}
  customer_name: {{column: Guest}}
  check_in: {{column: Arrive}}
  check_out: {{column: Leave}}
  adults: {{column: Pax}}
  amount: {{column: Total}}
  currency: {{column: Cur}}
  status: {{constant: confirmed}}
rules:
  adults: {{max: 6}}
"""

HEADER = "Ref,Guest,Arrive,Leave,Pax,Total,Cur\n"
# planted defects: 2 leaves before it arrives, 4 has no adults, 5 has 9 adults (the profile allows 6),
# 6 has a date that does not exist, 8 repeats 1's reference, 9 has a formula-looking name and no currency
ROWS = [
    "H1,Ana Silva,2024-05-01,2024-05-04,2,300.00,EUR",
    "H2,Ben Okafor,2024-05-02,2024-05-01,1,120.50,EUR",
    "H3,Chloe Diaz,2024-05-03,2024-05-05,2,99.00,EUR",
    "H4,Dee Patel,2024-05-03,2024-05-06,0,80.00,EUR",
    "H5,Eve Moreau,2024-05-04,2024-05-07,9,410.00,EUR",
    "H6,Femi Ade,2024-02-30,2024-03-02,2,150.00,EUR",
    "H7,Gus Lind,2024-05-05,2024-05-06,1,60.00,EUR",
    "H1,Hana Sato,2024-05-06,2024-05-08,2,200.00,EUR",
    "H9,=HYPERLINK(x),2024-05-07,2024-05-09,2,95.00,",
    "H10,Ivo Horvat,2024-05-08,2024-05-10,2,130.00,EUR",
]
BAD_RECORDS = [2, 4, 5, 6, 8, 9]


def write_profile(folder: Path, name: str = "harbour", vendor: str = "HARBOUR") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / f"{name}.yaml"
    p.write_text(PROFILE.format(name=name, vendor=vendor), encoding="utf-8")
    return p


def write_file(folder: Path, name: str = "harbour.csv", rows: list[str] | None = None) -> Path:
    f = folder / name
    f.write_text(HEADER + "\n".join(ROWS if rows is None else rows) + "\n", encoding="utf-8")
    return f
