"""What the commit panel's workers run: the engine's preview and commit, with storage failures turned
into one-line problems whose code says what happened (Qt-free)."""

from __future__ import annotations

import logging
from typing import Any

import pymongo  # noqa: F401  (first: see booking_desktop/storage/__init__.py)
from pymongo.errors import PyMongoError

from booking_desktop.errors import Problem, ProblemError
from booking_desktop.storage.engine import StorageError

log = logging.getLogger(__name__)


def database_problem(exc: BaseException) -> ProblemError:
    """A storage failure as a one-line problem without secrets; its code says what it was."""
    from booking_desktop.storage.connections import mask_uri

    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, PyMongoError):
        text = f"cannot reach the database ({type(exc).__name__})"
    code = getattr(exc, "code", "storage") if isinstance(exc, StorageError) else "storage"
    return ProblemError(Problem(code=code, message=mask_uri(text) or type(exc).__name__))


def error_code(exc: BaseException | None) -> str:
    return exc.problem.code if isinstance(exc, ProblemError) else ""


def preview_work(engine: Any, result: Any, cancelled: Any) -> Any:
    try:
        return (yield from engine.preview_steps(result, cancelled=cancelled))
    except (PyMongoError, StorageError) as exc:
        raise database_problem(exc) from None


def commit_work(engine: Any, result: Any, cancelled: Any, profile_name: str | None = None) -> Any:
    """The summary and where each row went (``CommitOutcome``, None when it cannot be told)."""
    try:
        summary = yield from engine.commit(result, cancelled=cancelled, profile_name=profile_name)
    except (PyMongoError, StorageError) as exc:
        raise database_problem(exc) from None
    try:
        outcome = engine.outcome(summary) if hasattr(engine, "outcome") else None
    except PyMongoError as exc:
        log.warning("could not read which rows the server refused: %s", type(exc).__name__)
        outcome = None
    return summary, outcome
