"""The import / connections / local-db commands, through the real pipeline and server."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys

import pytest

from booking_desktop.cli import main
from booking_desktop.storage.localdb import free_port
from booking_desktop.storage.testing import booking_rows

SECRET = "Tr0ub4dor&3-never-print-me"


def write_csv(path, n=20, bad=(3,), amount="100.00"):
    text = booking_rows(n, amount=amount)
    for p in bad:
        text.loc[p, "currency"] = "JPY"  # JPY allows no decimals -> precision error
        text.loc[p, "amount"] = "100.50"
    text.to_csv(path, index=False)
    return path


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def all_logs():
    """Every log record at DEBUG, formatted, whatever the CLI configures."""
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s %(args)s"))
    root = logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield buf
    finally:
        root.removeHandler(handler)
        root.setLevel(old)


def test_import_json_then_reimport_inserts_nothing(tmp_path, capsys, mongo_server, mongo_db, config_dir):
    csv = write_csv(tmp_path / "acme.csv")
    args = ["import", str(csv), "--vendor", "acme", "--uri", mongo_server.uri, "--db", mongo_db.name, "--json"]
    args += ["--batch-size", "7"]
    code, out, err = run_cli(capsys, *args)
    assert code == 0, err
    first = json.loads(out)
    assert {k: first[k] for k in ("status", "records", "inserted", "updated", "unchanged", "rejected")} == {
        "status": "completed",
        "records": 20,
        "inserted": 19,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
    }
    assert mongo_db.bookings.count_documents({}) == 19
    row = mongo_db.rejected_rows.find_one()
    assert row["record"] == 4 and row["errors"][0]["field"] == "amount" and row["location"] == "line 5"
    code, out, _ = run_cli(capsys, *args)
    again = json.loads(out)
    assert code == 0 and (again["inserted"], again["unchanged"], again["rejected"]) == (0, 19, 1)
    assert again["import_id"] != first["import_id"]


def test_changed_file_updates_and_audits(tmp_path, capsys, mongo_server, mongo_db, config_dir):
    common = ["--vendor", "acme", "--uri", mongo_server.uri, "--db", mongo_db.name, "--json"]
    run_cli(capsys, "import", str(write_csv(tmp_path / "acme.csv", n=5, bad=())), *common)
    code, out, _ = run_cli(
        capsys, "import", str(write_csv(tmp_path / "acme.csv", n=5, bad=(), amount="90.00")), *common
    )
    summary = json.loads(out)
    assert code == 0 and (summary["inserted"], summary["updated"]) == (0, 5)
    assert mongo_db.audit_log.count_documents({"import_id": summary["import_id"]}) == 5


def test_import_with_the_server_down_fails_in_one_line(tmp_path, capsys, config_dir):
    csv = write_csv(tmp_path / "acme.csv")
    down = f"mongodb://127.0.0.1:{free_port()}/"
    code, out, err = run_cli(capsys, "import", str(csv), "--vendor", "acme", "--uri", down, "--json")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "cannot reach the database" in err and "Traceback" not in err


def test_the_server_is_checked_before_the_file_is_read(tmp_path, capsys, config_dir, monkeypatch):
    """A server that is down is reported at once, not after reading and validating a big file."""
    import booking_desktop.cli.import_cmd as import_cmd

    read = []
    monkeypatch.setattr(import_cmd, "run_pipeline_cli", lambda *a, **k: read.append(a) or pytest.fail("read"))
    csv = write_csv(tmp_path / "acme.csv")
    code, _, err = run_cli(capsys, "import", str(csv), "--vendor", "acme", "--uri", f"mongodb://127.0.0.1:{free_port()}/")
    assert code == 2 and "cannot reach the database" in err and read == []


def test_without_a_profile_or_vendor_the_import_is_refused_and_the_file_name_is_never_the_vendor(
    tmp_path, capsys, mongo_server, mongo_db, config_dir
):
    """acme_export_jan.csv and acme_export_feb.csv carry the same two bookings: one vendor, two bookings."""
    common = ["--uri", mongo_server.uri, "--db", mongo_db.name, "--json"]
    jan = write_csv(tmp_path / "acme_export_jan.csv", n=2, bad=())
    feb = write_csv(tmp_path / "acme_export_feb.csv", n=2, bad=())
    code, out, err = run_cli(capsys, "import", str(jan), *common)
    assert code == 2 and out == "" and "no vendor" in err and "--vendor" in err and "Traceback" not in err
    assert mongo_db.bookings.count_documents({}) == 0 and mongo_db.imports.count_documents({}) == 0
    for f in (jan, feb):
        code, out, err = run_cli(capsys, "import", str(f), "--vendor", "ACME", *common)
        assert code == 0, err
    assert mongo_db.bookings.count_documents({}) == 2
    assert mongo_db.bookings.distinct("vendor") == ["ACME"]
    assert json.loads(out)["unchanged"] == 2


def test_validate_still_runs_without_a_vendor(tmp_path, capsys, config_dir):
    csv = write_csv(tmp_path / "acme_export_jan.csv", n=3, bad=())
    code, out, err = run_cli(capsys, "validate", str(csv), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["vendor"] is None
    assert report["errors_by_code"].get("vendor-unknown") == 1
    assert report["valid"] == 3  # the rows are checked, not all failed for a missing vendor


def test_resume_of_a_completed_import_is_refused(tmp_path, capsys, mongo_server, mongo_db, config_dir):
    csv = write_csv(tmp_path / "acme.csv", n=3, bad=())
    common = ["--vendor", "acme", "--uri", mongo_server.uri, "--db", mongo_db.name]
    _, out, _ = run_cli(capsys, "import", str(csv), *common, "--json")
    code, _, err = run_cli(capsys, "import", str(csv), *common, "--resume", json.loads(out)["import_id"])
    assert code == 2 and "already completed" in err


def test_missing_file_is_one_clear_line(tmp_path, capsys, config_dir):
    code, _, err = run_cli(capsys, "import", str(tmp_path / "nope.csv"), "--uri", "mongodb://127.0.0.1:1/")
    assert code == 2 and "nope.csv" in err and "Traceback" not in err


def test_secrets_never_appear_in_output_or_logs(
    tmp_path, capsys, monkeypatch, mongo_server, config_dir, memory_keyring, all_logs
):
    host = mongo_server.uri.split("//")[1].split("/")[0]
    monkeypatch.setattr(sys, "stdin", io.StringIO(SECRET + "\n"))
    outputs = []
    code, out, err = run_cli(
        capsys, "-v", "connections", "add", "prod", "--uri", f"mongodb://alice@{host}/", "--password-stdin"
    )
    assert code == 0, err
    outputs += [out, err]
    assert memory_keyring.store[("booking-desktop", "prod")] == SECRET
    code, out, err = run_cli(capsys, "-v", "connections", "add", "inuri", "--uri", f"mongodb://bob:{SECRET}@{host}/")
    assert code == 0, err
    outputs += [out, err]
    csv = write_csv(tmp_path / "acme.csv", n=3)
    for argv in (
        ["-v", "connections", "list"],
        ["-v", "connections", "list", "--json"],
        ["-v", "connections", "test", "prod"],
        ["-v", "connections", "test", "--uri", f"mongodb://carol:{SECRET}@{host}/"],
        ["-v", "import", str(csv), "--vendor", "acme", "--connection", "prod", "--json"],
        ["-v", "import", str(csv), "--vendor", "acme", "--uri", f"mongodb://carol:{SECRET}@{host}/", "--json"],
    ):
        _, out, err = run_cli(capsys, *argv)
        outputs += [out, err]
    monkeypatch.setenv("BOOKING_MONGODB_URI", f"mongodb://dave:{SECRET}@{host}/")
    _, out, err = run_cli(capsys, "-v", "connections", "list")
    outputs += [out, err]
    text = "\n".join(outputs) + all_logs.getvalue()
    assert "***" in text  # a masked URI was shown
    assert SECRET not in text
    assert SECRET not in (config_dir / "connections.json").read_text()


def test_secret_in_uri_not_in_subprocess_output_with_verbose(tmp_path, mongo_server, config_dir):
    """The whole process (logging configured by the CLI itself, pymongo's DEBUG logs) with a password."""
    host = mongo_server.uri.split("//")[1].split("/")[0]
    csv = write_csv(tmp_path / "acme.csv", n=3)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "booking_desktop",
            "-v",
            "import",
            str(csv),
            "--vendor",
            "acme",
            "--uri",
            f"mongodb://erin:{SECRET}@{host}/",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "BOOKING_DESKTOP_LOG_DIR": str(tmp_path / "logs")},
    )
    assert proc.returncode == 2  # an unknown user (or no authentication at all): a clear refusal
    assert "Traceback" not in proc.stderr
    assert "booking-desktop-cli: the database at" in proc.stderr
    assert SECRET not in proc.stdout + proc.stderr
    log_text = (tmp_path / "logs" / "cli.log").read_text()
    assert "DEBUG pymongo" in log_text  # -v really logged the driver's details: to the log file
    assert "pymongo" not in proc.stderr  # ... not to stderr
    assert SECRET not in log_text


