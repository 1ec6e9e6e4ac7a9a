"""OpenTravel (OTA) reservation messages: one record per reservation, or per room of one.

Channel managers, OTAs and PMS interfaces (Expedia, AlpineBits, Booking.com's OTA
interface, SiteMinder ...) send ``OTA_HotelResNotifRQ``, ``OTA_ResRetrieveRS``,
``OTA_HotelResModifyNotifRQ`` and similar messages, alone or inside a SOAP 1.1/1.2
envelope.  The generic XML reader would take the most repeated element (a ``GuestCount``)
for the record; this adapter knows the message's shape instead and reads, for every
``HotelReservation`` (or ``HotelResModify``), one record per ``RoomStay`` -- one record when
the reservation has a single room or none -- with the columns in :data:`COLUMNS`.

Where a value can sit in several places the room's own element wins over the reservation's
``ResGlobalInfo`` (dates, guest counts, hotel, total, guarantee), and the reservation's
``POS`` over the message's.  Totals of ``ResGlobalInfo`` and its guest counts are used only
when the reservation has one room (they are the whole reservation's).  Amounts keep their
text; ``DecimalPlaces="2"`` on ``AmountAfterTax="12000"`` gives ``120.00``.  A room without
a ``Total`` gets the exact sum of its rates when each rate is a total or a one-night base
rate in one currency; otherwise the amount stays empty with an ``ota-amount`` warning.

Nothing of a ``PaymentCard`` is read but its type and last four digits (see ``cards.py``),
nor anything of the SOAP header (credentials) or ``RequestorID/@MessagePassword``.
Comments, services and ``TPA_Extensions`` are not read; ``ota: false`` (reader option)
reads the message with the generic XML reader instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.etree.ElementTree import Element

from booking_desktop.errors import Problem
from booking_desktop.readers.base import RawTable, SourceInfo, build_locations
from booking_desktop.readers.cards import card_summary, is_card, local
from booking_desktop.readers.cleaning import frame_from_columns, null_values
from booking_desktop.readers.source import Source, warning

SOAP_ENVELOPES = {
    "http://schemas.xmlsoap.org/soap/envelope/": "SOAP 1.1",
    "http://www.w3.org/2003/05/soap-envelope": "SOAP 1.2",
}
#: Messages that carry reservations even when their list is empty.
RESERVATION_MESSAGES = frozenset(
    {
        "OTA_HotelResNotifRQ",
        "OTA_HotelResNotifRS",
        "OTA_HotelResRQ",
        "OTA_HotelResRS",
        "OTA_ResRetrieveRS",
        "OTA_HotelResModifyNotifRQ",
        "OTA_HotelResModifyRQ",
        "OTA_HotelResModifyRS",
    }
)
RESERVATION_ELEMENTS = frozenset({"HotelReservation", "HotelResModify"})
#: Age qualifying codes (OTA code list AQC): 10 adult, 8 child, 7 infant.
AQC_ADULT, AQC_CHILD, AQC_INFANT = "10", "8", "7"
ADULT_AGE = 18  # AlpineBits gives children an Age and no code

COLUMNS = (
    "MessageType",
    "ReservationID",
    "CancellationID",
    "HotelReservationIDs",
    "ResStatus",
    "RoomStay",
    "RoomStays",
    "HotelCode",
    "HotelName",
    "GivenName",
    "MiddleName",
    "Surname",
    "Email",
    "Phone",
    "Country",
    "Start",
    "End",
    "Adults",
    "Children",
    "Infants",
    "OtherGuests",
    "RoomTypeCode",
    "RoomType",
    "RatePlanCode",
    "RatePlanName",
    "Amount",
    "Currency",
    "AmountSource",
    "AmountBeforeTax",
    "CreateDateTime",
    "LastModifyDateTime",
    "Channel",
    "Sender",
    "CardType",
    "CardLast4",
)


@dataclass
class OtaMessage:
    element: Element  # the OTA_* element
    path: list[str]  # local names from the document root to it
    envelope: str | None = None  # "SOAP 1.1", "SOAP 1.2" or None
    fault: str | None = None  # a SOAP Fault's text (then there is no OTA element)


def _uri(tag: str) -> str | None:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else None


def _is_ota(e: Element) -> bool:
    uri = _uri(e.tag)
    return local(e.tag).startswith("OTA_") and (uri is None or "opentravel.org" in uri)


def find_message(root: Element) -> OtaMessage | None:
    """The reservation message in this document (also inside a SOAP envelope), or None."""
    envelope = SOAP_ENVELOPES.get(_uri(root.tag) or "") if local(root.tag) == "Envelope" else None
    if envelope:
        body = next((c for c in root if local(c.tag) == "Body"), None)
        if body is None:
            return None
        for c in body:
            if local(c.tag) == "Fault":
                texts = [(t.text or "").strip() for t in c.iter() if not len(t) and (t.text or "").strip()]
                return OtaMessage(c, [local(root.tag), "Body", "Fault"], envelope, " ".join(texts)[:300] or "no text")
        for c in body:  # the message itself, or one operation element around it
            for m, path in [(c, ["Body", local(c.tag)]), *((g, ["Body", local(c.tag), local(g.tag)]) for g in c)]:
                if _is_ota(m) and _is_reservation_message(m):
                    return OtaMessage(m, [local(root.tag), *path], envelope)
        return None
    if _is_ota(root) and _is_reservation_message(root):
        return OtaMessage(root, [local(root.tag)])
    return None


def _is_reservation_message(e: Element) -> bool:
    if local(e.tag) in RESERVATION_MESSAGES:
        return True
    return any(local(x.tag) in RESERVATION_ELEMENTS for x in e.iter())


# -- reading ----------------------------------------------------------------


@dataclass
class _Notes:
    """Warnings by kind: one line each, with a count and the first place."""

    label: str
    seen: dict[str, list[Any]] = field(default_factory=dict)

    def add(self, code: str, what: str, where: str) -> None:
        entry = self.seen.setdefault(f"{code}\0{what}", [code, what, where, 0])
        entry[3] += 1

    def problems(self) -> list[Problem]:
        out = []
        for code, what, where, n in self.seen.values():
            times = f" ({n} records; first here)" if n > 1 else ""
            out.append(warning(code, f"{what}{times}", self.label, where))
        return out


def read_message(message: OtaMessage, src: Source, options: dict[str, Any]) -> RawTable:
    label = src.label
    notes = _Notes(label)
    rows, places = [], []
    if message.fault is not None:
        notes.add("ota-error", f"the SOAP message is a fault: {message.fault}", "/" + "/".join(message.path))
    else:
        msg = message.element
        for text in _errors(msg):
            notes.add("ota-error", f"the message reports an error: {text}", "/" + "/".join(message.path))
        for res, path in _reservations(msg, message.path):
            for row, place in _records(msg, res, path, notes):
                rows.append(row)
                places.append(place)
    cards = 0 if message.fault is not None else sum(1 for e in message.element.iter() if is_card(e))
    columns = [[r.get(c) for r in rows] for c in COLUMNS]
    frame = frame_from_columns(list(COLUMNS), columns, null_values(options))
    name = local(message.element.tag)
    record_path = "/" + "/".join(message.path)
    info = SourceInfo(path=src.path, format="xml", encoding="utf-8", record_path=record_path)
    info.extra["ota"] = {
        "message": name,
        "envelope": message.envelope,
        "version": message.element.get("Version"),
        "timestamp": message.element.get("TimeStamp"),
    }
    problems = notes.problems()
    if not rows:
        what = "a SOAP fault" if message.fault is not None else f"an {name} without reservations"
        problems.append(warning("no-records", f"the file is {what}; nothing to import", label))
    if cards:
        problems.append(
            warning(
                "card-data-dropped",
                f"{cards} payment card(s): the number, security code and expiry are not read (PCI DSS); "
                "only the card type and the last four digits are kept",
                label,
            )
        )
    return RawTable(frame, build_locations(places), info, problems)


def _errors(msg: Element) -> Iterator[str]:
    for errs in _kids(msg, "Errors"):
        for e in _kids(errs, "Error"):
            parts = [e.get("Code"), e.get("ShortText"), (e.text or "").strip()]
            yield " ".join(p for p in parts if p)[:300] or "no text"


def _reservations(msg: Element, path: list[str]) -> Iterator[tuple[Element, str]]:
    """Every reservation element with its XPath (1-based index among same-named siblings);
    reservations are not looked for inside reservations."""
    stack: list[tuple[Element, str]] = [(msg, "/" + "/".join(path))]
    found: list[tuple[Element, str]] = []
    while stack:
        node, where = stack.pop()
        counts: dict[str, int] = {}
        kids = []
        for c in node:
            name = local(c.tag)
            counts[name] = counts.get(name, 0) + 1
            kids.append((c, f"{where}/{name}[{counts[name]}]" if name in RESERVATION_ELEMENTS else f"{where}/{name}"))
        for c, w in kids:
            if local(c.tag) in RESERVATION_ELEMENTS:
                found.append((c, w))
            elif len(c) and not is_card(c):
                stack.append((c, w))
    found.sort(key=lambda t: _doc_order(t[1]))
    return iter(found)


def _doc_order(xpath: str) -> list[Any]:
    return [int(n) if n.isdigit() else n for n in re.split(r"\[(\d+)\]", xpath)]


def _records(msg: Element, res: Element, where: str, notes: _Notes) -> Iterator[tuple[dict[str, str | None], tuple]]:
    rgi = _kid(res, "ResGlobalInfo")
    stays = [s for rs in _kids(res, "RoomStays") for s in _kids(rs, "RoomStay")]
    base = _reservation_fields(msg, res, rgi, notes, where)
    if not stays:
        row = dict(base)
        _stay_fields(row, None, rgi, res, single=True, notes=notes, where=where)
        yield row, (_escape(where[: where.rindex("[")]) + "[{}]", int(where[where.rindex("[") + 1 : -1]))
        return
    for i, stay in enumerate(stays, start=1):
        row = dict(base)
        if len(stays) > 1:
            row["RoomStay"] = str(i)
            row["RoomStays"] = str(len(stays))
            place = (_escape(where) + "/RoomStays/RoomStay[{}]", i)
        else:
            place = (_escape(where[: where.rindex("[")]) + "[{}]", int(where[where.rindex("[") + 1 : -1]))
        _stay_fields(row, stay, rgi, res, single=len(stays) == 1, notes=notes, where=where)
        yield row, place


def _escape(template: str) -> str:
    return template.replace("{", "{{").replace("}", "}}")


def _reservation_fields(
    msg: Element, res: Element, rgi: Element | None, notes: _Notes, where: str
) -> dict[str, str | None]:
    row: dict[str, str | None] = {"MessageType": local(msg.tag)}
    uids = _kids(res, "UniqueID")
    ids = [(u.get("Type"), u.get("ID")) for u in uids if u.get("ID")]
    hrids = [
        (h.get("ResID_Type"), h.get("ResID_Value"), h.get("ResID_Source"))
        for x in _kids(rgi, "HotelReservationIDs")
        for h in _kids(x, "HotelReservationID")
        if h.get("ResID_Value")
    ]
    ref = next((i for t, i in ids if t == "14"), None) or next((i for t, i in ids if t != "15"), None)
    ref = ref or next((v for t, v, _s in hrids if t == "14"), None) or next((v for _t, v, _s in hrids), None)
    ref = ref or next((i for t, i in ids if t == "15"), None)  # AlpineBits cancels with Type 15 = the reservation
    row["ReservationID"] = ref
    row["CancellationID"] = next((i for t, i in ids if t == "15"), None)
    row["HotelReservationIDs"] = "; ".join(f"{t}:{v}" if t else str(v) for t, v, _s in hrids) or None
    if ref is None:
        notes.add("ota-no-id", "a reservation without UniqueID/@ID or HotelReservationID/@ResID_Value", where)
    status = res.get("ResStatus") or ("Modify" if local(res.tag) == "HotelResModify" else None) or msg.get("ResStatus")
    row["ResStatus"] = status
    row["CreateDateTime"] = res.get("CreateDateTime")
    row["LastModifyDateTime"] = res.get("LastModifyDateTime")
    pos = _kid(res, "POS")
    if pos is None:
        pos = _kid(msg, "POS")
    channel = sender = None
    for source in _kids(pos, "Source"):
        bc = _kid(source, "BookingChannel")
        company = _kid(bc, "CompanyName")
        if channel is None and company is not None:
            channel = _text(company) or company.get("Code") or company.get("CompanyShortName")
        rid = _kid(source, "RequestorID")
        if sender is None and rid is not None:
            sender = rid.get("ID") or _text(_kid(rid, "CompanyName"))
    if channel is None:
        channel = next((s for _t, _v, s in hrids if s), None)
    row["Channel"] = channel
    row["Sender"] = sender
    if sender is None:
        notes.add(
            "ota-no-sender",
            "the message names no sender (POS/Source/RequestorID/@ID): give the vendor (--vendor CODE)",
            where,
        )
    guest = _guest(res, rgi)
    if guest is not None:
        names = [p for p in guest.iter() if local(p.tag) == "PersonName"]
        person = names[0] if names else None
        row["GivenName"] = " ".join(t for t in (_text(g) for g in _kids(person, "GivenName")) if t) or None
        row["MiddleName"] = " ".join(t for t in (_text(g) for g in _kids(person, "MiddleName")) if t) or None
        row["Surname"] = _text(_kid(person, "Surname"))
        row["Email"] = next((t for t in (_text(e) for e in _kids(guest, "Email")) if t), None)
        row["Phone"] = next((p for p in (_phone(t) for t in _kids(guest, "Telephone")) if p), None)
        address = _kid(guest, "Address")
        country = _kid(address, "CountryName")
        if country is None:
            country = _kid(guest, "CitizenCountryName")
        row["Country"] = (country.get("Code") or _text(country)) if country is not None else None
    return row


def _guest(res: Element, rgi: Element | None) -> Element | None:
    """The primary guest's Customer (the first one marked primary, else the first), else the
    booker's Customer in ResGlobalInfo/Profiles."""
    guests = [g for x in _kids(res, "ResGuests") for g in _kids(x, "ResGuest")]
    guests.sort(key=lambda g: g.get("PrimaryIndicator") not in ("true", "1"))
    for g in guests:
        customer = next((c for c in g.iter() if local(c.tag) == "Customer"), None)
        if customer is not None:
            return customer
    for x in _kids(rgi, "Profiles"):
        customer = next((c for c in x.iter() if local(c.tag) == "Customer"), None)
        if customer is not None:
            return customer
    return None


