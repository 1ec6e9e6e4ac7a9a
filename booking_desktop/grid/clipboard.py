"""Copy and paste between the grid and spreadsheets, Qt-free.

Copies are tab-separated text as Excel, LibreOffice and Google Sheets write it (a value holding a
tab, a newline or a quote is quoted, ``""`` inside); pastes read the same.  A paste either fits
where it goes and becomes one list of cell edits (one undo step), or nothing is pasted and
:class:`ClipboardError` says why: a paste never writes part of what was copied.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

MAX_PASTE_CELLS = 2_000_000


class ClipboardError(ValueError):
    """The clipboard's text cannot be pasted here (the message says why; nothing was changed)."""


def to_tsv(table: Sequence[Sequence[str | None]], titles: Sequence[str] | None = None) -> str:
    out = io.StringIO()
    w = csv.writer(out, delimiter="\t", quotechar='"', quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    if titles is not None:
        w.writerow(titles)
    for row in table:
        w.writerow(["" if v is None else v for v in row])
    return out.getvalue()


def parse_tsv(text: str) -> list[list[str]]:
    """Rows of cells; one trailing line break (every spreadsheet adds one) is not a row."""
    if text.endswith("\r\n"):
        text = text[:-2]
    elif text.endswith("\n"):
        text = text[:-1]
    if text == "":
        return []
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter="\t", quotechar='"')]


@dataclass
class PastePlan:
    edits: list[tuple[int, str, str | None]] = field(default_factory=list)
    rows: int = 0
    cols: int = 0
    at_row: int = 0  # view row of the top-left cell
    header_skipped: bool = False
    filled: bool = False  # one value into every selected cell

    def summary(self) -> str:
        if self.filled:
            return f"Pasted one value into {len(self.edits):,} cell(s)."
        text = f"Pasted {self.rows:,} row(s) × {self.cols} column(s) from row {self.at_row + 1:,}"
        return text + (" (the clipboard's header row was not pasted)." if self.header_skipped else ".")


def paste_edits(
    text: str,
    anchor: tuple[int, int],
    selection: tuple[list[int], list[int]],
    shape: tuple[int, int],
    fields: Sequence[str],
    titles: Sequence[str],
    frame_row: Callable[[int], int],
) -> PastePlan:
    """The edits that paste ``text`` at view cell ``anchor`` (or into every selected cell, for one value).

    ``titles`` are the column titles shown: a first clipboard row equal to the titles (or field names)
    of the columns it lands on is a header and is not pasted."""
    table = parse_tsv(text)
    if not table:
        raise ClipboardError("The clipboard holds no text to paste.")
    width = len(table[0])
    for n, row in enumerate(table[1:], 2):
        if len(row) != width:
            raise ClipboardError(
                f"Row {n} of the clipboard has {len(row)} value(s) but the first has {width}: nothing was pasted."
            )
    n_rows, n_cols = shape
    ar, ac = anchor
    plan = PastePlan()
    sel_rows, sel_cols = selection
    if len(table) == 1 and width == 1 and len(sel_rows) * len(sel_cols) > 1:
        value = table[0][0]
        plan.edits = [(frame_row(r), fields[c], value) for r in sel_rows for c in sel_cols]
        plan.rows, plan.cols, plan.at_row, plan.filled = len(sel_rows), len(sel_cols), min(sel_rows), True
        return plan
    landing = [str(t) for t in titles[ac : ac + width]], list(fields[ac : ac + width])
    if len(table) > 1 and (table[0] == landing[0] or table[0] == landing[1]):
        table = table[1:]
        plan.header_skipped = True
    if len(table) * width > MAX_PASTE_CELLS:
        raise ClipboardError(
            f"The clipboard holds {len(table):,} rows × {width} columns, more than {MAX_PASTE_CELLS:,} cells: "
            "nothing was pasted."
        )
    fit_rows, fit_cols = n_rows - ar, n_cols - ac
    if len(table) > fit_rows or width > fit_cols:
        where = titles[ac] if 0 <= ac < len(titles) else f"column {ac + 1}"
        raise ClipboardError(
            f"The clipboard holds {len(table):,} row(s) × {width} column(s), but from row {ar + 1:,}, "
            f"{where}, only {max(fit_rows, 0):,} row(s) × {max(fit_cols, 0)} column(s) fit: nothing was pasted. "
            "Paste further up or to the left, or turn the filter off to paste over hidden rows."
        )
    plan.edits = [
        (frame_row(ar + i), fields[ac + j], value) for i, row in enumerate(table) for j, value in enumerate(row)
    ]
    plan.rows, plan.cols, plan.at_row = len(table), width, ar
    return plan
