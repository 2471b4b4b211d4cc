"""Backups, restore and migrations, through the command line a script would use."""

from __future__ import annotations

import io
import json
import zipfile

import apsw
import pytest

from infoshare_desktop import app
from infoshare_desktop.paths import resolve
from infoshare_desktop.services import accounts
from infoshare_desktop.services.errors import BackupInvalidError
from infoshare_desktop.store import envelopes, migrate, search
from infoshare_desktop.store.engine import read_only_connect
from tests.conftest import ADMIN, ADMIN_PASSWORD


def cli(monkeypatch, capsys, *argv: str, password: str = ADMIN_PASSWORD) -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    code = app.main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def test_init_verify_backup_restore_from_the_command_line(tmp_path, monkeypatch, capsys):
    data = str(tmp_path / "data")
    creds = ["--data-dir", data, "--user", ADMIN, "--password-stdin"]
    code, out = cli(monkeypatch, capsys, "init", *creds, "--display-name", "Alex Example")
    assert code == 0, out
    code, out = cli(monkeypatch, capsys, "init", *creds)
    assert code == 2 and "already exists" in out

    code, out = cli(monkeypatch, capsys, "verify", *creds)
    assert code == 0 and "Audit trail:" in out

    dest = tmp_path / "usb" / "infoshare-backup.isbackup"
    code, out = cli(monkeypatch, capsys, "backup", str(dest), *creds)
    assert code == 0, out
    assert "verified" in out
    with zipfile.ZipFile(dest) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert set(zf.namelist()) == {"manifest.json", "keystore.json"}
    # The database is the start of the file, the archive after it.
    assert manifest["version"] == 2 and 0 < manifest["database_bytes"] < dest.stat().st_size
    assert manifest["audit_head"] in out
    assert [p.name for p in dest.parent.iterdir()] == [dest.name]  # nothing left beside it

    # Something happens after the backup, then the backup is restored.
    store = accounts.sign_in(resolve(data), username=ADMIN, password=ADMIN_PASSWORD)
    accounts.set_idle_lock_minutes(store, minutes=42)
    store.close()
    code, out = cli(monkeypatch, capsys, "restore", str(dest), *creds)
    assert code == 0, out
    store = accounts.sign_in(resolve(data), username=ADMIN, password=ADMIN_PASSWORD)
    assert accounts.idle_lock_minutes(store) == accounts.DEFAULT_IDLE_LOCK_MINUTES
    store.close()
    kept = list((tmp_path / "data" / "backups").glob("replaced-*/infoshare.db"))
    assert len(kept) == 1, "the replaced store was not kept"

    code, out = cli(monkeypatch, capsys, "verify", *creds)
    assert code == 0, out


def test_wrong_password_on_the_command_line_is_a_plain_message(tmp_path, monkeypatch, capsys):
    data = str(tmp_path / "data")
    cli(monkeypatch, capsys, "init", "--data-dir", data, "--user", ADMIN, "--password-stdin")
    code, out = cli(
        monkeypatch,
        capsys,
        "verify",
        "--data-dir",
        data,
        "--user",
        ADMIN,
        "--password-stdin",
        password="a wrong password",
    )
    assert code == 2
    assert "password is not right" in out
    assert "Traceback" not in out


def test_a_backup_is_keyed_separately_and_opened_by_the_same_users(
    admin_store, data_paths, tmp_path
):
    from infoshare_desktop.services import maintenance

    dest = tmp_path / "copy.isbackup"
    maintenance.backup(admin_store, dest=dest)
    store_key = admin_store.keys.current_key
    admin_store.close()
    with zipfile.ZipFile(dest) as zf:
        zf.extract("keystore.json", tmp_path / "x")
    from infoshare_desktop.store.errors import StoreDamagedError
    from infoshare_desktop.store.keyslots import Keystore

    # The database at the start of the backup file, read in place by an independent
    # reader as well as by sqlcipher3.
    with pytest.raises(StoreDamagedError):
        read_only_connect(dest, store_key)
    backup_key = (
        Keystore.load(tmp_path / "x" / "keystore.json").unlock(ADMIN, ADMIN_PASSWORD).current_key
    )
    assert backup_key != store_key
    conn = read_only_connect(dest, backup_key)
    assert conn.execute("PRAGMA quick_check").fetchall() == [("ok",)]
    conn.close()
    independent = apsw.Connection(str(dest), flags=apsw.SQLITE_OPEN_READONLY)
    independent.execute("PRAGMA cipher='sqlcipher'")
    independent.execute("PRAGMA legacy=4")
    independent.execute(f"PRAGMA key=\"x'{backup_key.hex()}'\"")
    assert independent.execute("SELECT count(*) FROM user_account").fetchall() == [(1,)]
    independent.close()
    assert [p.name for p in dest.parent.iterdir() if p.name.startswith(dest.name)] == [dest.name]


