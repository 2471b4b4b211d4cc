"""Sealed content: what a practitioner with an account finds when they open the database
with an independent SQLCipher reader (apsw-sqlite3mc) and their own data key.

Bea (team lead) keeps a restricted case and a draft; Cal (a practitioner, not named on
the case) opens `infoshare.db` with the data key from his own slot. Nothing here goes
through the services to read: the whole file is decrypted with Cal's key into a plain
SQLite copy whose bytes are searched, and every table (the full-text index's own
tables included) is read row by row."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from dataclasses import replace
from pathlib import Path

import apsw
import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pypdf import PdfReader

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.domain.identifier import IdentifierReason
from infoshare_desktop.domain.timeutil import utcnow
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.services import (
    accounts,
    cases,
    drafts,
    identifiers,
    maintenance,
    printing,
    records,
    sealed,
)
from infoshare_desktop.services.errors import SetupCodeRequired
from infoshare_desktop.services.printing import SummaryOptions
from infoshare_desktop.services.visibility import CaseNotFound
from infoshare_desktop.store import crypto, envelopes, grants, packing, reseal, sealing, signing
from infoshare_desktop.store import keyslots as keyslots_module
from infoshare_desktop.store.engine import raw_connect
from infoshare_desktop.store.errors import AccountDisabledError
from infoshare_desktop.store.keyslots import Keystore
from infoshare_desktop.store.writes import raw_connection
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.domain.factories import complete_case, complete_sharing_decision
from tests.store.test_packed_envelopes import with_packing

BEA, BEA_PASSWORD = "bea.lead", "quiet meadow tangerine"
CAL, CAL_PASSWORD = "cal.worker", "amber kettle horizon"
# The markers: each word appears only where the test put it.
NAME_MARK = "Zephyrinaquill"
REF_MARK = "MARKREF7731"
IDS_MARK = "Localidokapi"
NHS_MARK = "9990000026"  # a synthetic NHS number (the 999 range is never issued)
TEXT_MARK = "Kestrelmarker"
ORG_MARK = "Heronfieldagency"
DRAFT_MARK = "Draftmarkwomble"
LONG_MARK = "Longmarkgannet"
ORDINARY_MARK = "Ordinarymarkbadger"  # an ordinary case's: the reader must find this one


def _onboard(paths, admin, username, password, roles) -> None:
    code = accounts.add_user(admin, username=username, display_name=username.title(), roles=roles)
    with pytest.raises(SetupCodeRequired):
        accounts.sign_in(paths, username=username, password=code)
    accounts.sign_in(paths, username=username, password=code, new_password=password).close()


def _sign_in(paths, username, password):
    return accounts.sign_in(paths, username=username, password=password)


@pytest.fixture
def team(admin_store, data_paths):
    _onboard(data_paths, admin_store, BEA, BEA_PASSWORD, {Role.TEAM_LEAD, Role.PRACTITIONER})
    _onboard(data_paths, admin_store, CAL, CAL_PASSWORD, {Role.PRACTITIONER})
    admin_store.close()
    return data_paths


def _restricted_case(store) -> str:
    return cases.create_case(
        store,
        draft=complete_case(
            display_name=f"{NAME_MARK} Fictional",
            case_reference=REF_MARK,
            other_identifiers=IDS_MARK,
            restricted=True,
            nhs_number=NHS_MARK,
        ),
    )


def _restricted_record(store, case_id: str, word: str = TEXT_MARK) -> str:
    draft = complete_sharing_decision(reasons=f"Shared: {word} details for named staff only")
    draft.recipients[0].organisation = ORG_MARK
    return records.record_sharing_decision(store, case_id=case_id, draft=draft).record_id


@pytest.fixture
def bea_case(team):
    """Bea's restricted case with one record, her draft, and an ordinary case; closed."""
    bea = _sign_in(team, BEA, BEA_PASSWORD)
    case_id = _restricted_case(bea)
    _restricted_record(bea, case_id)
    ordinary = cases.create_case(
        bea, draft=complete_case(display_name=f"{ORDINARY_MARK} Child", case_reference="ORD-1")
    )
    drafts.save_draft(
        bea,
        draft=complete_sharing_decision(purpose=f"Not finished: {DRAFT_MARK}"),
        case_id=ordinary,
    )
    bea.close()
    return case_id


def _cals_key(paths: Path) -> bytes:
    return Keystore.load(paths.keystore).unlock(CAL, CAL_PASSWORD).current_key


def plant_member_row(conn, case_id: str, user_id: str) -> None:
    """A `case_member` row naming `user_id` on the case, written with a raw reader as a
    colleague holding the file and their own data key could."""
    conn.execute(
        "INSERT INTO case_member (case_id, user_id, added_at, added_by) "
        "VALUES (?, ?, '2026-01-01 00:00:00.000000', ?)",
        (case_id, user_id, user_id),
    )


def _raw_db(paths: Path, key: bytes) -> apsw.Connection:
    conn = apsw.Connection(str(paths.database))
    conn.execute("PRAGMA cipher='sqlcipher'")
    conn.execute("PRAGMA legacy=4")
    conn.execute(f"PRAGMA key=\"x'{key.hex()}'\"")
    return with_packing(conn)


def _decrypted_copy(paths: Path, key: bytes, dest: Path) -> bytes:
    """The whole database (WAL included) decrypted with `key` into a plain SQLite file
    by the independent reader; its bytes."""
    folder = dest / "copy"
    folder.mkdir(parents=True)
    for path in paths.root.iterdir():
        if path.name.startswith(paths.database.name):
            shutil.copy(path, folder / path.name)
    conn = apsw.Connection(str(folder / paths.database.name))
    conn.execute("PRAGMA cipher='sqlcipher'")
    conn.execute("PRAGMA legacy=4")
    conn.execute(f"PRAGMA key=\"x'{key.hex()}'\"")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("PRAGMA rekey=''")  # now a plain SQLite file
    conn.close()
    plain = (folder / paths.database.name).read_bytes()
    assert plain.startswith(b"SQLite format 3\x00")
    return plain


