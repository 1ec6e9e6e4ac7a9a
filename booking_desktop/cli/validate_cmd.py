"""``validate FILE``: read, map and validate a vendor file; report what is wrong and where."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pandas as pd

from booking_desktop.cli.common import encoding_option, fail, run_pipeline_cli
from booking_desktop.cli.output import defuse_csv_column, printable, problem_dicts, write_xlsx
from booking_desktop.errors import ProblemError, ProblemTable, Severity
from booking_desktop.pipeline import PipelineResult

if TYPE_CHECKING:
    from booking_desktop.pipeline import NoMappingError

SUMMARY_EXAMPLES = 20  # problems listed in the human-readable summary


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="validate a vendor booking file", description=__doc__)
    p.add_argument("file")
    p.add_argument("--profile", help="mapping profile name (in mappings/) or path to a profile file")
    p.add_argument("--vendor", help="vendor code (overrides the profile's)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--report", help="write every problem to PATH (.xlsx, .csv or .json)")
    p.add_argument(
        "--output",
        metavar="PATH",
        help="write the canonical rows (record, location, row status, problems, stored fields) to PATH "
        "(.csv, .jsonl or .xlsx), to inspect and diff what an import would commit",
    )
    p.add_argument("--encoding", help="read the file in this encoding (wins over the profile's; e.g. cp1250)")
    p.set_defaults(func=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    from booking_desktop.pipeline import NoMappingError

    try:
        options = encoding_option(getattr(args, "encoding", None))
        result = run_pipeline_cli(args.file, args.profile, args.vendor, not args.json, options)
    except NoMappingError as exc:
        return _report_unmapped(args, exc)
    except ProblemError as exc:
        return fail(str(exc))
    summary = summarize(result)
    if args.report:
        try:
            write_report(result, Path(args.report))
        except (OSError, ValueError) as exc:
            return fail(f"cannot write report {args.report}: {exc}")
    if getattr(args, "output", None) and (code := _write_output(result, args.output)):
        return code
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
        "vendor": _vendor_of(result),
        "mapping": result.mapping,
        "records": result.records,
        "skipped": sum(getattr(result, "skipped_rows", {}).values()),
        "valid": result.valid,
        "invalid": result.invalid,
        "warnings": warnings_rows,
        "errors_by_code": dict(sorted(by_code.items())),
    }


def _vendor_of(result: PipelineResult) -> str | None:
    """The file's vendor, or its rows' own (an OTA batch names one per message): ``A`` when every row
    that has one says ``A``, ``mixed (A, B)`` when they differ, None when no row has one."""
    if result.vendor:
        return result.vendor
    column = result.text.get("vendor")
    found = sorted(str(v) for v in column.dropna().unique()) if column is not None else []
    if len(found) <= 1:
        return found[0] if found else None
    shown = ", ".join(found[:5]) + (", …" if len(found) > 5 else "")
    return f"mixed ({shown})"


def print_summary(result: PipelineResult, s: dict[str, Any]) -> None:
    # every line through printable(): a file name or cell value holding a newline prints escaped,
    # so no vendor text can forge a line of this summary
    def say(text: str) -> None:
        print(printable(text))

    say(f"{s['file']} ({s['format']}), profile: {s['profile'] or 'none (suggested mapping)'}, vendor: {s['vendor']}")
    skipped = f"  skipped (not bookings): {s['skipped']}" if s.get("skipped") else ""
    say(
        f"records: {s['records']}  valid: {s['valid']}  invalid: {s['invalid']}  with warnings: {s['warnings']}"
        + skipped
    )
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


def _write_output(result: PipelineResult | None, output: str) -> int:
    from booking_desktop.export import write_rows

    try:
        write_rows(result, Path(output))
    except (OSError, ValueError) as exc:
        return fail(f"cannot write {output}: {exc}")
    return 0


def _report_unmapped(args: argparse.Namespace, exc: NoMappingError) -> int:
    """A file that was read but has nothing to map is a finding, not a failure: say what the
    reader found (no records, blank rows, ...) and why nothing maps, and exit 0."""
    raw = exc.raw
    notice = exc.problem.__class__(**{**exc.problem.as_dict(), "severity": Severity.WARNING})
    problems = [*exc.file_problems, notice]
    if args.output and (code := _write_output(None, args.output)):
        return code
    if args.report:
        try:  # the same writer as for a validated file, over the file-level findings alone
            found = SimpleNamespace(file_problems=problems, problems=ProblemTable(), raw=raw)
            write_report(found, Path(args.report))  # type: ignore[arg-type]
        except (OSError, ValueError) as err:
            return fail(f"cannot write report {args.report}: {err}")
    src = raw.source
    summary = {
        "file": str(src.path),
        "format": src.format,
        "encoding": src.encoding,
        "profile": None,
        "vendor": args.vendor,
        "mapping": {},
        "records": len(raw),
        "valid": 0,
        "invalid": 0,
        "warnings": 0,
        "errors_by_code": dict(sorted({p.code: sum(q.code == p.code for q in problems) for p in problems}.items())),
    }
    if args.json:
        summary["errors"] = [p.as_dict() for p in problems]
        json.dump(summary, sys.stdout, ensure_ascii=False, default=str)
        sys.stdout.write("\n")
        return 0
    print(printable(f"{summary['file']} ({summary['format']}), nothing mapped"))
    print(printable(f"records: {len(raw)}  columns: {', '.join(raw.columns) or 'none'}"))
    for p in problems:
        print(printable(f"  [{p.severity}] {p.code}: {p.message}"))
    return 0
