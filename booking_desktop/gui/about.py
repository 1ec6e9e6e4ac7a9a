"""Help ▸ About: the version, the licences of what the app bundles, and where its files live."""

from __future__ import annotations

from importlib import metadata

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from booking_desktop import paths

# (distribution, licence); the database server runs as its own process (GPL-2.0 is not linked in)
COMPONENTS = (
    ("PySide6", "LGPL-3.0 (Qt for Python; Qt itself LGPL-3.0)"),
    ("pandas", "BSD-3-Clause"),
    ("pyarrow", "Apache-2.0"),
    ("numpy", "BSD-3-Clause"),
    ("openpyxl", "MIT"),
    ("python-calamine", "MIT"),
    ("pymongo", "Apache-2.0"),
    ("keyring", "MIT"),
    ("pyqtgraph", "MIT"),
    ("platformdirs", "MIT"),
    ("charset-normalizer", "MIT"),
    ("defusedxml", "PSF-2.0"),
    ("secantusdb", "GPL-2.0, run as a separate server process"),
)


def version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def about_text() -> str:
    rows = "".join(f"<tr><td>{d}</td><td>{version(d)}</td><td>{lic}</td></tr>" for d, lic in COMPONENTS)
    return (
        f"<h2>Booking Desktop {version('booking-desktop')}</h2>"
        "<p>Vendor booking exports, mapped, checked and committed exactly once.</p>"
        f"<table cellspacing='6'><tr><th align='left'>Component</th><th align='left'>Version</th>"
        f"<th align='left'>Licence</th></tr>{rows}</table>"
        f"<p><b>Logs:</b> {paths.log_dir()}<br><b>Data (journals, profiles):</b> {paths.data_dir()}<br>"
        f"<b>Local database:</b> {paths.local_db_dir()}</p>"
    )


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle("About Booking Desktop")
        self.text = QLabel(about_text())
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.text)
        lay.addWidget(buttons)
