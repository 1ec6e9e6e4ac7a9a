"""Vendor files with planted defects, imported through the real pipeline and CommitEngine and then dated
back, for the data-quality and import-health tests (core and pages), with the independent counts: pandas
over the documents read back with a plain find().

HARBOUR sends three files (40, 10 and 2 days before ``now``, six bad records each: review_files.ROWS);
LAGOON sends one (today) with one bad record; one rejected HARBOUR row of the newest file is resolved.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from review_files import ROWS, write_file, write_profile

from booking_desktop.pipeline import run_to_end
from booking_desktop.storage.engine import CommitEngine
from booking_desktop.storage.imports import set_rejected_status

BUCKET_EDGES = [-math.inf, 1, 7, 30, math.inf]  # a row dated a moment after "now" is new, as in the core
BUCKET_LABELS = ["< 1 day", "1–7 days", "7–30 days", "> 30 days"]
LAGOON_ROWS = [
    "L1,Ola Berg,2024-06-01,2024-06-03,2,210.00,EUR",
    "L2,Pia Moss,2024-06-02,2024-06-04,2,180.00,EUR",
    "L3,Quin Roe,2024-06-03,2024-06-02,2,90.00,EUR",  # leaves before it arrives
    "L4,Rui Sa,2024-06-04,2024-06-06,1,75.00,EUR",
]


def renamed(prefix: str) -> list[str]:
    """review_files.ROWS with other booking references (a new file of the same vendor, same defects)."""
    return [prefix + r.split(",", 1)[0][1:] + "," + r.split(",", 1)[1] for r in ROWS]


def backdate(db: Any, import_id: str, when: datetime) -> None:
    """The import (and the rows it rejected) as if it ran at ``when`` (whole-document replaces: a ``$set``
    of a date is stored as a string on nx-27017)."""
    doc = db.imports.find_one({"_id": import_id})
    took = doc["finished_at"] - doc["started_at"] if doc.get("finished_at") else timedelta(seconds=2)
    db.imports.replace_one({"_id": import_id}, {**doc, "started_at": when, "finished_at": when + took})
    for rr in list(db.rejected_rows.find({"import_id": import_id})):
        db.rejected_rows.replace_one({"_id": rr["_id"]}, {**rr, "created_at": when, "updated_at": when})


def plant(db: Any, folder: Path, now: datetime) -> dict[str, Any]:
    """The history described above; returns the import ids by file name."""
    profiles = folder / "profiles"
    write_profile(profiles, "harbour", "HARBOUR")
    write_profile(profiles, "lagoon", "LAGOON")
    ids: dict[str, str] = {}
    for name, prefix, days_ago in (("harbour_a.csv", "A", 40), ("harbour_b.csv", "B", 10), ("harbour_c.csv", "C", 2)):
        f = write_file(folder, name, renamed(prefix))
        s = CommitEngine(db).run(run_to_end(f, profile=str(profiles / "harbour.yaml")))
        ids[name] = s.import_id
        backdate(db, s.import_id, now - timedelta(days=days_ago))
    f = write_file(folder, "lagoon.csv", LAGOON_ROWS)
    ids["lagoon.csv"] = CommitEngine(db).run(run_to_end(f, profile=str(profiles / "lagoon.yaml"))).import_id
    newest = db.rejected_rows.find_one({"import_id": ids["harbour_c.csv"]}, sort=[("record", 1)])
    set_rejected_status(db, newest["_id"], "resolved", note="fixed by hand")
    return ids


def frames(db: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The import records and the rejected rows, read back with a plain find()."""
    imports = pd.DataFrame(list(db.imports.find()))
    rejected = pd.DataFrame(list(db.rejected_rows.find()))
    return imports, rejected


def open_by_age(db: Any, now: datetime) -> dict[str, dict[str, int]]:
    """{vendor: {bucket label: open rows}} by pandas (pd.cut over the age in days, left-closed bins)."""
    _imports, rejected = frames(db)
    open_rows = rejected[rejected["status"] == "open"].copy()
    created = pd.to_datetime(open_rows["created_at"], utc=True)
    open_rows["age"] = (pd.Timestamp(now) - created).dt.total_seconds() / 86400
    open_rows["bucket"] = pd.cut(open_rows["age"], BUCKET_EDGES, right=False, labels=BUCKET_LABELS)
    table = open_rows.groupby(["vendor", "bucket"], observed=False).size().unstack(fill_value=0)
    return {v: {b: int(table.loc[v, b]) for b in BUCKET_LABELS} for v in table.index}


def codes_by_vendor(db: Any, import_ids: list[str] | None = None) -> dict[tuple[str, str], tuple[int, int]]:
    """{(vendor, code): (rejected rows with the code, those still open)}, each code once per row."""
    _imports, rejected = frames(db)
    if import_ids is not None:
        rejected = rejected[rejected["import_id"].isin(import_ids)]
    pairs = rejected.assign(code=[sorted({e["code"] for e in errs}) for errs in rejected["errors"]]).explode("code")
    out = {}
    for (vendor, code), g in pairs.groupby(["vendor", "code"]):
        out[(vendor, code)] = (len(g), int((g["status"] == "open").sum()))
    return out


def rates_by_month(db: Any) -> dict[tuple[str, str], float]:
    """{(vendor, YYYY-MM of the import's start in UTC): rejected / received}."""
    imports, _rejected = frames(db)
    imports["period"] = pd.to_datetime(imports["started_at"], utc=True).dt.strftime("%Y-%m")
    imports["rejected"] = [c["rejected"] for c in imports["counts"]]
    g = imports.groupby(["vendor", "period"])[["rejected", "records"]].sum()
    return {k: row["rejected"] / row["records"] for k, row in g.iterrows()}
