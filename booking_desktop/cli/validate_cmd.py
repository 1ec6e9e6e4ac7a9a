"""``validate FILE``: read, map and validate a vendor file; report what is wrong and where."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from booking_desktop.cli.common import fail, run_pipeline_cli
from booking_desktop.cli.output import defuse_csv_column, printable, problem_dicts, write_xlsx
from booking_desktop.errors import ProblemError
from booking_desktop.pipeline import PipelineResult

SUMMARY_EXAMPLES = 20  # problems listed in the human-readable summary


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="validate a vendor booking file", description=__doc__)
    p.add_argument("file")
    p.add_argument("--profile", help="mapping profile name (in mappings/) or path to a profile file")
    p.add_argument("--vendor", help="vendor code (overrides the profile's)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--report", help="write every problem to PATH (.xlsx, .csv or .json)")
    p.set_defaults(func=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    try:
        result = run_pipeline_cli(args.file, args.profile, args.vendor, show_progress=not args.json)
    except ProblemError as exc:
        return fail(str(exc))
    summary = summarize(result)
    if args.report:
        try:
            write_report(result, Path(args.report))
        except (OSError, ValueError) as exc:
            return fail(f"cannot write report {args.report}: {exc}")
    if args.json:
        summary["errors"] = problem_dicts(result)
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, default=str) + "\n")  # one C-encoded string
    else:
        print_summary(result, summary)
    return 0


def summarize(result: PipelineResult) -> dict[str, Any]:
    src = result.raw.source
    problems = result.problems.frame
    warnings_rows = int(problems.loc[problems["severity"] == "warning", "row"].nunique())
    profile = result.profile
    by_code = result.problems.counts_by_code()
    for p in result.file_problems:
        by_code[p.code] = by_code.get(p.code, 0) + 1
    return {
        "file": str(src.path),
        "format": src.format,
        "profile": getattr(profile, "name", None),
        "vendor": result.vendor,
        "mapping": result.mapping,
        "records": result.records,
        "valid": result.valid,
        "invalid": result.invalid,
        "warnings": warnings_rows,
        "errors_by_code": dict(sorted(by_code.items())),
    }


def print_summary(result: PipelineResult, s: dict[str, Any]) -> None:
    # every line through printable(): a file name or cell value holding a newline prints escaped,
    # so no vendor text can forge a line of this summary
    def say(text: str) -> None:
        print(printable(text))

    say(f"{s['file']} ({s['format']}), profile: {s['profile'] or 'none (suggested mapping)'}, vendor: {s['vendor']}")
    say(f"records: {s['records']}  valid: {s['valid']}  invalid: {s['invalid']}  with warnings: {s['warnings']}")
    for p in result.file_problems:
        say(f"  [{p.severity}] {p.code}: {p.message}")
    if s["errors_by_code"]:
        say("problems by code:")
        for code, n in s["errors_by_code"].items():
            say(f"  {code:24} {n}")
    for shown, p in enumerate(result.problems.problems(result.raw.locations)):
        if shown == SUMMARY_EXAMPLES:
            say(f"  ... {len(result.problems) - shown} more (use --json or --report)")
            break
        say(f"  record {p.row} ({p.location}) {p.field}: [{p.severity}] {p.code}: {p.message}")


def write_report(result: PipelineResult, path: Path) -> None:
    """Every problem to ``path``.  Vendor text that a spreadsheet would run as a formula (``=``,
    ``+``, ``-``, ``@``, tab, CR first) is written as text: ``'``-prefixed in the CSV, typed as
    text in the XLSX (see ``cli/output.py``)."""
    rows = problem_dicts(result)
    frame = pd.DataFrame(rows, columns=["row", "field", "code", "severity", "message", "value", "location"])
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame.apply(defuse_csv_column).to_csv(path, index=False)
    elif suffix == ".json":
        path.write_text(json.dumps(rows, ensure_ascii=False, default=str, indent=1), encoding="utf-8")
    elif suffix == ".xlsx":
        write_xlsx(frame, path, sheet="problems")
    else:
        raise ValueError("report must end in .xlsx, .csv or .json")
