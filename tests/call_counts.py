"""Count the Python work a call does instead of timing it.

A test that says "a million rows take under N seconds" fails on a loaded
machine and passes on a fast one whatever the code does.  What such a test
means is nearly always "the work is done in whole-column (vectorized)
operations, not in Python once per row": then the amount of Python executed
does not grow with the number of rows.  :func:`python_steps` counts it -- the
Python functions called and the lines of Python executed, on the calling
thread and on every thread started meanwhile (a thread pool) -- which is exact
and the same on any machine.  A per-row loop, a comprehension over the rows or
a per-row callback (``Series.map(func)``) adds at least one step per row.

What it cannot see is work inside C (numpy, pyarrow); a test about that
compares two sizes by CPU time (see tests/gui/test_grid_model.py).
"""

from __future__ import annotations

import itertools
import sys
import threading
from collections.abc import Callable
from typing import Any


def python_steps(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[int, Any]:
    """``(Python calls + lines executed while running fn, fn's return value)``."""
    counter = itertools.count()  # next() is atomic under the GIL: safe from several threads

    def trace(_frame: Any, _event: str, _arg: Any) -> Any:
        next(counter)
        return trace  # also count the lines of this frame

    old_sys, old_threading = sys.gettrace(), threading.gettrace()
    threading.settrace(trace)
    sys.settrace(trace)
    try:
        out = fn(*args, **kwargs)
    finally:
        sys.settrace(old_sys)
        threading.settrace(old_threading)
    return next(counter), out


def steps_per_row(small: int, big: int, n_small: int, n_big: int) -> float:
    """Extra steps per extra row between two sizes: about 0 for whole-column work, at least 1 per-row."""
    return (big - small) / (n_big - n_small)