def _phone(tel: Element) -> str | None:
    number = (tel.get("PhoneNumber") or "").strip()
    if not number:
        return None
    cac, area = (tel.get("CountryAccessCode") or "").strip(), (tel.get("AreaCityCode") or "").strip()
    if cac and not number.startswith(("+", "00")):
        return " ".join(p for p in (f"+{cac.lstrip('+')}", area, number) if p)
    return " ".join(p for p in (area, number) if p)


def _stay_fields(
    row: dict[str, str | None],
    stay: Element | None,
    rgi: Element | None,
    res: Element,
    single: bool,
    notes: _Notes,
    where: str,
) -> None:
    def pick(name: str, whole_reservation: bool = False) -> Element | None:
        found = _kid(stay, name)
        if found is None and (single or not whole_reservation):
            found = _kid(rgi, name)
        return found

    span = pick("TimeSpan")
    row["Start"] = span.get("Start") if span is not None else None
    row["End"] = span.get("End") if span is not None else None
    counts = pick("GuestCounts", whole_reservation=True)
    if counts is not None:
        _guest_counts(row, counts, notes, where)
    prop = pick("BasicPropertyInfo")
    row["HotelCode"] = prop.get("HotelCode") if prop is not None else None
    row["HotelName"] = prop.get("HotelName") if prop is not None else None
    room = _first(_kid(stay, "RoomTypes"), "RoomType")
    rate = _first(_kid(stay, "RoomRates"), "RoomRate")
    row["RoomTypeCode"] = (room.get("RoomTypeCode") if room is not None else None) or (
        rate.get("RoomTypeCode") if rate is not None else None
    )
    desc = _kid(room, "RoomDescription")
    name = (desc.get("Name") or _text(_kid(desc, "Text"))) if desc is not None else None
    row["RoomType"] = name or (room.get("RoomType") if room is not None else None) or row["RoomTypeCode"]
    plan = _first(_kid(stay, "RatePlans"), "RatePlan")
    row["RatePlanCode"] = (plan.get("RatePlanCode") if plan is not None else None) or (
        rate.get("RatePlanCode") if rate is not None else None
    )
    row["RatePlanName"] = plan.get("RatePlanName") if plan is not None else None
    _amount(row, stay, rgi, single, notes, where)
    card = next((c for c in (_card(stay), _card(rgi), _card(res)) if c is not None), None)
    if card is not None:
        row["CardType"], row["CardLast4"] = card_summary(card)


