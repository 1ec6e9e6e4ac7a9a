"""Regression: PySide6-Essentials 6.12.0 drops a reference to None on every Qt call that returns
nothing, and a long session aborts with "Fatal Python error: none_dealloc" (docs/KNOWN_ISSUES.md).
The pin in pyproject.toml keeps us off it; this test fails if a leaking binding comes back."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.gui

SCRIPT = """
import sys
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel()
before = sys.getrefcount(None)
for _ in range(30000):
    label.setText("x")
    app.processEvents()
print(sys.getrefcount(None) - before)
"""


def test_void_qt_calls_do_not_leak_references_to_none():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, f"the Qt binding crashed: {out.stderr.strip()[-300:]}"
    assert abs(int(out.stdout.strip().splitlines()[-1])) < 100