def test_a_file_that_is_not_a_backup_is_refused_and_nothing_changes(
    admin_store, data_paths, tmp_path
):
    from infoshare_desktop.services import maintenance

    admin_store.close()
    bogus = tmp_path / "holiday-photos.zip"
    with zipfile.ZipFile(bogus, "w") as zf:
        zf.writestr("photo.txt", "not a backup")
    before = data_paths.database.read_bytes()
    with pytest.raises(BackupInvalidError):
        maintenance.restore(data_paths, src=bogus, username=ADMIN, password=ADMIN_PASSWORD)
    assert data_paths.database.read_bytes() == before
    assert not (data_paths.backups).exists() or not list(data_paths.backups.glob("replaced-*"))


def test_a_pending_migration_is_preceded_by_a_verified_backup(admin_store, data_paths, monkeypatch):
    admin_store.close()
    calls = []
    monkeypatch.setattr(migrate, "pending", lambda conn: calls.append(1) or True)
    monkeypatch.setattr(migrate, "upgrade", lambda conn, progress=None: calls.append("upgraded"))
    store = accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
    store.close()
    assert "upgraded" in calls
    backups = list(data_paths.backups.glob("before-migration-*.isbackup"))
    assert len(backups) == 1


def test_the_schema_is_at_the_newest_revision_after_first_run(admin_store):
    with admin_store.engine.connect() as conn:
        assert migrate.current_revision(conn) == migrate.head_revision()
        assert not migrate.pending(conn)


def test_an_older_store_is_backed_up_then_migrated_at_unlock(data_paths, monkeypatch):
    """A store left at revision 0003 by an older version gains case_stats at unlock."""
    from alembic import command

    from infoshare_desktop.services import cases, maintenance, records
    from tests.domain.factories import complete_case, complete_sharing_decision

    with monkeypatch.context() as patch:
        patch.setattr(
            migrate,
            "upgrade",
            lambda conn, progress=None: command.upgrade(migrate._config(conn), "0003"),
        )
        # A case's words went into the one index of 0002 then (0011 gave cases their own).
        patch.setattr(
            search,
            "_INSERT_CASE",
            "INSERT INTO search_index (case_id, record_id, body) VALUES (?, NULL, ?)",
        )
        patch.setitem(
            envelopes._INSERTS,
            "case_index",
            "INSERT INTO search_index (case_id, record_id, body) VALUES (?, NULL, ?)",
        )
        store = accounts.first_run(
            data_paths, username=ADMIN, display_name="A", password=ADMIN_PASSWORD
        )
        # No NHS number: a store at 0003 has nowhere to keep one (0008 adds it).
        case_id = cases.create_case(store, draft=complete_case(nhs_number=""))
        for _ in range(3):
            records.record_sharing_decision(
                store, case_id=case_id, draft=complete_sharing_decision()
            )
        with store.engine.connect() as conn:
            assert migrate.current_revision(conn) == "0003"
        store.close()
    store = accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
    with store.engine.connect() as conn:
        assert migrate.current_revision(conn) == migrate.head_revision()
    (listed,) = cases.list_cases(store)
    assert listed.records == 3
    assert [h.case_id for h in cases.search(store, query=listed.display_name)] == [case_id]
    assert maintenance.verify(store).ok
    store.close()
    # One backup per unlock that found the schema behind: at first run (held at 0003
    # here) and at this sign-in. Neither replaced the other.
    backups = sorted(data_paths.backups.glob("before-migration-*.isbackup"))
    assert len(backups) == 2
    with zipfile.ZipFile(backups[-1]) as zf:
        assert json.loads(zf.read("manifest.json"))["format"] == "infoshare-backup"


def test_a_restore_by_someone_who_is_not_an_administrator_changes_nothing(
    admin_store, data_paths, tmp_path
):
    from infoshare_desktop.domain.accounts import Role
    from infoshare_desktop.services import maintenance
    from infoshare_desktop.store.errors import PermissionDenied

    code = accounts.add_user(
        admin_store, username="pat.p", display_name="Pat Practitioner", roles={Role.PRACTITIONER}
    )
    pat = accounts.sign_in(
        data_paths, username="pat.p", password=code, new_password="copper lagoon sparrow"
    )
    pat.close()
    dest = tmp_path / "old.isbackup"
    maintenance.backup(admin_store, dest=dest)
    accounts.set_idle_lock_minutes(admin_store, minutes=42)  # happens after the backup
    admin_store.close()
    before = (data_paths.database.read_bytes(), data_paths.keystore.read_bytes())
    with pytest.raises(PermissionDenied):
        maintenance.restore(
            data_paths, src=dest, username="pat.p", password="copper lagoon sparrow"
        )
    assert (data_paths.database.read_bytes(), data_paths.keystore.read_bytes()) == before
    assert not data_paths.backups.exists() or not list(data_paths.backups.glob("replaced-*"))
    store = accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
    assert accounts.idle_lock_minutes(store) == 42
    store.close()
