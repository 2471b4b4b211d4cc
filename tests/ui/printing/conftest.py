"""Fixtures for the print UI: a case worth printing, a session, and audit helpers."""

from __future__ import annotations

import pytest
from sqlmodel import select

from infoshare_desktop.store.tables import AuditEvent
from tests.reports.conftest import PrintedCase, make_printed_case


@pytest.fixture
def printed_case(data_paths, admin_store) -> PrintedCase:
    return make_printed_case(data_paths, admin_store)


@pytest.fixture
def session(qtbot, admin_store):
    from infoshare_desktop.ui.common.session import Session

    return Session(admin_store)


def print_events(store) -> list[str]:
    """The detail of every print or export audit entry, oldest first."""
    with store.read() as db:
        rows = db.exec(select(AuditEvent).order_by(AuditEvent.seq)).all()
    return [r.detail for r in rows if r.action in ("record.print", "record.export")]
