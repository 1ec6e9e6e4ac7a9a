"""Helpers shared by the sub-commands: resolving profiles, failing cleanly."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from booking_desktop.errors import Problem, ProblemError
from booking_desktop.pipeline import PipelineResult, Progress, run


def fail(message: str, code: int = 2) -> int:
    from booking_desktop.cli.output import printable

    print(f"booking-desktop-cli: {printable(message)}", file=sys.stderr)  # a file name cannot forge a line
    return code


def run_pipeline_cli(
    file: str,
    profile: str | None,
    vendor: str | None,
    show_progress: bool,
    reader_options: dict[str, Any] | None = None,
) -> PipelineResult:
    """Run the pipeline, drawing a progress line on a terminal.

    ``reader_options`` (e.g. ``{"encoding": "cp1250"}`` from ``--encoding``) win over the profile's.
    Raises ProblemError (also for an OSError, turned into a one-line message naming the file)."""
    try:
        return _run(file, profile, vendor, show_progress, reader_options)
    except OSError as exc:
        raise ProblemError(Problem(code="os-error", message=f"{file}: {exc.strerror or exc}")) from exc


def _run(
    file: str, profile: str | None, vendor: str | None, show_progress: bool, reader_options: dict[str, Any] | None
) -> PipelineResult:
    from booking_desktop.generators import drive

    tty = show_progress and sys.stderr.isatty()
    gen = run(Path(file), profile=profile, vendor=vendor, reader_options=reader_options)
    result = drive(gen, _draw if tty else None)
    if tty:
        print("\r\033[K", end="", file=sys.stderr)
    return result


def _draw(event: Progress) -> None:
    pct = f" {100 * event.done // event.total:3d}%" if event.total else ""
    from booking_desktop.cli.output import printable

    print(f"\r\033[K{event.stage}{pct} {printable(event.message)}", end="", file=sys.stderr, flush=True)


def encoding_option(value: str | None) -> dict[str, Any] | None:
    """Reader options for ``--encoding`` (checked here, so a typo fails before the file is read)."""
    if not value:
        return None
    import codecs

    try:
        codecs.lookup(value)
    except LookupError:
        message = f"unknown encoding {value!r} (e.g. utf-8, cp1252, cp1250, iso8859-7)"
        raise ProblemError(Problem(code="encoding", message=message)) from None
    return {"encoding": value}


def iter_problem_dicts(result: PipelineResult) -> Iterator[dict[str, Any]]:
    from booking_desktop.cli.output import problem_dicts

    yield from problem_dicts(result)


__all__ = ["encoding_option", "fail", "iter_problem_dicts", "run_pipeline_cli"]
