"""The built-in local database: ``nx-27017`` (MongoDB wire protocol on SQLite)
as a child process, so that a new user can work without any server.

- data in ``platformdirs.user_data_dir("booking-desktop")/localdb`` (env
  ``BOOKING_DESKTOP_DATA_DIR`` overrides the base directory), one SQLite file per
  database (``--data-dir``; the single-file mode shares collections across databases);
- a free loopback port, health-checked with ``ping``;
- a state file (pid, port) so the CLI's ``local-db status|start|stop`` and a
  later app run find a running server instead of starting a second one on the same files;
- a stale state (dead pid, a process that is not ours, a hung server) is recovered;
- stopped on exit when this process started it (``atexit`` / context manager).  The server
  ignores SIGTERM while busy, so stopping escalates to SIGKILL after a grace period
  (safe: SQLite in WAL mode recovers on the next start).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from pymongo import MongoClient
from pymongo.errors import PyMongoError

from booking_desktop.storage.client import ConnectionTarget

log = logging.getLogger(__name__)
LABEL = "Local database (this computer only)"
APP = "booking-desktop"
START_TIMEOUT = 20.0
STOP_GRACE = 5.0


class LocalDbError(Exception):
    """The local database could not be started or stopped; ``str()`` says why in one line."""


def data_root() -> Path:
    env = os.environ.get("BOOKING_DESKTOP_DATA_DIR")
    return Path(env) if env else Path(platformdirs.user_data_dir(APP))


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def nx_executable() -> list[str]:
    """The server command: the console script next to this Python, or the module."""
    exe = Path(sys.executable).with_name("nx-27017")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("nx-27017")
    if found:
        return [found]
    return [sys.executable, "-m", "nx_27017"]


def ping(port: int, host: str = "127.0.0.1", timeout_ms: int = 1000) -> bool:
    client: MongoClient = MongoClient(
        host, port, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms, directConnection=True
    )
    try:
        client.admin.command("ping")
        return True
    except PyMongoError:
        return False
    finally:
        client.close()


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (exited, not yet reaped by its parent) is not alive
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def is_nx_process(pid: int) -> bool:
    """True when ``pid`` runs nx-27017 (so a recycled pid is never killed by mistake)."""
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\x00", b" ").decode(errors="replace")
    except OSError:
        return pid_alive(pid) and not Path("/proc").is_dir()  # no /proc (macOS): trust the state file
    return "nx-27017" in cmd or "nx_27017" in cmd


def kill_process(pid: int, grace: float = STOP_GRACE, proc: subprocess.Popen | None = None) -> None:
    """SIGTERM, then SIGKILL after ``grace`` seconds (the server ignores SIGTERM while busy)."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return
        if proc is None and not pid_alive(pid):
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    if proc is not None:
        proc.wait(timeout=10)


