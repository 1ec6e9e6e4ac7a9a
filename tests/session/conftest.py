"""Fixtures for session tests (the stand-in core lives in session_fakes.py)."""

from __future__ import annotations

import pytest
from session_fakes import ROWS, FakeEngine, make_result

from booking_desktop.pipeline import PipelineResult


@pytest.fixture
def result() -> PipelineResult:
    return make_result([dict(r) for r in ROWS])


@pytest.fixture
def session(result):
    from booking_desktop.session import WorkSession

    return WorkSession.from_result(result, engine=FakeEngine())
