"""GeneratorWorker: the protocol between core generators and the UI thread."""

from __future__ import annotations

import pytest

from booking_desktop.gui.workers import GeneratorWorker
from booking_desktop.pipeline import Cancelled

pytestmark = pytest.mark.gui


def _count(n: int, cancelled):
    for i in range(n):
        if cancelled():
            raise Cancelled()
        yield i
    return n * 10


def test_worker_is_done_when_its_result_arrives(qtbot):
    """Regression: the commit dialog ignored a click on Commit because the preview worker announced
    its result before it counted as done."""
    seen = []
    w = GeneratorWorker(_count, 3)
    w.signals.result.connect(lambda value: seen.append((value, w.is_done)))
    with qtbot.waitSignal(w.signals.finished, timeout=10000):
        w.start()
    assert seen == [(30, True)]


def test_progress_result_and_errors_reach_the_main_thread(qtbot):
    progress: list[int] = []
    w = GeneratorWorker(_count, 4)
    w.signals.progress.connect(progress.append)
    with qtbot.waitSignal(w.signals.result, timeout=10000) as got:
        w.start()
    assert got.args == [40]
    qtbot.waitUntil(lambda: progress == [0, 1, 2, 3], timeout=5000)

    def boom(cancelled):
        raise ValueError("the vendor file vanished")
        yield  # pragma: no cover

    bad = GeneratorWorker(boom)
    with qtbot.waitSignal(bad.signals.errored, timeout=10000) as err:
        bad.start()
    assert "the vendor file vanished" in err.args[0] and "Traceback" not in err.args[0]
    assert bad.is_done


def test_cancel_stops_between_chunks_and_reports_aborted(qtbot):
    import threading

    gate = threading.Event()

    def slow(cancelled):
        for i in range(1000):
            gate.wait(5)
            if cancelled():
                raise Cancelled()
            yield i
        return "finished"

    w = GeneratorWorker(slow)
    results: list[object] = []
    w.signals.result.connect(results.append)
    with qtbot.waitSignal(w.signals.aborted, timeout=10000):
        w.start()
        w.cancel()
        gate.set()
    assert results == [] and w.is_done
