"""Small files with the headers real vendors send (Airbnb's reservations export, Booking.com's
extranet reservation list, a channel manager's payout report), the values written the way
those exports write them.  The rows are made up; the headers and the shape of the values
are the point: the suggester is tested on what operators actually open."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from booking_desktop.readers.base import Locations, RawTable, SourceInfo

N = 60

FIRST = ["Anna", "Jonas", "Maria", "Pierre", "Yuki", "Carlos", "Emma", "Lars", "Sofia", "Ahmed", "Olga", "Liam"]
LAST = ["Schmidt", "Silva", "Dubois", "Tanaka", "Garcia", "Jensen", "Rossi", "Novak", "Haddad", "Brown"]


def table(columns: dict[str, list], path: str = "export.csv") -> RawTable:
    frame = pd.DataFrame({k: pd.Series(v, dtype="str") for k, v in columns.items()})
    lines = Locations("line {}", np.arange(2, len(frame) + 2, dtype=np.int64))
    return RawTable(frame, lines, SourceInfo(Path(path), "csv"))


def _cycle(values: list, n: int = N) -> list:
    return [values[i % len(values)] for i in range(n)]


def _names(n: int = N) -> list[str]:
    return [f"{FIRST[i % len(FIRST)]} {LAST[(i * 7) % len(LAST)]}" for i in range(n)]


def _stays(n: int = N, seed: int = 1) -> tuple[pd.Series, pd.Series, np.ndarray]:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-01-03") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    nights = rng.integers(1, 10, n)
    end = start + pd.to_timedelta(nights, unit="D")
    return pd.Series(start), pd.Series(end), nights


def airbnb(n: int = N) -> RawTable:
    """Airbnb's "Reservations" CSV export (host dashboard)."""
    start, end, nights = _stays(n)
    booked = start - pd.to_timedelta(np.arange(n) % 40 + 2, unit="D")
    us = "%-m/%-d/%Y"  # Airbnb writes US dates without leading zeros
    return table(
        {
            "Confirmation code": [f"HM{(i * 7919) % 99999999:08X}"[:10] for i in range(n)],
            "Status": _cycle(["Confirmed", "Confirmed", "Canceled by guest", "Past guest", "Currently hosting"], n),
            "Guest name": _names(n),
            "Contact": [f"+1 (415) 555-{1000 + i:04d}" for i in range(n)],
            "# of adults": _cycle(["2", "1", "2", "4", "3"], n),
            "# of children": _cycle(["0", "0", "1", "2", "0", "0"], n),
            "# of infants": _cycle(["0", "0", "0", "1"], n),
            "Start date": [d.strftime(us) for d in start],
            "End date": [d.strftime(us) for d in end],
            "# of nights": [str(k) for k in nights],
            "Booked": [d.strftime("%Y-%m-%d") for d in booked],
            "Listing": _cycle(["Sunny loft near the park", "Cosy studio, Old Town", "Seaview apartment"], n),
            "Earnings": [f"${float(k) * 87.5:,.2f}" for k in nights],
        },
        "reservations.csv",
    )


