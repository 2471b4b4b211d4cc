"""An editor's save refused, or a store that cannot keep a draft: the reason is shown
beside the form and spoken, and everything typed stays in the form."""

from __future__ import annotations

import pytest

from infoshare_desktop.domain import SharingDecisionDraft, checklist, utcnow
from infoshare_desktop.services import cases, drafts, records
from infoshare_desktop.services.errors import ChecklistRefused
from infoshare_desktop.ui.common.announce import announcer
from infoshare_desktop.ui.records import SharingDecisionEditor
from tests.domain.factories import complete_sharing_decision
from tests.ui.records.conftest import NEVER_MS


@pytest.fixture
def heard():
    said: list[tuple[str, bool]] = []

    def hear(text: str, assertive: bool) -> None:
        said.append((text, assertive))

    announcer.announced.connect(hear)
    yield said
    announcer.announced.disconnect(hear)


@pytest.fixture
def editor(qtbot, admin_store, case_id) -> SharingDecisionEditor:
    widget = SharingDecisionEditor(admin_store, case_id, autosave_interval_ms=NEVER_MS)
    qtbot.addWidget(widget)
    return widget


def test_a_save_the_service_refuses_is_shown_spoken_and_loses_nothing(
    qtbot, editor, admin_store, case_id, confirm_yes, monkeypatch, heard, messages
):
    # The service evaluates the checklist again in its own transaction (the consent
    # relied on may have been withdrawn meanwhile): here it refuses on real findings.
    refused = checklist.blocking(
        checklist.check_sharing_decision(SharingDecisionDraft(), now=utcnow())
    )
    assert refused

    def refuse(*_args, **_kwargs):
        raise ChecklistRefused(refused)

    monkeypatch.setattr(records, "record_sharing_decision", refuse)
    draft = complete_sharing_decision(reasons="Reasons typed at length, all of them kept")
    editor.set_draft(draft)
    editor.evaluate()
    editor.save_button.click()

    shown = editor.message.text()
    assert not editor.message.isHidden() and shown.startswith("Not saved. ")
    assert refused[0].message in shown
    assert (" ".join(shown.split()), True) in heard  # spoken at once, as shown
    assert messages.errors == []  # inline, beside the form: no box in the way
    assert {f.rule_id for f in editor.panel.findings_panel.list.findings} >= {
        f.rule_id for f in refused
    }
    assert editor.draft() == draft
    assert editor.record_id is None and editor.save_button.isEnabled()
    assert cases.chronology(admin_store, case_id=case_id) == []


def test_a_draft_the_locked_store_cannot_keep_is_shown_spoken_and_kept_in_the_form(
    qtbot, editor, admin_store, heard
):
    draft = complete_sharing_decision(reasons="Typed before the store was locked")
    editor.set_draft(draft)
    editor._edited()  # as typing does
    admin_store.lock()  # a real store error: nothing can be read or written now

    assert editor.save_draft_now() is None

    shown = editor.message.text()
    assert shown.startswith("Your typing could not be kept as a draft. ")
    assert "locked" in shown
    assert (" ".join(shown.split()), True) in heard
    assert editor.draft_status.text() == "Draft not kept"
    assert editor.draft() == draft and editor.has_unsaved_changes


def test_text_the_service_rejects_moves_to_its_field(qtbot, editor, confirm_yes, heard):
    editor.show()
    qtbot.waitExposed(editor)
    editor.set_draft(complete_sharing_decision(purpose="Bad \x00 text in the purpose field"))
    editor.evaluate()
    editor.save_button.click()
    assert editor.record_id is None
    assert editor.message.text().startswith("Not saved. ")
    assert heard and heard[-1][1]
    assert editor.focusWidget() is editor.form.inputs["purpose"]
    assert drafts.list_drafts(editor._store) == []
