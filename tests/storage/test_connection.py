"""storage.connection: the one way to connect (CLI, GUI and tests), and what it learns of the server."""

from __future__ import annotations

import pytest

from booking_desktop.storage.client import ConnectionTarget
from booking_desktop.storage.connection import ENV_TRANSACTIONS, ConnectError, connect, detect_traits
from booking_desktop.storage.localdb import free_port


def test_connect_pings_learns_the_server_creates_indexes_and_closes(mongo_server, mongo_db):
    target = ConnectionTarget(uri=mongo_server.uri, db_name=mongo_db.name, label="test")
    with connect(target) as conn:
        assert conn.db.name == mongo_db.name and conn.label == "test"
        assert conn.traits.kind == mongo_server.kind
        with mongo_server.client() as other:
            indexes = list(other[mongo_db.name].bookings.list_indexes())
        # by keys: nx-27017 names its indexes its own way
        assert any(list(i["key"].items()) == [("vendor", 1), ("booking_ref", 1)] and i.get("unique") for i in indexes)
        engine = conn.engine(batch_size=10)
        assert engine.db_user == conn.db_user and engine.traits is conn.traits
    from pymongo.errors import InvalidOperation

    with pytest.raises(InvalidOperation):  # closed on leaving
        conn.client.admin.command("ping")


def test_a_server_that_is_down_is_one_clear_error():
    target = ConnectionTarget(uri=f"mongodb://127.0.0.1:{free_port()}/?directConnection=true", label="nowhere")
    with pytest.raises(ConnectError, match="cannot reach the database at nowhere"), connect(
        target, serverSelectionTimeoutMS=300
    ):
        pass


@pytest.mark.parametrize(
    ("policy", "kind", "expected"),
    [("auto", "secantus", False), ("always", "secantus", True), ("never", "secantus", False)],
)
def test_transaction_policy(monkeypatch, mongo_server, policy, kind, expected):
    """On SecantusDB the app commits without transactions unless told to (they cost 10-16 %)."""
    if mongo_server.name != "secantus":
        pytest.skip("needs SecantusDB as a replica set")
    monkeypatch.setenv(ENV_TRANSACTIONS, policy)
    with mongo_server.client() as client:
        traits = detect_traits(client)
    assert traits.kind == kind and traits.transactions and traits.commit_in_transactions is expected


def test_an_unknown_policy_is_refused(monkeypatch, mongo_server):
    monkeypatch.setenv(ENV_TRANSACTIONS, "sometimes")
    with mongo_server.client() as client, pytest.raises(ConnectError, match="BOOKING_COMMIT_TRANSACTIONS"):
        detect_traits(client)
