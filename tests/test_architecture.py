"""The core must stay usable without Qt: importing it must not pull PySide6 in."""

import subprocess
import sys


def test_core_modules_do_not_import_qt():
    code = (
        "import sys, pkgutil, importlib, booking_desktop\n"
        "for m in pkgutil.walk_packages(booking_desktop.__path__, 'booking_desktop.'):\n"
        "    if m.name.startswith('booking_desktop.gui') or m.name.endswith('__main__'):\n"
        "        continue\n"
        "    importlib.import_module(m.name)\n"
        "bad = sorted(k for k in sys.modules if k.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"core imported Qt modules: {out.stdout.strip()}"
