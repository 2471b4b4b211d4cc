"""Search of the restricted cases the user is named on, merged into the case search.

Their words are not in the shared full-text index (see services.sealed); each signed-in
store keeps an in-memory index of them (store.member_index), built from the opened
records at the first search after sign-in and rebuilt when a restricted case changes
(here or in another window: its version is a cheap query). It lives on the Store and
is dropped with the keys when the store locks."""

from __future__ import annotations

import json

from infoshare_desktop.domain.identifier import format_nhs_number
from infoshare_desktop.domain.kinds import KINDS
from infoshare_desktop.domain.records import CaseDraft
from infoshare_desktop.services import sealed
from infoshare_desktop.services.identifiers import current_identifier
from infoshare_desktop.store import cases as case_rows
from infoshare_desktop.store import member_index, search
from infoshare_desktop.store import records as record_rows
from infoshare_desktop.store.core import Store
from infoshare_desktop.store.member_index import MemberHit, MemberIndex
from infoshare_desktop.store.writes import Session

_DRAFTS = {kind.value: spec.draft for kind, spec in KINDS.items()}


def invalidate(store: Store) -> None:
    """A restricted case changed in this window: the next search rebuilds the index."""
    index, store.member_index = store.member_index, None
    if index is not None:
        index.close()


def _rows(store: Store, session: Session, user_id: str) -> list[search.IndexRow]:
    rows: list[search.IndexRow] = []
    mine = [
        c
        for c in case_rows.restricted_ids(session)
        if user_id in sealed.members_of(store, session, c)
    ]
    identities = sealed.identities(store, session, mine)
    for case_id, identity in identities.items():
        rows.append(
            search.case_row(
                case_id=case_id,
                draft=CaseDraft(
                    display_name=identity.display_name,
                    date_of_birth=identity.date_of_birth,
                    case_reference=identity.case_reference,
                    other_identifiers=identity.other_identifiers,
                ),
            )
        )
        identifier = current_identifier(session, case_id, store=store)
        if identifier is not None and identifier.nhs_number:  # found by its NHS number too
            digits = identifier.nhs_number
            shown = format_nhs_number(digits)
            rows.append(search.IndexRow(case_id, None, f"NHS number {shown}\n{digits}"))
        for record in record_rows.of_case(session, case_id):
            text = sealed.payload(
                store, session, case_id=case_id, record_id=record.id, stored=record.payload
            )
            draft = _DRAFTS[record.kind].from_dict(json.loads(text))
            rows.append(search.record_row(case_id=case_id, record_id=record.id, draft=draft))
    return rows


def index_for(store: Store, session: Session, user_id: str) -> MemberIndex:
    """The user's member index, built (or rebuilt) if missing or out of date."""
    version = member_index.version(session)
    index = store.member_index
    if index is None or index.version != version:
        invalidate(store)
        index = MemberIndex(_rows(store, session, user_id), version=version)
        store.member_index = index  # dropped when the store locks (Store.close)
    return index


def search_members(
    store: Store, session: Session, *, user_id: str, match: str, limit: int, marks: tuple[str, str]
) -> list[MemberHit]:
    """The restricted cases the user is named on that match, best first."""
    return index_for(store, session, user_id).search(match=match, limit=limit, marks=marks)