def _every_page(paths: Path, key: bytes) -> bytes:
    """Every page of the database file and of its WAL, freed ones included, decrypted
    here (SQLCipher 4: AES-256-CBC per 4096-byte page, its IV in the 80 reserved bytes at
    its end; page 1 starts with the salt), so that no SQLite copy leaves any page out."""
    size, reserve = 4096, 80

    def plain(page: bytes, number: int) -> bytes:
        iv = page[size - reserve : size - reserve + 16]
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        return decryptor.update(page[16 if number == 1 else 0 : size - reserve])

    data = paths.database.read_bytes()
    out = [plain(data[n * size : (n + 1) * size], n + 1) for n in range(len(data) // size)]
    wal = paths.database.with_name(paths.database.name + "-wal")
    frames = wal.read_bytes()[32:] if wal.exists() else b""
    for start in range(0, len(frames) - 24 - size + 1, 24 + size):
        number = int.from_bytes(frames[start : start + 4], "big")
        out.append(plain(frames[start + 24 : start + 24 + size], number))
    assert out and out[0][:2] == size.to_bytes(2, "big")  # the header's page size: it opened
    return b"".join(out)


def _unpacked(value: bytes) -> bytes:
    try:
        return packing.unpack(value)
    except ValueError:  # not a packed payload (ciphertext, a hash) that starts with its mark
        return value


def _stored_payloads(paths: Path, case_id: str) -> list[bytes]:
    """The case's envelopes' and records' payloads as the file stores them (packed:
    store.packing)."""
    conn = _raw_db(paths, _cals_key(paths))
    try:
        rows = conn.execute(
            "SELECT payload FROM envelope WHERE case_id = ? UNION ALL "
            "SELECT payload FROM saved_record WHERE case_id = ?",
            (case_id, case_id),
        )
        return [bytes(p) for (p,) in rows]
    finally:
        conn.close()


def _every_value(conn: apsw.Connection, *, skip: tuple[str, ...] = ()) -> str:
    """Every value of every table (shadow tables of the full-text index, and the
    envelopes, included; but the tables in `skip`)."""
    names = [
        r[0]
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table')").fetchall()
        if r[0] not in skip
    ]
    out = []
    for name in names:
        try:
            rows = conn.execute(f'SELECT * FROM "{name}"').fetchall()
        except apsw.Error:
            continue  # a virtual table's own module (the shadow tables are read instead)
        for row in rows:
            for value in row:
                if isinstance(value, bytes):  # a packed payload (store.packing) unpacked
                    out.append(_unpacked(value).decode("utf-8", "replace"))
                elif value is not None:
                    out.append(str(value))
    # Every term the shared full-text index holds (its segments store them compressed).
    conn.execute("CREATE VIRTUAL TABLE temp.terms USING fts5vocab(main, search_index, 'row')")
    out += [r[0] for r in conn.execute("SELECT term FROM temp.terms").fetchall()]
    return "\n".join(out)


def _markers() -> list[str]:
    return [NAME_MARK, REF_MARK, IDS_MARK, NHS_MARK, TEXT_MARK, ORG_MARK, DRAFT_MARK]


def test_a_practitioners_raw_reader_finds_no_restricted_case_text_and_no_others_draft(
    team, bea_case, tmp_path
):
    key = _cals_key(team)
    plain = _decrypted_copy(team, key, tmp_path) + _every_page(team, key)
    conn = _raw_db(team, key)
    try:
        values = _every_value(conn)
        envelope_text = "\n".join(
            packing.unpack(bytes(p)).decode()
            for (p,) in conn.execute("SELECT payload FROM envelope WHERE case_id = ?", (bea_case,))
        )
        ordinary_envelopes = [
            packing.unpack(bytes(p)).decode()
            for (p,) in conn.execute("SELECT payload FROM envelope")
        ]
    finally:
        conn.close()
    # The restricted case is saved as signed envelopes, which hold none of its text.
    assert envelope_text.count('"$sealed"') == 1 and '"sealed"' in envelope_text
    assert any(ORDINARY_MARK in p for p in ordinary_envelopes)
    for marker in _markers():
        assert marker not in envelope_text and marker.lower() not in envelope_text, marker
    # The reader works: an ordinary case's words are there, in the file and the tables.
    assert ORDINARY_MARK.encode() in plain
    assert ORDINARY_MARK in values
    for marker in _markers():
        for form in (marker, marker.lower(), marker.upper()):
            assert form.encode() not in plain, marker
            assert form.encode("utf-16-le") not in plain, marker
            assert form not in values, marker
    # And nothing else in the data folder has them either (key store, checkpoints, logs).
    for path in team.root.rglob("*"):
        if path.is_file() and not path.name.startswith(team.database.name):
            data = path.read_bytes()
            assert not any(m.encode() in data for m in _markers()), path.name


def test_cals_own_keys_open_no_case_key_and_no_draft(team, bea_case):
    """With his private key as well as the data key: no grant for him, and Bea's draft
    does not open under a key derived from his."""
    keys = Keystore.load(team.keystore).unlock(CAL, CAL_PASSWORD)
    conn = _raw_db(team, keys.current_key)
    try:
        holders = {r[0] for r in conn.execute("SELECT user_id FROM case_key_grant").fetchall()}
        (stored,) = conn.execute("SELECT id, user_id, payload FROM draft").fetchall()
    finally:
        conn.close()
    assert keys.user_id not in holders
    store_id = Keystore.load(team.keystore).store_id
    with pytest.raises(sealing.SealedContentError):
        sealing.open_draft(
            sealing.draft_key(keys.private_key, store_id=store_id, user_id=stored[1]),
            store_id=store_id,
            user_id=stored[1],
            draft_id=stored[0],
            stored=stored[2],
        )


def test_members_see_search_and_print_the_restricted_case(team, bea_case):
    bea = _sign_in(team, BEA, BEA_PASSWORD)
    try:
        listed = {c.case_id: c for c in cases.list_cases(bea)}
        assert listed[bea_case].display_name == f"{NAME_MARK} Fictional"
        assert listed[bea_case].case_reference == REF_MARK
        opened = cases.open_case(bea, case_id=bea_case)
        assert opened.display_name == f"{NAME_MARK} Fictional" and opened.restricted
        assert opened.identifier is not None and opened.identifier.nhs_number == NHS_MARK
        (entry,) = cases.chronology(bea, case_id=bea_case)
        assert ORG_MARK in entry.summary
        detail = cases.record_detail(bea, record_id=entry.record_id)
        assert TEXT_MARK in detail.content.reasons
        for word in (TEXT_MARK, NAME_MARK, REF_MARK, NHS_MARK, "999 000 0026"):
            hits = cases.search(bea, query=word.lower())
            assert [h.case_id for h in hits] == [bea_case], word
            assert hits[0].display_name == f"{NAME_MARK} Fictional"
        # A record saved now is found at once (the in-memory index is rebuilt).
        _restricted_record(bea, bea_case, word="Pelicanlater")
        assert [h.case_id for h in cases.search(bea, query="pelicanlater")] == [bea_case]
        pdf = printing.build_case_summary(bea, case_id=bea_case, options=SummaryOptions())
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        assert NAME_MARK in text and TEXT_MARK in text and "Pelicanlater" in text
        # Her draft survives a lock: signed in again, it opens.
        (mine,) = drafts.list_drafts(bea)
        assert DRAFT_MARK in mine.snippet
    finally:
        bea.close()
    assert bea.member_index is None  # the in-memory index goes with the keys at the lock
    bea = _sign_in(team, BEA, BEA_PASSWORD)
    try:
        (mine,) = drafts.list_drafts(bea)
        _, draft = drafts.load_draft(bea, draft_id=mine.draft_id)
        assert DRAFT_MARK in draft.purpose
    finally:
        bea.close()
    cal = _sign_in(team, CAL, CAL_PASSWORD)
    try:
        for word in (TEXT_MARK, NAME_MARK, REF_MARK, NHS_MARK, "restricted"):
            assert cases.search(cal, query=word) == []
        assert bea_case not in {c.case_id for c in cases.list_cases(cal)}
        with pytest.raises(CaseNotFound):
            cases.open_case(cal, case_id=bea_case)
        assert drafts.list_drafts(cal) == []
    finally:
        cal.close()


def _user_id(paths, username) -> str:
    return Keystore.load(paths.keystore).user_id_for(username)


def _epochs_held(paths, username, password, case_id) -> set[int]:
    """The epochs of the case's key that `username`'s own keys open (read raw)."""
    keystore = Keystore.load(paths.keystore)
    keys = keystore.unlock(username, password)
    conn = _raw_db(paths, keys.current_key)
    try:
        rows = conn.execute(
            "SELECT epoch, box FROM case_key_grant WHERE case_id = ? AND user_id = ?",
            (case_id, keys.user_id),
        ).fetchall()
    finally:
        conn.close()
    held = set()
    for epoch, box in rows:
        aad = f"infoshare|{keystore.store_id}|case-key|{case_id}|{epoch}|{keys.user_id}".encode()
        try:
            crypto.open_sealed(keys.private_key, json.loads(box), aad)
            held.add(epoch)
        except crypto.DecryptionFailed:
            pass
    return held


def _record_epochs(paths, key, case_id) -> list[int]:
    conn = _raw_db(paths, key)
    try:
        rows = conn.execute(
            "SELECT unpacked(payload) FROM saved_record WHERE case_id = ? ORDER BY recorded_at",
            (case_id,),
        ).fetchall()
    finally:
        conn.close()
    return [sealing.parse(sealing.payload_ciphertext(r[0]) or "").epoch for r in rows]


def test_a_removed_member_opens_nothing_written_after_their_removal(team, bea_case):
    cal_id = _user_id(team, CAL)
    bea = _sign_in(team, BEA, BEA_PASSWORD)
    try:
        cases.add_case_member(bea, case_id=bea_case, user_id=cal_id)
    finally:
        bea.close()
    assert _epochs_held(team, CAL, CAL_PASSWORD, bea_case) == {1}
    cal = _sign_in(team, CAL, CAL_PASSWORD)
    try:
        assert [h.case_id for h in cases.search(cal, query=TEXT_MARK)] == [bea_case]
    finally:
        cal.close()
    bea = _sign_in(team, BEA, BEA_PASSWORD)
    try:
        cases.remove_case_member(bea, case_id=bea_case, user_id=cal_id)
        _restricted_record(bea, bea_case, word="Afterremoval")
    finally:
        bea.close()
    key = _cals_key(team)
    assert _record_epochs(team, key, bea_case) == [1, 2]  # new content, new epoch
    assert _epochs_held(team, CAL, CAL_PASSWORD, bea_case) == {1}  # he keeps what he had
    assert _epochs_held(team, BEA, BEA_PASSWORD, bea_case) == {1, 2}
    cal = _sign_in(team, CAL, CAL_PASSWORD)
    try:
        with pytest.raises(CaseNotFound):
            cases.open_case(cal, case_id=bea_case)
        assert cases.search(cal, query="afterremoval") == []
    finally:
        cal.close()


def test_a_member_finds_the_restricted_case_by_its_number_beside_an_ordinary_one(team, bea_case):
    """The restricted case's NHS number is sealed out of the shared index. When an
    ordinary case has the same number, a search for the number lists both for Bea (a
    member) and only the ordinary one for Cal."""
    bea = _sign_in(team, BEA, BEA_PASSWORD)
    try:
        ordinary = cases.create_case(
            bea,
            draft=complete_case(display_name="Ordinary Same-number", nhs_number=NHS_MARK),
            confirmed_not_duplicate=True,
        )
        for query in (NHS_MARK, "999 000 0026"):
            assert {h.case_id for h in cases.search(bea, query=query)} == {ordinary, bea_case}
    finally:
        bea.close()
    cal = _sign_in(team, CAL, CAL_PASSWORD)
    try:
        assert [h.case_id for h in cases.search(cal, query=NHS_MARK)] == [ordinary]
    finally:
        cal.close()


def test_search_interleaves_restricted_hits_as_the_shared_index_orders_its_own(team, bea_case):
    """A case whose own words match comes first, then the others by their newest matching
    record, whether the hit came from the shared index or from Bea's member index."""
    bea = _sign_in(team, BEA, BEA_PASSWORD)
    try:
        older = cases.create_case(bea, draft=complete_case(display_name="Ada Older"))
        _restricted_record(bea, older, word="Kestrel")  # an ordinary case's record, oldest
        restricted = _restricted_case(bea)
        _restricted_record(bea, restricted, word="Kestrel")  # a restricted case's, newer
        newest = cases.create_case(bea, draft=complete_case(display_name="Bo Newest"))
        _restricted_record(bea, newest, word="Kestrel")  # an ordinary case's, newest
        named = cases.create_case(bea, draft=complete_case(display_name="Kestrel Named"))
        hits = cases.search(bea, query="kestrel")
    finally:
        bea.close()
    # bea_case's record (its marker starts with the word) is the oldest of all
    assert [h.case_id for h in hits] == [named, newest, restricted, older, bea_case]
    assert [h.score for h in hits] == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_a_case_member_row_added_by_sql_is_given_no_case_key(team, bea_case):
    """Cal names himself on Bea's case with a raw reader (his own data key): no signed
    statement names him, so every later key change (Bea naming Dee, an administrator's
    sync of every case) seals nothing to him, and the case stays closed to him."""
    cal_id = _user_id(team, CAL)
    conn = _raw_db(team, _cals_key(team))
    try:
        plant_member_row(conn, bea_case, cal_id)
    finally:
        conn.close()
    admin = _sign_in(team, ADMIN, ADMIN_PASSWORD)
    try:
        _onboard(team, admin, "dee", "dee's long password", {Role.PRACTITIONER})
        with admin.write() as session:
            sealed.sync_case_keys(admin, session)
    finally:
        admin.close()
    bea = _sign_in(team, BEA, BEA_PASSWORD)
    try:
        cases.add_case_member(bea, case_id=bea_case, user_id=_user_id(team, "dee"))
        _restricted_record(bea, bea_case, word="Afterdee")
    finally:
        bea.close()
    assert _epochs_held(team, CAL, CAL_PASSWORD, bea_case) == set()
    assert _epochs_held(team, "dee", "dee's long password", bea_case) == {1}
    cal = _sign_in(team, CAL, CAL_PASSWORD)
    try:
        with pytest.raises(CaseNotFound):
            cases.open_case(cal, case_id=bea_case)
        assert cases.search(cal, query="afterdee") == []
    finally:
        cal.close()


def test_taking_a_member_off_is_a_signed_statement_and_naming_them_again_restores_them(
    team, bea_case
):
    cal_id = _user_id(team, CAL)
    bea = _sign_in(team, BEA, BEA_PASSWORD)
    try:
        cases.add_case_member(bea, case_id=bea_case, user_id=cal_id)
        cases.remove_case_member(bea, case_id=bea_case, user_id=cal_id)
        with bea.read() as session:
            assert cal_id not in bea.members_of(session, bea_case)
        cases.add_case_member(bea, case_id=bea_case, user_id=cal_id)  # named again
        _restricted_record(bea, bea_case, word="Backagain")
    finally:
        bea.close()
    conn = _raw_db(team, _cals_key(team))
    try:
        bodies = [
            json.loads(bytes(body))
            for (body,) in conn.execute("SELECT body FROM grant_statement ORDER BY n")
        ]
    finally:
        conn.close()
    removals = [b for b in bodies if b.get("removed")]
    assert [(b["case"], b["removed"], b["members"]) for b in removals] == [(bea_case, [cal_id], [])]
    assert _epochs_held(team, CAL, CAL_PASSWORD, bea_case) == {1, 2}
    cal = _sign_in(team, CAL, CAL_PASSWORD)  # a fresh sign-in builds the same membership
    try:
        assert [h.case_id for h in cases.search(cal, query="backagain")] == [bea_case]
    finally:
        cal.close()


def test_a_disabled_member_and_an_old_slot_after_a_reset_hold_no_new_epoch(team, bea_case):
    """Recovery: a reset gives Bea new keys, and the administrator's session seals the
    case's keys to them (she loses nothing); her old slot opens nothing."""
    old_keystore = team.keystore.read_bytes()
    admin = _sign_in(team, ADMIN, ADMIN_PASSWORD)
    try:
        code = accounts.reset_password(admin, user_id=_user_id(team, BEA))
    finally:
        admin.close()
    bea = accounts.sign_in(team, username=BEA, password=code, new_password="new plum password")
    try:
        assert cases.open_case(bea, case_id=bea_case).display_name.startswith(NAME_MARK)
        _restricted_record(bea, bea_case, word="Afterreset")
        assert [h.case_id for h in cases.search(bea, query="afterreset")] == [bea_case]
    finally:
        bea.close()
    assert _epochs_held(team, BEA, "new plum password", bea_case) == {1, 2}
    # Her old slot (a copy of the key store from before the reset) opens nothing: the
    # reset rotated the data key, so the old slot is refused (not even epoch 1).
    current = team.keystore.read_bytes()
    team.keystore.write_bytes(old_keystore)
    try:
        with pytest.raises((AccountDisabledError, apsw.NotADBError)):
            _epochs_held(team, BEA, BEA_PASSWORD, bea_case)
    finally:
        team.keystore.write_bytes(current)
    # Disabled: the next content (Cal's, named on the case meanwhile) is under an epoch
    # she does not hold.
    bea = _sign_in(team, BEA, "new plum password")
    try:
        cases.add_case_member(bea, case_id=bea_case, user_id=_user_id(team, CAL))
    finally:
        bea.close()
    admin = _sign_in(team, ADMIN, ADMIN_PASSWORD)
    try:
        accounts.disable_user(admin, user_id=_user_id(team, BEA))
    finally:
        admin.close()
    cal = _sign_in(team, CAL, CAL_PASSWORD)
    try:
        _restricted_record(cal, bea_case, word="Afterdisable")
    finally:
        cal.close()
    with pytest.raises(AccountDisabledError):  # her slot opens nothing once disabled
        _epochs_held(team, BEA, "new plum password", bea_case)
    conn = _raw_db(team, _cals_key(team))
    try:  # and no epoch after her disabling was sealed to her
        held = conn.execute(
            "SELECT DISTINCT epoch FROM case_key_grant WHERE case_id = ? AND user_id = ?",
            (bea_case, _user_id(team, BEA)),
        ).fetchall()
    finally:
        conn.close()
    assert {e for (e,) in held} == {1, 2}
    assert _epochs_held(team, CAL, CAL_PASSWORD, bea_case) == {1, 2, 3}
    assert _record_epochs(team, _cals_key(team), bea_case) == [1, 2, 3]


def test_a_tampered_ciphertext_is_refused_with_a_clear_error(team, bea_case):
    key = _cals_key(team)
    conn = _raw_db(team, key)
    try:
        ((record_id, payload),) = conn.execute(
            "SELECT id, unpacked(payload) FROM saved_record WHERE case_id = ?", (bea_case,)
        ).fetchall()
        sealed_text = sealing.payload_ciphertext(payload)
        assert sealed_text is not None
        flipped = sealed_text[:-6] + ("A" if sealed_text[-6] != "A" else "B") + sealed_text[-5:]
        conn.execute("DROP TRIGGER saved_record_no_update")
        conn.execute(
            "UPDATE saved_record SET payload = packed(?) WHERE id = ?",
            (sealing.sealed_payload(flipped, {}), record_id),
        )
    finally:
        conn.close()
    bea = _sign_in(team, BEA, BEA_PASSWORD)
    try:
        with pytest.raises(sealing.SealedContentError, match="could not be decrypted"):
            cases.record_detail(bea, record_id=record_id)
    finally:
        bea.close()


# -- the cryptography alone ---------------------------------------------------------------

_KEY = bytes(range(32))


@given(
    text=st.text(),
    case_id=st.uuids().map(str),
    epoch=st.integers(1, 10_000),
    field_name=st.sampled_from(["identity", "summary.r1", "payload.r2"]),
)
def test_seal_then_open_gives_back_the_text(text, case_id, epoch, field_name):
    sealed = sealing.seal_text(
        _KEY, store_id="s", case_id=case_id, epoch=epoch, field_name=field_name, text=text
    )
    assert sealing.open_text(_KEY, store_id="s", sealed=sealing.parse(sealed)) == text


@given(text=st.text(min_size=1), position=st.integers(0, 10_000), bit=st.integers(0, 7))
def test_any_changed_bit_of_a_sealed_text_is_refused(text, position, bit):
    sealed = sealing.parse(
        sealing.seal_text(_KEY, store_id="s", case_id="c", epoch=1, field_name="f", text=text)
    )
    blob = bytearray(sealed.blob)
    blob[position % len(blob)] ^= 1 << bit
    changed = sealing.SealedText(sealed.case_id, sealed.epoch, sealed.field_name, bytes(blob))
    with pytest.raises(sealing.SealedContentError):
        sealing.open_text(_KEY, store_id="s", sealed=changed)


@pytest.mark.parametrize(
    "moved",
    [
        {"case_id": "other"},
        {"epoch": 2},
        {"field_name": "payload.other"},
    ],
)
def test_a_sealed_text_moved_to_another_case_epoch_or_field_is_refused(moved):
    sealed = sealing.parse(
        sealing.seal_text(
            _KEY, store_id="s", case_id="c", epoch=1, field_name="payload.r", text="x"
        )
    )
    parts = {"case_id": "c", "epoch": 1, "field_name": "payload.r", **moved}
    changed = sealing.SealedText(parts["case_id"], parts["epoch"], parts["field_name"], sealed.blob)
    with pytest.raises(sealing.SealedContentError):
        sealing.open_text(_KEY, store_id="s", sealed=changed)


def test_restricting_a_case_later_seals_what_it_holds_and_lifting_it_opens_it(team, tmp_path):
    bea = _sign_in(team, BEA, BEA_PASSWORD)
    try:
        case_id = cases.create_case(
            bea,
            draft=complete_case(
                display_name=f"{NAME_MARK} Later",
                case_reference=REF_MARK,
                other_identifiers=IDS_MARK,
                nhs_number=NHS_MARK,
            ),
        )
        _restricted_record(bea, case_id)
        # A long record: its envelope and row spill onto overflow pages, which the
        # re-sealing frees (their old bytes must not stay in the file).
        long = complete_sharing_decision(reasons=f"{LONG_MARK} said more. " * 600)
        records.record_sharing_decision(bea, case_id=case_id, draft=long)
        cases.create_case(
            bea, draft=complete_case(display_name=f"{ORDINARY_MARK} Child", nhs_number="")
        )
        # Its envelopes' payloads are stored packed, so their text is not in the file as
        # written: the bytes stored must be gone (not only the words).
        packed = _stored_payloads(team, case_id)
        assert len(packed) >= 5 and all(p[0] == packing.MARK_1 for p in packed)
        assert any(LONG_MARK.encode() in packing.unpack(p) for p in packed)
        cases.set_case_restricted(bea, case_id=case_id, restricted=True)
        # While the store is open: no page of the file or its WAL holds the text.
        while_open = _every_page(team, _cals_key(team))
        for marker in (NAME_MARK, TEXT_MARK, ORG_MARK, LONG_MARK):
            assert marker.encode() not in while_open, marker
            assert marker.lower().encode() not in while_open, marker
        for stored in packed:  # any 48 bytes of a packed plain payload, anywhere
            for start in range(0, max(1, len(stored) - 48), 48):
                assert stored[start : start + 48] not in while_open
        assert ORDINARY_MARK.encode() in while_open
        assert cases.open_case(bea, case_id=case_id).restricted
        assert [h.case_id for h in cases.search(bea, query=TEXT_MARK)] == [case_id]
        entry = next(e for e in cases.chronology(bea, case_id=case_id) if ORG_MARK in e.summary)
        assert TEXT_MARK in cases.record_detail(bea, record_id=entry.record_id).content.reasons
    finally:
        bea.close()
    key = _cals_key(team)
    conn = _raw_db(team, key)
    try:
        values = _every_value(conn, skip=("envelope",))
        (rewrite_pos,) = conn.execute(
            "SELECT pos FROM envelope WHERE case_id = ? AND kind = 'case.rewritten'", (case_id,)
        ).fetchone()
        since = [
            packing.unpack(bytes(p)).decode()
            for (p,) in conn.execute("SELECT payload FROM envelope WHERE pos >= ?", (rewrite_pos,))
        ]
        before = [
            packing.unpack(bytes(p)).decode()
            for (p,) in conn.execute(
                "SELECT payload FROM envelope WHERE case_id = ? AND pos < ?", (case_id, rewrite_pos)
            )
        ]
    finally:
        conn.close()
    plain = _decrypted_copy(team, key, tmp_path) + _every_page(team, key)
    # The envelopes written while the case was ordinary are re-sealed under its key (in
    # the restriction's transaction): none of its text is left in the envelopes, the
    # tables, the index, or anywhere in the file and its WAL (freed space overwritten).
    assert len(before) == 3 and all(p.startswith('{"$resealed"') for p in before)
    for marker in (NAME_MARK, REF_MARK, IDS_MARK, NHS_MARK, TEXT_MARK, ORG_MARK, LONG_MARK):
        assert marker not in values and marker.lower() not in values, marker
        assert not any(marker in p for p in since), marker  # the rewrite carries it sealed
        assert not any(marker in p or marker.lower() in p for p in before), marker
        assert marker.encode() not in plain and marker.lower().encode() not in plain, marker
    assert ORDINARY_MARK.encode() in plain  # the reader works: an ordinary case is there
    result = _verified(team, CAL, CAL_PASSWORD)
    assert result.ok, result.lines()
    cal = _sign_in(team, CAL, CAL_PASSWORD)
    try:
        assert cases.search(cal, query=TEXT_MARK) == []
        with pytest.raises(CaseNotFound):
            cases.open_case(cal, case_id=case_id)
    finally:
        cal.close()
    bea = _sign_in(team, BEA, BEA_PASSWORD)
    try:
        cases.set_case_restricted(bea, case_id=case_id, restricted=False)
    finally:
        bea.close()
    cal = _sign_in(team, CAL, CAL_PASSWORD)
    try:
        assert [h.case_id for h in cases.search(cal, query=TEXT_MARK)] == [case_id]
        reopened = cases.open_case(cal, case_id=case_id)
        assert reopened.display_name == f"{NAME_MARK} Later"
        assert reopened.identifier is not None and reopened.identifier.nhs_number == NHS_MARK
        assert [h.case_id for h in cases.search(cal, query=NHS_MARK)] == [case_id]
        entry = next(e for e in cases.chronology(cal, case_id=case_id) if ORG_MARK in e.summary)
        assert TEXT_MARK in cases.record_detail(cal, record_id=entry.record_id).content.reasons
    finally:
        cal.close()
    result = _verified(team, CAL, CAL_PASSWORD)
    assert result.ok, "\n".join(result.lines())


def _verified(paths, username, password):
    store = _sign_in(paths, username, password)
    try:
        return maintenance.verify(store, full=True)
    finally:
        store.close()


def test_verify_passes_on_a_store_with_restricted_cases_without_any_case_key(team, bea_case):
    """Every change a restricted case goes through, then a full verify by Cal (who holds
    none of its keys) and by Bea: the tables rebuilt from the envelopes equal the tables.
    The case's envelopes hold none of its text."""
    bea = _sign_in(team, BEA, BEA_PASSWORD)
    try:
        cal_id = _user_id(team, CAL)
        cases.add_case_member(bea, case_id=bea_case, user_id=cal_id)
        _restricted_record(bea, bea_case, word=TEXT_MARK)
        cases.remove_case_member(bea, case_id=bea_case, user_id=cal_id)
        _restricted_record(bea, bea_case, word=TEXT_MARK)
        identifiers.change_identifier(
            bea,
            case_id=bea_case,
            reason=IdentifierReason.UNKNOWN_DELAY,
            reason_text=f"{IDS_MARK} asked",
        )
        later = cases.create_case(
            bea, draft=complete_case(display_name=f"{NAME_MARK} Second", nhs_number="")
        )
        _restricted_record(bea, later)
        cases.set_case_restricted(bea, case_id=later, restricted=True)
        _restricted_record(bea, later)
        cases.set_case_restricted(bea, case_id=later, restricted=False)
        cases.set_case_restricted(bea, case_id=later, restricted=True)
    finally:
        bea.close()
    for username, password in ((CAL, CAL_PASSWORD), (BEA, BEA_PASSWORD)):
        result = _verified(team, username, password)
        assert result.ok, result.lines()
        assert result.envelopes.checked > 10
    conn = _raw_db(team, _cals_key(team))
    try:
        payloads = [
            packing.unpack(bytes(p)).decode()
            for (p,) in conn.execute("SELECT payload FROM envelope WHERE case_id = ?", (bea_case,))
        ]
        # Restricted, lifted and restricted again: what it held while ordinary (the lift's
        # rewrite included) is re-sealed by the restriction that followed.
        later_payloads = [
            packing.unpack(bytes(p)).decode()
            for (p,) in conn.execute("SELECT payload FROM envelope WHERE case_id = ?", (later,))
        ]
    finally:
        conn.close()
    assert len(payloads) >= 6
    assert sum(p.startswith('{"$resealed"') for p in later_payloads) == 3
    payloads += later_payloads
    for marker in (NAME_MARK, REF_MARK, IDS_MARK, NHS_MARK, TEXT_MARK, ORG_MARK):
        assert not any(marker in p or marker.lower() in p for p in payloads), marker


def test_a_sealed_row_edited_or_a_rewrite_forged_by_sql_is_named_by_verify(team, bea_case):
    """Cal swaps the ciphertexts of the restricted case's record summary for another's and
    deletes its sealed identity: verify (his own) names both rows."""
    bea = _sign_in(team, BEA, BEA_PASSWORD)
    try:
        _restricted_record(bea, bea_case, word="Otherword")
    finally:
        bea.close()
    conn = _raw_db(team, _cals_key(team))
    try:
        conn.execute("DROP TRIGGER IF EXISTS saved_record_no_update")
        first, second = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM saved_record WHERE case_id = ? ORDER BY rowid", (bea_case,)
            )
        ]
        conn.execute(
            "UPDATE saved_record SET summary = (SELECT summary FROM saved_record WHERE id = ?) "
            "WHERE id = ?",
            (second, first),
        )
        conn.execute("DELETE FROM case_sealed WHERE case_id = ?", (bea_case,))
    finally:
        conn.close()
    text = "\n".join(_verified(team, CAL, CAL_PASSWORD).lines())
    assert f"saved_record row {first} differs from its envelope" in text
    assert f"case_sealed row {bea_case} of an envelope is missing" in text


