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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, cast

import orjson

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.domain.enums import RecordKind
from infoshare_desktop.domain.kinds import KINDS
from infoshare_desktop.domain.records import CaseDraft
from infoshare_desktop.domain.timeutil import utcnow
from infoshare_desktop.store import cases as case_rows
from infoshare_desktop.store import crypto, envelopes, grants, reseal, sealing, search
from infoshare_desktop.store.cases import NewCase
from infoshare_desktop.store.core import Store
from infoshare_desktop.store.tables import CaseFile, SavedRecord
from infoshare_desktop.store.writes import Tx, raw_connection

#: What a restricted case's row shows to anyone without its key.
PLACEHOLDER_NAME = "Restricted case"
PLACEHOLDER_REFERENCE = "Restricted"


def members_of(store: Store, tx: Tx, case_id: str) -> frozenset[str]:
    """The staff named on the case by valid signed statements (store.grants; a
    `case_member` row nobody signed names no one)."""
    return store.members_of(tx, case_id)


def recipients(store: Store, tx: Tx, case_id: str) -> dict[str, bytes]:
    """Who should hold the case's key now (user id -> certified X25519 key): its active
    members and every active administrator."""
    trust = grants.load(raw_connection(tx), store.case_keys.store_id)  # as they are now
    members = trust.members_of(case_id) if trust.established else case_rows.members(tx, case_id)
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


def _identity_text(row: NewCase | CaseFile | Identity) -> str:
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


def _seal_identity(store: Store, tx: Tx, row: NewCase | CaseFile) -> str:
    return store.case_keys.seal(tx, case_id=row.id, field_name="identity", text=_identity_text(row))


def sealed_case_item(
    store: Store, tx: Tx, item: envelopes.Item, *, draft: CaseDraft, created_at: datetime
) -> envelopes.Item:
    """A new restricted case's envelope item as saved: epoch 1 of its key sealed to its
    recipients first, then its identity and identifier sealed under it; the draft in the
    payload is a placeholder (the envelope holds no plain text of the case)."""
    case_id = item.case_id
    store.case_keys.start_case(
        tx, case_id=case_id, recipients=recipients(store, tx, case_id), at=created_at
    )
    row, _ = case_rows.new_case(
        case_id=case_id, draft=draft, created_at=created_at, created_by=store.case_keys.user_id
    )
    payload = dict(item.payload)
    payload["draft"] = replace(
        draft,
        display_name=PLACEHOLDER_NAME,
        date_of_birth=None,
        case_reference=PLACEHOLDER_REFERENCE,
        other_identifiers="",
        nhs_number="",
        identifier_reason=None,
        identifier_reason_text="",
    ).to_dict()
    payload["sealed"] = {"identity": _seal_identity(store, tx, row)}
    if payload.get("identifier"):
        payload["identifier"] = sealed_identifier(
            store, tx, case_id=case_id, **payload["identifier"]
        )
    return envelopes.Item(case_id, item.kind, payload)


def _sealed_content(
    store: Store, tx: Tx, *, case_id: str, record_id: str, plain: str
) -> dict[str, Any]:
    """A record's content as a sealed envelope carries it: the ciphertext of its JSON and
    the codes the worklist's triggers read."""
    ciphertext = store.case_keys.seal(
        tx, case_id=case_id, field_name=f"payload.{record_id}", text=plain
    )
    return cast(dict[str, Any], json.loads(sealing.sealed_payload(ciphertext, json.loads(plain))))


def sealed_record_item(store: Store, tx: Tx, item: envelopes.Item) -> envelopes.Item:
    """A restricted case's record as its envelope carries it: summary and content sealed
    (the saved_record row holds them so, and nothing enters the shared index)."""
    payload = dict(item.payload)
    record_id = str(payload["id"])
    payload["summary"] = store.case_keys.seal(
        tx, case_id=item.case_id, field_name=f"summary.{record_id}", text=payload["summary"]
    )
    payload["content"] = _sealed_content(
        store, tx, case_id=item.case_id, record_id=record_id, plain=_stored_json(payload["content"])
    )
    return envelopes.Item(item.case_id, item.kind, payload)


def _stored_json(content: dict[str, Any]) -> str:
    """A record's content as saved_record.payload stores it (see store.envelopes)."""
    return orjson.dumps(content, option=orjson.OPT_SORT_KEYS).decode()


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


