"""``<app> --serve-database KIND``: how a frozen build runs its bundled server (booking_desktop/serve.py).

The real frozen bundle is checked by scripts/smoke-bundle.sh; these tests check the hand-over
from our entry points to the server's own ``main`` and that the app never imports the server.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from booking_desktop import serve
from booking_desktop.storage import server_process
from booking_desktop.storage.server_process import SecantusProcess, is_server_process, pid_alive


def run_python(code: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120, **kw
    )


@pytest.mark.parametrize("argv", [["app"], ["app", "--samples"], ["app", "file.csv", serve.SERVE_FLAG, "secantus"]])
def test_a_normal_command_line_is_left_to_the_app(argv):
    assert serve.dispatch(argv) is None


def test_an_unknown_or_unbundled_server_is_refused_in_one_line(capsys):
    assert serve.dispatch(["app", serve.SERVE_FLAG, "nx-27017", "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'nx-27017'" in err and "secantus" in err


def test_every_bundled_server_kind_is_one_the_launcher_knows():
    assert set(serve.SERVERS) <= set(server_process.KINDS)
    assert server_process.SERVE_FLAG == serve.SERVE_FLAG  # one spelling for the launcher and the dispatcher


@pytest.mark.parametrize("entry", ["booking_desktop.cli", "booking_desktop.gui.app"])
def test_the_entry_points_hand_the_command_line_to_the_server_before_anything_else(entry):
    """``--help`` of the server, through our ``main``: no Qt, no log set-up, the server's own parser."""
    out = run_python(
        f"""
        import sys
        from {entry} import main
        try:
            code = main(["{serve.SERVE_FLAG}", "secantus", "--help"])
        except SystemExit as stop:
            code = stop.code
        print("exit", code, "qt" if "PySide6" in sys.modules else "no-qt")
        """
    )
    assert out.returncode == 0, out.stderr
    assert f"{serve.SERVE_FLAG} secantus" in out.stdout and "--storage-path" in out.stdout
    assert out.stdout.strip().endswith("exit 0 no-qt")


def test_the_app_process_never_imports_the_server():
    """SecantusDB is GPL-2.0 and must stay a separate process: importing every module of the app
    (GUI included) and running a command does not load it."""
    out = run_python(
        """
        import importlib, pkgutil, sys, booking_desktop
        for m in pkgutil.walk_packages(booking_desktop.__path__, "booking_desktop."):
            if not m.name.endswith(("__main__", "pytest_fixtures")):
                importlib.import_module(m.name)
        from booking_desktop.cli import main
        main(["local-db", "status", "--json"])
        print(sorted(k for k in sys.modules if k.split(".")[0] in ("secantus", "wiredtiger")))
        """,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_a_frozen_build_starts_its_server_as_the_app_with_the_serve_flag(tmp_path, monkeypatch):
    """What PyInstaller's ``sys.executable`` does, with a stand-in program: the launcher starts
    ``<app> --serve-database secantus ...``, the CLI's ``main`` serves, the state checks recognise it."""
    app = tmp_path / "booking-desktop-cli"
    app.write_text(f"#!{sys.executable}\nimport sys\nfrom booking_desktop.cli import main\nsys.exit(main())\n")
    app.chmod(0o755)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(app))
    proc = SecantusProcess(tmp_path / "data", log_dir=tmp_path)
    assert proc.command()[:3] == [str(app), serve.SERVE_FLAG, "secantus"]
    proc.start()
    try:
        assert is_server_process(proc.pid)
    finally:
        proc.stop()
    assert not pid_alive(proc.pid)
    assert proc.proc.returncode == 0  # stopped by SIGTERM through the server's own handler
