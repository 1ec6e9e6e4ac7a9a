"""Allocator settings for whole-column work on large files.

Validation and mapping create many short-lived arrays of a few megabytes
each (one int64 or bool per row).  glibc's malloc serves blocks above a
*dynamic* threshold with a fresh ``mmap`` and returns them with ``munmap``
when freed; with several threads every ``munmap`` costs a TLB shoot-down on
each core, and every fresh page a page fault.  Arrow's default
allocator (mimalloc) likewise returns freed pages to the system at once.  On
the 2-core machines we measured, that kernel time was as large as the work
itself: a 1,000,000-row file spent 0.5-1.6 s of system time in read + map +
validate (user time ~1.1 s).  Serving such blocks from the heap, keeping freed
memory for the next array, and giving Arrow the same (system) allocator cuts
it to about 0.5 s (bench/RESULTS.md).

:func:`tune_allocator` sets that once per process (Linux with glibc only;
elsewhere it does nothing).  Freed memory then stays with the process up to
``TRIM_THRESHOLD`` and is reused by the next file instead of being returned
to the system.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform
import sys
import threading

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
# Largest block the heap serves (glibc's upper limit on 64-bit: half of a thread heap, 32 MiB).
MMAP_THRESHOLD = 32 << 20
# Free memory kept at the top of a heap before it is given back to the system.
TRIM_THRESHOLD = 512 << 20

_lock = threading.Lock()
_state: dict[str, bool] = {}


def tune_allocator() -> bool:
    """Apply the settings above (idempotent); True when they are in force."""
    with _lock:
        if "tuned" not in _state:
            _state["tuned"] = _apply()
        return _state["tuned"]


def _apply() -> bool:
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    if not (mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)):
        return False
    import pyarrow as pa

    # Arrow's default pool (mimalloc) gives freed pages back to the system within milliseconds and
    # faults them in again for the next array: with the tuned malloc, Arrow's arrays reuse memory too.
    pa.set_memory_pool(pa.system_memory_pool())
    return True