def check_resealed(store: Store, tx: Tx) -> list[str]:
    """For a verify: each re-sealed envelope (a case restricted later) of a case whose key
    this user holds opens to what its author signed (store.reseal.check)."""
    keyring = store.case_keys

    def open_text(env: envelopes.Envelope, text: str) -> str | None:
        try:
            return keyring.open(tx, text, case_id=env.case_id, field_name=f"envelope.{env.id}")
        except sealing.CaseKeyMissing:
            return None

    trust = grants.load(raw_connection(tx), keyring.store_id)
    return reseal.check(tx, trust, open_text)


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


_CASE = envelopes.TABLES["case_file"][0]
_RECORD = envelopes.TABLES["saved_record"][0]
_IDENTIFIER = envelopes.TABLES["case_identifier"][0]


def _with(row: tuple[Any, ...], columns: tuple[str, ...], **values: Any) -> tuple[Any, ...]:
    return tuple(values.get(c, v) for c, v in zip(columns, row, strict=True))


def _rewrite(
    store: Store,
    tx: Tx,
    *,
    case_id: str,
    reason: str,
    ops: list[envelopes.Op],
    resealed: list[reseal.Resealed] | None = None,
) -> None:
    """Re-write a case's rows as a signed ``case.rewritten`` envelope (see envelopes),
    vouching for the envelopes it re-seals (see reseal), which are then written."""
    user = store.user
    assert user is not None
    statements = [r.statement() for r in resealed or []]
    item = envelopes.rewrite_item(case_id=case_id, reason=reason, ops=ops, resealed=statements)
    envelopes.save(tx, store.signer, [item], author_id=user.user_id, at=utcnow())
    reseal.write(tx, resealed or [])


def restrict(store: Store, tx: Tx, case: CaseFile) -> None:
    """Seal an ordinary case's existing content (the caller's transaction): epoch 1 of its
    key for its members and the administrators, its identity, every record's summary and
    payload, its identifiers; its rows leave the shared index; and its envelopes that
    still hold plain text are re-sealed under the key (store.reseal). One signed
    envelope says so, and vouches for each envelope re-sealed."""
    keyring = store.case_keys
    case_id = case.id
    keyring.start_case(tx, case_id=case_id, recipients=recipients(store, tx, case_id), at=utcnow())
    (row,) = envelopes.case_table_rows(tx, "case_file", case_id)
    ops = [
        envelopes.Op(
            "case_file",
            envelopes.UPDATE,
            _with(
                row,
                _CASE,
                display_name=PLACEHOLDER_NAME,
                name_key="",
                date_of_birth=None,
                case_reference=PLACEHOLDER_REFERENCE,
                other_identifiers="",
                restricted=1,
            ),
        ),
        envelopes.Op("case_sealed", envelopes.INSERT, (case_id, _seal_identity(store, tx, case))),
    ]
    for r in envelopes.case_table_rows(tx, "saved_record", case_id):
        rec = dict(zip(_RECORD, r, strict=True))
        content = _sealed_content(
            store, tx, case_id=case_id, record_id=rec["id"], plain=rec["payload"]
        )
        summary_text = keyring.seal(
            tx, case_id=case_id, field_name=f"summary.{rec['id']}", text=rec["summary"]
        )
        ops.append(
            envelopes.Op(
                "saved_record",
                envelopes.UPDATE,
                _with(r, _RECORD, summary=summary_text, payload=_stored_json(content)),
            )
        )
    ops += _identifier_ops(store, tx, case_id, seal_identifier_values)
    ops += [
        envelopes.Op("search_index", envelopes.DELETE, (r[0], r[1]))
        for r in envelopes.case_table_rows(tx, "search_index", case_id)
    ]
    ops += [
        envelopes.Op("case_index", envelopes.DELETE, (r[0],))
        for r in envelopes.case_table_rows(tx, "case_index", case_id)
    ]
    _rewrite(
        store,
        tx,
        case_id=case_id,
        reason="restricted",
        ops=ops,
        resealed=_resealed(store, tx, case_id=case_id, ops=ops),
    )


def _resealed(
    store: Store, tx: Tx, *, case_id: str, ops: list[envelopes.Op]
) -> list[reseal.Resealed]:
    """The case's envelopes that hold plain text, re-sealed under its current key (none
    without a signing key: nobody could vouch for them)."""
    if store.signer is None:
        return []
    keyring = store.case_keys
    return reseal.plan(
        tx,
        grants.load(raw_connection(tx), keyring.store_id),
        case_id=case_id,
        ops=ops,
        seal=lambda field_name, text: keyring.seal(
            tx, case_id=case_id, field_name=field_name, text=text
        ),
    )


