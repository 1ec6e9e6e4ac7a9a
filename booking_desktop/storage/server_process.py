"""A MongoDB-compatible server run as a child process: SecantusDB (the local
database and the default test server) or nx-27017 (kept as a second test server).

Both are separate programs spoken to over a loopback socket, never imported:
SecantusDB is GPL-2.0 and stays a separate process (docs/STORAGE.md, "Licence").
In a frozen (PyInstaller) build ``sys.executable`` is the app itself, so the
server is started as ``<app> --serve-database KIND ...`` and the app's entry
points hand that over to the server's own ``main`` (:mod:`booking_desktop.serve`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Self

from pymongo import MongoClient
from pymongo.errors import PyMongoError

from booking_desktop.serve import SERVE_FLAG

log = logging.getLogger(__name__)

SECANTUS = "secantus"
NX = "nx-27017"
KINDS = (SECANTUS, NX)
START_TIMEOUT = 60.0  # a Python server on a loaded 2-core machine: ~3 s empty, ~5 s with 100k documents
STOP_GRACE = 10.0
DESKTOP_CACHE = "256M"  # WiredTiger's default cache is 1 GB; a desktop app should not take that


class ServerStartError(Exception):
    """The server could not be started; ``str()`` says why in one line (and where its log is)."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def ping(port: int, host: str = "127.0.0.1", timeout_ms: int = 1000, **client_options: Any) -> bool:
    """True when a server answers ``ping`` on ``host:port`` (no credentials needed; ``client_options``
    such as ``username``/``password`` are passed to the client)."""
    client: MongoClient = MongoClient(
        host,
        port,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        directConnection=True,
        **client_options,
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


# A detached server started by this process is still its child: its Popen is kept here, so that
# stopping it by pid reaps it (no zombie) and it is never dropped while running (Python warns then).
_DETACHED: dict[int, subprocess.Popen] = {}


def kill_process(pid: int, grace: float = STOP_GRACE, proc: subprocess.Popen | None = None) -> None:
    """SIGTERM, then SIGKILL after ``grace`` seconds."""
    proc = _DETACHED.pop(pid, None) or proc
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return
        if proc is None and not pid_alive(pid):
            return
        time.sleep(0.05)
    log.warning("server pid %d did not stop within %.0f s; killing it", pid, grace)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    if proc is not None:
        proc.wait(timeout=10)


def launcher(kind: str) -> list[str]:
    """The command that runs the server program ``kind`` (before its own arguments)."""
    if kind not in KINDS:
        raise ValueError(f"unknown server kind {kind!r}; known: {', '.join(KINDS)}")
    if getattr(sys, "frozen", False):
        return [sys.executable, SERVE_FLAG, kind]
    if kind == SECANTUS:
        return [sys.executable, "-m", "secantus"]
    return [sys.executable, "-c", "import sys; from nx_27017.nx_27017 import main; sys.exit(main())"]


def is_server_process(pid: int) -> bool:
    """True when ``pid`` runs one of our server programs (so a recycled pid is never killed by mistake)."""
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\x00", b" ").decode(errors="replace")
    except OSError:
        return pid_alive(pid) and not Path("/proc").is_dir()  # no /proc (macOS): trust the state file
    return any(mark in cmd for mark in ("-m secantus", SERVE_FLAG, "secantusd-py", "nx_27017", "nx-27017"))


class ServerProcess:
    """One server process on a data directory and a loopback port."""

    kind = ""

    def __init__(self, data_dir: Path, port: int | None = None, log_dir: Path | None = None, host: str = "127.0.0.1"):
        self.data_dir = Path(data_dir)
        self.host = host
        self.port = port or free_port(host)
        self.log_dir = Path(log_dir) if log_dir else self.data_dir.parent
        self.proc: subprocess.Popen | None = None
        self.die_with_parent = False  # tests: a killed test run must not leave its servers behind (Linux)

    @property
    def log_file(self) -> Path:
        return self.log_dir / "server.log"

    @property
    def uri(self) -> str:
        return f"mongodb://{self.host}:{self.port}/?directConnection=true"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def arguments(self) -> list[str]:
        raise NotImplementedError

    def command(self) -> list[str]:
        return [*launcher(self.kind), *self.arguments()]

    def start(self, detach: bool = False, timeout: float = START_TIMEOUT) -> Self:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_file, "ab") as out:
            self.proc = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=detach,
                cwd=self.log_dir,  # never pick up a stray config file from the caller's folder
                preexec_fn=_die_with_parent if self.die_with_parent and sys.platform == "linux" else None,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerStartError(
                    f"the {self.kind} server exited at start (code {self.proc.returncode}); see {self.log_file}"
                    + _last_line(self.log_file)
                )
            if ping(self.port, self.host, 500):
                if detach:
                    _DETACHED[self.proc.pid] = self.proc
                return self
            time.sleep(0.1)
        self.kill()
        raise ServerStartError(f"the {self.kind} server did not answer within {timeout:.0f} s; see {self.log_file}")

    def kill(self) -> None:
        """SIGKILL now (fault tests: the server dies mid-request)."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def stop(self, grace: float = STOP_GRACE) -> None:
        if self.proc and self.proc.poll() is None:
            kill_process(self.proc.pid, grace, self.proc)

    def restart(self) -> ServerProcess:
        """Start again on the same data directory and port."""
        self.stop()
        return self.start()


class SecantusProcess(ServerProcess):
    """``secantusd-py`` (SecantusDB, WiredTiger storage).

    ``standalone`` hides the single-node replica set it advertises by default (so
    the driver sees a standalone server and the engine takes its non-transaction
    path); ``auth`` requires SCRAM-SHA-256; ``test_commands`` enables
    ``configureFailPoint`` (tests only: any client could arm it).
    """

    kind = SECANTUS

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        log_dir: Path | None = None,
        host: str = "127.0.0.1",
        *,
        auth: bool = False,
        standalone: bool = False,
        test_commands: bool = False,
        cache_size: str = DESKTOP_CACHE,
        tls_cert_file: str | None = None,
        tls_key_file: str | None = None,
        tls_ca_file: str | None = None,
    ):
        super().__init__(data_dir, port, log_dir, host)
        self.auth = auth
        self.standalone = standalone
        self.test_commands = test_commands
        self.cache_size = cache_size
        self.tls = (tls_cert_file, tls_key_file, tls_ca_file)

    def arguments(self) -> list[str]:
        config = self.log_dir / "secantusd.toml"
        if not config.exists():  # an explicit (empty) config file turns off the server's config discovery
            config.write_text("# Booking Desktop passes every setting on the command line\n", encoding="utf-8")
        args = [
            "--config",
            str(config),
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--storage-path",
            str(self.data_dir),
            "--cache-size",
            self.cache_size,
            "--log-level",
            "WARNING",
        ]
        if self.auth:
            args.append("--auth")
        if self.standalone:
            args.append("--standalone")
        if self.test_commands:
            args.append("--enable-test-commands")
        cert, key, ca = self.tls
        if cert and key:
            args += ["--tls-cert-file", cert, "--tls-key-file", key]
        if ca:
            args += ["--tls-ca-file", ca]
        return args


class NxProcess(ServerProcess):
    """``nx-27017`` (MongoDB wire protocol on SQLite; one file per database)."""

    kind = NX

    def arguments(self) -> list[str]:
        return [
            "--data-dir",
            str(self.data_dir),
            "--host",
            self.host,
            "-p",
            str(self.port),
            "--log-file",
            str(self.log_file),
            "--pid-file",
            str(self.log_dir / "server.pid"),
        ]


def _die_with_parent() -> None:
    """In the child before exec: the kernel sends SIGKILL when the parent process dies."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def _last_line(path: Path) -> str:
    try:
        lines = [ln for ln in path.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]
    except OSError:
        return ""
    return f": {lines[-1][:200]}" if lines else ""
