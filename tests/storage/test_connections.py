"""Connection profiles, keyring secrets, insecure backend detection, URI masking."""

from __future__ import annotations

import json

import keyring
import pytest
from keyring.backends import chainer, fail

from booking_desktop.storage.connections import (
    SERVICE,
    ConnectionProfileError,
    ConnectionStore,
    InsecureKeyringError,
    choose_target,
    keyring_status,
    mask_uri,
    split_secret,
)
from booking_desktop.storage.testing import MemoryKeyring

SECRET = "s3cr3t-P@ss"


def fake_backend(module: str, name: str):
    cls = type(name, (MemoryKeyring,), {"__module__": module})
    return cls()


@pytest.mark.parametrize(
    ("uri", "masked"),
    [
        ("mongodb://bob:hunter2@db.example.com:27017/app", "mongodb://bob:***@db.example.com:27017/app"),
        (
            "mongodb+srv://bob:p%40ss@cluster0.x.net/?retryWrites=true",
            "mongodb+srv://bob:***@cluster0.x.net/?retryWrites=true",
        ),
        (
            "mongodb://db:27017/?authMechanismProperties=AWS_SESSION_TOKEN:abc",
            "mongodb://db:27017/?authMechanismProperties=***",
        ),
        ("mongodb://bob@db/", "mongodb://bob@db/"),
        ("mongodb://localhost:27017", "mongodb://localhost:27017"),
    ],
)
def test_mask_uri_hides_every_secret(uri, masked):
    assert mask_uri(uri) == masked


def test_split_secret_keeps_the_user_and_drops_the_password():
    assert split_secret("mongodb://bob:p%40ss@db:27017/x") == ("mongodb://db:27017/x", "bob", "p@ss")


def test_add_puts_the_password_in_the_keyring_and_never_in_the_file(config_dir, memory_keyring):
    store = ConnectionStore()
    profile = store.add("prod", f"mongodb://alice:{SECRET}@db.example.com/", db_name="bookings", tls=True)
    assert profile.uri == "mongodb://db.example.com/" and profile.username == "alice"
    assert memory_keyring.store[(SERVICE, "prod")] == SECRET
    text = (config_dir / "connections.json").read_text()
    assert SECRET not in text
    assert json.loads(text)["default"] == "prod"
    target = store.target("prod")
    assert (target.username, target.password, target.db_name, target.tls) == ("alice", SECRET, "bookings", True)
    assert SECRET not in repr(target) and SECRET not in str(target)


def test_remove_deletes_profile_and_secret(config_dir, memory_keyring):
    store = ConnectionStore()
    store.add("a", "mongodb://u@h/", password=SECRET)
    store.remove("a")
    assert store.list() == [] and memory_keyring.store == {}
    with pytest.raises(ConnectionProfileError, match="no connection named 'a'"):
        store.get("a")


def test_no_keyring_backend_refuses_to_store(config_dir):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(InsecureKeyringError, match="--no-save-password"):
            ConnectionStore().add("x", "mongodb://u@h/", password=SECRET)
        assert not (config_dir / "connections.json").exists()
        # asking each time is always possible
        profile = ConnectionStore().add("x", "mongodb://u@h/", password=SECRET, save_password=False)
        asked = []
        target = ConnectionStore().target("x", prompt=lambda msg: asked.append(msg) or "typed")
        assert not profile.save_password and target.password == "typed" and "u" in asked[0]
    finally:
        keyring.set_keyring(previous)


@pytest.mark.parametrize(
    ("module", "name"),
    [("keyrings.alt.file", "PlaintextKeyring"), ("keyrings.alt.file", "EncryptedKeyring")],
)
def test_keyrings_alt_file_backends_are_insecure(config_dir, module, name):
    backend = fake_backend(module, name)
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        st = keyring_status()
        assert st.usable and not st.secure
        with pytest.raises(InsecureKeyringError, match="--allow-insecure-keyring"):
            ConnectionStore().add("x", "mongodb://u@h/", password=SECRET)
        assert backend.store == {}
        ConnectionStore().add("x", "mongodb://u@h/", password=SECRET, allow_insecure_keyring=True)
        assert backend.store[(SERVICE, "x")] == SECRET
    finally:
        keyring.set_keyring(previous)


def test_chainer_of_only_insecure_backends_is_insecure():
    class Chain(chainer.ChainerBackend):
        backends = [fake_backend("keyrings.alt.file", "PlaintextKeyring"), MemoryKeyring()]

    chain = Chain()
    previous = keyring.get_keyring()
    keyring.set_keyring(chain)
    try:
        st = keyring_status()
        assert not st.secure and "PlaintextKeyring" in st.reason
    finally:
        keyring.set_keyring(previous)


def test_choose_target_order(config_dir, memory_keyring, monkeypatch):
    local_calls = []

    def local(db):
        local_calls.append(db)
        from booking_desktop.storage.client import ConnectionTarget

        return ConnectionTarget(uri="mongodb://127.0.0.1:1/", label="Local database (this computer only)")

    assert choose_target(local=local).label.startswith("Local database")
    monkeypatch.setenv("BOOKING_MONGODB_URI", f"mongodb://env:{SECRET}@envhost/")
    t = choose_target(local=local)
    assert t.uri == "mongodb://envhost/" and t.password == SECRET and SECRET not in t.label
    ConnectionStore().add("mine", "mongodb://me@myhost/", password="pw2")
    assert choose_target(connection="mine", local=local).password == "pw2"
    assert choose_target(uri="mongodb://cli:pw3@clihost/", connection="mine", local=local).password == "pw3"
    monkeypatch.delenv("BOOKING_MONGODB_URI")
    assert choose_target(local=local).label == "mine"  # the default profile
    assert local_calls == [None]


def test_chainer_storing_in_a_secure_backend_is_secure():
    class Chain(chainer.ChainerBackend):
        backends = [MemoryKeyring(), fake_backend("keyrings.alt.file", "PlaintextKeyring")]

    previous = keyring.get_keyring()
    keyring.set_keyring(Chain())
    try:
        assert keyring_status().secure
    finally:
        keyring.set_keyring(previous)
