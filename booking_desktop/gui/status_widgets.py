"""Status-bar widgets: which database the app writes to, and whether it answers.

The operator must always see where a commit would go (a named server or the
local database) and whether it is reachable *before* pressing Commit.  The
health check is a ``ping`` round trip run periodically on the thread pool, so
a server that hangs never freezes the window; a check still running when the
next tick comes is not duplicated.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from booking_desktop.gui import theme
from booking_desktop.gui.theme import Health
from booking_desktop.gui.workers import GeneratorWorker

log = logging.getLogger(__name__)

LOCAL_LABEL = "Local database (this computer only)"
PING_INTERVAL_MS = 15_000
SLOW_MS = 500.0  # a ping slower than this shows amber
PING_TIMEOUT_MS = 3_000

Ping = Callable[[], float]  # returns the round trip in ms, raises when the server does not answer
NOT_STARTED_TEXT = "starts when needed"


class NotStarted(Exception):
    """Raised by a ping when the local database is simply not running yet (grey, not red)."""

    def __str__(self) -> str:
        return NOT_STARTED_TEXT


class HealthDot(QWidget):
    """A small filled circle in the health colour (text alone is not enough at a glance)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._health = Health.UNKNOWN
        self.setFixedSize(12, 12)

    def set_health(self, health: Health) -> None:
        self._health = health
        self.update()

    def color(self) -> QColor:
        return theme.health_color(self._health, self.palette())

    def sizeHint(self) -> QSize:
        return QSize(12, 12)

    def paintEvent(self, _event: Any) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(self.color())
        p.drawEllipse(1, 1, 10, 10)
        p.end()


class ConnectionStatusWidget(QWidget):
    """``● Local database (this computer only) — 3 ms`` in the status bar.

    ``set_connection(label, ping)`` switches what is watched; ``ping`` is called
    on a worker thread.  ``health_changed(str)`` carries a :class:`Health` value.
    """

    health_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None, interval_ms: int = PING_INTERVAL_MS):
        super().__init__(parent)
        self.setObjectName("ConnectionStatusWidget")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(4, 0, 4, 0)
        lay.setSpacing(6)
        self.dot = HealthDot(self)
        self.label = QLabel(self)
        self.label.setObjectName("connection_label")
        lay.addWidget(self.dot)
        lay.addWidget(self.label)
        self._name = LOCAL_LABEL
        self._ping: Ping | None = None
        self._health = Health.UNKNOWN
        self._detail = "not checked yet"
        self._worker: GeneratorWorker | None = None
        self._generation = 0  # results of a check started for a previous connection are ignored
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check_now)
        self._render()

    # -- public ----------------------------------------------------------
    @property
    def health(self) -> Health:
        return self._health

    @property
    def name(self) -> str:
        return self._name

    def set_connection(self, name: str | None, ping: Ping | None) -> None:
        """Watch another connection (``name`` None = the local database) and check it at once."""
        self._generation += 1
        self._name = name or LOCAL_LABEL
        self._ping = ping
        self._set(Health.UNKNOWN, "checking…" if ping is not None else "not checked")
        if ping is None:
            self._timer.stop()
            return
        self._timer.start()
        self.check_now()

    def check_now(self) -> None:
        if self._ping is None or (self._worker is not None and not self._worker.is_done):
            return
        gen = self._generation
        worker = GeneratorWorker(_timed_ping, self._ping, pass_cancel=False)
        worker.signals.result.connect(lambda ms, g=gen: self._on_result(g, ms))
        worker.signals.errored.connect(lambda msg, g=gen: self._on_error(g, msg))
        self._worker = worker
        worker.start()

    def stop(self) -> None:
        """Stop the periodic checks (window closing); a check in flight is cancelled, its result ignored."""
        self._timer.stop()
        self._generation += 1
        if self._worker is not None:
            self._worker.cancel()

    # -- internals ---------------------------------------------------------
    def _on_result(self, gen: int, ms: float) -> None:
        if gen != self._generation:
            return
        if ms < 0:
            self._set(Health.UNKNOWN, NOT_STARTED_TEXT)
            return
        self._set(Health.OK if ms < SLOW_MS else Health.SLOW, f"{ms:.0f} ms")

    def _on_error(self, gen: int, message: str) -> None:
        if gen != self._generation:
            return
        self._set(Health.DOWN, message)

    def _set(self, health: Health, detail: str) -> None:
        changed = health != self._health
        self._health, self._detail = health, detail
        self._render()
        if changed:
            self.health_changed.emit(str(health))

    def _render(self) -> None:
        self.dot.set_health(self._health)
        words = {
            Health.OK: "connected",
            Health.SLOW: "slow",
            Health.DOWN: "not answering",
            Health.UNKNOWN: self._detail or "not checked",
        }[self._health]
        suffix = f" — {self._detail}" if self._health in (Health.OK, Health.SLOW) else f" — {words}"
        self.label.setText(f"{self._name}{suffix}")
        tip = f"Database: {self._name}\nStatus: {words}"
        if self._health is Health.DOWN:
            tip += f"\n{self._detail}\nCheck that the server is running and reachable, or choose another connection."
        elif self._detail and self._health is not Health.UNKNOWN:
            tip += f"\nRound trip: {self._detail}"
        self.setToolTip(tip)
        self.setAccessibleName(f"Connection {self._name}: {words}")


def _timed_ping(ping: Ping) -> float:
    t0 = time.perf_counter()
    try:
        ms = ping()
    except NotStarted:
        return -1.0
    return float(ms) if ms is not None else (time.perf_counter() - t0) * 1000


def mongo_ping(client: Any) -> Ping:
    """A ping callable over an open pymongo client (round trip of ``{ping: 1}`` in ms)."""

    def ping() -> float:
        t0 = time.perf_counter()
        client.admin.command("ping")
        return (time.perf_counter() - t0) * 1000

    return ping


def local_database_ping(local: Any = None) -> Ping:
    """A ping for the built-in local database: grey "starts when needed" while it is not running.

    ``local`` is a ``storage.localdb.LocalDatabase`` (the per-user one by default).  The
    ping never starts the server: the app starts it when it first needs it.
    """

    def ping() -> float:
        from booking_desktop.storage import localdb

        db = local or localdb.LocalDatabase()
        st = db.status()
        if not st.running or st.port is None:
            raise NotStarted()
        t0 = time.perf_counter()
        if not localdb.ping(st.port, timeout_ms=PING_TIMEOUT_MS):
            raise ConnectionError("the local database does not answer")
        return (time.perf_counter() - t0) * 1000

    return ping


def target_ping(target: Any) -> Ping:
    """A ping for a ``storage.client.ConnectionTarget`` (opens and closes a short-timeout client)."""

    def ping() -> float:
        from booking_desktop.storage.client import open_client

        client = open_client(target, serverSelectionTimeoutMS=PING_TIMEOUT_MS, connectTimeoutMS=PING_TIMEOUT_MS)
        try:
            return mongo_ping(client)()
        finally:
            client.close()

    return ping
