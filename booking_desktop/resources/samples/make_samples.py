"""Write the sample vendor exports a new user opens first.

    python booking_desktop/resources/samples/make_samples.py [folder]

Five small files in the shapes vendors really send, each with a few deliberate
defects (listed in ``DEFECTS`` below and in docs/PROFILES.md) so that the
validation report has something to show.  Deterministic: the same files on
every run (fixed seed, fixed "generated" stamps).  Four have a profile in
``mappings/``; the TSV has none, to exercise the mapping suggester.
"""

from __future__ import annotations

import csv
import io
import json
import random
import sys
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

HERE = Path(__file__).resolve().parent  # where the files go (main() takes another folder)
SEED = 20240601

FIRST = [
    "João",
    "Maria",
    "Françoise",
    "Björn",
    "Ana",
    "Luís",
    "Zoë",
    "Pedro",
    "Inês",
    "Kai",
    "Sofia",
    "Mateus",
    "Chloé",
    "Lars",
    "Emma",
    "Noah",
    "Beatriz",
    "Tiago",
    "Hanna",
    "Oliver",
    "Marta",
    "Rui",
    "Léa",
    "Jonas",
]
LAST = [
    "Silva",
    "Santos",
    "Dubois",
    "Lindqvist",
    "Ferreira",
    "Müller",
    "O'Brien",
    "Costa",
    "Pereira",
    "Berg",
    "Martins",
    "García",
    "Rossi",
    "Nielsen",
    "Smith",
    "Almeida",
    "Schäfer",
    "Novak",
    "Oliveira",
    "Fischer",
]

# what is wrong on purpose, per file (record numbers are 1-based data records)
DEFECTS: dict[str, list[str]] = {}


def person(rng: random.Random) -> tuple[str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    ascii_name = (
        f"{first}.{last}".lower()
        .translate(str.maketrans("ãáàâçéèêíóôõúüöäëï", "aaaaceeeiooouuoaei"))
        .replace("'", "")
        .replace("ß", "ss")
        .replace("ø", "o")
    )
    domain = rng.choice(["gmail.com", "outlook.com", "sapo.pt", "web.de", "orange.fr", "yahoo.co.uk"])
    return f"{first} {last}", f"{ascii_name}@{domain}"


def stays(rng: random.Random, n: int, start: date, spread_days: int = 90) -> list[tuple[date, date, int]]:
    out = []
    for _ in range(n):
        ci = start + timedelta(days=rng.randrange(spread_days))
        nights = rng.choice([1, 2, 2, 3, 3, 4, 5, 7])
        out.append((ci, ci + timedelta(days=nights), nights))
    return out


def money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 100, high * 100)) / 100


# -- (a) semicolon CSV, cp1252, 1.234,56, day-first dates, CNF/CXL ------------------------------


def euro(d: Decimal) -> str:
    """1234.5 -> '1.234,50' (how a Portuguese/German Excel writes it)."""
    s = f"{d:,.2f}"
    return s.replace(",", "_").replace(".", ",").replace("_", ".")


