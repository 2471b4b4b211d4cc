"""The demo generator writes records of the declared kinds, as the declaration says."""

from __future__ import annotations

import json
from collections import Counter

from sqlmodel import select

from infoshare_desktop import demo
from infoshare_desktop.domain import checklist
from infoshare_desktop.domain.enums import RecordKind
from infoshare_desktop.domain.kinds import CheckContext, spec, summary_of
from infoshare_desktop.services import cases
from infoshare_desktop.store.tables import SavedRecord


def test_demo_records_are_of_declared_kinds_and_pass_their_checklists(admin_store):
    result = demo.populate(admin_store, cases=4, records=200)
    with admin_store.read() as session:
        rows = session.exec(select(SavedRecord)).all()
    assert len(rows) == result.records == 200
    kinds = Counter(RecordKind(r.kind) for r in rows)
    assert kinds[RecordKind.SHARING_DECISION] and kinds[RecordKind.CONSENT_DECISION]
    assert kinds[RecordKind.ADVICE], "the demo has advice records too"
    for row in rows:
        declared = spec(row.kind)
        draft = declared.draft.from_dict(json.loads(row.payload))
        assert row.summary == summary_of(declared.kind, draft)
        assert row.subkind == declared.subkind(draft)
        context = CheckContext(now=row.recorded_at)
        assert not checklist.blocking(declared.check(draft, context))
    advice = next(r for r in rows if r.kind == RecordKind.ADVICE.value)
    detail = cases.record_detail(admin_store, record_id=advice.id)
    assert detail.content.sought_from_role  # readable through the service like any record
