"""Generate the benchmark vendor files (not committed: bench/data/).

A realistic 12-column vendor export with ~2% defective cells, as CSV
(1,000,000 rows by default) and XLSX (100,000 rows), plus its profile.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"

PROFILE = """version: 1
name: bench_vendor
vendor: BENCH
description: Synthetic 12-column vendor export used by the benchmarks.
signature:
  columns: [Reservation No, Status, Guest Name, Email, Phone, Hotel, Room, Arrival, Departure, Adults, Total, Currency]
  min_match: 0.8
fields:
  booking_ref: {column: Reservation No}
  status: {column: Status, map: {CNF: confirmed, CXL: cancelled, NS: no_show}}
  customer_name: {column: Guest Name}
  customer_email: {column: Email}
  customer_phone: {column: Phone}
  property_name: {column: Hotel}
  room_type: {column: Room}
  check_in: {column: Arrival}
  check_out: {column: Departure}
  adults: {column: Adults}
  amount: {column: Total}
  currency: {column: Currency}
"""


def frame(n: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ref = pd.Series(np.char.add("R", np.char.zfill(np.arange(1, n + 1).astype(str), 9)))
    status = pd.Series(rng.choice(np.array(["CNF", "CXL", "NS", "confirmed"]), n))
    pick = rng.integers(0, 8, n)
    first = np.array(["Ana", "Ben", "Chloé", "Dmitri", "Eva", "Farid", "Grace", "Hiro"])[pick]
    mailbox = np.array(["ana", "ben", "chloe", "dmitri", "eva", "farid", "grace", "hiro"])[pick]
    last = rng.choice(np.array(["Silva", "Okafor", "Müller", "Ivanova", "Smith", "Tanaka", "Rossi"]), n)
    name = pd.Series(np.char.add(np.char.add(first, " "), last))
    email = pd.Series(np.char.add(mailbox, np.char.add(ref.to_numpy().astype("U"), "@example.com")))
    phone = pd.Series(np.char.add("+351 91", rng.integers(1000000, 9999999, n).astype(str)))
    hotel = pd.Series(rng.choice(np.array(["Lisbon Central", "Porto Riverside", "Algarve Beach"]), n))
    room = pd.Series(rng.choice(np.array(["DBL", "SGL", "TWN", "STE"]), n))
    start = np.datetime64("2024-01-01") + rng.integers(0, 700, n).astype("timedelta64[D]")
    nights = rng.integers(1, 15, n)
    arrival = pd.Series(np.datetime_as_string(start, unit="D"))
    departure = pd.Series(np.datetime_as_string(start + nights.astype("timedelta64[D]"), unit="D"))
    adults = pd.Series(rng.integers(1, 5, n).astype(str))
    cents = np.char.zfill(rng.integers(0, 100, n).astype(str), 2)
    total = pd.Series(np.char.add(np.char.add(rng.integers(40, 4000, n).astype(str), "."), cents))
    currency = pd.Series(rng.choice(np.array(["EUR", "EUR", "GBP", "USD"]), n))
    df = pd.DataFrame(
        {
            "Reservation No": ref, "Status": status, "Guest Name": name, "Email": email, "Phone": phone,
            "Hotel": hotel, "Room": room, "Arrival": arrival, "Departure": departure, "Adults": adults,
            "Total": total, "Currency": currency,
        }
    )
    # ~2% defective cells, spread over the checks the validator makes
    k = max(1, n // 300)
    for col, bad in [
        ("Email", "not-an-email"), ("Arrival", "2024-02-30"), ("Adults", "0"), ("Total", "-5.00"),
        ("Currency", "EUX"), ("Status", "WAITLIST"),
    ]:
        idx = rng.choice(n, k, replace=False)
        df.loc[idx, col] = bad
    df.loc[rng.choice(n, k, replace=False), "Guest Name"] = None
    return df


def write_csv(n: int, path: Path) -> Path:
    df = frame(n)
    pacsv.write_csv(pa.Table.from_pandas(df, preserve_index=False), path)
    return path


def write_xlsx(n: int, path: Path) -> Path:
    from openpyxl import Workbook

    df = frame(n, seed=11)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Bookings")
    ws.append(list(df.columns))
    for row in df.itertuples(index=False):
        ws.append(list(row))
    wb.save(path)
    return path


def ensure(kind: str, n: int) -> tuple[Path, Path]:
    DATA.mkdir(exist_ok=True)
    profile = DATA / "bench_vendor.yaml"
    profile.write_text(PROFILE, encoding="utf-8")
    path = DATA / f"bench_{n}.{kind}"
    if not path.exists():
        (write_csv if kind == "csv" else write_xlsx)(n, path)
    return path, profile


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--kind", choices=["csv", "xlsx"], default="csv")
    a = ap.parse_args()
    print(ensure(a.kind, a.rows)[0])