def test_connections_add_refuses_an_insecure_keyring_without_consent(capsys, config_dir, monkeypatch):
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    monkeypatch.setattr(sys, "stdin", io.StringIO(SECRET + "\n"))
    try:
        code, _, err = run_cli(capsys, "connections", "add", "x", "--uri", "mongodb://u@h/", "--password-stdin")
        assert code == 2 and "--no-save-password" in err
        code, out, _ = run_cli(capsys, "connections", "add", "x", "--uri", "mongodb://u@h/", "--no-save-password")
        assert code == 0 and "asked each time" in out
    finally:
        keyring.set_keyring(previous)


def test_connections_test_reports_version_and_transactions(capsys, mongo_server, config_dir):
    code, out, err = run_cli(capsys, "connections", "test", "--uri", mongo_server.uri, "--json")
    assert code == 0, err
    facts = json.loads(out)
    assert facts["version"]  # server_info() has none on nx-27017: buildInfo's is used
    assert facts["round_trip_ms"] >= 0
    if mongo_server.name == "secantus":  # advertises a single-node replica set
        assert facts["transactions"] is True and facts["topology"] == "replica set"
    elif mongo_server.process is not None:
        assert facts["transactions"] is False and facts["topology"] == "standalone"


def test_connections_remove(capsys, config_dir, memory_keyring):
    run_cli(capsys, "connections", "add", "a", "--uri", "mongodb://h/")
    assert run_cli(capsys, "connections", "remove", "a")[0] == 0
    code, _, err = run_cli(capsys, "connections", "remove", "a")
    assert code == 2 and "no connection named 'a'" in err


