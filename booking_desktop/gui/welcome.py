"""What the window shows before a file is open: how to open one, recent files and the samples."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from booking_desktop.readers import openable_extensions

MAX_RECENT = 6


class WelcomePage(QWidget):
    """Buttons, not links, so that keyboard users reach every file with Tab."""

    open_requested = Signal()
    file_requested = Signal(object)  # Path

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("welcome")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(40, 30, 40, 30)
        self._layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.file_buttons: dict[Path, QPushButton] = {}

    def refresh(self, recent: list[str], samples_dir: Path | None) -> None:
        while (item := self._layout.takeAt(0)) is not None:
            if (widget := item.widget()) is not None:
                widget.deleteLater()
        self.file_buttons = {}
        title = QLabel(
            "<h2>Open a vendor booking file</h2>"
            "CSV, TSV, Excel, JSON or XML — use <b>File ▸ Open</b> (Ctrl+O) or drop the file on this window."
        )
        title.setWordWrap(True)
        self._layout.addWidget(title)
        open_btn = QPushButton("Open a file…")
        open_btn.setObjectName("welcomeOpen")
        open_btn.setAccessibleName("Open a vendor file")
        open_btn.clicked.connect(self.open_requested.emit)
        self._layout.addWidget(open_btn, 0, Qt.AlignmentFlag.AlignLeft)
        existing = [Path(p) for p in recent if Path(p).is_file()][:MAX_RECENT]
        self._section("Recent files", existing, full_path=True)
        if samples_dir is not None and samples_dir.is_dir():
            openable = set(openable_extensions())
            samples = sorted(p for p in samples_dir.iterdir() if p.suffix.lower() in openable)
            self._section("Sample vendor files", samples, full_path=False)

    def _section(self, title: str, files: list[Path], full_path: bool) -> None:
        if not files:
            return
        label = QLabel(f"<h3>{title}</h3>")
        self._layout.addWidget(label)
        for path in files:
            btn = QPushButton(str(path) if full_path else path.name)
            btn.setFlat(True)
            btn.setCursor(Qt.CursorShape.PointingHandCursor)
            btn.setToolTip(str(path))
            btn.setAccessibleName(f"Open {path.name}")
            btn.clicked.connect(lambda _checked=False, p=path: self.file_requested.emit(p))
            self._layout.addWidget(btn, 0, Qt.AlignmentFlag.AlignLeft)
            self.file_buttons[path] = btn
