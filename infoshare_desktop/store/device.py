"""This install's device id, and keeping it to one install.

Each device numbers the envelopes it writes 1, 2, 3... (store.envelopes). The id lives in
the database (`envelope_state`), so a backup restored elsewhere, or a data folder copied
to another machine or folder, would carry it along: two copies writing under one id
would give different envelopes the same (device, number), and once their envelopes
meet (hand-over bundles, a team server) they could not be told apart by it.

So the id is bound to where it was taken: a keyed hash of the machine's id (the
`py-machineid` package: /etc/machine-id on Linux, MachineGuid on Windows, the platform
UUID on macOS) and the data folder's full path. A sign-in that finds the store somewhere
else takes a fresh random id (`store.device_renewed` audit entry, ids only), and a
restore always does. The new id's envelopes start again at 1 under their own id; the
old id's are kept as they are and never written to again here, so no (device, number)
is used twice. A false alarm (the folder moved, or the same disk reached under another
path) only costs a new id.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from pathlib import Path
from typing import Any

import machineid

from infoshare_desktop.store import audit
from infoshare_desktop.store.audit import Action
from infoshare_desktop.store.writes import Tx, raw_connection

_APP_ID = "infoshare-desktop"


@functools.cache
def machine_id() -> str:
    """This machine's id, hashed with the application's name ("" when the platform has
    none: then only the folder's path binds the device id)."""
    try:
        value = machineid.hashed_id(_APP_ID)
    except (machineid.MachineIdNotFound, OSError):
        return ""
    return str(value)


def binding(store_id: str, root: Path, machine: str | None = None) -> str:
    """Where a device id belongs: this machine and this data folder (a keyed hash, so
    it names neither)."""
    where = machine_id() if machine is None else machine
    folder = str(root.resolve())
    return hashlib.sha256(f"infoshare-device|{store_id}|{where}|{folder}".encode()).hexdigest()


def state(raw: Any) -> tuple[str, str | None] | None:
    """(device id, where it is bound); None in a schema without envelopes or binding."""
    columns = {r[1] for r in raw.execute("PRAGMA table_info(envelope_state)")}
    if "bound_to" not in columns:
        return None
    row = raw.execute("SELECT device_id, bound_to FROM envelope_state WHERE id = 1").fetchone()
    return (str(row[0]), row[1]) if row else None


def renew(tx: Tx, *, actor_id: str, reason: str, bound_to: str) -> str:
    """Take a fresh device id bound to `bound_to`, in the caller's write transaction;
    returns it."""
    raw = raw_connection(tx)
    current = state(raw)
    if current is None:
        return ""
    new_id = str(uuid.uuid4())
    raw.execute(
        "UPDATE envelope_state SET device_id = ?, bound_to = ? WHERE id = 1", (new_id, bound_to)
    )
    audit.append(
        tx,
        actor_id=actor_id,
        action=Action.DEVICE_RENEWED,
        detail=f"reason={reason};previous={current[0]};device={new_id}",
    )
    return new_id


def ensure_bound(tx: Tx, *, actor_id: str, bound_to: str) -> None:
    """At sign-in: a device id bound elsewhere is renewed; one never bound (a store from
    before binding) is bound here as it is."""
    raw = raw_connection(tx)
    current = state(raw)
    if current is None or current[1] == bound_to:
        return
    if current[1] is None:
        raw.execute("UPDATE envelope_state SET bound_to = ? WHERE id = 1", (bound_to,))
        return
    renew(tx, actor_id=actor_id, reason="moved", bound_to=bound_to)