@pytest.mark.parametrize("how", ["--resume", "same file"])
def test_interrupted_import_is_finished_by_the_cli(tmp_path, capsys, mongo_server, mongo_db, config_dir, how):
    from booking_desktop.pipeline import run_to_end
    from booking_desktop.storage.client import ensure_indexes
    from booking_desktop.storage.engine import CommitEngine

    csv = write_csv(tmp_path / "acme.csv", n=40, bad=(5, 33))
    ensure_indexes(mongo_db)
    gen = CommitEngine(mongo_db, batch_size=10).commit(run_to_end(csv, vendor="acme"))
    first = next(gen)
    gen.close()  # e.g. the app was closed during the commit
    assert mongo_db.imports.find_one({"_id": first.import_id})["status"] == "interrupted"
    extra = ["--resume", first.import_id] if how == "--resume" else []
    code, out, err = run_cli(
        capsys,
        "import",
        str(csv),
        "--vendor",
        "acme",
        "--uri",
        mongo_server.uri,
        "--db",
        mongo_db.name,
        "--batch-size",
        "10",
        "--json",
        *extra,
    )
    assert code == 0, err
    summary = json.loads(out)
    assert summary["import_id"] == first.import_id and summary["resumed"] is True
    assert (summary["inserted"], summary["rejected"]) == (38, 2)
    assert mongo_db.bookings.count_documents({}) == 38 and mongo_db.rejected_rows.count_documents({}) == 2


