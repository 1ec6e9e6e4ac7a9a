"""Retrying transient MongoDB failures with exponential backoff and jitter.

Only failures that say nothing about the data are retried (connection reset,
timeouts, server selection, not-primary, shutdown in progress).  The total time
spent is bounded, so a server that stays down turns into one clear error the
engine can act on (mark the import interrupted) instead of hanging.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import pymongo  # noqa: F401  (first: see booking_desktop/storage/__init__.py)
from pymongo.errors import (
    AutoReconnect,
    ConnectionFailure,
    OperationFailure,
    PyMongoError,
    ServerSelectionTimeoutError,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

# Server error codes MongoDB documents as retryable (network/election/shutdown).
TRANSIENT_CODES = frozenset({6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 134, 64, 50, 112})


def is_transient(exc: BaseException) -> bool:
    """True when retrying the same request later may succeed."""
    if isinstance(exc, (AutoReconnect, ServerSelectionTimeoutError, ConnectionFailure)):
        return True
    if isinstance(exc, PyMongoError) and (
        exc.has_error_label("RetryableWriteError") or exc.has_error_label("TransientTransactionError")
    ):
        return True
    return isinstance(exc, OperationFailure) and exc.code in TRANSIENT_CODES


class RetriesExhausted(Exception):
    """A transient failure outlived the retry budget; ``__cause__`` is the last one."""

    def __init__(self, what: str, attempts: int, elapsed: float, last: BaseException):
        super().__init__(f"{what}: still failing after {attempts} attempts in {elapsed:.1f} s ({type(last).__name__})")
        self.attempts = attempts
        self.last = last


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff ``min(max_delay, base * 2**n)`` with full jitter, at most ``budget`` seconds in all."""

    base: float = 0.2
    max_delay: float = 5.0
    budget: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    rng: random.Random | None = None

    def call(self, fn: Callable[[], T], what: str = "database request") -> T:
        start = self.clock()
        attempt = 0
        rng = self.rng or random
        while True:
            attempt += 1
            try:
                return fn()
            except PyMongoError as exc:
                if not is_transient(exc):
                    raise
                elapsed = self.clock() - start
                delay = rng.uniform(0, min(self.max_delay, self.base * 2 ** (attempt - 1)))
                if elapsed + delay > self.budget:
                    raise RetriesExhausted(what, attempt, elapsed, exc) from exc
                log.info("%s failed transiently (%s); retry %d in %.2f s", what, type(exc).__name__, attempt, delay)
                self.sleep(delay)
