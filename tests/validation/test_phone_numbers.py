"""A decimal amount is never a phone number (issue 9: a fee column mapped as the phone had
``120069.2000`` accepted as ``1200692000`` and ``-0.0412`` as ``+412``)."""

from __future__ import annotations

from validation_frames import text_frame, triples

from booking_desktop.validation import validate


def _phones(*values):
    return validate(text_frame(*({"customer_phone": v} for v in values)))


def test_decimal_and_negative_numbers_are_rejected_with_a_message_that_says_so():
    r = _phones("120069.2000", "-0.0412345678", "0.0412345678", "1234567,89", "-44 20 7946 0958")
    assert triples(r) == [(i, "customer_phone", "format") for i in range(5)]
    messages = r.problems.frame["message"].tolist()
    assert messages[0] == "customer_phone '120069.2000' is a decimal or negative number, not a phone number"
    assert all("decimal or negative number" in m for m in messages)
    assert r.typed["customer_phone"].isna().all()  # nothing half-cleaned is kept


def test_phones_written_with_dots_still_pass():
    r = _phones("0207.946 0958", "+44.20.7946.0958", "415.555.1234", "(020) 7946.0958", "0044 20 7946 0958")
    assert triples(r) == []
    assert r.typed["customer_phone"].tolist() == [
        "02079460958", "+442079460958", "4155551234", "02079460958", "+442079460958",
    ]  # fmt: skip
