"""The commit panel's table of counts: one line per outcome, the records last, so that they add up."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

PREVIEW_ROWS = (
    ("new", "New bookings (to insert)"),
    ("changed", "Changed bookings (to update)"),
    ("unchanged", "Unchanged (left as they are)"),
    ("rejected", "Rejected: errors (to the review queue)"),
    ("duplicates", "Skipped duplicates (repeat an earlier row of the file)"),
    ("records", "Records"),
)
RESULT_ROWS = (
    ("inserted", "Inserted"),
    ("updated", "Updated"),
    ("unchanged", "Unchanged"),
    ("rejected", "Rejected: errors (review queue)"),
    ("duplicates", "Skipped duplicates (review queue)"),
    ("not_committed", "Not committed (the commit stopped)"),
    ("records", "Records"),
)
OPTIONAL_ROWS = ("duplicates", "not_committed")  # shown when there are any


class CountsGrid(QWidget):
    """``labels[key]`` holds the number of each row (object name ``{prefix}_{key}``)."""

    def __init__(self, rows: tuple[tuple[str, str], ...], prefix: str, parent: QWidget | None = None):
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(2)
        self.labels: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        for i, (key, text) in enumerate(rows):
            caption = QLabel(text, self)
            grid.addWidget(caption, i, 0)
            value = QLabel("…", self)
            value.setObjectName(f"{prefix}_{key}")
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(value, i, 1)
            self.labels[key], self.captions[key] = value, caption
        grid.setColumnStretch(2, 1)

    def show_counts(self, counts: dict[str, int]) -> None:
        for key, label in self.labels.items():
            label.setText(f"{int(counts[key]):,}")
            if key in OPTIONAL_ROWS:
                label.setVisible(bool(counts[key]))
                self.captions[key].setVisible(bool(counts[key]))
