"""Drafts: unfinished work kept (encrypted, in the store) so a lock, a crash or a refused
save loses no typing. A draft is never shown as a record and is saved without the
checklist; only its owner sees it. Creating and discarding one is audited; the
autosaves in between are not (they would flood the trail)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from infoshare_desktop.domain.accounts import CASE_ROLES
from infoshare_desktop.domain.fields import Widget, form_of
from infoshare_desktop.domain.ids import uuid7
from infoshare_desktop.domain.kinds import kind_of
from infoshare_desktop.domain.records import (
    AmendmentDraft,
    ConsentDecisionDraft,
    Draft,
    SharingDecisionDraft,
)
from infoshare_desktop.domain.timeutil import utcnow
from infoshare_desktop.services import sealed
from infoshare_desktop.services.access import require
from infoshare_desktop.services.cases import draft_type
from infoshare_desktop.services.errors import ServiceError
from infoshare_desktop.services.visibility import require_visible_case
from infoshare_desktop.store import audit
from infoshare_desktop.store import cases as case_rows
from infoshare_desktop.store import drafts as draft_rows
from infoshare_desktop.store.audit import Action
from infoshare_desktop.store.core import Store
from infoshare_desktop.store.sealing import SealedContentError
from infoshare_desktop.store.tables import DraftRow

SNIPPET_LENGTH = 90
#: The typed texts a draft's snippet is taken from, the first one written.
SNIPPET_FIELDS: dict[type, tuple[str, ...]] = {
    SharingDecisionDraft: ("purpose", "information_shared", "reasons", "request_details"),
    ConsentDecisionDraft: ("scope_information", "asked_name", "limits"),
    AmendmentDraft: ("text",),
}
NOTHING_TYPED = "Nothing typed yet"


def _snippet_fields(cls: type[Draft]) -> tuple[str, ...]:
    """The fields a draft's snippet is taken from: as listed above, else its declared
    form's written ones (text and lines), in form order, so a new kind needs nothing here."""
    if cls in SNIPPET_FIELDS:
        return SNIPPET_FIELDS[cls]
    written = (Widget.TEXT, Widget.LINES)
    return tuple(f.name for f in form_of(cls).fields() if f.widget in written)


class DraftNotFound(ServiceError):
    user_message = "That draft no longer exists (it was saved as a record or discarded)."


@dataclass(frozen=True)
class DraftSummary:
    draft_id: str
    kind: str
    case_id: str | None
    case_name: str
    case_reference: str
    target_id: str | None
    updated_at: datetime
    snippet: str = ""
    """What the draft is about, in its own words (shown only to its author)."""


def draft_snippet(draft: Draft) -> str:
    """One line from what was typed: the decision so far and the first text written."""
    head = ""
    if isinstance(draft, SharingDecisionDraft) and draft.kind is not None:
        head = draft.kind.label
    elif isinstance(draft, ConsentDecisionDraft) and draft.outcome is not None:
        head = f"Consent {draft.outcome.label.lower()}"
    elif isinstance(draft, AmendmentDraft) and draft.reason is not None:
        head = draft.reason.label
    text = next(
        (
            " ".join(value.split())
            for name in _snippet_fields(type(draft))
            if isinstance(value := getattr(draft, name, ""), str) and value.strip()
        ),
        "",
    )
    line = f"{head}: {text}" if head and text else head or text or NOTHING_TYPED
    return line if len(line) <= SNIPPET_LENGTH else line[: SNIPPET_LENGTH - 1].rstrip() + "…"


def save_draft(
    store: Store,
    *,
    draft: Draft,
    case_id: str | None,
    target_id: str | None = None,
    draft_id: str | None = None,
) -> str:
    """Create or overwrite one of the user's drafts; returns its id."""
    user = require(store, *CASE_ROLES)
    kind = kind_of(draft).kind.value
    text = json.dumps(draft.to_dict(), sort_keys=True)  # ASCII: lone surrogates survive
    now = utcnow()
    with store.write() as session:
        if case_id is not None:  # a draft never names a case its author may not see
            require_visible_case(session, store, case_id)
        row = draft_rows.get(session, draft_id) if draft_id else None
        if row is not None and row.user_id != user.user_id:
            raise DraftNotFound()
        new_id = row.id if row is not None else draft_id or uuid7()
        payload = sealed.seal_draft(store, draft_id=new_id, text=text)  # only its owner opens it
        if row is None:
            row = DraftRow(
                id=new_id,
                user_id=user.user_id,
                case_id=case_id,
                kind=kind,
                target_id=target_id,
                created_at=now,
                updated_at=now,
                payload=payload,
            )
            audit.append(
                session,
                actor_id=user.user_id,
                action=Action.DRAFT_SAVE,
                target_kind="draft",
                target_id=row.id,
            )
        else:
            draft_rows.touch(row, payload=payload, at=now)
        draft_rows.put(session, row)
    return row.id


def list_drafts(store: Store, *, case_id: str | None = None) -> list[DraftSummary]:
    """The signed-in user's drafts, newest first (optionally for one case)."""
    user = require(store, *CASE_ROLES)
    with store.read() as session:
        rows = draft_rows.of_user(session, user_id=user.user_id, case_id=case_id)
        opened = sealed.identities(store, session, {d.case_id for d, _, _ in rows if d.case_id})
    return [
        DraftSummary(
            d.id,
            d.kind,
            d.case_id,
            opened[d.case_id].display_name if d.case_id in opened else name or "",
            opened[d.case_id].case_reference if d.case_id in opened else ref or "",
            d.target_id,
            d.updated_at,
            _snippet(store, d),
        )
        for d, name, ref in rows
    ]


def find_draft(
    store: Store, *, case_id: str, kind: str, target_id: str | None = None
) -> DraftSummary | None:
    """The user's latest draft of ``kind`` on the case (for an amendment: of that
    record), so that starting the same thing again resumes it instead of a second one."""
    for draft in list_drafts(store, case_id=case_id):
        if draft.kind == kind and (target_id is None or draft.target_id == target_id):
            return draft
    return None


def _snippet(store: Store, row: DraftRow) -> str:
    try:
        text = sealed.open_draft(store, draft_id=row.id, stored=row.payload)
        return draft_snippet(draft_type(row.kind).from_dict(json.loads(text)))
    except (KeyError, ValueError, TypeError, SealedContentError):
        return NOTHING_TYPED


def load_draft(store: Store, *, draft_id: str) -> tuple[DraftSummary, Draft]:
    user = require(store, *CASE_ROLES)
    with store.read() as session:
        row = draft_rows.get(session, draft_id)
        if row is None or row.user_id != user.user_id:
            raise DraftNotFound()
        case = case_rows.get(session, row.case_id) if row.case_id else None
        case = sealed.opened_case(store, session, case) if case is not None else None
    summary = DraftSummary(
        row.id,
        row.kind,
        row.case_id,
        case.display_name if case else "",
        case.case_reference if case else "",
        row.target_id,
        row.updated_at,
    )
    text = sealed.open_draft(store, draft_id=row.id, stored=row.payload)
    return summary, draft_type(row.kind).from_dict(json.loads(text))


def discard_draft(store: Store, *, draft_id: str) -> None:
    user = require(store, *CASE_ROLES)
    with store.write() as session:
        row = draft_rows.get(session, draft_id)
        if row is None or row.user_id != user.user_id:
            raise DraftNotFound()
        draft_rows.delete(session, row)
        audit.append(
            session,
            actor_id=user.user_id,
            action=Action.DRAFT_DISCARD,
            target_kind="draft",
            target_id=draft_id,
        )
