"""Generate realistic canonical text frames (with a share of bad cells) for tests and timing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from booking_desktop.schema import CANONICAL_FIELDS

# One typical bad value per field; each lands in about bad_share / len(BAD) of the rows.
BAD = {
    "booking_ref": "",
    "status": "maybe",
    "customer_email": "not-an-email",
    "customer_phone": "12",
    "check_in": "2023-02-30",
    "check_out": "31/12/2024",
    "nights": "many",
    "adults": "two",
    "children": "-1",
    "amount": "12.345",
    "currency": "EURO",
    "booked_at": "yesterday",
    "country": "XX",
}


def _s(values) -> pa.Array:
    return pa.array(values).cast(pa.large_string())


def _cat(*parts) -> pa.Array:
    args = [pa.scalar(p, pa.large_string()) if isinstance(p, str) else _s(p) for p in parts]
    return pc.binary_join_element_wise(*args, pa.scalar("", pa.large_string()))


def _choice(rng: np.random.Generator, options: list[str], n: int) -> pa.Array:
    return pa.array(options, pa.large_string()).take(pa.array(rng.integers(0, len(options), n)))


def booking_frame(n: int, bad_share: float = 0.02, seed: int = 0) -> pd.DataFrame:
    """``n`` bookings as a canonical text frame; about ``bad_share`` of the rows carry a bad cell
    and about ``bad_share / 4`` repeat the previous row's booking_ref."""
    rng = np.random.default_rng(seed)
    idx = np.arange(n)
    check_in = np.datetime64("2024-01-01") + rng.integers(0, 700, n).astype("timedelta64[D]")
    nights = rng.integers(1, 15, n)
    check_out = check_in + nights.astype("timedelta64[D]")
    booked = check_in.astype("datetime64[s]") - rng.integers(3600, 200 * 86400, n).astype("timedelta64[s]")
    cur_codes = np.array(["EUR", "USD", "GBP", "JPY", "KWD"])
    cur_idx = rng.integers(0, len(cur_codes), n)
    exps = np.array([2, 2, 2, 0, 3])[cur_idx]
    minor = rng.integers(1000, 500000, n)
    whole, part = np.divmod(minor, 10 ** exps)
    frac = pc.utf8_replace_slice(_s(part + 10**exps), 0, 1, ".")
    frac = pc.if_else(pa.array(exps > 0), frac, pa.scalar("", pa.large_string()))
    cols = {
        "vendor": _choice(rng, ["acme", "globex"], n),
        "booking_ref": _cat("BK", pc.utf8_lpad(_s(idx), 9, "0")),
        "status": _choice(rng, ["confirmed", "CNF", "Cancelled", "no show", "Checked out", "pending"], n),
        "customer_name": _cat("Guest ", idx),
        "customer_email": _cat("Guest.", idx, "@Example.com"),
        "customer_phone": _cat("+44 20 7946 ", pc.utf8_lpad(_s(idx % 10000), 4, "0")),
        "property_name": _choice(rng, ["Hotel Alpha", "Beach Resort"], n),
        "room_type": _choice(rng, ["Double", "Suite"], n),
        "channel": _choice(rng, ["Booking.com", "Direct"], n),
        "check_in": pc.strftime(pa.array(check_in), "%Y-%m-%d"),
        "check_out": pc.strftime(pa.array(check_out), "%Y-%m-%d"),
        "nights": _s(nights),
        "adults": _s(rng.integers(1, 4, n)),
        "children": _s(rng.integers(0, 3, n)),
        "amount": _cat(whole, frac),
        "currency": pa.array(cur_codes.tolist(), pa.large_string()).take(pa.array(cur_idx)),
        "booked_at": pc.strftime(pa.array(booked), "%Y-%m-%dT%H:%M:%SZ"),
        "country": _choice(rng, ["DE", "GBR", "FR", "USA", "JP"], n),
    }
    frame = pd.DataFrame({k: pd.Series(pd.array(v, dtype="str")) for k, v in cols.items()})[list(CANONICAL_FIELDS)]
    refs = frame["booking_ref"].to_numpy(dtype=object)
    dup = np.flatnonzero(rng.random(n) < bad_share / 4)
    dup = dup[dup > 0]
    refs[dup] = refs[dup - 1]
    frame["booking_ref"] = pd.Series(refs, dtype="str")
    per_field = bad_share / len(BAD)
    for name, bad in BAD.items():
        m = rng.random(n) < per_field
        frame.loc[m, name] = bad
    return frame
