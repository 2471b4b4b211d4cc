"""Sealed content, the use-case side (see store.sealing for the cryptography).

A restricted case's identity, its records' summaries and payloads are written sealed
under the case's key, and nothing of it enters the shared full-text index (its members
search it through an index held in memory, services.member_search). Reads open them
with the signed-in user's case keys. Who receives a case's key: its members and every
active administrator (the recovery path), each at the X25519 key their signed grant
certifies. `sync_case_keys` keeps that true after any account change: an account that
lost access (disabled, revoked, removed from the case, or given new keys at a password
reset) leaves the current epoch, so it opens nothing written afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.domain.timeutil import utcnow
from infoshare_desktop.store import cases as case_rows
from infoshare_desktop.store import crypto, grants, sealing
from infoshare_desktop.store.cases import NewCase
from infoshare_desktop.store.core import Store
from infoshare_desktop.store.records import NewRecord
from infoshare_desktop.store.tables import CaseFile, SavedRecord
from infoshare_desktop.store.writes import Tx, raw_connection

#: What a restricted case's row shows to anyone without its key.
PLACEHOLDER_NAME = "Restricted case"
PLACEHOLDER_REFERENCE = "Restricted"


def members_of(tx: Tx, case_id: str) -> set[str]:
    """The staff named on the case. Read from case_member until membership is a signed
    grant (issue 12 part 2); this is the one place to switch over."""
    return case_rows.members(tx, case_id)


def recipients(store: Store, tx: Tx, case_id: str) -> dict[str, bytes]:
    """Who should hold the case's key now (user id -> certified X25519 key): its active
    members and every active administrator."""
    trust = grants.load(raw_connection(tx), store.case_keys.store_id)  # as they are now
    members = members_of(tx, case_id)
    if trust.established:
        return {
            g.user_id: g.box_public
            for g in trust.accounts.values()
            if g.status == "active"
            and g.box_public is not None
            and (g.user_id in members or Role.ADMINISTRATOR in g.roles)
        }
    # A store from before signed identity (until its carry-over): the slots' keys.
    publics = store.keystore.slot_publics()
    return {
        uid: crypto.b64d(public)
        for uid, keys in publics.items()
        if uid in members and (public := keys.get("public"))
    }


# -- writing ---------------------------------------------------------------------------------


def _identity_text(row: NewCase | CaseFile) -> str:
    born = row.date_of_birth.isoformat() if row.date_of_birth else None
    return json.dumps(
        {
            "display_name": row.display_name,
            "name_key": row.name_key,
            "date_of_birth": born,
            "case_reference": row.case_reference,
            "other_identifiers": row.other_identifiers,
        },
        ensure_ascii=False,
        sort_keys=True,
    )


def placeholder(row: NewCase) -> NewCase:
    """The case_file row a restricted case is stored as (its identity sealed apart)."""
    return replace(
        row,
        display_name=PLACEHOLDER_NAME,
        name_key="",
        date_of_birth=None,
        case_reference=PLACEHOLDER_REFERENCE,
        other_identifiers="",
    )


def start_restricted_case(store: Store, tx: Tx, row: NewCase) -> None:
    """A new restricted case (its row and its creator's membership already written):
    epoch 1 of its key sealed to its recipients, and its identity sealed."""
    keyring = store.case_keys
    keyring.start_case(
        tx, case_id=row.id, recipients=recipients(store, tx, row.id), at=row.created_at
    )
    seal_identity(store, tx, row)


def seal_identity(store: Store, tx: Tx, row: NewCase | CaseFile) -> None:
    sealed = store.case_keys.seal(
        tx, case_id=row.id, field_name="identity", text=_identity_text(row)
    )
    sealing.put_identity(tx, case_id=row.id, sealed=sealed)


def seal_record(store: Store, tx: Tx, row: NewRecord) -> NewRecord:
    """The row of a restricted case's record as stored: summary and payload sealed."""
    keyring = store.case_keys
    summary = keyring.seal(
        tx, case_id=row.case_id, field_name=f"summary.{row.id}", text=row.summary
    )
    payload = keyring.seal(
        tx, case_id=row.case_id, field_name=f"payload.{row.id}", text=row.payload
    )
    return replace(
        row,
        summary=summary,
        payload=sealing.sealed_payload(payload, json.loads(row.payload)),
    )


# -- reading ---------------------------------------------------------------------------------


def payload(store: Store, tx: Tx, *, case_id: str, record_id: str, stored: str) -> str:
    """A record's payload JSON as saved (opened if sealed)."""
    sealed = sealing.payload_ciphertext(stored)
    if sealed is None:
        return stored
    return store.case_keys.open(tx, sealed, case_id=case_id, field_name=f"payload.{record_id}")


def summary(store: Store, tx: Tx, *, case_id: str, record_id: str, stored: str) -> str:
    if not sealing.is_sealed(stored):
        return stored
    return store.case_keys.open(tx, stored, case_id=case_id, field_name=f"summary.{record_id}")


def opened_record(store: Store, session: Tx, row: SavedRecord) -> SavedRecord:
    """The record with its summary and payload opened (a copy), if sealed."""
    if not sealing.is_sealed(row.summary) and sealing.payload_ciphertext(row.payload) is None:
        return row
    copy = SavedRecord.model_validate(row.model_dump())
    copy.summary = summary(
        store, session, case_id=row.case_id, record_id=row.id, stored=row.summary
    )
    copy.payload = payload(
        store, session, case_id=row.case_id, record_id=row.id, stored=row.payload
    )
    return copy


def stored_payload(store: Store, tx: Tx, stored: str) -> str:
    """A payload's JSON where its record id is not at hand (a review's comment): the
    ciphertext still opens only as the case and field it names."""
    ciphertext = sealing.payload_ciphertext(stored)
    if ciphertext is None:
        return stored
    return store.case_keys.open(tx, ciphertext, case_id=sealing.parse(ciphertext).case_id)


@dataclass(frozen=True)
class Identity:
    display_name: str
    name_key: str
    date_of_birth: date | None
    case_reference: str
    other_identifiers: str


def identities(store: Store, tx: Tx, case_ids: Iterable[str]) -> dict[str, Identity]:
    """The identities of restricted cases the user holds the key of (case id -> identity);
    a case whose key the user lacks is left out (it keeps its placeholder)."""
    out: dict[str, Identity] = {}
    for case_id, sealed in sealing.identities(tx, case_ids).items():
        try:
            text = store.case_keys.open(tx, sealed, case_id=case_id, field_name="identity")
        except sealing.CaseKeyMissing:
            continue
        d = json.loads(text)
        born = d.get("date_of_birth")
        out[case_id] = Identity(
            d["display_name"],
            d["name_key"],
            date.fromisoformat(born) if born else None,
            d["case_reference"],
            d["other_identifiers"],
        )
    return out


def opened_case(store: Store, tx: Tx, case: CaseFile) -> CaseFile:
    """The case row with its identity opened (a copy; the row itself is not changed)."""
    if not case.restricted:
        return case
    return opened_cases(store, tx, [case])[0]


def opened_cases(store: Store, tx: Tx, cases: list[CaseFile]) -> list[CaseFile]:
    restricted = [c.id for c in cases if c.restricted]
    if not restricted:
        return cases
    found = identities(store, tx, restricted)
    out = []
    for case in cases:
        identity = found.get(case.id)
        if identity is None:
            out.append(case)
            continue
        copy = CaseFile.model_validate(case.model_dump())
        copy.display_name = identity.display_name
        copy.name_key = identity.name_key
        copy.date_of_birth = identity.date_of_birth
        copy.case_reference = identity.case_reference
        copy.other_identifiers = identity.other_identifiers
        out.append(copy)
    return out


# -- keeping the keys with the right people ----------------------------------------------------


def sync_case_keys(store: Store, tx: Tx, case_ids: Iterable[str] | None = None) -> int:
    """For each restricted case (all, or `case_ids`) whose key this user holds: if
    someone holds its current epoch who should no longer (disabled, revoked, removed,
    old keys), start a new epoch sealed to the recipients; then seal every epoch held to
    any recipient lacking it. Returns how many cases started a new epoch. Cheap:
    restricted cases are few."""
    keyring = store.case_keys
    ids = list(case_ids) if case_ids is not None else case_rows.restricted_ids(tx)
    rotated = 0
    now = utcnow()
    for case_id in ids:
        if not keyring.held(tx, case_id):
            continue  # not this user's to manage: someone who holds it will
        wanted = recipients(store, tx, case_id)
        wanted_pairs = set(wanted.items())
        holders = sealing.holders_of_current(tx, case_id)
        if holders - wanted_pairs:
            keyring.new_epoch(tx, case_id=case_id, recipients=wanted, at=now)
            rotated += 1
        keyring.grant(tx, case_id=case_id, recipients=wanted, at=now)
    return rotated


def reload_trust_then_sync(store: Store) -> None:
    """After an account change (an administrator's): the grants as they are now, then
    `sync_case_keys` for every restricted case, in one transaction."""
    store.load_trust()
    with store.write() as session:
        sync_case_keys(store, session)


# -- drafts ----------------------------------------------------------------------------------


def _draft_key(store: Store) -> tuple[bytes, str, str]:
    keys = store.keys
    store_id = store.case_keys.store_id
    return (
        sealing.draft_key(keys.private_key, store_id=store_id, user_id=keys.user_id),
        store_id,
        keys.user_id,
    )


def seal_draft(store: Store, *, draft_id: str, text: str) -> str:
    """A draft's JSON encrypted to its owner, the signed-in user (see sealing)."""
    key, store_id, user_id = _draft_key(store)
    return sealing.seal_draft(key, store_id=store_id, user_id=user_id, draft_id=draft_id, text=text)


def open_draft(store: Store, *, draft_id: str, stored: str) -> str:
    key, store_id, user_id = _draft_key(store)
    return sealing.open_draft(
        key, store_id=store_id, user_id=user_id, draft_id=draft_id, stored=stored
    )


def seal_carried_over_cases(store: Store) -> int:
    """Restricted cases from before sealing (their content still plain): sealed at the
    sign-in of someone who should hold their key (a member, or an administrator), in one
    transaction. Returns how many."""
    with store.read() as session:
        if not sealing.has_tables(session):
            return 0  # a store not yet migrated: its first administrator's sign-in does it
        waiting = case_rows.unsealed_restricted_ids(session)
    if not waiting:
        return 0
    user = store.user
    assert user is not None
    done = 0
    with store.write() as session:
        for case_id in waiting:
            case = case_rows.get(session, case_id)
            if case is None or user.user_id not in recipients(store, session, case_id):
                continue
            restrict(store, session, case)
            done += 1
    if done:
        store.release_freed_pages()
    return done


# -- restricting a case later, or lifting it ---------------------------------------------------


def restrict(store: Store, tx: Tx, case: CaseFile) -> None:
    """Seal an ordinary case's existing content (the caller's transaction): epoch 1 of its
    key for its members and the administrators, its identity, every record's summary and
    payload; its rows leave the shared index."""
    keyring = store.case_keys
    keyring.start_case(tx, case_id=case.id, recipients=recipients(store, tx, case.id), at=utcnow())
    seal_identity(store, tx, case)
    rows = [
        sealing.StoredRecord(
            r.id,
            r.kind,
            keyring.seal(tx, case_id=case.id, field_name=f"summary.{r.id}", text=r.summary),
            sealing.sealed_payload(
                keyring.seal(tx, case_id=case.id, field_name=f"payload.{r.id}", text=r.payload),
                json.loads(r.payload),
            ),
        )
        for r in sealing.case_records(tx, case.id)
    ]
    identifiers = [
        sealing.StoredIdentifier(
            i.id,
            *seal_identifier(
                store,
                tx,
                case_id=case.id,
                nhs_number=i.nhs_number,
                reason=i.reason,
                text=i.reason_text,
            ),
        )
        for i in sealing.case_identifiers(tx, case.id)
    ]
    sealing.rewrite_case(
        tx,
        case_id=case.id,
        restricted=True,
        identifiers=identifiers,
        identity={
            "display_name": PLACEHOLDER_NAME,
            "name_key": "",
            "date_of_birth": None,
            "case_reference": PLACEHOLDER_REFERENCE,
            "other_identifiers": "",
        },
        records=rows,
    )


def unrestrict(store: Store, tx: Tx, case: CaseFile) -> list[sealing.StoredRecord]:
    """Open a restricted case's content back into its rows (the caller's transaction);
    returns its records as now stored, for the shared index."""
    identity = identities(store, tx, [case.id]).get(case.id)
    if identity is None:
        raise sealing.CaseKeyMissing()
    rows = [
        sealing.StoredRecord(
            r.id,
            r.kind,
            summary(store, tx, case_id=case.id, record_id=r.id, stored=r.summary),
            payload(store, tx, case_id=case.id, record_id=r.id, stored=r.payload),
        )
        for r in sealing.case_records(tx, case.id)
    ]
    identifiers = [
        sealing.StoredIdentifier(
            i.id,
            *open_identifier(
                store,
                tx,
                case_id=case.id,
                nhs_number=i.nhs_number,
                reason=i.reason,
                text=i.reason_text,
            ),
        )
        for i in sealing.case_identifiers(tx, case.id)
    ]
    born = identity.date_of_birth
    sealing.rewrite_case(
        tx,
        case_id=case.id,
        restricted=False,
        identifiers=identifiers,
        identity={
            "display_name": identity.display_name,
            "name_key": identity.name_key,
            "date_of_birth": born.isoformat() if born else None,
            "case_reference": identity.case_reference,
            "other_identifiers": identity.other_identifiers,
        },
        records=rows,
    )
    return rows


# -- the case's identifier (NHS number, or why not) ---------------------------------------------

#: The `reason` of a restricted case's identifier row: its values are sealed in `reason_text`.
SEALED_IDENTIFIER = "sealed"


def seal_identifier(
    store: Store, tx: Tx, *, case_id: str, nhs_number: str | None, reason: str | None, text: str
) -> tuple[None, str, str]:
    """A restricted case's identifier as stored: (no number, "sealed", the ciphertext)."""
    plain = json.dumps({"nhs_number": nhs_number, "reason": reason, "reason_text": text})
    return (
        None,
        SEALED_IDENTIFIER,
        store.case_keys.seal(tx, case_id=case_id, field_name="identifier", text=plain),
    )


def open_identifier(
    store: Store, tx: Tx, *, case_id: str, nhs_number: str | None, reason: str | None, text: str
) -> tuple[str | None, str | None, str]:
    """An identifier row's (number, reason, reason text) as recorded (opened if sealed)."""
    if reason != SEALED_IDENTIFIER or not sealing.is_sealed(text):
        return nhs_number, reason, text
    d = json.loads(store.case_keys.open(tx, text, case_id=case_id, field_name="identifier"))
    return d["nhs_number"], d["reason"], d["reason_text"]
