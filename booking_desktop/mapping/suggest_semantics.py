"""What a header says a column is *not* (issue 9, real vendor files).

Header synonyms and content say what a column could be; real exports are full of
columns that look right and are not: a "Payment fee" of decimals, a "Payout date" next
to the stay's dates, a "Payout ID" next to the reservation number, a "Hotel name" of
capitalised words, a "Rooms" count, the property's own country repeated on every row.
A person reading the header knows at once.  :func:`weigh_semantics` lowers such
candidates and says why (``Candidate.doubts``), so that the right column wins the
assignment and a doubtful one, when nothing better exists, is shown as doubtful.

Everything here reads the normalized, expanded headers (:func:`normalize_text` +
:func:`expand`) and the sniffed content; nothing knows a vendor by name.
"""

from __future__ import annotations

from dataclasses import dataclass

from booking_desktop.mapping.sniff import ColumnSniff
from booking_desktop.mapping.suggest_model import Candidate, pct

# -- words that say what a column is about -------------------------------------------

# money that is part of (or taken from) the stay's price, not its total
PART_OF_PRICE = frozenset({
    "fee", "fees", "commission", "commissions", "tax", "taxes", "vat", "payout", "payouts", "net", "deposit",
    "discount", "discounts", "refund", "refunds", "tip", "tips", "cleaning", "charge", "charges", "surcharge",
    "levy", "earnings", "earned", "adjustment", "delta", "difference", "exchange", "balance", "paid", "due",
    "outstanding", "prepayment", "prepaid", "penalty", "percent", "percentage", "pct",
})  # fmt: skip
# a money column that is the stay's total ("Total price", "Gross", "Price")
TOTAL_WORDS = frozenset({"total", "gross", "price", "amount", "revenue", "value", "turnover", "cost", "sum"})
# the money flow after the stay, not the stay: its dates and ids are not the booking's
PAYMENT_WORDS = frozenset({
    "payout", "payouts", "paid", "payment", "payments", "transfer", "transferred", "invoice", "invoiced",
    "transaction", "txn", "receipt", "settlement", "settled", "remittance", "statement", "billing", "charged",
})  # fmt: skip
OTHER_EVENT_WORDS = frozenset({
    "cancellation", "cancelled", "canceled", "cancel", "modified", "modification", "updated", "update", "changed",
    "change", "birth", "birthday", "expiry", "expiration", "expires", "deadline", "review", "reminder", "export",
    "exported", "printed", "report", "due", "option",
})  # fmt: skip
# the other things in a booking file that have a name or an id
NOT_A_PERSON = frozenset({
    "hotel", "property", "listing", "accommodation", "establishment", "resort", "company", "agency", "agent",
    "channel", "room", "unit", "city", "country", "street", "address", "rate", "plan", "product", "market",
    "payment", "source", "file", "user", "operator", "staff", "employee", "host", "owner", "partner", "vendor",
    "supplier", "site", "location", "building", "brand", "chain", "group", "segment", "meal", "package", "promo",
    "campaign", "device", "method", "status", "type", "category",
})  # fmt: skip
NOT_A_BOOKING = frozenset({
    *PAYMENT_WORDS, "guest", "customer", "client", "listing", "property", "hotel", "room", "unit", "rate", "plan",
    "group", "agent", "company", "promo", "campaign", "user", "host", "account", "member", "loyalty", "card",
    "phone", "tax", "vat", "device", "session", "line", "item",
})  # fmt: skip
# words of a booking's own reference: such a header beats a database's row id
BOOKING_REF_WORDS = frozenset({
    "reservation", "booking", "confirmation", "reference", "locator", "pnr", "voucher", "itinerary", "folio",
})  # fmt: skip
DATABASE_ID_HEADERS = frozenset({
    "id", "uuid", "guid", "oid", "object id", "objectid", "row id", "rowid", "record id", "pk", "key", "row",
    "index", "row number", "line", "line number", "internal id", "db id", "record",
})  # fmt: skip
COUNT_WORDS = frozenset({"rooms", "nights", "count", "quantity", "qty", "number", "units", "beds", "amount"})
NOT_A_PHONE = frozenset({
    *PART_OF_PRICE, *TOTAL_WORDS, "rate", "adr", "average", "id", "code", "reference", "quantity",
})  # fmt: skip
PLACE_WORDS = frozenset({"city", "town", "address", "street", "zip", "postcode", "postal", "region", "state"})
PROPERTY_WORDS = frozenset({"hotel", "property", "listing", "accommodation", "resort", "establishment", "site"})
GUEST_WORDS = frozenset({"guest", "booker", "customer", "client", "traveler", "traveller", "nationality",
                         "residence", "passenger", "origin", "source", "market"})  # fmt: skip

DOUBT_FACTOR = 0.45  # a header that names something else: well below MIN_CONFIDENCE from 1.0
MILD_DOUBT_FACTOR = 0.7  # a better column exists, but this one could still be it
MIN_CONSTANT_ROWS = 10  # one value in this many sampled rows is the file's constant, not the guest's


@dataclass(frozen=True)
class _Column:
    name: str
    words: frozenset[str]
    sniff: ColumnSniff


def _doubt(cand: Candidate, factor: float, why: str) -> None:
    cand.confidence *= factor
    cand.doubts.append(why)