def test_a_restricted_case_from_before_sealing_is_sealed_at_a_members_sign_in(team, tmp_path):
    """A store from before: the case is restricted but its content plain (made so here
    with the independent reader). Cal's sign-in (not named on it) leaves it; Bea's seals it."""
    bea = _sign_in(team, BEA, BEA_PASSWORD)
    try:
        case_id = cases.create_case(
            bea,
            draft=complete_case(
                display_name=f"{NAME_MARK} Older", case_reference=REF_MARK, nhs_number=""
            ),
        )
        _restricted_record(bea, case_id)
        with bea.write() as session:  # as a restricted case's creator signed it then
            grants.issue_member(
                raw_connection(session),
                bea.signer,
                case_id=case_id,
                members=[_user_id(team, BEA)],
                reason="created",
            )
    finally:
        bea.close()
    conn = _raw_db(team, _cals_key(team))
    try:
        conn.execute("DROP TRIGGER case_file_no_update")
        conn.execute("UPDATE case_file SET restricted = 1 WHERE id = ?", (case_id,))
    finally:
        conn.close()
    _sign_in(team, CAL, CAL_PASSWORD).close()
    _decrypted_copy(team, _cals_key(team), tmp_path / "before")  # the reader works:
    copy = apsw.Connection(str(tmp_path / "before" / "copy" / team.database.name))
    try:  # the text was there before (its payloads packed: store.packing)
        assert TEXT_MARK in _every_value(copy)
    finally:
        copy.close()
    bea = _sign_in(team, BEA, BEA_PASSWORD)
    try:
        assert cases.open_case(bea, case_id=case_id).display_name == f"{NAME_MARK} Older"
        assert [h.case_id for h in cases.search(bea, query=TEXT_MARK)] == [case_id]
    finally:
        bea.close()
    conn = _raw_db(team, _cals_key(team))
    try:
        values = _every_value(conn, skip=("envelope",))
        rewrites = [
            packing.unpack(bytes(p)).decode()
            for (p,) in conn.execute(
                "SELECT payload FROM envelope WHERE case_id = ? AND kind = 'case.rewritten'",
                (case_id,),
            )
        ]
    finally:
        conn.close()
    assert len(rewrites) == 1
    for marker in (NAME_MARK, REF_MARK, TEXT_MARK, ORG_MARK):
        assert marker not in values and marker not in rewrites[0], marker
    # Its envelopes from before (here: those written while it was ordinary, before the
    # SQL edit) are re-sealed too, and the whole file holds none of its text.
    plain = _every_page(team, _cals_key(team))
    for marker in (NAME_MARK, REF_MARK, TEXT_MARK, ORG_MARK):
        assert marker.encode() not in plain and marker.lower().encode() not in plain, marker
    result = _verified(team, CAL, CAL_PASSWORD)
    assert result.ok, result.lines()


