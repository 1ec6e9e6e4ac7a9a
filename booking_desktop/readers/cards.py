"""Payment cards in vendor XML: what may be kept of them (PCI DSS).

A reservation message often carries the guarantee card: its number (``CardNumber``
attribute, or ``CardNumber/PlainText`` in OTA 2015), security code (``SeriesCode``),
expiry and magnetic stripe.  None of that may be stored by a back-office tool, so the
readers never put a ``PaymentCard`` element's content into a cell: they keep the card
type and the last four digits of the number, nothing else.  Because the card never
reaches the raw frame, it cannot reach the session, the journal, rejected rows, logs or
reports either.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

CARD_ELEMENTS = frozenset({"PaymentCard"})
_DIGITS = re.compile(r"\d")
#: where the number can be, in the order tried (OTA 2003B attributes, then 2015 child elements)
_NUMBER_ATTRS = ("CardNumber", "MaskedCardNumber")


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if tag.startswith("{") else tag


def is_card(elem: Element) -> bool:
    return local(elem.tag) in CARD_ELEMENTS


def card_summary(card: Element) -> tuple[str | None, str | None]:
    """(card type, last four digits) of a ``PaymentCard`` element; either may be None.

    The type is the brand code (``CardCode``: VI, MC, AX ...), else ``CardType``.  The last
    four come from the number, a masked number or the number's ``Mask``; a ``Token`` is not
    the card number and is never used."""
    kind = card.get("CardCode") or card.get("CardType")
    if not kind:
        for c in card:
            if local(c.tag) in ("CardType", "CardCode") and (c.text or "").strip():
                kind = (c.text or "").strip()
                break
    candidates = [card.get(a) for a in _NUMBER_ATTRS]
    for c in card:
        if local(c.tag) == "CardNumber":
            candidates.append(c.text)
            candidates.extend(g.text for g in c if local(g.tag) == "PlainText")
            candidates.append(c.get("Mask"))
    last4 = None
    for text in candidates:
        digits = _DIGITS.findall(text or "")
        if len(digits) >= 4:
            last4 = "".join(digits[-4:])
            break
    return (kind.strip() if kind else None), last4
