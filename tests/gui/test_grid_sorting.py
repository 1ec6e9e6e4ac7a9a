"""Sorting by a header click puts the invalid values first in both directions (the same bad value
together, the missing ones after them), then the valid ones by value; amounts by their decimal
value whatever the currency (minor units put 300 JPY below 5.00 EUR)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from gui_helpers import open_and_wait
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

pytestmark = pytest.mark.gui

CSV = """booking_ref,status,guest_name,hotel,check_in,check_out,nights,adults,total,currency
A1,confirmed,Ann,H,2024-05-01,2024-05-03,2,2,5.00,EUR
A2,confirmed,Bob,H,2024-05-02,2024-05-04,2,3,1.000,KWD
A3,confirmed,Cy,H,2024-05-03,2024-05-05,2,1,300,JPY
A4,confirmed,Di,H,2024-05-04,2024-05-06,2,2,200.00,XXX
A5,confirmed,Ed,H,2024-13-01,2024-05-06,2,two,abc,EUR
A6,confirmed,Flo,H,,2024-05-06,2,,,EUR
A7,confirmed,Gus,H,2024-02-30,2024-05-06,2,four,ABC,EUR
A8,confirmed,Hal,H,2024-13-01,2024-05-06,2,two,xyz,EUR
A9,confirmed,Ida,H,2024-04-30,2024-05-06,2,10,20.5,EUR
"""


@pytest.fixture
def sorting_csv(tmp_path):
    p = tmp_path / "sorting.csv"
    p.write_text(CSV, encoding="utf-8")
    return p


def click_header(qtbot, w, field: str) -> None:
    hh = w.view.horizontalHeader()
    col = w.model.fields.index(field)
    w.view.scrollTo(w.model.index(0, col))
    x = hh.sectionViewportPosition(col) + hh.sectionSize(col) // 2
    QTest.mouseClick(hh.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(x, 5))
    qtbot.waitUntil(lambda: not w.model.ordering)


def shown(w, field: str) -> list[str]:
    m = w.model
    c = m.fields.index(field)
    return [m.data(m.index(r, c)) for r in range(m.rowCount())]


def expected(w, field: str, value, descending: bool) -> list[str]:
    """Computed apart from the grid: the records with an error in the field (from the problem
    table), present values grouped by case-folded text, then empty ones; then the rest by value."""
    s = w.session
    f = s.result.problems.frame
    bad = set(f.loc[(f["field"] == field) & (f["severity"] == "error"), "row"].tolist())
    texts = [s.value(r, field) for r in range(len(s))]
    invalid = [r for r in range(len(s)) if r in bad]
    invalid.sort(key=lambda r: (texts[r] is None, (texts[r] or "").casefold()))
    valid = [r for r in range(len(s)) if r not in bad and texts[r] is not None]
    valid.sort(key=lambda r: value(texts[r]), reverse=descending)
    empty = [r for r in range(len(s)) if r not in bad and texts[r] is None]
    return [texts[r] or "" for r in invalid + valid + empty]


@pytest.mark.parametrize(
    ("field", "value"),
    [("amount", Decimal), ("check_in", str), ("adults", int), ("customer_name", str.casefold)],
)
def test_header_clicks_sort_invalid_first_then_by_value_both_ways(qtbot, make_window, sorting_csv, field, value):
    w = make_window()
    open_and_wait(qtbot, w, sorting_csv)
    click_header(qtbot, w, field)
    assert shown(w, field) == expected(w, field, value, descending=False)
    click_header(qtbot, w, field)
    assert shown(w, field) == expected(w, field, value, descending=True)
    click_header(qtbot, w, field)  # third click: file order again
    assert [w.model.frame_row(r) for r in range(w.model.rowCount())] == list(range(len(w.session)))


def test_amounts_sort_by_value_across_currencies_and_with_a_bad_currency(qtbot, make_window, sorting_csv):
    w = make_window()
    open_and_wait(qtbot, w, sorting_csv)
    click_header(qtbot, w, "amount")
    # the invalid amounts first (the two spellings of abc together), the missing one after them
    assert shown(w, "amount") == ["abc", "ABC", "xyz", "", "1.000", "5.00", "20.5", "200.00", "300"]
    click_header(qtbot, w, "amount")
    assert shown(w, "amount") == ["abc", "ABC", "xyz", "", "300", "200.00", "20.5", "5.00", "1.000"]