# -- a case restricted later: its earlier envelopes re-sealed ----------------------------------


def _restricted_later(paths, *, before: Path | None = None) -> str:
    """Bea's ordinary case with a record and a changed identifier, restricted later (a
    copy of the data folder as it was just before, in `before`, if given)."""
    bea = _sign_in(paths, BEA, BEA_PASSWORD)
    try:
        case_id = cases.create_case(
            bea,
            draft=complete_case(
                display_name=f"{NAME_MARK} Later", case_reference=REF_MARK, nhs_number=NHS_MARK
            ),
        )
        _restricted_record(bea, case_id)
        identifiers.change_identifier(
            bea, case_id=case_id, reason=IdentifierReason.UNKNOWN_DELAY, reason_text=IDS_MARK
        )
        if before is not None:
            bea.release_freed_pages()
            shutil.copytree(paths.root, before)
        cases.set_case_restricted(bea, case_id=case_id, restricted=True)
    finally:
        bea.close()
    return case_id


def _envelopes_of(conn: apsw.Connection, case_id: str) -> list[tuple[int, str, str, bytes]]:
    """(pos, id, kind, payload) of the case's envelopes."""
    return [
        (pos, id_, kind, packing.unpack(bytes(payload)))
        for pos, id_, kind, payload in conn.execute(
            "SELECT pos, id, kind, payload FROM envelope WHERE case_id = ? ORDER BY pos",
            (case_id,),
        )
    ]