def booking_com(n: int = N) -> RawTable:
    """Booking.com's extranet reservations export (Reservations -> Download)."""
    start, end, nights = _stays(n, seed=2)
    booked = start - pd.to_timedelta(np.arange(n) % 60 + 1, unit="D")
    price = np.round(nights * 104.35, 2)
    return table(
        {
            "Book number": [str(4000000000 + i * 3571) for i in range(n)],
            "Booked by": [f"{LAST[(i * 7) % len(LAST)]}, {FIRST[i % len(FIRST)]}" for i in range(n)],
            "Guest name(s)": _names(n),
            "Check-in": [d.strftime("%Y-%m-%d") for d in start],
            "Check-out": [d.strftime("%Y-%m-%d") for d in end],
            "Booked on": [d.strftime("%Y-%m-%d %H:%M:%S") for d in booked + pd.to_timedelta(np.arange(n) * 37, "min")],
            "Status": _cycle(["ok", "ok", "cancelled_by_guest", "ok", "no_show"], n),
            "Rooms": _cycle(["1", "1", "2", "1"], n),
            "People": _cycle(["2", "3", "4", "2", "1"], n),
            "Adults": _cycle(["2", "2", "3", "2", "1"], n),
            "Children": _cycle(["0", "1", "1", "0", "0"], n),
            "Price": [f"{p:.2f} EUR" for p in price],
            "Commission %": _cycle(["15.00", "15.00", "17.00"], n),
            "Commission amount": [f"{p * 0.15:.2f} EUR" for p in price],
            "Payment status": _cycle(["Fully paid", "By guest", "Paid online"], n),
            "Payment method": _cycle(["Payments by Booking.com", "", "MasterCard"], n),
            "Remarks": _cycle(["", "Late arrival ~23:00", "", "Cot please", ""], n),
            "Booker group": _cycle(["Couple", "Family", "Solo traveller", "Group"], n),
            "Booker country": _cycle(["de", "nl", "gb", "us", "fr", "es", "it", "pt", "ch"], n),
            "Travel purpose": _cycle(["Leisure", "Business", ""], n),
            "Device": _cycle(["Mobile", "Desktop", "Tablet"], n),
            "Unit type": _cycle(["Double Room", "Twin Room with Sea View", "Family Suite"], n),
            "Duration (nights)": [str(k) for k in nights],
            "Cancellation date": _cycle(["", "", "2024-02-11", "", ""], n),
            "Address": _cycle(["Hauptstr. 5, 10115 Berlin", "Keizersgracht 12, Amsterdam", ""], n),
            "Phone number": _cycle(["+49 30 1234567", "+31 20 7654321", "+44 20 7946 0000", ""], n),
        },
        "booking_com_reservations.csv",
    )


def payout_report(n: int = N) -> RawTable:
    """A channel manager's payout report: money columns next to the stay's total, payout dates
    and ids next to the stay's, a database id next to the vendor's reservation number, the
    property's city and country as constant columns."""
    start, end, nights = _stays(n, seed=3)
    gross = np.round(nights * 96400.2 + 0.2, 4)  # forints: fees of 120069.2000 have phone-like digit counts
    payout = start + pd.to_timedelta(3, unit="D")
    return table(
        {
            "_id": [f"65a{i:021x}" for i in range(n)],
            "Reservation No": [f"R-{20240000 + i * 13}" for i in range(n)],
            "Hotel name": _cycle(["Hotel Miramar", "Hotel Miramar", "Casa Azul"], n),
            "City": _cycle(["Lisboa", "Lisboa", "Porto"], n),
            "Country": ["PT"] * n,
            "Guest": _names(n),
            "Guest country": _cycle(["DE", "GB", "FR", "US", "ES", "NL", "BR", "IT", "PT"], n),
            "Arrival": [d.strftime("%d/%m/%Y") for d in start],
            "Departure": [d.strftime("%d/%m/%Y") for d in end],
            "Payout date": [d.strftime("%d/%m/%Y") for d in payout],
            "Payout ID": [f"PO{77000 + i // 3}" for i in range(n)],
            "Rooms": _cycle(["1", "1", "2"], n),
            "Room": _cycle(["Double", "Suite", "Twin"], n),
            "Nights": [str(k) for k in nights],
            "Status": _cycle(["CNF", "CNF", "PND", "CXL", "NSH"], n),
            "Total price": [f"{g:.2f}" for g in gross],
            "Payment fee": [f"{g * 0.012:.4f}" for g in gross],
            "Host Fee": [f"{g * 0.03:.4f}" for g in gross],
            "Commission": [f"{g * 0.15:.2f}" for g in gross],
            "ADR": [f"{g / k:.4f}" for g, k in zip(gross, nights)],
            "Net of commission": [f"{g * 0.85:.2f}" for g in gross],
            "Exchange delta": [f"{(-0.0412 + i * 0.0007):.4f}" for i in range(n)],
            "Currency": ["HUF"] * n,
        },
        "payouts.csv",
    )
