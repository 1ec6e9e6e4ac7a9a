"""The built-in local database: SecantusDB (MongoDB wire protocol on WiredTiger)
as a child process, so that a new user can work without any server.

Chosen over nx-27017 by measurement (docs/STORAGE.md, "Choosing the local
database"): it answers the review and analytics queries correctly, has Decimal128,
real transactions and authentication.

- data in ``<user data dir>/localdb/secantus`` (``BOOKING_DESKTOP_DATA_DIR``
  overrides the base folder), a free loopback port, health-checked with ``ping``;
- **password-protected**: the server runs with ``--auth`` and one administrator
  whose generated password lives in the OS keyring (service ``booking-desktop``,
  entry ``local-database``), so that other local processes cannot read or change
  the bookings.  The first start (or a start after the keyring lost the password)
  runs once without ``--auth`` to create or reset that user, then restarts with
  it.  Without a usable, secure keyring the server runs without a password and
  every status says so (``protected`` is False, with the reason);
- a state file (pid, port, protected) so the CLI's ``local-db status|start|stop``
  and a later app run find a running server instead of starting a second one;
- stale state (dead pid, a recycled pid that is not our server, a hung server) is
  recovered;
- stopped when the process that started it ends (``stop_owned``: the app's quit,
  the CLI's exit, ``atexit``); one started by ``local-db start`` (detached) or by
  another process is left running.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring
import keyring.errors
from pymongo import MongoClient
from pymongo.errors import OperationFailure, PyMongoError

from booking_desktop import paths
from booking_desktop.storage.client import ConnectionTarget
from booking_desktop.storage.server_process import (
    SecantusProcess,
    ServerStartError,
    free_port,
    is_server_process,
    kill_process,
    pid_alive,
    ping,
)

log = logging.getLogger(__name__)
LABEL = "Local database (this computer only)"
KEYRING_SERVICE = "booking-desktop"
KEYRING_ENTRY = "local-database"
ADMIN_USER = "booking-desktop"

__all__ = [
    "LABEL",
    "LocalDatabase",
    "LocalDbError",
    "LocalDbStatus",
    "free_port",
    "is_server_process",
    "pid_alive",
    "ping",
]


class LocalDbError(Exception):
    """The local database could not be started or stopped; ``str()`` says why in one line."""


def data_root() -> Path:
    return paths.data_dir()


@dataclass(frozen=True)
class LocalDbStatus:
    running: bool
    pid: int | None
    port: int | None
    data_dir: Path
    protected: bool = False  # runs with --auth (password in the keyring)
    note: str = ""  # why it is not protected, when it is not
    label: str = LABEL

    @property
    def uri(self) -> str | None:
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true" if self.running else None


def _keyring_secure() -> tuple[bool, str]:
    from booking_desktop.storage.connections import keyring_status

    st = keyring_status()
    if st.usable and st.secure:
        return True, ""
    return False, f"not password-protected: {st.reason}"


def _stored_password() -> str | None:
    try:
        return keyring.get_password(KEYRING_SERVICE, KEYRING_ENTRY)
    except keyring.errors.KeyringError:
        return None


class LocalDatabase:
    """Find, start and stop the per-user local database.

    ``with LocalDatabase() as target:`` gives a :class:`ConnectionTarget`; a server this
    object started is stopped on leaving (and at interpreter exit); one that was
    already running (started by ``local-db start`` or another app) is left running.
    """

    def __init__(self, root: Path | None = None, *, protect: bool | None = None):
        self.root = Path(root) if root else paths.local_db_dir()
        self.data_dir = self.root / "secantus"
        self.state_file = self.root / "state.json"
        self._protect = protect  # None: protect when the keyring is secure
        self._owned: SecantusProcess | None = None

    # -- state ----------------------------------------------------------------
    def _read_state(self) -> dict | None:
        try:
            state = json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return None
        return state if isinstance(state, dict) and "pid" in state and "port" in state else None

    def _write_state(self, pid: int, port: int, protected: bool, note: str) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_suffix(".tmp")
        state = {
            "pid": pid,
            "port": port,
            "protected": protected,
            "note": note,
            "data_dir": str(self.data_dir),
            "started": time.time(),
        }
        tmp.write_text(json.dumps(state))
        tmp.replace(self.state_file)

    def status(self) -> LocalDbStatus:
        st = self._read_state()
        if st and pid_alive(int(st["pid"])) and is_server_process(int(st["pid"])) and ping(int(st["port"])):
            return LocalDbStatus(
                True,
                int(st["pid"]),
                int(st["port"]),
                self.data_dir,
                protected=bool(st.get("protected")),
                note=str(st.get("note") or ""),
            )
        return LocalDbStatus(False, None, None, self.data_dir)

    def _recover_stale(self) -> None:
        st = self._read_state()
        if not st:
            return
        pid = int(st.get("pid", 0))
        if pid and pid_alive(pid) and is_server_process(pid):
            log.warning("local database (pid %d) does not answer; stopping it", pid)
            kill_process(pid)
        with contextlib.suppress(OSError):
            self.state_file.unlink()

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
            try:
                return self._start(detach)
            except ServerStartError as exc:
                raise LocalDbError(str(exc).replace("the secantus server", "the local database")) from None

    def _protection(self) -> tuple[bool, str]:
        if self._protect is False:
            return False, "not password-protected (turned off)"
        return _keyring_secure()

    def _start(self, detach: bool) -> LocalDbStatus:
        st = self.status()
        if st.running:
            return st
        self._recover_stale()
        protect, note = self._protection()
        if protect:
            self._ensure_admin()
        proc = SecantusProcess(self.data_dir, log_dir=self.root, auth=protect).start(detach=detach)
        self._write_state(proc.pid or 0, proc.port, protect, note)
        if not detach:
            self._owned = proc
            atexit.register(self.stop_owned)
        if note:
            log.warning("local database: %s", note)
        return LocalDbStatus(True, proc.pid, proc.port, self.data_dir, protected=protect, note=note)

    def _ensure_admin(self) -> None:
        """The administrator exists with the keyring's password (created or reset on a short
        start without ``--auth``, on a fresh port nobody knows yet)."""
        marker = self.root / "auth.json"
        if _stored_password() is not None and marker.exists():
            return
        password = secrets.token_urlsafe(32)
        try:
            keyring.set_password(KEYRING_SERVICE, KEYRING_ENTRY, password)
        except keyring.errors.KeyringError as exc:
            raise LocalDbError(f"the keyring refused the local database's password ({type(exc).__name__})") from None
        proc = SecantusProcess(self.data_dir, log_dir=self.root, auth=False).start()
        try:
            client: MongoClient = MongoClient(proc.uri, serverSelectionTimeoutMS=10_000)
            try:
                admin = client.admin
                users = admin.command("usersInfo").get("users", [])
                names = {u.get("user") for u in users}
                if ADMIN_USER in names:
                    admin.command("updateUser", ADMIN_USER, pwd=password)
                else:
                    admin.command("createUser", ADMIN_USER, pwd=password, roles=["root"])
            finally:
                client.close()
        except (PyMongoError, OperationFailure) as exc:
            raise LocalDbError(f"could not set up the local database's administrator: {type(exc).__name__}") from None
        finally:
            proc.stop()
        marker.write_text(json.dumps({"user": ADMIN_USER, "created": time.time()}))

    def stop_owned(self) -> None:
        """Stop the server this object started (nothing if it found one already running)."""
        if self._owned is not None:
            self._owned.stop()
            self._owned = None
            with contextlib.suppress(OSError):
                self.state_file.unlink()

    @property
    def owns_server(self) -> bool:
        return self._owned is not None and self._owned.proc is not None and self._owned.proc.poll() is None

    def stop(self) -> bool:
        """Stop the server recorded in the state file (whoever started it).  True if one was stopped."""
        if self._owned is not None:
            self.stop_owned()
            return True
        st = self._read_state()
        stopped = False
        if st:
            pid = int(st.get("pid", 0))
            if pid and pid_alive(pid) and is_server_process(pid):
                kill_process(pid)
                stopped = True
        with contextlib.suppress(OSError):
            self.state_file.unlink()
        return stopped

    def target(self, db_name: str | None = None) -> ConnectionTarget:
        """Where to connect (starting the server when it is not running)."""
        st = self.start()
        return self.target_for(st, db_name)

    def target_for(self, st: LocalDbStatus, db_name: str | None = None) -> ConnectionTarget:
        kw: dict[str, Any] = {"db_name": db_name} if db_name else {}
        if st.protected:
            password = _stored_password()
            if password is None:
                raise LocalDbError(
                    "the local database is password-protected but the keyring has no password for it; "
                    "stop it (booking-desktop-cli local-db stop) and start it again"
                )
            return ConnectionTarget(
                uri=st.uri or "", label=LABEL, username=ADMIN_USER, password=password, auth_source="admin", **kw
            )
        return ConnectionTarget(uri=st.uri or "", label=LABEL, **kw)

    def __enter__(self) -> ConnectionTarget:
        return self.target()

    def __exit__(self, *exc: object) -> None:
        self.stop_owned()