def test_an_edited_or_put_back_resealed_envelope_is_named_by_verify(team, tmp_path):
    """Cal edits a re-sealed envelope's readable rows, dresses an ordinary case's envelope
    up as re-sealed, and puts back the plain payload of another from a copy of the file
    taken before the restriction: his own verify names each envelope."""
    case_id = _restricted_later(team, before=tmp_path / "before")
    bea = _sign_in(team, BEA, BEA_PASSWORD)
    try:
        ordinary = cases.create_case(bea, draft=complete_case(display_name="Other Child"))
    finally:
        bea.close()
    assert _verified(team, CAL, CAL_PASSWORD).ok
    old = _raw_db(DataPaths(tmp_path / "before"), _cals_key(team))
    conn = _raw_db(team, _cals_key(team))
    try:
        resealed = [e for e in _envelopes_of(conn, case_id) if e[3].startswith(b'{"$resealed"')]
        assert [e[2] for e in resealed] == [
            "case.created",
            "record.sharing_decision",
            "case.identifier",
        ]
        (created, record, identifier) = resealed
        (plain,) = old.execute(
            "SELECT payload FROM envelope WHERE id = ?", (created[1],)
        ).fetchone()
        assert NAME_MARK.encode() in packing.unpack(bytes(plain))
        conn.execute("DROP TRIGGER envelope_no_update")
        conn.execute("UPDATE envelope SET payload = ? WHERE pos = ?", (bytes(plain), created[0]))
        edited = json.loads(record[3])
        edited["rows"][0][1][10] = 1  # the record's "harm concern" flag
        conn.execute(
            "UPDATE envelope SET payload = ? WHERE pos = ?",
            (json.dumps(edited, sort_keys=True, separators=(",", ":")).encode(), record[0]),
        )
        ((pos, *_),) = _envelopes_of(conn, ordinary)
        dressed = {
            "$resealed": "sealed1:x",
            "digest": hashlib.sha256(b"anything").hexdigest(),
            "rows": [],
        }
        conn.execute(
            "UPDATE envelope SET payload = ? WHERE pos = ?",
            (json.dumps(dressed, separators=(",", ":")).encode(), pos),
        )
    finally:
        conn.close()
        old.close()
    text = "\n".join(_verified(team, CAL, CAL_PASSWORD).lines())
    assert (
        f"envelope {created[0]} (case.created) was re-sealed when its case was restricted" in text
    )
    assert f"envelope {record[0]} (record.sharing_decision) is re-sealed, but no signed" in text
    assert f"envelope {pos} (case.created) is re-sealed, but no signed" in text
    assert f"envelope {identifier[0]} (case.identifier)" not in text  # not touched


