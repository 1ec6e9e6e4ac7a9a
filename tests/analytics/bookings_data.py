"""Canonical text rows with the edge cases the analytics must get right, and the independent answers:
pandas over documents read back with a plain ``find()`` (no code of booking_desktop.analytics)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from booking_desktop.storage.testing import booking_rows

EXPONENT = {"EUR": 2, "USD": 2, "JPY": 0}


def edge_rows(n: int = 120, seed: int = 7, vendor: str = "acme", start: int = 1) -> pd.DataFrame:
    """Bookings around DST changes and midnight (Europe/Lisbon, America/New_York), ISO week 53 (2020-W53,
    check-ins 2020-12-28..2021-01-03), a month with no bookings (2021-02), three currencies (JPY without
    minor units), cancelled bookings, missing booked_at and missing nights."""
    rng = np.random.default_rng(seed)
    text = booking_rows(n, vendor=vendor, start=start)
    days = pd.to_datetime(
        rng.choice(
            [
                "2020-12-27",
                "2020-12-28",
                "2020-12-31",
                "2021-01-01",
                "2021-01-03",
                "2021-01-04",
                "2021-01-31",
                "2021-03-01",
                "2021-03-28",
                "2021-03-14",
                "2021-11-07",
                "2021-10-31",
            ],
            n,
        )
    )
    stay = rng.integers(1, 12, n)
    text["check_in"] = days.strftime("%Y-%m-%d")
    text["check_out"] = (days + pd.to_timedelta(stay, unit="D")).strftime("%Y-%m-%d")
    text["nights"] = stay.astype(str)
    booked = [
        "2021-03-28T00:30:00Z",  # Lisbon: 00:30 WET, the hour before the spring-forward
        "2021-03-28T01:30:00Z",  # Lisbon: 02:30 WEST
        "2021-03-14T06:59:00Z",  # New York: 01:59 EST
        "2021-03-14T07:01:00Z",  # New York: 03:01 EDT
        "2021-11-07T05:30:00Z",  # New York: 01:30 EDT (the first of the two)
        "2021-11-07T06:30:00Z",  # New York: 01:30 EST (the second)
        "2020-12-31T23:59:59Z",  # UTC midnight
        "2021-01-01T00:00:00Z",
        "2021-01-01T04:59:00Z",  # New York: still 2020-12-31
        "2020-12-20T12:00:00+05:30",
        "2021-10-31T00:30:00Z",  # Lisbon: 01:30 WEST, then 01:30 WET an hour later
        "2021-10-31T01:30:00Z",
    ]
    text["booked_at"] = rng.choice(booked, n)
    text.loc[rng.random(n) < 0.1, "booked_at"] = pd.NA
    text["status"] = rng.choice(["confirmed", "cancelled", "completed", "no_show"], n, p=[0.6, 0.2, 0.15, 0.05])
    text["currency"] = rng.choice(["EUR", "USD", "JPY"], n)
    amounts = rng.integers(1000, 90000, n)
    text["amount"] = [f"{a}" if c == "JPY" else f"{a / 100:.2f}" for a, c in zip(amounts, text["currency"])]
    text["channel"] = rng.choice(["direct", "booking.com", "expedia"], n)
    text["property_name"] = rng.choice(["Hotel A", "Hotel B"], n)
    text["room_type"] = rng.choice(["double", "suite"], n)
    text.loc[rng.random(n) < 0.05, "nights"] = pd.NA
    return text.astype("str")


def frame(docs: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(docs)
    df["ci"] = pd.to_datetime(df["check_in"], utc=True).dt.tz_localize(None).dt.normalize()
    df["co"] = pd.to_datetime(df["check_out"], utc=True).dt.tz_localize(None).dt.normalize()
    df["n"] = pd.to_numeric(df["nights"]).fillna((df["co"] - df["ci"]).dt.days)
    df["cxl"] = df["status"] == "cancelled"
    return df


def local_days(df: pd.DataFrame, date: str, tz: str) -> pd.Series:
    if date == "check_in":
        return df["ci"]
    return pd.to_datetime(df["booked_at"], utc=True).dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()


def key_of(day: pd.Series, by: str) -> pd.Series:
    if by == "day":
        return day.dt.strftime("%Y-%m-%d")
    if by == "month":
        return day.dt.strftime("%Y-%m")
    iso = day.dt.isocalendar()
    return iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)


def all_periods(first: pd.Timestamp, last: pd.Timestamp, by: str) -> list[str]:
    days = pd.Series(pd.date_range(first, last, freq="D"))
    return list(dict.fromkeys(key_of(days, by)))


def expected(docs: list[dict], metric: str, by: str, date: str = "check_in", tz: str = "UTC") -> dict:
    """{series key (currency or None): {period: value}} computed with pandas alone."""
    df = frame(docs)
    df["day"] = local_days(df, date, tz)
    df = df[df["day"].notna()].copy()
    periods = all_periods(df["day"].min(), df["day"].max(), by)
    df["p"] = key_of(df["day"], by)
    live = df[~df["cxl"]]
    if metric == "bookings":
        return {None: df.groupby("p").size().reindex(periods, fill_value=0).to_dict()}
    if metric == "cancellations":
        return {None: df.groupby("p")["cxl"].sum().reindex(periods, fill_value=0).astype(int).to_dict()}
    if metric == "nights":
        return {None: live.groupby("p")["n"].sum().reindex(periods, fill_value=0).astype(int).to_dict()}
    if metric == "lead_time":
        booked = pd.to_datetime(df["booked_at"], utc=True).dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()
        df["lead"] = (df["ci"] - booked).dt.days
        return {None: df.groupby("p")["lead"].mean().reindex(periods).to_dict()}
    out = {}
    for cur, g in live.groupby("currency"):
        minor = g.groupby("p")["amount_minor"].sum().reindex(periods, fill_value=0)
        if metric == "revenue":
            out[cur] = (minor / 10 ** EXPONENT[cur]).to_dict()
        else:
            nights = g.groupby("p")["n"].sum().reindex(periods, fill_value=0)
            out[cur] = (minor / nights.where(nights > 0) / 10 ** EXPONENT[cur]).to_dict()
    return out
