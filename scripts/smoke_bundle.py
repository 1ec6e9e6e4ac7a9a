"""Smoke test of the frozen bundle (dist/booking-desktop/), run by scripts/smoke-bundle.sh.

Runs only the bundle's own programs, in throw-away user folders (data, config,
logs, settings) with offscreen Qt and no keyring (so the operator's real keyring
and local database are never touched):

1. the bundled server alone (``booking-desktop-cli --serve-database secantus``):
   cold start on an empty folder, a user created, restart with ``--auth``, a
   frozen-CLI ``connections test`` with that password, a refused anonymous
   read, stop on SIGTERM;
2. the frozen CLI: ``validate`` of every bundled sample (each reader, the
   shipped profiles), then ``local-db start``, ``import`` of a sample (its profile
   is picked from the headers) and again (nothing changes), ``local-db status
   --json``, ``local-db stop``;
3. the frozen GUI: ``booking-desktop --samples --self-test SAMPLE`` opens the
   sample from the welcome page, commits it to the same local database (so every
   valid row is already there, unchanged) and quits;
4. afterwards no process of these folders is running.

Prints one line per check and the time each took; exits 1 with a one-line
reason on the first failure (after stopping whatever it started).  Needs
pymongo (the build's .venv) for the direct server checks.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pymongo import MongoClient
from pymongo.errors import OperationFailure, PyMongoError

from booking_desktop.storage.server_process import free_port, ping

SAMPLE = "lisboa_pms_export.csv"  # a shipped profile (lisboa_pms) matches its headers
STEP_TIMEOUT = 180
START_TIMEOUT = 60


class SmokeFailure(Exception):
    pass


def say(text: str) -> None:
    print(f"smoke: {text}", flush=True)


class Smoke:
    def __init__(self, bundle: Path, root: Path):
        self.bundle = bundle
        self.cli = bundle / "booking-desktop-cli"
        self.gui = bundle / "booking-desktop"
        self.root = root
        self.sample = bundle / "_internal" / "booking_desktop" / "resources" / "samples" / SAMPLE
        self.env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
            **{f"BOOKING_DESKTOP_{k}_DIR": str(root / k.lower()) for k in ("DATA", "CONFIG", "LOG", "SETTINGS")},
        }
        self.env.pop("BOOKING_MONGODB_URI", None)
        self.started: list[subprocess.Popen] = []

    # -- helpers ------------------------------------------------------------
    def run(self, program: Path, *args: str, expect: int = 0) -> subprocess.CompletedProcess:
        t0 = time.monotonic()
        try:
            out = subprocess.run(
                [str(program), *args], env=self.env, capture_output=True, text=True, timeout=STEP_TIMEOUT
            )
        except subprocess.TimeoutExpired:
            raise SmokeFailure(f"{program.name} {' '.join(args)}: no answer within {STEP_TIMEOUT} s") from None
        out.seconds = time.monotonic() - t0  # type: ignore[attr-defined]
        if "Traceback" in out.stderr:
            raise SmokeFailure(f"{program.name} {' '.join(args)} printed a traceback:\n{out.stderr}")
        if out.returncode != expect:
            tail = (out.stderr.strip() or out.stdout.strip()).splitlines()[-3:]
            raise SmokeFailure(f"{program.name} {' '.join(args)}: exit {out.returncode}: {' | '.join(tail)}")
        return out

    def json_of(self, program: Path, *args: str) -> dict:
        out = self.run(program, *args)
        try:
            return json.loads(out.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise SmokeFailure(f"{program.name} {' '.join(args)}: no JSON on stdout: {out.stdout!r}") from None

    def serve(self, storage: Path, port: int, *extra: str) -> tuple[subprocess.Popen, float]:
        config = self.root / "secantusd.toml"
        config.write_text("# smoke test: every setting on the command line\n")
        log = open(self.root / "server-alone.log", "ab")  # noqa: SIM115 - the child keeps it
        args = ["--config", str(config), "--host", "127.0.0.1", "--port", str(port), "--storage-path", str(storage)]
        t0 = time.monotonic()
        proc = subprocess.Popen(
            [str(self.cli), "--serve-database", "secantus", *args, "--log-level", "WARNING", *extra],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        self.started.append(proc)
        while time.monotonic() - t0 < START_TIMEOUT:
            if proc.poll() is not None:
                raise SmokeFailure(f"the bundled server exited at start (code {proc.returncode}); see server-alone.log")
            if ping(port, timeout_ms=500):
                return proc, time.monotonic() - t0
            time.sleep(0.05)
        raise SmokeFailure(f"the bundled server did not answer within {START_TIMEOUT} s")

    def stop(self, proc: subprocess.Popen) -> float:
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise SmokeFailure("the bundled server did not stop within 30 s of SIGTERM") from None
        if code != 0:
            raise SmokeFailure(f"the bundled server exited with code {code} on SIGTERM")
        return time.monotonic() - t0

    def leftovers(self) -> list[str]:
        """Processes whose command line names our folders (servers started for them)."""
        mine, found = str(self.root), []
        for p in Path("/proc").glob("[0-9]*"):
            try:
                cmd = (p / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if mine in cmd:
                found.append(f"{p.name}: {cmd[:160]}")
        return found

    def cleanup(self) -> None:
        for proc in self.started:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
        if (self.root / "data" / "localdb" / "state.json").exists():
            subprocess.run([str(self.cli), "local-db", "stop"], env=self.env, capture_output=True, timeout=60)

    # -- the checks -----------------------------------------------------------
    def check_files(self) -> None:
        for f in (self.cli, self.gui):
            if not os.access(f, os.X_OK):
                raise SmokeFailure(f"{f} is missing or not executable: build it with scripts/build-bundle.sh")
        if not self.sample.is_file():
            raise SmokeFailure(f"the bundled sample {self.sample} is missing")

    def check_server_alone(self) -> None:
        storage, port = self.root / "server-alone", free_port()
        proc, cold = self.serve(storage, port)
        say(f"bundled server: cold start on an empty folder {cold:.1f} s")
        client: MongoClient = MongoClient("127.0.0.1", port, directConnection=True, serverSelectionTimeoutMS=5000)
        try:
            client.admin.command("createUser", "smoke", pwd="smoke-password", roles=["root"])
            version = client.server_info().get("version")
        finally:
            client.close()
        say(f"bundled server: stopped on SIGTERM in {self.stop(proc):.1f} s (version {version})")
        proc, warm = self.serve(storage, port, "--auth")
        say(f"bundled server: start with --auth on existing data {warm:.1f} s")
        anonymous: MongoClient = MongoClient("127.0.0.1", port, directConnection=True, serverSelectionTimeoutMS=5000)
        try:
            anonymous.booking_desktop.list_collection_names()
            raise SmokeFailure("the bundled server with --auth let an anonymous client read")
        except OperationFailure:
            pass
        finally:
            anonymous.close()
        uri = f"mongodb://smoke:smoke-password@127.0.0.1:{port}/?authSource=admin&directConnection=true"
        facts = self.json_of(self.cli, "connections", "test", "--uri", uri, "--json")
        say(f"frozen CLI -> bundled server with a password: {facts['server']}, user {facts['db_user']}")
        self.stop(proc)

    def check_readers(self) -> None:
        samples = sorted(p for p in self.sample.parent.iterdir() if p.suffix != ".py")
        profiles = {}
        for path in samples:
            r = self.json_of(self.cli, "validate", str(path), "--json")
            if not r.get("records"):
                raise SmokeFailure(f"validate {path.name}: no records read: {r}")
            profiles[path.name] = r["profile"]
            say(f"frozen CLI: validate {path.name}: {r['format']}, profile {r['profile']}, {r['records']} records")
        if profiles.get(SAMPLE) is None:
            raise SmokeFailure(f"no shipped profile matched {SAMPLE}: are the profiles bundled?")

    def check_cli(self) -> dict:
        st = self.json_of(self.cli, "local-db", "start", "--json")
        if not st.get("running"):
            raise SmokeFailure(f"local-db start: not running: {st}")
        cmd = Path(f"/proc/{st['pid']}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        if "booking-desktop-cli --serve-database secantus" not in cmd:
            raise SmokeFailure(f"the local database is not the bundled server: {cmd[:200]}")
        say(f"frozen CLI: local-db start (pid {st['pid']}, {'protected' if st['protected'] else st['note']})")
        out = self.run(self.cli, "import", str(self.sample))
        say(f"frozen CLI: {out.stdout.strip()} [{out.seconds:.1f} s]")  # type: ignore[attr-defined]
        summary = self.json_of(self.cli, "import", str(self.sample), "--json")
        if summary["status"] != "completed" or summary["unchanged"] != summary["records"] - summary["rejected"]:
            raise SmokeFailure(f"importing the same file again should change nothing: {summary}")
        status = self.json_of(self.cli, "local-db", "status", "--json")
        if not status["running"] or status["pid"] != st["pid"]:
            raise SmokeFailure(f"local-db status --json does not show the running database: {status}")
        say(f"frozen CLI: local-db status --json: running, pid {status['pid']}, data in {status['data_dir']}")
        self.run(self.cli, "local-db", "stop")
        after = self.json_of(self.cli, "local-db", "status", "--json")
        if after["running"]:
            raise SmokeFailure(f"local-db stop left it running: {after}")
        say("frozen CLI: local-db stop")
        return summary

    def check_gui(self, cli_summary: dict) -> None:
        out = self.run(self.gui, "--samples", "--self-test", SAMPLE)
        for line in out.stdout.strip().splitlines():
            say(f"frozen GUI: {line}")
        valid = cli_summary["records"] - cli_summary["rejected"]
        if f"completed — {cli_summary['records']} records: 0 inserted, 0 updated, {valid} unchanged" not in out.stdout:
            raise SmokeFailure(f"the GUI's commit does not show the CLI's bookings unchanged: {out.stdout.strip()}")
        say(f"frozen GUI: start, open, commit, quit [{out.seconds:.1f} s]")  # type: ignore[attr-defined]

    def check_nothing_left(self) -> None:
        deadline = time.monotonic() + 5
        while (left := self.leftovers()) and time.monotonic() < deadline:
            time.sleep(0.2)
        if left:
            raise SmokeFailure("still running after the programs ended: " + "; ".join(left))
        if (self.root / "data" / "localdb" / "state.json").exists():
            raise SmokeFailure("the local database's state file was left behind (server not stopped)")
        say("no server process left running")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("bundle", nargs="?", default="dist/booking-desktop", type=Path)
    p.add_argument("--keep", action="store_true", help="keep the temporary folders (their path is printed)")
    args = p.parse_args()
    root = Path(tempfile.mkdtemp(prefix="booking-desktop-smoke-"))
    smoke = Smoke(args.bundle.resolve(), root)
    t0 = time.monotonic()
    try:
        smoke.check_files()
        smoke.check_server_alone()
        smoke.check_readers()
        summary = smoke.check_cli()
        smoke.check_gui(summary)
        smoke.check_nothing_left()
    except (SmokeFailure, OSError, PyMongoError) as exc:
        print(f"smoke: FAILED: {exc}", file=sys.stderr)
        print(f"smoke: logs in {root} (kept)", file=sys.stderr)
        return 1
    finally:
        smoke.cleanup()
    say(f"OK in {time.monotonic() - t0:.0f} s")
    if args.keep:
        say(f"folders kept in {root}")
    else:
        import shutil

        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