def _guest_counts(row: dict[str, str | None], counts: Element, notes: _Notes, where: str) -> None:
    adults = children = infants = 0
    other: list[str] = []
    for gc in _kids(counts, "GuestCount"):
        try:
            n = int((gc.get("Count") or "").strip())
        except ValueError:
            notes.add("ota-guests", f"GuestCount/@Count {gc.get('Count')!r} is not a whole number", where)
            continue
        code, age = (gc.get("AgeQualifyingCode") or "").strip(), (gc.get("Age") or "").strip()
        if code == AQC_ADULT or (not code and not age):
            adults += n
        elif code == AQC_CHILD:
            children += n
        elif code == AQC_INFANT:
            infants += n
        elif not code and age.isdigit():
            if int(age) >= ADULT_AGE:
                adults += n
            else:
                children += n
        else:
            other.append(f"{n} with AgeQualifyingCode {code or '?'}")
            notes.add(
                "ota-guests",
                f"guests with AgeQualifyingCode {code or '?'} are not counted as adults or children",
                where,
            )
    row["Adults"], row["Children"], row["Infants"] = str(adults), str(children), str(infants)
    row["OtherGuests"] = "; ".join(other) or None


def _amount(
    row: dict[str, str | None], stay: Element | None, rgi: Element | None, single: bool, notes: _Notes, where: str
) -> None:
    total = _kid(stay, "Total")
    if (total is None or not total.get("AmountAfterTax")) and single and _kid(rgi, "Total") is not None:
        total = _kid(rgi, "Total")
    if total is not None and total.get("AmountAfterTax"):
        row["Amount"] = _money(total.get("AmountAfterTax"), total.get("DecimalPlaces"))
        row["Currency"] = total.get("CurrencyCode")
        row["AmountSource"] = "Total"
        row["AmountBeforeTax"] = _money(total.get("AmountBeforeTax"), total.get("DecimalPlaces"))
        return
    if total is not None:
        row["AmountBeforeTax"] = _money(total.get("AmountBeforeTax"), total.get("DecimalPlaces"))
        row["Currency"] = total.get("CurrencyCode")
    summed = _sum_rates(stay)
    if isinstance(summed, tuple):
        row["Amount"], row["Currency"], row["AmountSource"] = summed
    elif summed:
        notes.add("ota-amount", f"no total amount: {summed}; give Total/@AmountAfterTax", where)
    else:
        notes.add("ota-amount", "no total amount (no Total/@AmountAfterTax and no rates)", where)


