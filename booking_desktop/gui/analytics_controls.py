"""The Analytics page's choices: metric, period, date, time zone, date range, filters and split.

:meth:`AnalyticsControls.query` turns the choices into the core's ``TrendQuery`` or raises
``PeriodError`` with one line for the user (a date that is not a date, an unknown zone, a range that ends
before it starts); what the user typed stays as typed.  ``changed`` fires when a choice is made (a list
picked, Enter or leaving a typed field), never per keystroke.  The filter lists are filled from the data
(:meth:`set_choices`); a value chosen earlier stays chosen even when the database no longer holds it.
"""

from __future__ import annotations

import functools
from typing import Any
from zoneinfo import available_timezones

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QCompleter, QGridLayout, QLabel, QLineEdit, QWidget

from booking_desktop.analytics.dashboard import PAGE_METRICS, page_metric

PERIODS = (("month", "Month"), ("week", "ISO week"), ("day", "Day"))
DATES = (("check_in", "Check-in"), ("booked_at", "Booked at"))
SPLITS = (("", "No split"), ("vendor", "Per vendor"), ("channel", "Per channel"), ("currency", "Per currency"))
FILTER_LABELS = (
    ("vendor", "All vendors"),
    ("channel", "All channels"),
    ("property", "All properties"),
    ("status", "All statuses"),
    ("currency", "All currencies"),
)


@functools.cache
def zone_names() -> tuple[str, ...]:
    """UTC first, then every IANA zone this machine knows, sorted (read once: 60 ms)."""
    names = sorted(n for n in available_timezones() if "/" in n and not n.startswith(("Etc/", "SystemV/")))
    return ("UTC", *names)


def _combo(name: str, items: tuple[tuple[str, str], ...] | list[tuple[str, str]], tip: str) -> QComboBox:
    c = QComboBox()
    c.setObjectName(name)
    c.setToolTip(tip)
    # the choices must not widen the window's minimum size (a small window keeps its size)
    c.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    c.setMinimumContentsLength(9)
    for value, text in items:
        c.addItem(text, value)
    return c


class AnalyticsControls(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.metric_box = _combo("analyticsMetric", [(m[0], m[1]) for m in PAGE_METRICS], "What to count")
        self.metric_box.setMinimumContentsLength(16)
        self.period_box = _combo("analyticsPeriod", PERIODS, "Group by day, ISO week (Monday to Sunday) or month")
        self.date_box = _combo("analyticsDate", DATES, "Which date of a booking places it in a period")
        self.zone_box = QComboBox()
        self.zone_box.setObjectName("analyticsZone")
        self.zone_box.setToolTip("The time zone of the days, weeks and months (grouping and axis alike)")
        self.zone_box.setEditable(True)
        self.zone_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.zone_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.zone_box.setMinimumContentsLength(14)
        self.zone_box.addItems(list(zone_names()))
        completer = QCompleter(self.zone_box.model(), self.zone_box)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.zone_box.setCompleter(completer)
        self.from_edit = self._day_edit("analyticsFrom", "First day (YYYY-MM-DD); empty: from the first booking")
        self.to_edit = self._day_edit("analyticsTo", "Last day (YYYY-MM-DD); empty: up to the last booking")
        self.split_box = _combo("analyticsSplit", SPLITS, "One series per vendor, channel or currency")
        self.filter_boxes: dict[str, QComboBox] = {}
        for f, all_text in FILTER_LABELS:
            box = _combo(f"analyticsFilter_{f}", [("", all_text)], f"Only the bookings of this {f}")
            self.filter_boxes[f] = box
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        first = (
            ("Metric", self.metric_box),
            ("By", self.period_box),
            ("of", self.date_box),
            ("Zone", self.zone_box),
            ("From", self.from_edit),
            ("To", self.to_edit),
        )
        second = [("Only", self.filter_boxes["vendor"])] + [("", self.filter_boxes[f]) for f, _ in FILTER_LABELS[1:]]
        second.append(("Split", self.split_box))
        for row, pairs in enumerate((first, second)):
            col = 0
            for text, w in pairs:
                if text:
                    label = QLabel(text)
                    label.setBuddy(w)
                    grid.addWidget(label, row, col, alignment=Qt.AlignmentFlag.AlignRight)
                col += 1
                grid.addWidget(w, row, col)
                col += 1
        grid.setColumnStretch(col + 1, 1)
        for box in (self.metric_box, self.period_box, self.date_box, self.split_box, *self.filter_boxes.values()):
            box.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.zone_box.activated.connect(lambda _i: self.changed.emit())
        line = self.zone_box.lineEdit()
        if line is not None:
            line.editingFinished.connect(self.changed.emit)

    def _day_edit(self, name: str, tip: str) -> QLineEdit:
        e = QLineEdit()
        e.setObjectName(name)
        e.setPlaceholderText("YYYY-MM-DD")
        e.setToolTip(tip)
        e.setClearButtonEnabled(True)
        e.setMaximumWidth(120)
        e.editingFinished.connect(self.changed.emit)
        return e

    @property
    def metric_name(self) -> str:
        return str(self.metric_box.currentData())

    def query(self) -> Any:
        """The core query of the choices (raises PeriodError with one line for the user)."""
        from booking_desktop.analytics.metrics import TrendQuery
        from booking_desktop.analytics.periods import parse_day

        start = self.from_edit.text().strip()
        end = self.to_edit.text().strip()
        filters = {f: (box.currentData() or None) for f, box in self.filter_boxes.items()}
        return TrendQuery(
            metric=page_metric(self.metric_name)[2],
            by=str(self.period_box.currentData()),
            date=str(self.date_box.currentData()),
            tz=self.zone_box.currentText().strip() or "UTC",
            start=parse_day(start, "From") if start else None,
            end=parse_day(end, "To") if end else None,
            split=self.split_box.currentData() or None,
            **filters,
        )

    def set_choices(self, choices: dict[str, list[str]]) -> None:
        """Fill the filter lists with the values the database holds (the current choice kept)."""
        for f, box in self.filter_boxes.items():
            current = box.currentData() or ""
            values = list(choices.get(f) or [])
            if current and current not in values:
                values.append(current)  # still chosen: the user changes it, not a refresh
            existing = [box.itemData(i) for i in range(1, box.count())]
            if existing == values:
                continue
            box.blockSignals(True)
            try:
                while box.count() > 1:
                    box.removeItem(1)
                for v in values:
                    box.addItem(v, v)
                box.setCurrentIndex(max(0, box.findData(current)) if current else 0)
            finally:
                box.blockSignals(False)
