"""SSH keys: integer ids from 101, one key per fingerprint (``ssh-keygen -lf``); the key text itself is checked
by ``cloudzy_tui.sim.sshkeys``."""

from __future__ import annotations

from typing import Any

from cloudzy_tui.sim.errors import Conflict, NotFound
from cloudzy_tui.sim.records import Record
from cloudzy_tui.sim.sshkeys import fingerprint, parse_public_key
from cloudzy_tui.sim.store import Store


def list_ssh_keys(store: Store, customer_id: str | None) -> list[dict[str, Any]]:
    return [k.data for k in store.ssh_keys.values() if customer_id is None or k["customerId"] == customer_id]


def add_ssh_key(store: Store, name: str, public_key: str, customer_id: str | None) -> Record:
    """Store a key (409 when its fingerprint is stored already); ``customer_id`` defaults to the account's."""
    _, blob, _ = parse_public_key(public_key)
    fp = fingerprint(blob)
    for existing in store.ssh_keys.values():
        if existing["fingerprint"] == fp:
            raise Conflict(f"This public key is already stored as '{existing['name']}' (id {existing['id']})")
    key_id = store.take_ssh_key_id()
    record = Record(
        data={
            "id": key_id,
            "name": name,
            "publicKey": " ".join(public_key.split()),
            "customerId": customer_id or store.customer_id,
            "fingerprint": fp,
        }
    )
    store.ssh_keys[key_id] = record
    return record


def get_ssh_key(store: Store, key_id: int) -> Record:
    record = store.ssh_keys.get(key_id)
    if record is None:
        raise NotFound(f"SSH key {key_id} not found")
    return record


def delete_ssh_key(store: Store, key_id: int) -> None:
    get_ssh_key(store, key_id)
    del store.ssh_keys[key_id]
