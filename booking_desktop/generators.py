"""Long work is written as generators that yield progress events and return their result.

:func:`drive` runs one to its end: the CLI, the GUI's worker thread and the tests all use it, so
there is one loop that turns a generator's return value into a result.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, TypeVar

R = TypeVar("R")


def drive(gen: Generator[Any, Any, R], on_event: Callable[[Any], object] | None = None) -> R:
    """Run ``gen`` to its end, passing each yielded event to ``on_event``; return what it returned."""
    while True:
        try:
            event = next(gen)
        except StopIteration as stop:
            return stop.value
        if on_event is not None:
            on_event(event)