class NxProcess:
    """One nx-27017 server on a data directory and port (the fixtures use it directly)."""

    def __init__(self, data_dir: Path, port: int | None = None, log_dir: Path | None = None, host: str = "127.0.0.1"):
        self.data_dir = Path(data_dir)
        self.host = host
        self.port = port or free_port(host)
        self.log_dir = Path(log_dir) if log_dir else self.data_dir
        self.proc: subprocess.Popen | None = None

    @property
    def uri(self) -> str:
        return f"mongodb://{self.host}:{self.port}/?directConnection=true"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def start(self, detach: bool = False, timeout: float = START_TIMEOUT) -> NxProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        cmd = [
            *nx_executable(),
            "--data-dir",
            str(self.data_dir),
            "--host",
            self.host,
            "-p",
            str(self.port),
            "--log-file",
            str(self.log_dir / "server.log"),
            "--pid-file",
            str(self.log_dir / "server.pid"),
        ]
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=detach,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise LocalDbError(
                    f"the local database exited at start (code {self.proc.returncode}); "
                    f"see {self.log_dir / 'server.log'}"
                )
            if ping(self.port, self.host, 500):
                return self
            time.sleep(0.1)
        self.kill()
        raise LocalDbError(f"the local database did not answer within {timeout:.0f} s")

    def kill(self) -> None:
        """SIGKILL now (fault tests: the server dies mid-request)."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def stop(self, grace: float = STOP_GRACE) -> None:
        if self.proc and self.proc.poll() is None:
            kill_process(self.proc.pid, grace, self.proc)

    def restart(self) -> NxProcess:
        """Start again on the same data directory and port."""
        self.stop()
        return self.start()


@dataclass(frozen=True)
class LocalDbStatus:
    running: bool
    pid: int | None
    port: int | None
    data_dir: Path
    label: str = LABEL

    @property
    def uri(self) -> str | None:
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true" if self.running else None


class LocalDatabase:
    """Find, start and stop the per-user local database.

    ``with LocalDatabase() as target:`` gives a :class:`ConnectionTarget`; a server this
    object started is stopped on leaving (and at interpreter exit); one that was
    already running (started by ``local-db start`` or another app) is left running.
    """

    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root else data_root() / "localdb"
        self.data_dir = self.root / "data"
        self.state_file = self.root / "state.json"
        self._owned: NxProcess | None = None

    # -- state ----------------------------------------------------------------
    def _read_state(self) -> dict | None:
        try:
            return json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return None

    def _write_state(self, pid: int, port: int) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"pid": pid, "port": port, "data_dir": str(self.data_dir), "started": time.time()}))
        tmp.replace(self.state_file)

    def status(self) -> LocalDbStatus:
        st = self._read_state()
        if st and pid_alive(int(st["pid"])) and is_nx_process(int(st["pid"])) and ping(int(st["port"])):
            return LocalDbStatus(True, int(st["pid"]), int(st["port"]), self.data_dir)
        return LocalDbStatus(False, None, None, self.data_dir)

    def _recover_stale(self) -> None:
        st = self._read_state()
        if not st:
            return
        pid = int(st.get("pid", 0))
        if pid and pid_alive(pid) and is_nx_process(pid):
            log.warning("local database (pid %d) does not answer; stopping it", pid)
            kill_process(pid)
        for f in (self.state_file, self.root / "server.pid"):
            with contextlib.suppress(OSError):
                f.unlink()

    # -- start / stop -------------------------------------------------------
    @contextlib.contextmanager
    def _start_lock(self):
        """Two processes starting at once must not run two servers on the same files."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "start.lock", "a+") as f:
            try:
                import fcntl
            except ImportError:  # Windows: no flock; the state file check is all we have
                yield
                return
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def start(self, detach: bool = False) -> LocalDbStatus:
        """Reuse a running server or start one (recovering a stale one first)."""
        with self._start_lock():
            return self._start(detach)

    def _start(self, detach: bool) -> LocalDbStatus:
        st = self.status()
        if st.running:
            return st
        self._recover_stale()
        proc = NxProcess(self.data_dir, log_dir=self.root).start(detach=detach)
        self._write_state(proc.pid or 0, proc.port)
        if not detach:
            self._owned = proc
            atexit.register(self.stop_owned)
        return LocalDbStatus(True, proc.pid, proc.port, self.data_dir)

    def stop_owned(self) -> None:
        if self._owned is not None:
            self._owned.stop()
            self._owned = None
            with contextlib.suppress(OSError):
                self.state_file.unlink()

    def stop(self) -> bool:
        """Stop the server recorded in the state file (whoever started it).  True if one was stopped."""
        if self._owned is not None:
            self.stop_owned()
            return True
        st = self._read_state()
        stopped = False
        if st:
            pid = int(st.get("pid", 0))
            if pid and pid_alive(pid) and is_nx_process(pid):
                kill_process(pid)
                stopped = True
        for f in (self.state_file, self.root / "server.pid"):
            with contextlib.suppress(OSError):
                f.unlink()
        return stopped

    def target(self, db_name: str | None = None) -> ConnectionTarget:
        st = self.start()
        kw = {"db_name": db_name} if db_name else {}
        return ConnectionTarget(uri=st.uri or "", label=LABEL, **kw)

    def __enter__(self) -> ConnectionTarget:
        return self.target()

    def __exit__(self, *exc: object) -> None:
        self.stop_owned()
