"""Regression: the app's status ping and its commit dialog import storage for the first time at
once, on two threads; the eager package ``__init__`` made one of them fail with "cannot import
name 'CommitEngine' from partially initialized module" (seen as "Committing is not available")."""

from __future__ import annotations

import subprocess
import sys

import pytest

CODE = """
import sys, threading, time
import pandas  # loaded in the app before storage is
errors = []
def package():
    try:
        from booking_desktop.storage import localdb  # the status ping
    except ImportError as exc:
        errors.append(repr(exc))
def submodule():
    time.sleep(float(sys.argv[1]))
    try:
        from booking_desktop.storage.engine import StorageError  # the commit dialog
    except ImportError as exc:
        errors.append(repr(exc))
threads = [threading.Thread(target=package), threading.Thread(target=submodule)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(errors)
"""


@pytest.mark.parametrize("delay", ["0", "0.1"])
def test_two_threads_importing_storage_for_the_first_time_both_succeed(delay):
    out = subprocess.run([sys.executable, "-c", CODE, delay], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