def weigh_semantics(
    candidates: dict[str, list[Candidate]],
    columns: list[str],
    headers: dict[str, str],
    sniffs: dict[str, ColumnSniff],
    min_confidence: float,
) -> None:
    """Lower (in place) the candidates whose header or content says they are something
    else, with the reason in ``Candidate.doubts``.  Only candidates that could matter
    (at ``min_confidence / 2`` or above) are looked at: a wide file has many others."""
    cols = {c: _Column(c, frozenset(headers[c].split()), sniffs[c]) for c in columns}
    floor = min_confidence / 2

    def strong(fld: str, pred) -> list[_Column]:
        return [cols[k.columns[0]] for k in candidates.get(fld, ())
                if len(k.columns) == 1 and k.confidence >= min_confidence and pred(cols[k.columns[0]])]  # fmt: skip

    totals = strong("amount", lambda c: not c.words & PART_OF_PRICE)
    booking_refs = strong("booking_ref", lambda c: bool(c.words & BOOKING_REF_WORDS) and not c.words & NOT_A_BOOKING)
    varying_countries = strong("country", lambda c: c.sniff.n_distinct > 1)
    position = {c: i for i, c in enumerate(columns)}
    for fld, ks in candidates.items():
        for k in ks:
            if k.confidence < floor or len(k.columns) != 1 or "column" not in k.spec:
                continue
            col = cols.get(k.columns[0])
            if col is None:
                continue
            w = col.words
            if fld == "amount" and w & PART_OF_PRICE:
                other = next((t.name for t in totals if t.name != col.name), None)
                word = sorted(w & PART_OF_PRICE)[0]
                if other is not None:
                    _doubt(k, DOUBT_FACTOR, f"'{col.name}' ({word}) is part of the price: '{other}' is the total")
                else:
                    _doubt(k, MILD_DOUBT_FACTOR, f"'{col.name}' ({word}) may be net of fees, not the stay's total")
            elif fld in ("check_in", "check_out", "booked_at") and w & (PAYMENT_WORDS | OTHER_EVENT_WORDS):
                word = sorted(w & (PAYMENT_WORDS | OTHER_EVENT_WORDS))[0]
                _doubt(k, DOUBT_FACTOR, f"'{col.name}' ({word}) is not a date of the stay")
            elif fld == "booking_ref":
                _booking_ref(k, col, w, booking_refs)
            elif fld == "customer_name" and w & NOT_A_PERSON:
                word = sorted(w & NOT_A_PERSON)[0]
                _doubt(k, DOUBT_FACTOR, f"'{col.name}' ({word}) is not the guest's name")
            elif fld == "customer_phone" and w & NOT_A_PHONE:
                word = sorted(w & NOT_A_PHONE)[0]
                _doubt(k, DOUBT_FACTOR, f"'{col.name}' ({word}) is not a phone number")
            elif fld == "room_type":
                _room_type(k, col, w)
            elif fld == "country":
                _country(k, col, varying_countries, cols, columns, position)
            elif fld == "property_name" and w & GUEST_WORDS:
                word = sorted(w & GUEST_WORDS)[0]
                _doubt(k, DOUBT_FACTOR, f"'{col.name}' ({word}) is not the property")


def _booking_ref(k: Candidate, col: _Column, w: frozenset[str], refs: list[_Column]) -> None:
    if w & NOT_A_BOOKING and not w & BOOKING_REF_WORDS - {"reference"}:
        word = sorted(w & NOT_A_BOOKING)[0]
        _doubt(k, DOUBT_FACTOR, f"'{col.name}' ({word}) does not identify the booking")
        return
    header = " ".join(sorted(w))
    generic = header in DATABASE_ID_HEADERS or not w - {"id", "uuid", "guid", "oid", "object"}
    if generic and not w & BOOKING_REF_WORDS:
        better = next((r.name for r in refs if r.name != col.name), None)
        if better is not None:
            _doubt(k, MILD_DOUBT_FACTOR, f"'{col.name}' looks like a database id: '{better}' names the booking")


def _room_type(k: Candidate, col: _Column, w: frozenset[str]) -> None:
    if w & COUNT_WORDS:
        word = sorted(w & COUNT_WORDS)[0]
        _doubt(k, DOUBT_FACTOR, f"'{col.name}' ({word}) is a count or a number, not a room type")
        return
    ints = col.sniff.get("int")
    if col.sniff.n and ints >= 0.9:
        _doubt(k, DOUBT_FACTOR, f"{pct(ints)} of the values of '{col.name}' are whole numbers, not room types")


def _country(
    k: Candidate,
    col: _Column,
    varying: list[_Column],
    cols: dict[str, _Column],
    columns: list[str],
    position: dict[str, int],
) -> None:
    """One country on every row, next to the property's name or address, is where the
    property is: the guest's country varies (and a column that does beats it)."""
    sn = col.sniff
    if col.words & GUEST_WORDS or sn.n_distinct != 1 or sn.n < MIN_CONSTANT_ROWS:
        return
    i = position[col.name]
    near = [columns[j] for j in range(max(0, i - 2), min(len(columns), i + 3)) if j != i]
    place = next((c for c in near if cols[c].words & (PLACE_WORDS | PROPERTY_WORDS)), None)
    other = next((v.name for v in varying if v.name != col.name), None)
    if other is not None:
        _doubt(k, DOUBT_FACTOR, f"'{col.name}' holds one country on every row: '{other}' is the guests'")
    elif place is not None:
        _doubt(k, DOUBT_FACTOR, f"'{col.name}' holds one country on every row, next to '{place}': "
                                "the property's country, not the guest's")  # fmt: skip