def test_a_signed_rewrite_that_does_not_restrict_the_case_vouches_for_nothing(team):
    """Cal's client, changed, replaces an ordinary case's envelope with a re-sealed one of
    his own rows and signs a rewrite of the case vouching for it (not a restriction): his
    own verify names the envelope."""
    bea = _sign_in(team, BEA, BEA_PASSWORD)
    try:
        case_id = cases.create_case(bea, draft=complete_case(display_name="Plain Child"))
    finally:
        bea.close()
    cal = _sign_in(team, CAL, CAL_PASSWORD)
    try:
        with cal.write() as session:
            raw = raw_connection(session)
            row = raw.execute(
                f"SELECT {envelopes.COLUMNS} FROM envelope WHERE case_id = ?", (case_id,)
            ).fetchone()
            env = envelopes.stored(row)
            digest = hashlib.sha256(env.signed_bytes()).digest()
            rows = [
                [t, list(v)]
                for t, v in envelopes.project(env, json.loads(env.payload))
                if t not in envelopes.INDEX_WORDS
            ]
            forged = replace(
                env,
                payload=signing.canonical(
                    {"$resealed": "sealed1:x", "digest": digest.hex(), "rows": rows}
                ),
            )
            vouch = [env.id, digest.hex(), envelopes.vouched_bytes(forged).hex()]
            item = envelopes.rewrite_item(
                case_id=case_id, reason="edited", ops=[], resealed=[vouch]
            )
            envelopes.save(session, cal.signer, [item], author_id=cal.user.user_id, at=utcnow())
            reseal.write(session, [reseal.Resealed(env.id, digest, forged.payload, b"")])
    finally:
        cal.close()
    text = "\n".join(_verified(team, CAL, CAL_PASSWORD).lines())
    assert f"envelope {row[0]} (case.created) is re-sealed, but no signed restriction" in text


