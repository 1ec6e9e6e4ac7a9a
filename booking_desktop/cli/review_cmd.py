"""``review``: the supervisor's queue of rejected rows (storage/review.py).

list, show, fix (re-validates and says what is still wrong), bulk (one fix on many rows: --set,
--replace or --map, on named rows or every open row of a filter; --dry-run says what would change)
and undo of a bulk, resubmit (commits rows that are valid now, exactly once), discard with a
reason, reopen, assign, recount (rebuilds the maintained counts that `list --counts` reads), and
export the vendor's error report (XLSX in the vendor's own layout, or CSV).  Nothing is ever
deleted from the queue.

Exit status: 0 done; 2 with one line on stderr for an unknown id, a refused action, a row that
another supervisor changed meanwhile, or a database that cannot be reached.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from booking_desktop.cli.common import fail

STATUSES = ("open", "resolved", "discarded", "all")


def register(sub: argparse._SubParsersAction) -> None:
    from booking_desktop.cli.connections_cmd import add_target_arguments

    p = sub.add_parser("review", help="the review queue of rejected rows", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    rsub = p.add_subparsers(dest="action", required=True)

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        a = rsub.add_parser(name, help=help_text, description=help_text)
        add_target_arguments(a)
        a.set_defaults(func=run_review, action=name)
        return a

    ls = action("list", "rows of the queue, oldest first")
    _filters(ls)
    ls.add_argument("--code", help="error code (e.g. date_order, range, duplicate_ref)")
    ls.add_argument("--field", help="canonical field with an error (e.g. check_out)")
    ls.add_argument("--status", choices=STATUSES, default="open", help="default: open")
    ls.add_argument("--assignee", help="rows assigned to this user")
    ls.add_argument("--limit", type=int, default=50, help="rows to print (default 50)")
    ls.add_argument("--after", metavar="TOKEN", help="the page after this one (the 'next' of --json)")
    ls.add_argument("--counts", action="store_true", help="also count the rows by vendor and error code")
    ls.add_argument("--json", action="store_true")

    sh = action("show", "one row: errors, the vendor's cells, canonical values, place in the file, history")
    sh.add_argument("id")
    sh.add_argument("--json", action="store_true")

    fx = action("fix", "set canonical values of a row and re-validate it")
    fx.add_argument("id")
    fx.add_argument("--set", dest="sets", action="append", default=[], metavar="FIELD=VALUE", required=True,
                    help="a canonical value (FIELD= clears it); repeat for more fields")
    fx.add_argument("--json", action="store_true")

    rs = action("resubmit", "commit rows that are valid now (exactly once)")
    rs.add_argument("ids", nargs="*", metavar="ID")
    rs.add_argument("--valid", action="store_true", help="every open row a fix made valid (with the filters)")
    _filters(rs)
    rs.add_argument("--json", action="store_true")

    dc = action("discard", "take rows out of the queue, with a reason (they are kept)")
    dc.add_argument("ids", nargs="+", metavar="ID")
    dc.add_argument("--reason", required=True,
                    help="cancelled, test, duplicate, not-a-booking, resent, or free text")
    dc.add_argument("--json", action="store_true")

    ro = action("reopen", "put discarded rows back in the queue")
    ro.add_argument("ids", nargs="+", metavar="ID")
    ro.add_argument("--json", action="store_true")

    asg = action("assign", "assign rows to a user")
    asg.add_argument("ids", nargs="+", metavar="ID")
    asg.add_argument("--to", required=True, metavar="USER", help="the user ('' to unassign)")
    asg.add_argument("--json", action="store_true")

    bk = action("bulk", "one fix on many rows (named, or every open row of a filter), undoable as one step")
    bk.add_argument("ids", nargs="*", metavar="ID")
    _filters(bk)
    bk.add_argument("--code", help="rows with this error code")
    bk.add_argument("--field", dest="error_field", metavar="F", help="rows with an error in this field")
    how = bk.add_mutually_exclusive_group(required=True)
    how.add_argument("--set", dest="set_value", metavar="FIELD=VALUE", help="the same value everywhere (FIELD= clears)")
    how.add_argument("--replace", nargs=3, metavar=("FIELD", "FIND", "REPL"), help="replace text in a field")
    how.add_argument("--map", nargs=2, metavar=("FIELD", "FILE"),
                     help="a value map: FILE.csv (a header row, then value,new value a line) or FILE.json")
    bk.add_argument("--whole-cell", action="store_true", help="--replace only values that are FIND as a whole")
    bk.add_argument("--ignore-case", action="store_true", help="--replace whatever the upper/lower case")
    bk.add_argument("--dry-run", action="store_true", help="say what would change; write nothing")
    bk.add_argument("--json", action="store_true")

    un = action("undo", "undo a bulk fix (rows changed since are left as they are)")
    un.add_argument("bulk_id", metavar="BULK_ID")
    un.add_argument("--json", action="store_true")

    rc = action("recount", "rebuild the queue's maintained counts (vendor x status x code) from the rows")
    rc.add_argument("--json", action="store_true")

    ex = action("export", "the vendor's error report: their layout, every bad cell marked (XLSX or CSV)")
    _filters(ex)
    ex.add_argument("--status", choices=STATUSES, default="open", help="default: open")
    ex.add_argument("--out", required=True, metavar="FILE", help="FILE.xlsx or FILE.csv")
    ex.add_argument("--json", action="store_true")


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--vendor", help="rows of this vendor")
    p.add_argument("--import", dest="import_id", metavar="ID", help="rows of this import")


def run_review(args: argparse.Namespace) -> int:
    from booking_desktop.cli.connections_cmd import CliError, connect, resolve
    from booking_desktop.storage.engine import StorageError
    from booking_desktop.storage.review import ReviewError

    if args.action == "list" and not 1 <= args.limit <= 10_000:
        return fail("--limit must be between 1 and 10000")
    if args.action == "export" and not str(args.out).lower().endswith((".xlsx", ".csv")):
        return fail(f"{args.out}: the report is written as .xlsx or .csv; name the file so")
    try:
        conn = connect(resolve(args))
    except CliError as exc:
        return fail(str(exc))
    try:
        from booking_desktop.storage.review import ReviewQueue

        queue = ReviewQueue(conn.db, db_user=conn.db_user, engine_factory=conn.engine)
        return int(_ACTIONS[args.action](queue, args))
    except (ReviewError, StorageError) as exc:
        return fail(str(exc))
    except OSError as exc:
        return fail(f"{getattr(exc, 'filename', None) or ''}: {exc.strerror or exc}".lstrip(": "))
    finally:
        conn.close()


def _emit(args: argparse.Namespace, obj: Any, text: str) -> None:
    from booking_desktop.cli.output import printable

    if args.json:
        json.dump(obj, sys.stdout, default=str, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print("\n".join(printable(line) for line in text.splitlines()))


def _flt(args: argparse.Namespace, **kw: Any) -> Any:
    from booking_desktop.storage.review import ReviewFilter

    return ReviewFilter(vendor=args.vendor, import_id=args.import_id, **kw)


def _list(queue: Any, args: argparse.Namespace) -> int:
    flt = _flt(args, code=args.code, field=args.field, status=args.status, assignee=args.assignee)
    page = queue.page(flt, limit=args.limit, after=args.after, with_total=True)
    keys = ("id", "vendor", "import_id", "file", "record", "location", "status", "assignee", "errors", "raw", "mapped")
    obj: dict[str, Any] = {"total": page.total, "rows": [{k: r[k] for k in keys} for r in page.rows],
                           "next": page.next}
    lines = [f"{page.total:,} row(s); oldest first" + (f", the first {len(page.rows)}" if page.next else "")]
    for r in page.rows:
        codes = ", ".join(f"{e['field'] or '-'}:{e['code']}" for e in r["errors"]) or "no errors"
        who = f" @{r['assignee']}" if r["assignee"] else ""
        lines.append(f"{r['id']}  {r['vendor']}  {r['file']} {r['location'] or ''}  {r['status']}{who}  {codes}")
    if page.next:
        lines.append(f"more: --after {page.next}")
    if args.counts:
        obj["counts"] = queue.counts(flt)
        lines.append("rows by vendor and code:")
        lines += [f"  {c['vendor']}  {c['code']}  {c['rows']:,}" for c in obj["counts"]]
    _emit(args, obj, "\n".join(lines))
    return 0


def _row_text(r: dict[str, Any]) -> str:
    lines = [f"row {r['id']}: {r['vendor']}, {r['file']} {r['location'] or ''} (record {r['record']}), {r['status']}"
             + (f", assigned to {r['assignee']}" if r.get("assignee") else "")]
    if r.get("note"):
        lines.append(f"  {r['note']}")
    for kind in ("errors", "warnings"):
        for e in r.get(kind) or []:
            lines.append(f"  {kind[:-1]}: {e['field'] or '-'} {e['code']}: {e['message']}")
    if not r.get("errors"):
        lines.append("  no errors")
    lines.append("  the vendor's cells:")
    lines += [f"    {c['column']}: {c['value'] if c['value'] is not None else ''}" for c in r.get("raw_cells") or []]
    lines.append("  canonical values:")
    lines += [f"    {k}: {v}" for k, v in r["mapped"].items() if v is not None]
    for h in r.get("history") or []:
        who = (h.get("who") or {}).get("os_user")
        lines.append(f"  {h.get('at')}: {h.get('action')} by {who}: {h.get('before')} -> {h.get('after')}")
    return "\n".join(lines)


def _show(queue: Any, args: argparse.Namespace) -> int:
    r = queue.show(args.id)
    _emit(args, r, _row_text(r))
    return 0


def _fix(queue: Any, args: argparse.Namespace) -> int:
    changes: dict[str, str | None] = {}
    for item in args.sets:
        field, sep, value = item.partition("=")
        if not sep or not field:
            return fail(f"--set {item!r}: expected FIELD=VALUE (FIELD= clears the field)")
        changes[field.strip()] = value if value != "" else None
    r = queue.fix(args.id, changes)
    _emit(args, r, _row_text(r) + ("\nvalid now: `review resubmit " + r["id"] + "` commits it" if not r["errors"]
                                   else f"\nstill {len(r['errors'])} error(s)"))
    return 0


def _resubmit(queue: Any, args: argparse.Namespace) -> int:
    if bool(args.ids) == bool(args.valid):
        return fail("name the rows to resubmit (ID ...) or use --valid, not both")
    if args.ids and (args.vendor or args.import_id):
        return fail("--vendor and --import select rows with --valid only")
    out = queue.resubmit(args.ids or None, None if args.ids else _flt(args))
    d = out.as_dict()
    text = (f"resubmitted {out.resubmitted} ({out.inserted} inserted, {out.updated} updated, {out.unchanged} "
            f"unchanged, {out.superseded} superseded); {out.still_invalid} still invalid, {out.conflicts} changed "
            f"meanwhile, {out.not_committed} not committed")
    _emit(args, d, "\n".join([text, *out.errors]))
    if out.conflicts or out.not_committed:
        return fail(out.errors[0] if out.errors else "some rows were not resubmitted")
    return 0


def _many(result: Any, args: argparse.Namespace, verb: str) -> int:
    _emit(args, {"done": result.done, "conflicts": result.conflicts},
          f"{verb} {len(result.done)} row(s)" + (f"; {len(result.conflicts)} changed meanwhile" if result.conflicts
                                                   else ""))
    if result.conflicts:
        return fail(f"row {result.conflicts[0]} changed since it was read (another supervisor acted on it); "
                    "read it again and repeat the action")
    return 0


def _discard(queue: Any, args: argparse.Namespace) -> int:
    return _many(queue.discard(args.ids, args.reason), args, "discarded")


def _reopen(queue: Any, args: argparse.Namespace) -> int:
    return _many(queue.reopen(args.ids), args, "reopened")


def _assign(queue: Any, args: argparse.Namespace) -> int:
    return _many(queue.assign(args.ids, args.to or None), args, f"assigned to {args.to or 'nobody'}")


def _bulk(queue: Any, args: argparse.Namespace) -> int:
    from booking_desktop.storage import review_bulk as rb

    has_filter = any(v is not None for v in (args.vendor, args.import_id, args.code, args.error_field))
    if bool(args.ids) == has_filter:
        return fail("name the rows (ID ...) or select them with --vendor/--import/--code/--field, not both")
    if (args.whole_cell or args.ignore_case) and not args.replace:
        return fail("--whole-cell and --ignore-case go with --replace")
    op: Any
    if args.set_value is not None:
        field, sep, value = args.set_value.partition("=")
        if not sep or not field:
            return fail(f"--set {args.set_value!r}: expected FIELD=VALUE (FIELD= clears the field)")
        op = rb.SetValue(field, value if value != "" else None)
    elif args.replace:
        f, find, repl = args.replace
        op = rb.FindReplace(f, find, repl, whole_cell=args.whole_cell, case=not args.ignore_case)
    else:
        op = rb.ValueMap(args.map[0], rb.load_value_map(args.map[1]))
    target: dict[str, Any] = {"ids": args.ids} if args.ids else {
        "flt": _flt(args, code=args.code, field=args.error_field)}
    if args.dry_run:
        plan = rb.plan_bulk(queue, op, **target)
        lines = [f"would change {plan.changes:,} of {plan.matched:,} row(s) ({plan.valid_now:,} valid then, "
                 f"{plan.still_invalid:,} still invalid); {plan.unchanged:,} unchanged"
                 + (f", {len(plan.conflicts):,} being resubmitted" if plan.conflicts else "")]
        for r in plan.rows[:20]:
            codes = ", ".join(e["code"] for e in r["errors"]) or "valid"
            lines.append(f"  {r['id']} record {r['record']}: {r['before']} -> {r['after']}  ({codes})")
        if plan.changes > 20:
            lines.append(f"  ... and {plan.changes - 20:,} more")
        _emit(args, {"dry_run": True, **plan.as_dict()}, "\n".join(lines))
        return 0
    out = rb.apply_bulk(queue, op, **target)
    _emit(args, out.as_dict(), f"bulk fix {out.bulk_id}: changed {len(out.changed):,} row(s) ({out.valid_now:,} "
          f"valid now, {out.still_invalid:,} still invalid); {out.unchanged:,} unchanged; "
          f"{len(out.conflicts):,} changed meanwhile\nundo: `review undo {out.bulk_id}`")
    if out.conflicts:
        return fail(f"{len(out.conflicts):,} row(s) changed meanwhile or are being resubmitted (the first: "
                    f"{out.conflicts[0]}); the others are done")
    return 0


def _undo(queue: Any, args: argparse.Namespace) -> int:
    from booking_desktop.storage.review_bulk import undo_bulk

    out = undo_bulk(queue, args.bulk_id)
    _emit(args, out.as_dict(), f"undid bulk fix {out.bulk_id}: {len(out.changed):,} row(s) put back; "
          f"{len(out.conflicts):,} changed since, left as they are")
    if out.conflicts:
        return fail(f"{len(out.conflicts):,} row(s) changed since the bulk fix and were left as they are (the "
                    f"first: {out.conflicts[0]})")
    return 0


def _recount(queue: Any, args: argparse.Namespace) -> int:
    from booking_desktop.storage.review_counts import rebuild

    tally = rebuild(queue.db)
    rows = [{"vendor": v, "status": s, "code": c, "rows": n} for (v, s, c), n in sorted(tally.items(), key=str) if n]
    _emit(args, {"counts": rows}, f"counted again: {len(rows)} (vendor, status, code) with rows\n"
          + "\n".join(f"  {r['vendor']}  {r['status']}  {r['code']}  {r['rows']:,}" for r in rows))
    return 0


def _export(queue: Any, args: argparse.Namespace) -> int:
    from booking_desktop.review_export import export_report

    summary = export_report(queue, _flt(args, status=args.status), args.out)
    _emit(args, summary, f"{summary['rows']:,} row(s) of {summary['files']} file(s) written to {args.out}")
    return 0


_ACTIONS = {
    "list": _list,
    "show": _show,
    "fix": _fix,
    "resubmit": _resubmit,
    "discard": _discard,
    "reopen": _reopen,
    "assign": _assign,
    "export": _export,
    "bulk": _bulk,
    "undo": _undo,
    "recount": _recount,
}