def _sum_rates(stay: Element | None) -> tuple[str, str | None, str] | str | None:
    """(sum, currency, how) of the room's rates, a reason why they cannot be summed, or None
    without rates."""
    rates = [
        r for rr in _kids(_kid(stay, "RoomRates"), "RoomRate") for x in _kids(rr, "Rates") for r in _kids(x, "Rate")
    ]
    if not rates:
        return None
    total = Decimal(0)
    currencies: set[str] = set()
    for r in rates:
        part = _kid(r, "Total")
        if part is None or not part.get("AmountAfterTax"):
            part = _kid(r, "Base")
            if part is None or not part.get("AmountAfterTax"):
                return "a rate has neither Total nor Base/@AmountAfterTax"
            if _nights(r) not in (None, 0, 1) or (r.get("UnitMultiplier") or "1").strip() != "1":
                return "base rates that cover several nights are not summed (their unit is ambiguous)"
        text = _money(part.get("AmountAfterTax"), part.get("DecimalPlaces"))
        try:
            total += Decimal(text or "")
        except InvalidOperation:
            return f"rate amount {part.get('AmountAfterTax')!r} is not a number"
        if part.get("CurrencyCode"):
            currencies.add(part.get("CurrencyCode") or "")
    if len(currencies) > 1:
        return f"the rates are in several currencies ({', '.join(sorted(currencies))})"
    return format(total, "f"), next(iter(currencies), None), f"sum of {len(rates)} rate(s)"