def test_a_members_keys_open_a_resealed_envelope_to_its_authors_signed_message(team):
    """Bea (a member) opens each re-sealed envelope: it is the message its author signed
    (it hashes to the digest the chain carries, and the author's signature verifies)."""
    case_id = _restricted_later(team)
    bea = _sign_in(team, BEA, BEA_PASSWORD)
    try:
        with bea.read() as session:
            trust = grants.load(raw_connection(session), bea.case_keys.store_id)
            found = [
                env
                for env in reseal._case_envelopes(session, case_id)
                if envelopes.resealed_digest(env) is not None
            ]
            assert len(found) == 3
            for env in found:
                written = reseal.original(
                    env,
                    lambda text, env=env: bea.case_keys.open(
                        session, text, case_id=case_id, field_name=f"envelope.{env.id}"
                    ),
                )
                assert written is not None
                if written.kind == "case.created":
                    assert NAME_MARK.encode() in written.payload
                assert envelopes.author_signed(trust, written, written.signed_bytes())
                assert not envelopes.author_signed(trust, env, env.signed_bytes())
            # A ciphertext moved to another envelope does not open as that one.
            first, second = found[:2]
            moved = replace(second, payload=first.payload)
            with pytest.raises(sealing.SealedContentError):
                reseal.original(
                    moved,
                    lambda text: bea.case_keys.open(
                        session, text, case_id=case_id, field_name=f"envelope.{second.id}"
                    ),
                )
    finally:
        bea.close()


