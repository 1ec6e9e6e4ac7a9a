"""The grid's cell painter: the cell as Qt's style paints it, and a frame around the current cell.

Why: in a grid of red and amber cells under a selection, the style's own focus hint (a faint
dotted or tinted rectangle, and only while the grid has focus) is easy to lose; the operator must
see at a glance which cell a keystroke will change.  The frame's colour comes from
:func:`~booking_desktop.gui.theme.current_cell_color` (light and dark palettes).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QAbstractItemView, QStyledItemDelegate, QStyleOptionViewItem

from booking_desktop.gui import theme

CURRENT_FRAME_PX = 2


class GridDelegate(QStyledItemDelegate):
    def __init__(self, view: QAbstractItemView):
        super().__init__(view)
        self.view = view

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().paint(painter, option, index)
        if index == self.view.currentIndex():
            painter.save()
            pen = QPen(theme.current_cell_color(option.palette), CURRENT_FRAME_PX)
            pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            half = CURRENT_FRAME_PX // 2
            r = option.rect.adjusted(half, half, -half, -half)
            painter.drawRect(r)
            painter.restore()