def test_batch_size_out_of_range_is_refused(tmp_path, capsys, config_dir):
    code, _, err = run_cli(capsys, "import", str(tmp_path / "x.csv"), "--batch-size", "0")
    assert code == 2 and "--batch-size must be between 1 and 5000" in err


def test_a_password_asked_each_time_without_a_terminal_is_a_clear_error(capsys, config_dir, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert (
        run_cli(capsys, "connections", "add", "ask", "--uri", "mongodb://u@127.0.0.1:1/", "--no-save-password")[0] == 0
    )
    code, _, err = run_cli(capsys, "connections", "test", "ask")
    assert code == 2 and "no terminal to ask it on" in err


def test_connections_list_says_how_each_password_is_kept(capsys, config_dir, monkeypatch):
    """Regression: a connection without a user was listed as keeping its password in the keyring."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert run_cli(capsys, "connections", "add", "open", "--uri", "mongodb://127.0.0.1:1/")[0] == 0
    assert (
        run_cli(capsys, "connections", "add", "ask", "--uri", "mongodb://u@127.0.0.1:1/", "--no-save-password")[0] == 0
    )
    code, out, _ = run_cli(capsys, "connections", "list", "--json")
    assert code == 0
    kept = {c["name"]: c["password"] for c in json.loads(out)["connections"]}
    assert kept == {"open": "none", "ask": "ask"}


TYPOS = [
    "mongodb:/alice:{pw}@{host}/",
    "mongo://alice:{pw}@{host}/",
    "notmongo://x:{pw}@{host}/",
    "mongodb//alice:{pw}@{host}/",
    "mongodb://alice:{pw}@{host}:notaport/",
    "mongodb+srv://alice:{pw}@{host}/",  # no SRV record: the driver's error quotes the host
]


@pytest.mark.parametrize("typo", TYPOS)
def test_a_mistyped_uri_never_shows_its_password(tmp_path, mongo_server, config_dir, typo):
    """"invalid connection settings for mongodb:/alice:PW@..." once printed the password.  Every
    command that takes a URI, with -v, in a real process: stdout, stderr and the log folder."""
    host = mongo_server.uri.split("//")[1].split("/")[0]
    uri = typo.format(pw=SECRET, host=host)
    csv = write_csv(tmp_path / "acme.csv", n=2)
    logs = tmp_path / "logs"
    env = {**os.environ, "BOOKING_DESKTOP_LOG_DIR": str(logs)}
    for argv in (
        ["import", str(csv), "--vendor", "acme", "--uri", uri, "--json"],
        ["connections", "test", "--uri", uri, "--json"],
        ["connections", "add", "typo", "--uri", uri],
        ["validate", str(csv), "--json"],  # the URI in the environment only
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "booking_desktop", "-v", *argv],
            capture_output=True,
            text=True,
            timeout=120,
            env={**env, "BOOKING_MONGODB_URI": uri},
        )
        assert SECRET not in proc.stdout and SECRET not in proc.stderr, argv
        assert "Traceback" not in proc.stderr, proc.stderr
        if argv[0] != "validate":
            assert proc.returncode == 2, (argv, proc.stdout, proc.stderr)
            assert proc.stderr.strip().count("\n") == 0 or "DEBUG" in proc.stderr  # one line (plus our debug)
    for f in logs.rglob("*"):
        if f.is_file():
            assert SECRET not in f.read_text(errors="replace"), f
