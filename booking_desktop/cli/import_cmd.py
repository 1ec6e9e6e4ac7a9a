"""``import FILE``: validate a vendor file and commit it to MongoDB exactly once.

Valid rows go to ``bookings`` (new inserted, changed updated, identical left
alone), invalid rows to the ``rejected_rows`` review queue.  An interrupted
import is resumed with ``--resume IMPORT_ID`` or simply by importing the same
file again.  The vendor comes from the profile (detected from the headers or
``--profile``) or ``--vendor``; a file with neither is refused, because a
booking is identified by its vendor and reference, never by a file name.
Exit status: 0 when the import completed (rejected rows included), 1 when it
stopped before the end (resumable), 2 when it could not start.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from booking_desktop.cli.common import encoding_option, fail, run_pipeline_cli
from booking_desktop.cli.connections_cmd import CliError, add_target_arguments, connect, resolve
from booking_desktop.errors import ProblemError
from booking_desktop.pipeline import PipelineResult
from booking_desktop.storage.engine import DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE, CommitEngine, StorageError
from booking_desktop.storage.imports import ResumeError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import",
        help="validate a file and commit it to MongoDB",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file")
    p.add_argument("--profile", help="mapping profile name (in mappings/) or path to a profile file")
    p.add_argument("--vendor", help="vendor code (overrides the profile's; needed when no profile names one)")
    add_target_arguments(p)
    p.add_argument(
        "--batch-size",
        type=int,
        default=DEFAULT_BATCH_SIZE,
        help=f"records per batch (1-{MAX_BATCH_SIZE}, default {DEFAULT_BATCH_SIZE})",
    )
    p.add_argument("--encoding", help="read the file in this encoding (wins over the profile's; e.g. cp1250)")
    p.add_argument("--resume", metavar="IMPORT_ID", help="continue an interrupted import")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(func=run_import)


def run_import(args: argparse.Namespace) -> int:
    if not 1 <= args.batch_size <= MAX_BATCH_SIZE:
        return fail(f"--batch-size must be between 1 and {MAX_BATCH_SIZE}")
    if not os.path.isfile(args.file):  # a file that is not there is the quickest thing to report
        return fail(f"{args.file}: file not found" if not os.path.exists(args.file) else f"{args.file}: not a file")
    try:  # then the database: a server that is down is reported before the file is read
        target = resolve(args)
        conn = connect(target)
    except CliError as exc:
        return fail(str(exc))
    try:
        try:
            options = encoding_option(args.encoding)
            result = run_pipeline_cli(args.file, args.profile, args.vendor, not args.json, options)
        except ProblemError as exc:
            return fail(str(exc))
        if not _has_vendor(result):
            where = result.mapping.get("vendor")
            why = (
                f"their own vendor ({where}) is empty in every row"
                if where
                else "no profile with a vendor matched the file's headers"
            )
            return fail(
                f"{args.file}: no vendor for these bookings: {why} and --vendor was not given. A booking is "
                "identified by its vendor and reference, so name the vendor: --vendor CODE (or --profile NAME, "
                "or save a profile for this layout)"
            )
        engine = conn.engine(batch_size=args.batch_size)
        summary = _drive(engine, result, args.resume, show=not args.json and sys.stderr.isatty())
    except (StorageError, ResumeError) as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return fail("interrupted; run the same import again (or use --resume) to continue", 130)
    finally:
        conn.close()
    out = summary.as_dict()
    out["database"] = target.db_name
    out["connection"] = target.label
    out["file"] = str(result.raw.source.path)
    if args.json:
        json.dump(out, sys.stdout, default=str)
        sys.stdout.write("\n")
    else:
        print(
            f"import {summary.import_id}: {summary.status} — {summary.records} records: "
            f"{summary.inserted} inserted, {summary.updated} updated, {summary.unchanged} unchanged, "
            f"{summary.rejected} rejected ({summary.seconds:.1f} s) into {target.db_name} on {target.label}"
        )
    if summary.status != "completed":
        return fail(f"{summary.error or summary.status}; resume with --resume {summary.import_id}", 1)
    return 0


def _has_vendor(result: PipelineResult) -> bool:
    if result.vendor:
        return True
    col = result.text.get("vendor")
    return col is not None and bool(col.notna().any())


def _drive(engine: CommitEngine, result, resume: str | None, show: bool):
    from booking_desktop.generators import drive

    gen = engine.commit(result, resume=resume)
    last = 0.0

    def draw(p) -> None:
        nonlocal last
        if show and (time.monotonic() - last > 0.1 or p.records_done == p.records):
            last = time.monotonic()
            _bar(p.records_done, p.records, p.rate)

    try:
        return drive(gen, draw)
    finally:
        gen.close()  # on Ctrl-C: marks the import interrupted
        if show:
            print("\r\033[K", end="", file=sys.stderr, flush=True)


def _bar(done: int, total: int, rate: float, width: int = 30) -> None:
    frac = done / total if total else 1.0
    filled = int(frac * width)
    print(
        f"\r\033[Kcommitting [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {rate:,.0f} rec/s",
        end="",
        file=sys.stderr,
        flush=True,
    )