def _nights(rate: Element) -> int | None:
    try:
        start = date.fromisoformat((rate.get("EffectiveDate") or "")[:10])
        end = date.fromisoformat((rate.get("ExpireDate") or "")[:10])
    except ValueError:
        return None
    return (end - start).days


def _money(text: str | None, decimal_places: str | None) -> str | None:
    """The amount's text; ``DecimalPlaces`` shifts an integer amount (``12000``, 2 -> ``120.00``)."""
    if text is None or not text.strip():
        return None
    t = text.strip()
    dp = (decimal_places or "").strip()
    if dp.isdigit() and int(dp) > 0 and re.fullmatch(r"-?\d+", t):
        k = int(dp)
        sign, digits = ("-", t[1:]) if t.startswith("-") else ("", t)
        digits = digits.rjust(k + 1, "0")
        return f"{sign}{digits[:-k]}.{digits[-k:]}"
    return t


def _card(scope: Element | None) -> Element | None:
    if scope is None:
        return None
    for e in scope.iter():
        if is_card(e):
            return e
    return None


# -- element helpers (namespaces ignored) --------------------------------------


def _kids(e: Element | None, name: str) -> list[Element]:
    return [] if e is None else [c for c in e if local(c.tag) == name]


def _kid(e: Element | None, name: str) -> Element | None:
    if e is None:
        return None
    return next((c for c in e if local(c.tag) == name), None)


def _first(e: Element | None, name: str) -> Element | None:
    return _kid(e, name)


def _text(e: Element | None) -> str | None:
    if e is None:
        return None
    t = (e.text or "").strip()
    return t or None
