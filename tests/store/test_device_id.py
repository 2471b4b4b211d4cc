"""A backup restored elsewhere, or a data folder copied to another machine or folder,
takes a new device id, so two copies of one store never number different envelopes
alike (store.device). Real stores, backups and folder copies; envelopes read with an
independent SQLCipher reader (apsw-sqlite3mc)."""

from __future__ import annotations

import shutil
from pathlib import Path

import apsw
import pytest
from sqlmodel import select

from infoshare_desktop.paths import DataPaths
from infoshare_desktop.services import accounts, cases, maintenance, records
from infoshare_desktop.store import device
from infoshare_desktop.store.audit import Action
from infoshare_desktop.store.tables import AuditEvent
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.domain.factories import complete_case, complete_sharing_decision


def _envelopes(paths: DataPaths, key: bytes) -> dict[tuple[str, int], str]:
    """(device id, device sequence number) -> envelope id, read by another reader."""
    conn = apsw.Connection(str(paths.database), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        conn.execute("PRAGMA cipher='sqlcipher'")
        conn.execute("PRAGMA legacy=4")
        conn.execute(f"PRAGMA key=\"x'{key.hex()}'\"")
        rows = conn.execute("SELECT device_id, device_seq, id FROM envelope").fetchall()
    finally:
        conn.close()
    return {(d, int(s)): i for d, s, i in rows}


def _device(store) -> str:
    with store.read() as session:
        found = device.state(session.connection().connection.dbapi_connection)
    assert found is not None
    return found[0]


def _renewals(store) -> list[str]:
    with store.read() as session:
        rows = session.exec(
            select(AuditEvent).where(AuditEvent.action == Action.DEVICE_RENEWED)
        ).all()
    return [r.detail or "" for r in rows]


def _save(store, case_id: str, n: int = 2) -> None:
    for _ in range(n):
        records.record_sharing_decision(store, case_id=case_id, draft=complete_sharing_decision())


def _sign_in(paths: DataPaths):
    return accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)


def _never_collide(*stores: tuple[DataPaths, bytes]) -> None:
    """No (device, number) names two different envelopes across the copies, and each
    device's numbers run 1, 2, 3... in every copy."""
    seen: dict[tuple[str, int], str] = {}
    for paths, key in stores:
        found = _envelopes(paths, key)
        for pair, envelope_id in found.items():
            assert seen.setdefault(pair, envelope_id) == envelope_id, pair
        for dev in {d for d, _ in found}:
            numbers = sorted(s for d, s in found if d == dev)
            assert numbers == list(range(1, len(numbers) + 1))


@pytest.fixture
def with_case(admin_store):
    case_id = cases.create_case(admin_store, draft=complete_case())
    _save(admin_store, case_id)
    return admin_store, case_id


def test_the_device_id_stays_put_where_it_was_taken(with_case, data_paths):
    store, _ = with_case
    first = _device(store)
    store.close()
    again = _sign_in(data_paths)
    assert _device(again) == first
    assert _renewals(again) == []
    again.close()


def test_a_backup_restored_on_another_machine_takes_a_new_device_id(
    with_case, data_paths, tmp_path
):
    store, case_id = with_case
    original = _device(store)
    dest = tmp_path / "b.isbackup"
    maintenance.backup(store, dest=dest)
    _save(store, case_id, 3)  # the original goes on writing under its own id
    key = store.keys.current_key
    store.close()

    elsewhere = DataPaths(tmp_path / "other-machine")  # an empty data folder there
    restored = maintenance.restore(elsewhere, src=dest, username=ADMIN, password=ADMIN_PASSWORD)
    new = _device(restored)
    assert new != original
    assert _renewals(restored) == [f"reason=restore;previous={original};device={new}"]
    _save(restored, case_id, 2)
    result = maintenance.verify(restored)
    assert result.ok, result
    restored_key = restored.keys.current_key
    restored.close()

    ours = _envelopes(elsewhere, restored_key)
    assert {s for d, s in ours if d == new} == {1, 2}  # its own numbers, from 1
    _never_collide((data_paths, key), (elsewhere, restored_key))


def test_a_restore_over_the_store_takes_a_new_device_id_too(with_case, data_paths, tmp_path):
    store, _ = with_case
    original = _device(store)
    dest = tmp_path / "b.isbackup"
    maintenance.backup(store, dest=dest)
    store.close()
    restored = maintenance.restore(data_paths, src=dest, username=ADMIN, password=ADMIN_PASSWORD)
    assert _device(restored) != original
    restored.close()
    again = _sign_in(data_paths)  # bound to this folder: no further renewal
    assert len(_renewals(again)) == 1
    again.close()


def test_a_data_folder_copied_elsewhere_takes_a_new_device_id(with_case, data_paths, tmp_path):
    store, case_id = with_case
    original = _device(store)
    store.close()
    copy = DataPaths(tmp_path / "copied")
    shutil.copytree(data_paths.root, copy.root)

    theirs = _sign_in(copy)
    new = _device(theirs)
    assert new != original
    assert _renewals(theirs) == [f"reason=moved;previous={original};device={new}"]
    _save(theirs, case_id, 2)
    copy_key = theirs.keys.current_key
    theirs.close()

    ours = _sign_in(data_paths)  # the original folder keeps its id
    assert _device(ours) == original
    _save(ours, case_id, 2)
    key = ours.keys.current_key
    ours.close()
    _never_collide((data_paths, key), (copy, copy_key))


def test_the_same_folder_on_another_machine_takes_a_new_device_id(
    with_case, data_paths, monkeypatch
):
    """The same path on a machine with another id (the folder on a stick, or a disk moved
    to a new computer). The machine's id is what py-machineid reports; here, another's."""
    store, _ = with_case
    original = _device(store)
    store.close()
    monkeypatch.setattr(device, "machine_id", lambda: "another machine's hashed id")
    moved = _sign_in(data_paths)
    assert _device(moved) != original
    moved.close()


def test_the_binding_names_neither_the_machine_nor_the_folder(tmp_path: Path):
    bound = device.binding("store-id", tmp_path)
    assert len(bound) == 64
    assert str(tmp_path) not in bound and device.machine_id() not in bound
    assert bound != device.binding("store-id", tmp_path / "elsewhere")
    assert bound != device.binding("store-id", tmp_path, machine="another machine")
