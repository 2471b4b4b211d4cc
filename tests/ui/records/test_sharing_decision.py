"""The sharing decision form and editor, driven through their real widgets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QPlainTextEdit

from infoshare_desktop.domain import (
    ConsentFrom,
    ConsentOutcome,
    ConsentStatus,
    Criterion,
    Ground,
    InfoCategory,
    Initiation,
    Method,
    NotSoughtReason,
    PublicInterestCircumstance,
    Recipient,
    SharingDecisionDraft,
    SharingKind,
    Urgency,
    blocking,
    utcnow,
)
from infoshare_desktop.services import cases, drafts, records
from infoshare_desktop.services.errors import DiskFullError
from infoshare_desktop.ui.common.fields import focus_chain
from infoshare_desktop.ui.records import SharingDecisionEditor, SharingDecisionForm
from tests.domain.factories import (
    complete_consent_decision,
    complete_sharing_decision,
)
from tests.ui.conftest import WAIT_MS
from tests.ui.records.conftest import NEVER_MS
from tests.ui.records.flows import choose, fill_refused_consent_decision

ODD = "Zoë Łukasiewicz-O’Brien 👩‍👧 東京 Ωμέγα — “quoted” \u200d tab\tend"


@pytest.fixture
def editor(qtbot, admin_store, case_id) -> SharingDecisionEditor:
    widget = SharingDecisionEditor(admin_store, case_id, autosave_interval_ms=NEVER_MS)
    qtbot.addWidget(widget)
    return widget


def test_a_complete_draft_round_trips_through_the_form(qtbot):
    form = SharingDecisionForm()
    qtbot.addWidget(form)
    for kind in SharingKind:
        draft = complete_sharing_decision(kind)
        form.set_draft(draft)
        assert form.draft() == draft


def test_every_field_round_trips_including_conditional_and_odd_text(qtbot):
    form = SharingDecisionForm()
    qtbot.addWidget(form)
    draft = complete_sharing_decision(
        SharingKind.SHARED_IN_PART,
        initiation=Initiation.ON_REQUEST,
        requester_name=ODD,
        requester_organisation="Example Police",
        request_details="Line one\nline two",
        requester_identity_checked=False,
        requester_told_reasons=True,
        occurred_at=utcnow() - timedelta(days=3, seconds=7, microseconds=11),
        late_entry_reason="Entered on return from leave",
        urgency=Urgency.EMERGENCY,
        recipients=[
            Recipient(name=ODD, role="DS", organisation="Example Police"),
            Recipient(name="", role="Duty desk", organisation="Example Council"),
        ],
        categories=[InfoCategory.THIRD_PARTY, InfoCategory.HEALTH],
        consent_status=ConsentStatus.NOT_SOUGHT,
        consent_from=ConsentFrom.CHILD,
        child_competence_considered=True,
        consent_decision_id="missing-consent-id",
        not_sought_reasons=[NotSoughtReason.OTHER, NotSoughtReason.RISK_TO_CHILD],
        not_sought_other="Other reason",
        grounds=[Ground.OTHER, Ground.STATUTORY_DUTY, Ground.COURT_ORDER],
        ground_references={"other": "x", "statutory_duty": "CA 1989 s47", "court_order": "Z1"},
        public_interest=[PublicInterestCircumstance.REASONABLE_CAUSE_TO_BELIEVE],
        individual_told=False,
        not_told_reason="Telling them would be unsafe",
        in_doubt=True,
        advice_sought=True,
        advice_from_role="DSL",
        advice_when=utcnow() - timedelta(hours=2),
        advice_outcome="Share",
        advice_identity_withheld=True,
        no_time_for_advice_reason="n/a",
        method=Method.OTHER,
        method_other="Hand delivered",
        channel_secure=False,
        insecure_reason="Emergency",
        recipient_verified=False,
        significant_harm_concern=True,
    )
    form.set_draft(draft)
    assert form.draft() == draft


def test_fields_appear_only_when_they_apply(qtbot):
    form = SharingDecisionForm()
    qtbot.addWidget(form)
    i, rows = form.inputs, form.rows

    def shown(name: str) -> bool:
        return not rows[name].isHidden()

    assert not shown("requester_name")
    choose(i["initiation"], Initiation.ON_REQUEST)
    assert shown("requester_name") and shown("request_details")
    assert not shown("requester_told_reasons")
    choose(i["kind"], SharingKind.NOT_SHARED)
    assert shown("requester_told_reasons") and shown("weighing")

    choose(i["kind"], SharingKind.RECEIVED)
    assert form.groups[3].title() == "3. Source"
    assert rows["recipients"].label.text() == "Who the information came from"
    assert i["recipients"].add_button.text() == "Add another source"
    choose(i["kind"], SharingKind.SHARED)
    assert form.groups[3].title() == "3. Recipients" and form.groups[8].isHidden()

    for status in (ConsentStatus.REFUSED, ConsentStatus.WITHDRAWN, ConsentStatus.NOT_SOUGHT):
        choose(i["consent_status"], status)
        assert shown("public_interest") and shown("weighing") and not form.groups[8].isHidden()
    assert shown("not_sought_reasons") and not shown("not_sought_other")
    i["not_sought_reasons"].boxes[NotSoughtReason.OTHER].click()
    assert shown("not_sought_other")
    choose(i["consent_status"], ConsentStatus.EXPLICIT)
    assert not shown("public_interest") and not shown("not_sought_reasons")
    assert shown("consent_decision_id") and shown("consent_purpose")

    assert not shown("insecure_reason")
    choose(i["channel_secure"], False)
    assert shown("insecure_reason")
    choose(i["channel_secure"], True)
    assert not shown("insecure_reason")

    assert not shown("ground_references.statutory_duty")
    i["grounds"].boxes[Ground.STATUTORY_DUTY].click()
    assert shown("ground_references.statutory_duty") and not shown("ground_references.court_order")

    i["occurred_at"].set_value(utcnow() - timedelta(hours=2))
    form.update_conditions()
    assert not shown("late_entry_reason")
    i["occurred_at"].set_value(utcnow() - timedelta(hours=25))
    form.update_conditions()
    assert shown("late_entry_reason")

    choose(i["individual_told"], False)
    assert shown("not_told_reason") and not shown("told_details")
    choose(i["advice_sought"], True)
    assert shown("advice_from_role") and not shown("no_time_for_advice_reason")


def test_grounds_show_their_legal_basis_for_confirmation(qtbot):
    form = SharingDecisionForm()
    qtbot.addWidget(form)
    for ground, box in form.inputs["grounds"].boxes.items():
        assert box.accessibleDescription() == f"Legal basis: {ground.legal_basis}"
        assert ground.legal_basis in box.toolTip()


def test_whole_flow_consent_refused_blocks_until_justified_then_saves(
    qtbot, editor, admin_store, case_id, confirm_yes
):
    assert not editor.save_button.isEnabled()
    assert "to complete before saving" in editor.status.text()
    assert "to complete before saving" in editor.save_button.toolTip()
    fill_refused_consent_decision(qtbot, editor)
    assert editor.status.text().startswith("Ready to save")

    with qtbot.waitSignal(editor.saved, timeout=WAIT_MS) as signal:
        editor.save_button.click()
    assert confirm_yes == ["save"]
    (entry,) = cases.chronology(admin_store, case_id=case_id)
    assert entry.record_id == signal.args[0] == editor.record_id
    assert entry.subkind == SharingKind.SHARED.value
    detail = cases.record_detail(admin_store, record_id=entry.record_id)
    assert detail.content.consent_status is ConsentStatus.REFUSED
    assert detail.content.public_interest == [PublicInterestCircumstance.SUFFERING_SIGNIFICANT_HARM]
    assert not editor.save_button.isEnabled()


def test_edits_are_rechecked_after_a_short_pause(qtbot, editor):
    editor.set_draft(complete_sharing_decision(reasons=""))
    editor.evaluate()
    assert not editor.save_button.isEnabled()
    qtbot.keyClicks(editor.form.inputs["reasons"], "Shared to support the agreed plan today")
    assert not editor.save_button.isEnabled()  # debounced, not yet re-checked
    qtbot.waitUntil(editor.save_button.isEnabled, timeout=WAIT_MS)


def test_cancelling_the_confirmation_saves_nothing(
    qtbot, editor, admin_store, case_id, monkeypatch
):
    monkeypatch.setattr(SharingDecisionEditor, "confirm_save", lambda self: False)
    editor.set_draft(complete_sharing_decision())
    editor.evaluate()
    editor.save_button.click()
    assert editor.record_id is None
    assert cases.chronology(admin_store, case_id=case_id) == []


def test_clicking_or_entering_a_finding_focuses_its_field(qtbot, editor):
    editor.resize(1366, 768)
    editor.show()
    qtbot.waitExposed(editor)
    editor.set_draft(complete_sharing_decision(reasons="", criteria={}))
    editor.evaluate()
    findings = editor.panel.findings_list
    item = findings.item_for("REASONS")
    findings.scrollToItem(item)
    qtbot.mouseClick(
        findings.viewport(), Qt.MouseButton.LeftButton, pos=findings.visualItemRect(item).center()
    )
    assert editor.focusWidget() is editor.form.inputs["reasons"]

    findings.setFocus()
    findings.setCurrentItem(findings.item_for("CRITERIA"))
    qtbot.keyClick(findings, Qt.Key.Key_Return)
    assert editor.focusWidget() is editor.panel.boxes[Criterion.NECESSARY].check_box

    assert editor.form.focus_field("recipients")
    assert (
        editor.focusWidget() is editor.form.inputs["recipients"].rows[0].findChildren(QLineEdit)[0]
    )


def test_autosave_keeps_a_draft_and_a_new_editor_resumes_it(qtbot, admin_store, case_id):
    editor = SharingDecisionEditor(admin_store, case_id, autosave_interval_ms=50)
    qtbot.addWidget(editor)
    i = editor.form.inputs
    choose(i["kind"], SharingKind.RECEIVED)
    i["purpose"].setPlainText(ODD)
    qtbot.keyClicks(i["reasons"], "Typed before the lock")
    i["recipients"].add_button.click()
    i["recipients"].rows[1].findChildren(QLineEdit)[2].setText(ODD)
    editor.panel.boxes[Criterion.TIMELY].rationale.setText(ODD)
    with qtbot.waitSignal(editor.draft_saved, timeout=WAIT_MS) as signal:
        pass
    typed = editor.draft()
    (summary,) = drafts.list_drafts(admin_store, case_id=case_id)
    assert summary.draft_id == signal.args[0] == editor.draft_id

    resumed = SharingDecisionEditor(
        admin_store, case_id, draft_id=editor.draft_id, autosave_interval_ms=NEVER_MS
    )
    qtbot.addWidget(resumed)
    assert resumed.draft() == typed
    assert resumed.draft().purpose == ODD
    assert resumed.form.groups[3].title() == "3. Source"
    assert not resumed.has_unsaved_changes


def test_save_draft_now_keeps_typing_and_saving_the_record_removes_the_draft(
    qtbot, editor, admin_store, case_id, confirm_yes
):
    assert editor.save_draft_now() is None  # nothing typed: no empty draft is kept
    editor.form.inputs["reasons"].setPlainText("Half-finished when the screen locked")
    draft_id = editor.save_draft_now()
    assert draft_id and [d.draft_id for d in drafts.list_drafts(admin_store)] == [draft_id]
    editor.set_draft(complete_sharing_decision())
    editor.evaluate()
    editor.save_button.click()
    assert editor.record_id is not None
    assert drafts.list_drafts(admin_store) == []


def test_a_refused_save_shows_why_and_keeps_everything_typed(
    qtbot, editor, admin_store, case_id, confirm_yes, monkeypatch
):
    draft = complete_sharing_decision(reasons=ODD + " and the reasons in full")
    editor.set_draft(draft)
    editor.evaluate()

    def disk_full(*_args, **_kwargs):
        raise DiskFullError()

    monkeypatch.setattr(records, "record_sharing_decision", disk_full)
    editor.save_button.click()
    assert not editor.message.isHidden()
    assert "disk is full" in editor.message.text()
    assert editor.draft() == draft
    assert editor.record_id is None and editor.save_button.isEnabled()
    assert cases.chronology(admin_store, case_id=case_id) == []


def test_text_the_service_rejects_is_shown_and_its_field_focused(qtbot, editor, confirm_yes):
    editor.show()
    qtbot.waitExposed(editor)
    editor.set_draft(complete_sharing_decision(purpose="Bad \x00 text in the purpose field"))
    editor.evaluate()
    editor.save_button.click()
    assert editor.record_id is None
    assert not editor.message.isHidden()
    assert editor.focusWidget() is editor.form.inputs["purpose"]


def test_the_consent_relied_on_is_offered_and_read_once(qtbot, admin_store, case_id, monkeypatch):
    consent = records.record_consent_decision(
        admin_store, case_id=case_id, draft=complete_consent_decision()
    )
    reads = []
    real = records.case_consents
    monkeypatch.setattr(records, "case_consents", lambda *a, **k: reads.append(k) or real(*a, **k))
    editor = SharingDecisionEditor(admin_store, case_id, autosave_interval_ms=NEVER_MS)
    qtbot.addWidget(editor)
    combo = editor.form.inputs["consent_decision_id"]
    assert combo.count() == 2 and combo.itemData(1) == consent.record_id
    assert combo.itemText(1).startswith("Explicit consent given, Parent or carer: Chris Example")
    assert "(current, valid until" in combo.itemText(1)
    editor.set_draft(
        complete_sharing_decision(
            consent_decision_id=consent.record_id,
            recipients=[Recipient(name="Al Example", organisation="Not Covered Ltd")],
        )
    )
    for _ in range(5):
        rules = {f.rule_id for f in blocking(editor.evaluate())}
    assert rules == {"CONSENT_SCOPE"} and len(reads) == 1
    purposes = editor.form.inputs["consent_purpose"]
    assert [purposes.itemText(n) for n in range(purposes.count())] == list(
        complete_consent_decision().scope_purposes
    )


def test_the_pick_list_offers_what_stood_when_the_sharing_happened(qtbot, admin_store, case_id):
    now = utcnow()
    given = records.record_consent_decision(
        admin_store, case_id=case_id,
        draft=complete_consent_decision(occurred_at=now - timedelta(days=10)),
    )  # fmt: skip
    records.record_consent_decision(
        admin_store, case_id=case_id, draft=complete_consent_decision(
            outcome=ConsentOutcome.WITHDRAWN, supersedes_ids=[given.record_id], scope_agencies=[],
            scope_purposes=[], scope_information="", occurred_at=now - timedelta(days=2)),
    )  # fmt: skip
    editor = SharingDecisionEditor(admin_store, case_id, autosave_interval_ms=NEVER_MS)
    qtbot.addWidget(editor)
    form = editor.form
    editor.set_draft(complete_sharing_decision(occurred_at=now - timedelta(hours=1)))
    combo = form.inputs["consent_decision_id"]
    assert combo.count() == 1  # withdrawn now: not offered for new sharing
    form.inputs["occurred_at"].set_value(now - timedelta(days=5))
    form.inputs["reasons"].setPlainText("Late entry of a sharing from last week")  # an edit
    assert combo.count() == 2 and combo.itemData(1) == given.record_id
    assert "at that time" in combo.itemText(1) and "current" in combo.itemText(1)
    combo.setCurrentIndex(1)
    form.inputs["occurred_at"].set_value(now - timedelta(hours=1))
    form.inputs["reasons"].setPlainText("No: it happened today, after the withdrawal")
    assert combo.value() == given.record_id  # the choice is kept, never changed silently
    assert "withdrawn on" in combo.currentText()
    (scope,) = [f for f in editor.evaluate() if f.rule_id == "CONSENT_SCOPE"]
    assert "withdrawn on" in scope.message


def test_discard_asks_then_removes_the_draft_and_empties_the_form(
    qtbot, editor, admin_store, confirm_yes
):
    editor.form.inputs["reasons"].setPlainText("Started by mistake")
    editor.save_draft_now()
    with qtbot.waitSignal(editor.discarded, timeout=WAIT_MS):
        editor.discard_button.click()
    assert confirm_yes == ["discard"]
    assert drafts.list_drafts(admin_store) == []
    assert editor.draft() == SharingDecisionDraft()


def test_every_input_has_an_accessible_name_and_tab_follows_the_form(qtbot, editor):
    editor.set_draft(complete_sharing_decision(initiation=Initiation.ON_REQUEST))
    inputs = (QLineEdit, QPlainTextEdit, QComboBox, QCheckBox)
    chain = [w for w in focus_chain(editor) if isinstance(w, inputs)]
    assert len(chain) > 60
    unnamed = [w for w in chain if not w.accessibleName()]
    assert unnamed == []
    editor.show()
    qtbot.waitExposed(editor)
    i = editor.form.inputs
    i["kind"].setFocus()
    qtbot.keyClick(editor.focusWidget(), Qt.Key.Key_Tab)
    assert editor.focusWidget() is i["initiation"]
    i["recipients"].add_button.click()  # a row added later still tabs in visual order
    first, *_ = i["recipients"].rows[-1].findChildren(QLineEdit)
    assert editor.focusWidget() is first
    qtbot.keyClick(first, Qt.Key.Key_Tab)
    assert editor.focusWidget() is i["recipients"].rows[-1].findChildren(QLineEdit)[1]


def test_the_editor_fits_1366x768_at_the_large_text_size(qtbot, admin_store, case_id, qapp):
    font = qapp.font()
    large = font.__class__(font)
    large.setPointSize(14)
    qapp.setFont(large)
    try:
        editor = SharingDecisionEditor(admin_store, case_id, autosave_interval_ms=NEVER_MS)
        qtbot.addWidget(editor)
        editor.set_draft(complete_sharing_decision())
        hint = editor.minimumSizeHint()
        assert hint.width() <= 1366 and hint.height() <= 700
    finally:
        qapp.setFont(font)


def test_a_check_box_has_wrapped_words_that_tick_it_and_name_it(qtbot, editor):
    """A check box's own text does not wrap, so a long one widened the form at 200% text:
    its words are a wrapped label beside it, which still ticks it when clicked, is
    underlined while it has the focus, and is its accessible name."""
    from infoshare_desktop.ui.common.fields import FieldRow, WrappingLabel

    box = editor.form.inputs["significant_harm_concern"]
    assert isinstance(box, QCheckBox) and box.text() == ""
    assert box.accessibleName() == "There is a concern about significant harm"
    (row,) = [r for r in editor.findChildren(FieldRow) if r.field_widget is box]
    assert isinstance(row.words, WrappingLabel) and row.words.wordWrap()
    assert row.words.text() == box.accessibleName() and row.words.buddy() is box
    editor.show()
    editor.activateWindow()
    qtbot.waitActive(editor)
    qtbot.mouseClick(row.words, Qt.MouseButton.LeftButton)
    assert box.isChecked() and editor.draft().significant_harm_concern is True
    qtbot.waitUntil(box.hasFocus, timeout=10_000)
    assert row.words.font().underline()
    qtbot.mouseClick(row.words, Qt.MouseButton.LeftButton)
    assert not box.isChecked()
    editor.form.inputs["reasons"].setFocus()
    assert not row.words.font().underline()