def make_lisboa(rng: random.Random) -> None:
    rows = []
    for i, (ci, co, n) in enumerate(stays(rng, 32, date(2024, 6, 1))):
        name, email = person(rng)
        rate = money(rng, 70, 320)
        booked = datetime.combine(ci - timedelta(days=rng.randrange(3, 120)), datetime.min.time()) + timedelta(
            minutes=rng.randrange(24 * 60)
        )
        rows.append(
            {
                "ResNo": f"LX-{24100 + i * 7}",
                "Guest Name": name,
                "E-mail": email,
                "Phone": rng.choice(["+351 21 ", "+351 91 ", "0049 30 ", "+33 1 "]) + f"{rng.randrange(10**6, 10**7)}",
                "Room Type": rng.choice(["Standard Double", "Superior Twin", "Suite Tejo", "Single Economy"]),
                "Arrival": ci.strftime("%d.%m.%Y"),
                "Departure": co.strftime("%d.%m.%Y"),
                "Nights": str(n),
                "Adults": str(rng.choice([1, 2, 2, 2, 3])),
                "Children": str(rng.choice([0, 0, 0, 1, 2])),
                "Total (€)": euro(rate * n),
                "Currency": "EUR",
                "Status": rng.choice(["CNF", "CNF", "CNF", "CXL", "NS"]),
                "Created": booked.strftime("%d.%m.%Y %H:%M"),
                "Country": rng.choice(["PT", "ES", "DE", "FR", "GB", "BR"]),
            }
        )
    rows[4]["Arrival"] = "30.02.2024"  # no such day
    rows[9]["E-mail"] = "ana.costa(at)sapo.pt"
    rows[13]["Departure"] = rows[13]["Arrival"]  # zero-night stay, says 2 nights
    rows[13]["Nights"] = "2"
    rows[17]["Status"] = "TBC"  # a code the profile does not know
    rows[21]["ResNo"] = rows[20]["ResNo"]  # duplicate reference
    rows[26]["Total (€)"] = "-1.250,00"
    DEFECTS["lisboa_pms_export.csv"] = [
        "record 5: arrival 30.02.2024 (no such day)",
        "record 10: e-mail without @",
        "record 14: departure = arrival but nights = 2",
        "record 18: status TBC (not in the profile's value map)",
        "record 22: same reservation number as record 21",
        "record 27: negative total",
    ]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), delimiter=";", lineterminator="\r\n")
    w.writeheader()
    w.writerows(rows)
    (HERE / "lisboa_pms_export.csv").write_bytes(buf.getvalue().encode("cp1252"))


# -- (b) XLSX with two title rows, real Excel dates, a totals row ------------------------------


def make_alpine(rng: random.Random) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)  # a new workbook's one sheet
    ws.title = "Bookings"
    wb.properties.creator = "Alpine Lodges PMS"
    ws["A1"] = "Alpine Lodges AG - Booking report"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = "Period 01.07.2024 - 30.09.2024, all lodges, exported 2024-10-01 06:00"
    header = [
        "Booking No",
        "Guest",
        "Email",
        "Lodge",
        "Room",
        "Check-in",
        "Check-out",
        "Nights",
        "Adults",
        "Children",
        "Amount",
        "Currency",
        "Status",
        "Channel",
        "Booked On",
    ]
    ws.append(header)
    for c in ws[3]:
        c.font = Font(bold=True)
    data: list[list[Any]] = []  # mixed cell values, as openpyxl takes them
    for i, (ci, co, n) in enumerate(stays(rng, 40, date(2024, 7, 1))):
        name, email = person(rng)
        lodge = rng.choice(["Zermatt Chalet", "Grindelwald Lodge", "St. Moritz Haus"])
        rate = money(rng, 140, 480)
        booked = datetime.combine(ci, datetime.min.time()) - timedelta(
            days=rng.randrange(5, 200), hours=rng.randrange(9)
        )
        data.append(
            [
                100450 + i,
                name,
                email,
                lodge,
                rng.choice(["Double Mountain View", "Family Suite", "Studio", "Twin"]),
                datetime.combine(ci, datetime.min.time()),
                datetime.combine(co, datetime.min.time()),
                n,
                rng.choice([1, 2, 2, 2, 4]),
                rng.choice([0, 0, 1, 2]),
                float(rate * n),
                "CHF",
                rng.choice(["Confirmed", "Confirmed", "Confirmed", "Cancelled", "Tentative"]),
                rng.choice(["Booking.com", "Expedia", "Direct", "Phone"]),
                booked,
            ]
        )
    data[3][1] = None  # guest name missing
    data[8][9] = -1  # negative children
    data[12][6] = data[12][5] - timedelta(days=2)  # check-out before check-in
    data[19][10] = 1234.567  # three decimals for CHF
    data[25][11] = "SFR"  # not an ISO 4217 code
    data[31][12] = "Confirmd"  # typo in status
    DEFECTS["alpine_lodges_report.xlsx"] = [
        "record 4: guest name missing",
        "record 9: children = -1",
        "record 13: check-out two days before check-in",
        "record 20: amount 1234.567 (CHF has 2 decimals)",
        "record 26: currency SFR (not ISO 4217)",
        "record 32: status 'Confirmd'",
    ]
    for row in data:
        ws.append(row)
    last = ws.max_row
    ws.append(["Total", None, None, None, None, None, None, f"=SUM(H4:H{last})", None, None, f"=SUM(K4:K{last})"])
    for r in range(4, ws.max_row + 1):
        for col in ("F", "G"):
            ws[f"{col}{r}"].number_format = "DD.MM.YYYY"
        ws[f"O{r}"].number_format = "DD.MM.YYYY HH:MM"
        ws[f"K{r}"].number_format = "#,##0.00"
    for col, width in zip("ABCDEFGHIJKLMNO", [12, 22, 30, 20, 22, 12, 12, 8, 8, 9, 12, 9, 11, 13, 17]):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    (HERE / "alpine_lodges_report.xlsx").write_bytes(_reproducible_zip(buf.getvalue()))


