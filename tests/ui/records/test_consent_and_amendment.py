"""The consent decision editor and the amendment dialog, driven through their widgets."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtWidgets import QLineEdit

from infoshare_desktop.domain import (
    AmendmentReason,
    ConsentFrom,
    ConsentHow,
    ConsentOutcome,
    RecordKind,
    blocking,
    utcnow,
)
from infoshare_desktop.domain.consent import Standing
from infoshare_desktop.services import cases, drafts, records
from infoshare_desktop.services.errors import ChecklistRefused
from infoshare_desktop.ui.records import (
    AmendmentDialog,
    ConsentDecisionEditor,
    ConsentDecisionForm,
)
from tests.domain.factories import complete_consent_decision, complete_sharing_decision
from tests.ui.conftest import WAIT_MS
from tests.ui.records.conftest import NEVER_MS
from tests.ui.records.flows import choose
from tests.ui.records.test_sharing_decision import ODD


def rules(editor) -> set[str]:
    return {f.rule_id for f in blocking(editor.evaluate())}


def test_a_complete_consent_draft_round_trips(qtbot):
    form = ConsentDecisionForm()
    qtbot.addWidget(form)
    draft = complete_consent_decision(asked_name=ODD, supersedes_ids=["some-earlier-id"])
    form.set_draft(draft)
    assert form.draft() == draft


def test_consent_editor_blocks_until_complete_then_saves(qtbot, admin_store, case_id, confirm_yes):
    editor = ConsentDecisionEditor(admin_store, case_id, autosave_interval_ms=NEVER_MS)
    qtbot.addWidget(editor)
    i, form = editor.form.inputs, editor.form
    assert rules(editor) == {"CONSENT_WHO", "CONSENT_OUTCOME", "WHEN"}
    assert not editor.save_button.isEnabled()
    assert form.groups["Scope and limits"].isHidden()

    choose(i["asked"], ConsentFrom.PARENT_CARER)
    i["asked_name"].setText("Chris Example")
    i["occurred_at"].now_button.click()
    choose(i["outcome"], ConsentOutcome.EXPLICIT)
    choose(i["how"], ConsentHow.WRITTEN)
    assert not form.groups["Scope and limits"].isHidden()
    assert rules(editor) == {"CONSENT_SCOPE_GIVEN"}
    i["scope_agencies"].rows[0].findChildren(QLineEdit)[0].setText("Example Health Centre")
    i["scope_agencies"].add_button.click()
    i["scope_agencies"].rows[1].findChildren(QLineEdit)[0].setText(ODD)
    i["scope_information"].setPlainText("Attendance and the teacher's observations")
    assert not editor.save_button.isEnabled()
    i["scope_purposes"].rows[0].findChildren(QLineEdit)[0].setText("Support the family plan")
    assert rules(editor) == set() and editor.save_button.isEnabled()

    with qtbot.waitSignal(editor.saved, timeout=WAIT_MS):
        editor.save_button.click()
    (item,) = cases.consent_position(admin_store, case_id=case_id)
    assert item.standing.standing is Standing.CURRENT
    assert item.record.decision.scope_agencies == ["Example Health Centre", ODD]


def test_a_withdrawal_must_choose_the_consent_it_ends(qtbot, admin_store, case_id, confirm_yes):
    """Only the person's standing consents are offered; saved naming none, the withdrawal
    is refused with a finding that says so; naming one, the consent is withdrawn."""
    now = utcnow()
    parent = records.record_consent_decision(
        admin_store, case_id=case_id, draft=complete_consent_decision(
            occurred_at=now - timedelta(days=20), valid_until=date(2027, 4, 19)),
    )  # fmt: skip
    child = records.record_consent_decision(
        admin_store, case_id=case_id, draft=complete_consent_decision(
            asked=ConsentFrom.CHILD, asked_name="Testy", occurred_at=now - timedelta(days=9)),
    )  # fmt: skip
    refusal = records.record_consent_decision(
        admin_store, case_id=case_id, draft=complete_consent_decision(
            outcome=ConsentOutcome.REFUSED, scope_agencies=[], scope_purposes=[],
            occurred_at=now - timedelta(days=8)),
    )  # fmt: skip
    editor = ConsentDecisionEditor(admin_store, case_id, autosave_interval_ms=NEVER_MS)
    qtbot.addWidget(editor)
    i = editor.form.inputs
    ends = i["supersedes_ids"]
    choose(i["asked"], ConsentFrom.PARENT_CARER)
    i["asked_name"].setText("Chris Example (parent)")
    choose(i["outcome"], ConsentOutcome.WITHDRAWN)
    i["occurred_at"].now_button.click()
    choose(i["how"], ConsentHow.VERBAL)
    assert editor.form.groups["Scope and limits"].isHidden()
    assert not ends.isHidden()
    assert list(ends.labels()) == [parent.record_id]  # not the child's, not the refusal
    (label,) = ends.labels().values()
    assert label.startswith("Explicit consent given, Parent or carer: Chris Example (parent)")
    assert label.endswith("(current, valid until 19 Apr 2027)")
    assert parent.record_id[:8] not in label
    assert editor.form.rows["supersedes_ids"].label.text().startswith("Consent this withdrawal")

    assert rules(editor) == {"CONSENT_ENDS"}
    assert not editor.save_button.isEnabled()
    (finding,) = [f for f in editor.findings if f.rule_id == "CONSENT_ENDS"]
    assert "ends nothing" in finding.message
    with pytest.raises(ChecklistRefused):  # the service refuses it too
        records.record_consent_decision(admin_store, case_id=case_id, draft=editor.form.draft())

    ends.boxes[parent.record_id].click()
    assert ends.value() == [parent.record_id]
    assert rules(editor) == set() and editor.save_button.isEnabled()
    with qtbot.waitSignal(editor.saved, timeout=2000):
        editor.save_button.click()
    standing = {
        p.record_id: p.standing.standing
        for p in cases.consent_position(admin_store, case_id=case_id)
    }
    assert standing == {
        parent.record_id: Standing.WITHDRAWN,
        child.record_id: Standing.CURRENT,
        refusal.record_id: Standing.REFUSED,
        editor.record_id: Standing.WITHDRAWN,
    }


def test_changing_who_was_asked_keeps_what_was_ticked(qtbot, admin_store, case_id):
    given = records.record_consent_decision(
        admin_store, case_id=case_id, draft=complete_consent_decision()
    )
    form = ConsentDecisionForm(records.case_consents(admin_store, case_id=case_id))
    qtbot.addWidget(form)
    choose(form.inputs["outcome"], ConsentOutcome.WITHDRAWN)
    ends = form.inputs["supersedes_ids"]
    ends.boxes[given.record_id].click()
    choose(form.inputs["asked"], ConsentFrom.CHILD)  # not the person who gave it
    assert ends.value() == [given.record_id]
    assert ends.boxes[given.record_id].isChecked()
    assert form.draft().supersedes_ids == [given.record_id]


def test_clicking_a_consent_finding_focuses_its_field(qtbot, admin_store, case_id):
    editor = ConsentDecisionEditor(admin_store, case_id, autosave_interval_ms=NEVER_MS)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    findings = editor.panel.list
    findings.itemActivated.emit(findings.item_for("CONSENT_OUTCOME"))
    assert editor.focusWidget() is editor.form.inputs["outcome"]


@pytest.fixture
def shared_record(admin_store, case_id) -> str:
    return records.record_sharing_decision(
        admin_store, case_id=case_id, draft=complete_sharing_decision()
    ).record_id


def test_amending_a_shared_record_asks_whether_recipients_were_told(
    qtbot, admin_store, case_id, shared_record, confirm_yes
):
    dialog = AmendmentDialog(admin_store, shared_record, autosave_interval_ms=NEVER_MS)
    qtbot.addWidget(dialog)
    editor, form = dialog.editor, dialog.editor.form
    assert "Shared with" in form.about.text()
    assert not form.rows["recipients_told"].isHidden()
    assert rules(editor) == {"AMENDMENT_TEXT", "AMENDMENT_REASON", "RECIPIENTS_TOLD"}
    qtbot.keyClicks(form.text, "The meeting was on 3 March, not 4 March")
    choose(form.reason, AmendmentReason.CORRECTION_OF_FACT)
    assert not editor.save_button.isEnabled()
    assert rules(editor) == {"RECIPIENTS_TOLD"}
    choose(form.recipients_told, False)
    assert rules(editor) == set()
    assert editor.panel.list.item_for("RECIPIENTS_NOT_TOLD") is not None  # advisory shown
    assert editor.save_button.isEnabled()

    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS) as signal:
        editor.save_button.click()
    assert dialog.result() == AmendmentDialog.DialogCode.Accepted
    detail = cases.record_detail(admin_store, record_id=shared_record)
    (amendment,) = detail.amendments
    assert amendment.record_id == signal.args[0]
    assert amendment.content.recipients_told is False


def test_amending_a_record_that_was_not_shared_hides_the_recipients_question(
    qtbot, admin_store, case_id, confirm_yes
):
    consent = records.record_consent_decision(
        admin_store, case_id=case_id, draft=complete_consent_decision()
    )
    dialog = AmendmentDialog(admin_store, consent.record_id, autosave_interval_ms=NEVER_MS)
    qtbot.addWidget(dialog)
    form = dialog.editor.form
    assert form.rows["recipients_told"].isHidden()
    form.text.setPlainText("The consent was given at the school office")
    choose(form.reason, AmendmentReason.ADDITIONAL_INFORMATION)
    dialog.editor.evaluate()
    dialog.editor.save_button.click()
    kinds = [e.kind for e in cases.chronology(admin_store, case_id=case_id)]
    assert kinds.count(RecordKind.AMENDMENT) == 1


def test_closing_the_amendment_dialog_keeps_a_draft_that_resumes(qtbot, admin_store, shared_record):
    dialog = AmendmentDialog(admin_store, shared_record, autosave_interval_ms=NEVER_MS)
    qtbot.addWidget(dialog)
    dialog.editor.form.text.setPlainText(ODD)
    dialog.reject()
    (summary,) = drafts.list_drafts(admin_store)
    assert summary.target_id == shared_record and summary.kind == RecordKind.AMENDMENT.value
    again = AmendmentDialog(
        admin_store, shared_record, summary.draft_id, autosave_interval_ms=NEVER_MS
    )
    qtbot.addWidget(again)
    assert again.editor.form.text.value() == ODD
    assert again.editor.draft() == dialog.editor.draft()