def unrestrict(store: Store, tx: Tx, case: CaseFile) -> None:
    """Open a restricted case's content back into its rows and the shared index (the
    caller's transaction), as one signed envelope. The envelopes re-sealed when it was
    restricted stay sealed (this envelope carries the rows' plain values)."""
    case_id = case.id
    identity = identities(store, tx, [case_id]).get(case_id)
    if identity is None:
        raise sealing.CaseKeyMissing()
    (row,) = envelopes.case_table_rows(tx, "case_file", case_id)
    ops = [
        envelopes.Op(
            "case_file",
            envelopes.UPDATE,
            _with(
                row,
                _CASE,
                display_name=identity.display_name,
                name_key=identity.name_key,
                date_of_birth=identity.date_of_birth.isoformat()
                if identity.date_of_birth
                else None,
                case_reference=identity.case_reference,
                other_identifiers=identity.other_identifiers,
                restricted=0,
            ),
        ),
        envelopes.Op("case_sealed", envelopes.DELETE, (case_id,)),
    ]
    index_rows = [
        search.case_row(
            case_id=case_id,
            draft=CaseDraft(
                display_name=identity.display_name,
                date_of_birth=identity.date_of_birth,
                case_reference=identity.case_reference,
                other_identifiers=identity.other_identifiers,
            ),
        )
    ]
    for r in envelopes.case_table_rows(tx, "saved_record", case_id):
        rec = dict(zip(_RECORD, r, strict=True))
        plain = payload(store, tx, case_id=case_id, record_id=rec["id"], stored=rec["payload"])
        text = summary(store, tx, case_id=case_id, record_id=rec["id"], stored=rec["summary"])
        ops.append(
            envelopes.Op(
                "saved_record", envelopes.UPDATE, _with(r, _RECORD, summary=text, payload=plain)
            )
        )
        draft_type = KINDS[RecordKind(rec["kind"])].draft
        index_rows.append(
            search.record_row(
                case_id=case_id, record_id=rec["id"], draft=draft_type.from_dict(json.loads(plain))
            )
        )
    ops += _identifier_ops(store, tx, case_id, open_identifier)
    ops += [  # index rows carry their words after their ids (contentless: see store.search)
        envelopes.Op("case_index", envelopes.INSERT, (i.case_id, i.body))
        if i.record_id is None
        else envelopes.Op("search_index", envelopes.INSERT, (i.case_id, i.record_id, i.body))
        for i in index_rows
    ]
    _rewrite(store, tx, case_id=case_id, reason="unrestricted", ops=ops)


def remove_member(store: Store, tx: Tx, *, case_id: str, user_id: str) -> None:
    """Take a member of staff off a case (a signed envelope saying so); then its key
    moves on to a new epoch without them (`sync_case_keys`)."""
    _rewrite(
        store,
        tx,
        case_id=case_id,
        reason="member_removed",
        ops=[envelopes.Op("case_member", envelopes.DELETE, (case_id, user_id))],
    )
    sync_case_keys(store, tx, [case_id])


# -- the case's identifier (NHS number, or why not) ---------------------------------------------

#: The `reason` of a restricted case's identifier row: its values are sealed in `reason_text`.
SEALED_IDENTIFIER = "sealed"


def sealed_identifier(
    store: Store,
    tx: Tx,
    *,
    case_id: str,
    id: str,
    nhs_number: str | None,
    reason: str | None,
    reason_text: str,
) -> dict[str, Any]:
    """An identifier's payload (see identifiers.identifier_of) as a restricted case's
    envelope carries it."""
    number, code, text = seal_identifier_values(
        store, tx, case_id=case_id, nhs_number=nhs_number, reason=reason, text=reason_text
    )
    return {"id": id, "nhs_number": number, "reason": code, "reason_text": text}


def seal_identifier_values(
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


def _identifier_ops(
    store: Store, tx: Tx, case_id: str, convert: Callable[..., tuple[str | None, ...]]
) -> list[envelopes.Op]:
    """The case's identifier rows re-written with the values `convert` makes of them
    (`seal_identifier_values` when restricting, `open_identifier` when lifting)."""
    ops = []
    for r in envelopes.case_table_rows(tx, "case_identifier", case_id):
        ident = dict(zip(_IDENTIFIER, r, strict=True))
        number, code, text = convert(
            store,
            tx,
            case_id=case_id,
            nhs_number=ident["nhs_number"],
            reason=ident["reason"],
            text=ident["reason_text"],
        )
        ops.append(
            envelopes.Op(
                "case_identifier",
                envelopes.UPDATE,
                _with(r, _IDENTIFIER, nhs_number=number, reason=code, reason_text=text),
            )
        )
    return ops
