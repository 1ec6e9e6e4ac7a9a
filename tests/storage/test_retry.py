"""Transient failures are retried with growing, jittered, bounded delays; others are not."""

from __future__ import annotations

import random

import pytest
from pymongo.errors import AutoReconnect, DuplicateKeyError, NotPrimaryError, OperationFailure

from booking_desktop.storage.retry import RetriesExhausted, RetryPolicy, is_transient


class FakeTime:
    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.now += s

    def clock(self) -> float:
        return self.now


def policy(t: FakeTime, budget: float = 10.0) -> RetryPolicy:
    return RetryPolicy(base=0.1, max_delay=2.0, budget=budget, sleep=t.sleep, clock=t.clock, rng=random.Random(1))


def test_transient_failure_is_retried_until_it_succeeds():
    t = FakeTime()
    attempts = iter([AutoReconnect("reset"), NotPrimaryError("stepped down"), None])

    def flaky():
        exc = next(attempts)
        if exc:
            raise exc
        return "ok"

    assert policy(t).call(flaky) == "ok"
    assert len(t.sleeps) == 2


def test_server_that_stays_down_fails_within_the_budget():
    t = FakeTime()

    def down():
        raise AutoReconnect("connection refused")

    with pytest.raises(RetriesExhausted, match="still failing") as info:
        policy(t, budget=5.0).call(down, "committing records 1-10")
    assert t.now <= 5.0
    assert all(s <= 2.0 for s in t.sleeps)  # capped backoff
    assert isinstance(info.value.last, AutoReconnect)


def test_errors_about_the_data_are_not_retried():
    t = FakeTime()
    calls = []

    def refused():
        calls.append(1)
        raise OperationFailure("document failed validation", code=121)

    with pytest.raises(OperationFailure):
        policy(t).call(refused)
    assert calls == [1] and t.sleeps == []


def test_classification():
    assert is_transient(AutoReconnect("x"))
    assert is_transient(OperationFailure("shutting down", code=91))
    assert not is_transient(DuplicateKeyError("dup", code=11000))
    assert not is_transient(OperationFailure("auth failed", code=18))
