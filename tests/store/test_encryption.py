"""Nothing the store holds is written in plaintext, and the file is standard SQLCipher 4."""

from __future__ import annotations

import uuid

import apsw
import pytest

from infoshare_desktop.services import accounts, maintenance
from infoshare_desktop.store.keyslots import Keystore
from tests.conftest import ADMIN, ADMIN_PASSWORD


def _files(folder):
    return [p for p in folder.rglob("*") if p.is_file()]


def test_a_stored_marker_appears_in_no_file_of_the_data_folder(admin_store, data_paths):
    marker = f"MARKER-{uuid.uuid4().hex}"
    accounts.add_user(
        admin_store,
        username=f"user-{marker}",
        display_name=f"Name {marker}",
        roles={accounts.Role.PRACTITIONER},
    )
    accounts.set_preferences(admin_store, note=marker)
    maintenance.backup(admin_store, dest=data_paths.backups / "nightly.isbackup")
    # WAL content is checked while the store is still open, then after closing.
    open_files = _files(data_paths.root)
    assert any(p.name.endswith("-wal") for p in open_files)
    for path in open_files:
        assert marker.encode() not in path.read_bytes(), path.name
    admin_store.close()
    files = _files(data_paths.root)
    assert {p.name for p in files} >= {"infoshare.db", "keystore.json", "nightly.isbackup"}
    for path in files:
        data = path.read_bytes()
        for needle in (marker, marker.lower(), marker.upper(), f"user-{marker}".casefold()):
            assert needle.encode() not in data, path.name
            assert needle.encode("utf-16-le") not in data, path.name


def _apsw_open(path, hex_key: str | None):
    conn = apsw.Connection(str(path), flags=apsw.SQLITE_OPEN_READONLY)
    conn.execute("PRAGMA cipher='sqlcipher'")
    conn.execute("PRAGMA legacy=4")
    if hex_key is not None:
        conn.execute(f"PRAGMA key=\"x'{hex_key}'\"")
    return conn


def test_an_independent_sqlcipher4_reader_opens_it_with_the_key_only(admin_store, data_paths):
    key = admin_store.keys.current_key.hex()
    admin_store.close()
    conn = _apsw_open(data_paths.database, key)
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"user_account", "audit_event", "audit_state"} <= names
    assert conn.execute("SELECT username FROM user_account").fetchall() == [(ADMIN,)]
    conn.close()

    for wrong in (None, "00" * 32):
        conn = _apsw_open(data_paths.database, wrong)
        with pytest.raises(apsw.NotADBError):
            conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
        conn.close()


def test_the_data_key_in_the_keystore_is_only_reachable_with_a_password(admin_store, data_paths):
    key = admin_store.keys.current_key
    admin_store.close()
    raw = data_paths.keystore.read_bytes()
    assert key not in raw and key.hex().encode() not in raw
    keys = Keystore.load(data_paths.keystore).unlock(ADMIN, ADMIN_PASSWORD)
    assert keys.current_key == key


@pytest.mark.real_kdf
def test_production_slots_use_argon2id_at_least_64_mib_t3_p4(data_paths):
    store = accounts.first_run(
        data_paths, username="real.cost", display_name="Real Cost", password=ADMIN_PASSWORD + "!"
    )
    store.close()
    import json

    slot = next(iter(json.loads(data_paths.keystore.read_text())["slots"].values()))
    kdf = slot["private"]["kdf"]
    assert kdf["alg"] == "argon2id"
    assert kdf["memory_kib"] >= 65536 and kdf["iterations"] >= 3 and kdf["lanes"] >= 4