def _reproducible_zip(data: bytes) -> bytes:
    """openpyxl stamps the save time into the zip entries and docProps; fix both so that the
    workbook is byte-for-byte the same on every run."""
    import re
    import zipfile

    stamp = "2024-10-01T06:00:00Z"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), body)
            dst.writestr(
                zipfile.ZipInfo(info.filename, date_time=(2024, 10, 1, 6, 0, 0)),
                body,
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return out.getvalue()


# -- (c) nested JSON API export ------------------------------------------------------------------


def make_citybreak(rng: random.Random) -> None:
    bookings: list[dict[str, Any]] = []  # JSON documents
    for i, (ci, co, n) in enumerate(stays(rng, 30, date(2024, 9, 1), 60)):
        name, email = person(rng)
        rate = money(rng, 90, 260)
        created = datetime.combine(ci, datetime.min.time()) - timedelta(
            days=rng.randrange(1, 90), minutes=rng.randrange(1440)
        )
        bookings.append(
            {
                "ref": f"CB{7_300_000 + i * 13}",
                "status": rng.choice(["CONFIRMED", "CONFIRMED", "CANCELLED", "PENDING"]),
                "property": {
                    "id": rng.choice(["LIS01", "POR02", "MAD01"]),
                    "name": rng.choice(["CityBreak Lisboa Baixa", "CityBreak Porto Ribeira", "CityBreak Madrid Sol"]),
                },
                "guest": {
                    "name": name,
                    "email": email,
                    "phone": f"+351 9{rng.randrange(10**7, 10**8)}",
                    "country": rng.choice(["PRT", "ESP", "USA", "GBR", "DEU"]),
                },
                "stay": {
                    "from": ci.isoformat(),
                    "to": co.isoformat(),
                    "adults": rng.choice([1, 2, 2]),
                    "children": rng.choice([0, 0, 1]),
                },
                "price": {"total": f"{rate * n:.2f}", "currency": "EUR"},
                "channel": rng.choice(["web", "app", "partner"]),
                "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )
    del bookings[2]["ref"]  # no reference
    bookings[6]["stay"]["to"] = bookings[6]["stay"]["from"]
    bookings[11]["price"]["total"] = "12O.00"  # letter O for zero
    bookings[15]["guest"]["email"] = "guest@@example.com"
    bookings[18]["created"] = (
        date.fromisoformat(bookings[18]["stay"]["from"]) + timedelta(days=2)
    ).isoformat() + "T10:00:00Z"
    bookings[23]["price"]["currency"] = "EURO"
    DEFECTS["citybreak_api_export.json"] = [
        "record 3: no ref",
        "record 7: check-out = check-in",
        "record 12: total '12O.00' (letter O)",
        "record 16: e-mail with two @",
        "record 19: created after check-in (a warning)",
        "record 24: currency 'EURO'",
    ]
    doc = {
        "export": {
            "generated": "2024-10-01T05:30:00Z",
            "source": "CityBreak Booking API v2",
            "data": {"count": len(bookings), "bookings": bookings},
        }
    }
    (HERE / "citybreak_api_export.json").write_text(
        json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


# -- (d) namespaced XML with attributes and child elements ---------------------------------------


def make_nordic(rng: random.Random) -> None:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<nc:export xmlns:nc="urn:nordic-channel:booking:2" xmlns:px="urn:nordic-channel:pricing:1" '
        'generated="2024-10-01T04:00:00+02:00" property="Fjord Hotel Bergen">',
    ]
    defects = {3: "email", 8: "adults", 14: "date", 20: "phone", 27: "amount"}
    for i, (ci, co, n) in enumerate(stays(rng, 30, date(2024, 8, 1), 75)):
        name, email = person(rng)
        rate = money(rng, 900, 2600)  # NOK
        adults = rng.choice([1, 2, 2, 3])
        phone = f"+47 {rng.randrange(400, 999)} {rng.randrange(10, 99)} {rng.randrange(100, 999)}"
        amount = f"{rate * n:.2f}"
        checkin = ci.isoformat()
        if defects.get(i) == "email":
            email = "kari.nordmann@"
        elif defects.get(i) == "adults":
            adults = 0
        elif defects.get(i) == "date":
            checkin = "2024-09-31"
        elif defects.get(i) == "phone":
            phone = "call reception"
        elif defects.get(i) == "amount":
            amount = ""
        status = rng.choice(["booked", "booked", "booked", "cancelled", "noshow"])
        channel = rng.choice(["Booking.com", "Hotels.com", "Direct"])
        children = rng.choice([0, 0, 1])
        room = rng.choice(["Fjord View Double", "Standard Single", "Family Room"])
        lines += [
            f'  <nc:booking id="NC-{58_000 + i * 3}" status="{status}" channel={quoteattr(channel)}>',
            f"    <nc:guest><nc:name>{escape(name)}</nc:name><nc:email>{escape(email)}</nc:email>"
            f"<nc:phone>{escape(phone)}</nc:phone></nc:guest>",
            f'    <nc:stay checkin="{checkin}" checkout="{co.isoformat()}" adults="{adults}" children="{children}"/>',
            f"    <nc:room>{escape(room)}</nc:room>",
            f'    <px:price currency="NOK">{amount}</px:price>',
            "  </nc:booking>",
        ]
    lines.append("</nc:export>")
    DEFECTS["nordic_channel_export.xml"] = [
        "record 4: e-mail 'kari.nordmann@'",
        "record 9: adults = 0",
        "record 15: check-in 2024-09-31",
        "record 21: phone 'call reception'",
        "record 28: empty price",
    ]
    (HERE / "nordic_channel_export.xml").write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- (e) tab-separated, no profile, month-first dates --------------------------------------------


def make_harbour(rng: random.Random) -> None:
    rows = []
    for i in range(28):
        # mostly days 1-12, so that only a few arrivals prove the order is month-first
        day = {7: 15, 19: 24}.get(i, rng.randrange(1, 13))
        ci = date(2024, rng.choice([3, 4, 5]), day)
        n = rng.choice([1, 2, 3, 4])
        co = ci + timedelta(days=n)
        name, _ = person(rng)
        rows.append(
            [
                f"{880_100 + i}",
                name,
                ci.strftime("%m/%d/%Y"),
                co.strftime("%m/%d/%Y"),
                f"{money(rng, 80, 210) * n:.2f}",
                "USD",
                rng.choice(["Reserved", "Reserved", "Canceled", "In-House"]),
            ]
        )
    rows[5][5] = ""  # currency missing
    rows[10][3] = rows[10][2]  # departure = arrival
    rows[16][4] = "$1,040.00"  # formatted amount
    DEFECTS["harbour_inn_reservations.tsv"] = [
        "no profile: the suggester has to find the columns; dates are month-first (MM/DD/YYYY)",
        "record 6: currency missing",
        "record 11: departure = arrival",
        "record 17: amount '$1,040.00'",
    ]
    text = "\t".join(["Conf No", "Guest", "Arrival", "Departure", "Total", "Cur", "Status"]) + "\n"
    text += "".join("\t".join(r) + "\n" for r in rows)
    (HERE / "harbour_inn_reservations.tsv").write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    global HERE
    args = sys.argv[1:] if argv is None else argv
    if args:
        HERE = Path(args[0])
        HERE.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    make_lisboa(rng)
    make_alpine(rng)
    make_citybreak(rng)
    make_nordic(rng)
    make_harbour(rng)
    for name, items in DEFECTS.items():
        sys.stdout.write(f"{name}:\n" + "".join(f"  - {d}\n" for d in items))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
