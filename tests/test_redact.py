"""Masking secrets in messages and logs (booking_desktop/redact.py)."""

from __future__ import annotations

import random
import re
import time

import pytest

from booking_desktop.redact import _SECRET_OPTIONS, MASK, mask_secrets

# the regular expressions the masking was written as (quadratic on long tokens): the reference
_WITH_SCHEME = re.compile(r"(?P<pre>[A-Za-z][A-Za-z0-9+.\-]*:?/+)(?P<ui>[^\s'\"<>]*)@(?P<host>[^\s'\"<>@]*)")
_BARE = re.compile(r"(?P<user>[^\s:/@'\"()<>\[\]{},;=]+):(?P<pw>[^\s'\"<>/][^\s'\"<>]*)@(?P<host>[^\s'\"<>@]*)")


def reference(text: str) -> str:
    def scheme(m: re.Match[str]) -> str:
        user, colon, _ = m.group("ui").partition(":")
        return m.group(0) if not colon else f"{m.group('pre')}{user}:{MASK}@{m.group('host')}"

    if "@" in text:
        text = _BARE.sub(lambda m: f"{m.group('user')}:{MASK}@{m.group('host')}", _WITH_SCHEME.sub(scheme, text))
    return _SECRET_OPTIONS.sub(lambda m: f"{m.group('key')}{m.group('q')}{MASK}", text)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("mongodb://bob:hunter2@db.example.com:27017/app", "mongodb://bob:***@db.example.com:27017/app"),
        ("mongodb:/alice:p@ss:w/rd@host/x", "mongodb:/alice:***@host/x"),
        ("see notmongo://u:pw@h and alice:PW@host.", "see notmongo://u:***@h and alice:***@host."),
        ("mongodb://bob@db/ and a:/b@c", "mongodb://bob@db/ and a:/b@c"),
        ("'x:y@z' <u:v@w>", "'x:***@z' <u:***@w>"),
        ("mongodb://db/?password=hunter2&w=1", "mongodb://db/?password=***&w=1"),
    ],
)
def test_passwords_are_masked_and_the_rest_kept(text, masked):
    assert mask_secrets(text) == masked


def test_the_masking_is_the_regular_expressions_it_was_written_as():
    """Thousands of random strings over the characters the patterns turn on: the linear code and the
    regular expressions agree on every one."""
    rng = random.Random(9)
    alphabet = "aB1:/@.+-_ '\"<>()=;%\t"
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        assert mask_secrets(text) == reference(text), repr(text)


def _cpu(text: str) -> float:
    best = float("inf")
    for _ in range(3):
        t = time.process_time()
        mask_secrets(text)
        best = min(best, time.process_time() - t)
    return max(best, 1e-4)


@pytest.mark.parametrize("unit", ["a:", "a/", "x://a:", "a:/", "a@", "a:b@"])
def test_a_1_mb_text_beside_an_at_sign_costs_linear_work(unit):
    """Regression: "a:a:a:..." or "a/a/a/..." beside an "@" made the patterns scan to the end of the
    token from every position: 32 KB took 4 s, a 1 MB log line about an hour.  The CPU work grows
    about 4x when the text does (it grew 16x); a ratio of sizes, not a time."""
    for sizes in ((8_000, 32_000), (256_000, 1_024_000)):  # the small pair fails in seconds, not hours
        small, big = (unit * (n // len(unit)) + " @" for n in sizes)
        assert mask_secrets(big).endswith(" @")
        assert _cpu(big) / _cpu(small) < 8, sizes