def test_a_restricter_sealing_other_words_than_the_authors_is_named_by_a_members_verify(
    team, monkeypatch
):
    """Bea's client, changed, seals fabricated words into the record's envelope as she
    restricts the case (and vouches for it). Cal's verify cannot see inside and passes;
    the administrator's (who holds every case key) names the envelope."""
    real_plan = reseal.plan

    def fabricated(tx, trust, *, case_id, ops, seal):
        def sealed_other(field_name, text):
            return seal(field_name, text.replace(TEXT_MARK, "Fabricatedwords"))

        return real_plan(tx, trust, case_id=case_id, ops=ops, seal=sealed_other)

    monkeypatch.setattr(reseal, "plan", fabricated)
    case_id = _restricted_later(team)
    monkeypatch.undo()
    assert _verified(team, CAL, CAL_PASSWORD).ok
    conn = _raw_db(team, _cals_key(team))
    try:
        ((pos,),) = conn.execute(
            "SELECT pos FROM envelope WHERE case_id = ? AND kind LIKE 'record.%'", (case_id,)
        ).fetchall()
    finally:
        conn.close()
    result = _verified(team, ADMIN, ADMIN_PASSWORD)
    assert not result.ok
    text = "\n".join(result.lines())
    assert f"envelope {pos} (record.sharing_decision), re-sealed: what it holds sealed" in text
    assert text.count("re-sealed:") == 1  # the other two opened to their authors' words
    bea = _verified(team, BEA, BEA_PASSWORD)
    assert f"envelope {pos} (record.sharing_decision), re-sealed" in "\n".join(bea.lines())


def test_restricting_a_case_whose_envelope_was_edited_is_refused_and_changes_nothing(team):
    """Cal edits an ordinary case's record envelope; Bea restricting the case would vouch
    for it: refused with a clear error, and the case stays as it was."""
    bea = _sign_in(team, BEA, BEA_PASSWORD)
    try:
        case_id = cases.create_case(bea, draft=complete_case(display_name="Edited Child"))
        _restricted_record(bea, case_id)
    finally:
        bea.close()
    conn = _raw_db(team, _cals_key(team))
    try:
        conn.execute("DROP TRIGGER envelope_no_update")
        found = conn.execute(
            "SELECT pos, payload FROM envelope WHERE case_id = ? AND kind LIKE 'record.%'",
            (case_id,),
        ).fetchall()
        edited = [
            (packing.unpack(bytes(p)).replace(TEXT_MARK.encode(), b"Forgedwords"), pos)
            for pos, p in found
        ]
        assert edited and all(b"Forgedwords" in p for p, _ in edited)
        conn.executemany("UPDATE envelope SET payload = ? WHERE pos = ?", edited)
    finally:
        conn.close()
    bea = _sign_in(team, BEA, BEA_PASSWORD)
    try:
        with pytest.raises(reseal.ResealRefused, match="could not be restricted"):
            cases.set_case_restricted(bea, case_id=case_id, restricted=True)
        assert not cases.open_case(bea, case_id=case_id).restricted
    finally:
        bea.close()


@pytest.fixture(scope="module")
def restricted_later_db(tmp_path_factory):
    """A store with a case restricted later (its envelopes re-sealed), closed; Cal's own
    connection to it (each change is made in a transaction and rolled back)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            keyslots_module, "DEFAULT_KDF", {"memory_kib": 1024, "iterations": 1, "lanes": 1}
        )
        paths = DataPaths(tmp_path_factory.mktemp("resealed") / "data")
        admin = accounts.first_run(paths, username=ADMIN, display_name="A", password=ADMIN_PASSWORD)
        _onboard(paths, admin, BEA, BEA_PASSWORD, {Role.TEAM_LEAD, Role.PRACTITIONER})
        _onboard(paths, admin, CAL, CAL_PASSWORD, {Role.PRACTITIONER})
        admin.close()
        case_id = _restricted_later(paths)
        keystore = Keystore.load(paths.keystore)
        conn = raw_connect(paths.database, keystore.unlock(CAL, CAL_PASSWORD).current_key)
    trust = grants.load(conn, keystore.store_id)
    (rewrite,) = conn.execute(
        "SELECT pos FROM envelope WHERE case_id = ? AND kind = 'case.rewritten'", (case_id,)
    ).fetchone()
    targets = [
        pos
        for pos, payload in conn.execute("SELECT pos, payload FROM envelope").fetchall()
        if packing.unpack(bytes(payload)).startswith(b'{"$resealed"')
    ]
    assert len(targets) == 3
    yield conn, trust, keystore.store_id, [*targets, rewrite]
    conn.close()


def _envelope_problems(conn, trust, store_id) -> list[str]:
    return envelopes.verify_envelopes(
        conn, trust, store_id=store_id, user_id=None, full=True
    ).problems


def test_the_store_with_resealed_envelopes_verifies(restricted_later_db):
    conn, trust, store_id, _ = restricted_later_db
    assert _envelope_problems(conn, trust, store_id) == []


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_single_byte_change_to_a_resealed_envelope_or_its_restriction_is_detected(
    restricted_later_db, data
):
    conn, trust, store_id, targets = restricted_later_db
    pos = data.draw(st.sampled_from(targets), label="envelope")
    column = data.draw(
        st.sampled_from(
            [
                "id",
                "case_id",
                "kind",
                "author_id",
                "device_id",
                "base",
                "at",
                "payload",
                "signature",
                "chain",
                "key_epoch",
            ]
        )
    )
    (value,) = conn.execute(f"SELECT {column} FROM envelope WHERE pos = ?", (pos,)).fetchone()
    if column in ("payload", "signature", "chain"):
        raw = bytearray(value)
        at = data.draw(st.integers(0, len(raw) - 1), label="byte")
        raw[at] ^= data.draw(st.integers(1, 255), label="xor")
        changed: object = bytes(raw)
    elif column == "key_epoch":
        changed = data.draw(st.integers(0, 5))
    else:
        at = data.draw(st.integers(0, len(value) - 1), label="char")
        new = data.draw(
            st.characters(min_codepoint=32, max_codepoint=126).filter(
                lambda c, old=value[at]: c != old
            )
        )
        changed = value[:at] + new + value[at + 1 :]
    conn.execute("BEGIN")
    try:
        conn.execute("DROP TRIGGER envelope_no_update")
        conn.execute(f"UPDATE envelope SET {column} = ? WHERE pos = ?", (changed, pos))
        problems = _envelope_problems(conn, trust, store_id)
    finally:
        conn.execute("ROLLBACK")
    if column == "payload" and not problems:
        # As in test_envelopes: a packed payload's last byte has padding bits deflate
        # ignores, and a change there leaves the signed payload as it was, byte for byte
        # (a sealed payload has none: its cipher names any change).
        assert packing.unpack(changed) == packing.unpack(value), f"payload of {pos} changed"
        return
    assert problems, f"{column} of envelope {pos} changed unnoticed"
