"""Bulk writing (the demo build): indexes built at the end, and items prepared ahead of
their write checked again by the writer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from infoshare_desktop.domain.timeutil import utcnow
from infoshare_desktop.services.cases import new_case
from infoshare_desktop.store import envelopes
from infoshare_desktop.store.bulk import DEFERRED_INDEXES, deferred_indexes
from infoshare_desktop.store.envelopes import EnvelopeError
from infoshare_desktop.store.signing import uuid7
from infoshare_desktop.store.writes import raw_connection
from tests.domain.factories import complete_case


def _indexes(store) -> dict[str, str]:
    with store.read() as session:
        rows = raw_connection(session).execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        )
        return dict(rows.fetchall())


def _case_item():
    created = datetime(2026, 3, 1, tzinfo=UTC)
    return new_case(complete_case(), case_id=uuid7(), created_at=created)


def test_deferred_indexes_are_gone_while_writing_and_back_as_they_were(admin_store):
    before = _indexes(admin_store)
    assert set(DEFERRED_INDEXES) <= set(before)
    with deferred_indexes(admin_store.write):
        assert not set(DEFERRED_INDEXES) & set(_indexes(admin_store))
    assert _indexes(admin_store) == before


def test_deferred_indexes_come_back_when_the_writing_fails(admin_store):
    before = _indexes(admin_store)
    with pytest.raises(RuntimeError), deferred_indexes(admin_store.write):
        raise RuntimeError("the build failed")
    assert _indexes(admin_store) == before


def _prepared(admin_store, *, skip: int = 0):
    with admin_store.read() as session:
        numbering = envelopes.numbering(session)
    assert numbering is not None
    numbering.seq += skip
    user = admin_store.user.user_id
    return numbering.prepare(_case_item(), author_id=user, at=envelopes.iso(utcnow()))


def test_an_item_prepared_ahead_is_written_signed_and_projected(admin_store):
    prepared = _prepared(admin_store)
    with admin_store.write() as session:
        ids = envelopes.save_prepared(session, [(admin_store.signer, prepared)])
    assert ids == [prepared.env.id]
    with admin_store.read() as session:
        raw = raw_connection(session)
        found = raw.execute("SELECT id FROM case_file WHERE id = ?", (prepared.env.case_id,))
        assert found.fetchone()
    from infoshare_desktop.services import maintenance

    assert maintenance.verify(admin_store, full=True).ok


@pytest.mark.parametrize("skip", [1, -1])
def test_an_item_prepared_out_of_turn_is_refused_and_nothing_is_written(admin_store, skip):
    """A helper that numbered its envelopes from the wrong point (a gap, or a number
    already taken) cannot get them written: the writer checks every number."""
    prepared = _prepared(admin_store, skip=skip)
    with admin_store.read() as session:
        count = envelopes.count(session)
    with pytest.raises(EnvelopeError), admin_store.write() as session:
        envelopes.save_prepared(session, [(admin_store.signer, prepared)])
    with admin_store.read() as session:
        assert envelopes.count(session) == count


def test_an_item_prepared_for_one_author_is_not_signed_by_another(admin_store):
    from infoshare_desktop.store.signing import Signer, new_signing_key

    prepared = _prepared(admin_store)
    other = Signer("someone-else", new_signing_key()[0])
    with pytest.raises(EnvelopeError), admin_store.write() as session:
        envelopes.save_prepared(session, [(other, prepared)])
