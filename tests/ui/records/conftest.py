"""Fixtures for the record forms: a case, and editors whose autosave waits unless asked."""

from __future__ import annotations

import pytest

from infoshare_desktop.services import cases
from tests.domain.factories import complete_case

NEVER_MS = 600_000


@pytest.fixture
def case_id(admin_store) -> str:
    return cases.create_case(admin_store, draft=complete_case())


@pytest.fixture
def confirm_yes(monkeypatch) -> list[str]:
    """Every editor's save and discard confirmations answer yes; returns who asked."""
    from infoshare_desktop.ui.records.record_editor import RecordEditorBase

    asked: list[str] = []

    def yes(name: str):
        def answer(self) -> bool:
            asked.append(name)
            return True

        return answer

    monkeypatch.setattr(RecordEditorBase, "confirm_save", yes("save"))
    monkeypatch.setattr(RecordEditorBase, "confirm_discard", yes("discard"))
    return asked
