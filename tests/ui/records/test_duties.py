"""Issue 11 section 4 through the real screens: the duty to share (a recipient's type of
organisation, the detriment when a duty-holder is not given everything), agreement to a
service kept apart from consent to share, and identities protected. Each flow fills the
sharing form's own widgets, saves through the editor, then reads the details pane and the
printed summary (text extracted with pypdf)."""

from __future__ import annotations

import pytest

from infoshare_desktop.domain import (
    ConsentStatus,
    InfoCategory,
    OrganisationType,
    Recipient,
    ServiceAgreement,
    SharingDecisionDraft,
    SharingKind,
    blocking,
)
from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.services import accounts, cases, printing
from infoshare_desktop.services.printing import SummaryOptions
from infoshare_desktop.ui.common.fields import RecipientListEditor
from infoshare_desktop.ui.records import SharingDecisionEditor
from infoshare_desktop.ui.records.record_details import RecordDetailsView
from tests.domain.factories import complete_sharing_decision
from tests.reports.conftest import flat, page_texts
from tests.ui.conftest import WAIT_MS
from tests.ui.records.conftest import NEVER_MS
from tests.ui.records.flows import choose

S11 = OrganisationType.SECTION_11_BODY
DETRIMENT = "Disclosing the refuge's address to the school would let the father find the child"
PROTECTED = "The mother's new address and the refuge's name, withheld from the father"


@pytest.fixture
def editor(qtbot, admin_store, case_id) -> SharingDecisionEditor:
    widget = SharingDecisionEditor(admin_store, case_id, autosave_interval_ms=NEVER_MS)
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def lead(admin_store, data_paths):
    """A team lead, who may print the case summary."""
    code = accounts.add_user(
        admin_store, username="tia.lead", display_name="Tia Lead", roles={Role.TEAM_LEAD}
    )
    store = accounts.sign_in(
        data_paths, username="tia.lead", password=code, new_password="harbour lantern meadow"
    )
    yield store
    store.close()


def rules_now(editor: SharingDecisionEditor) -> tuple[set[str], set[str]]:
    """(blocking rule ids, every rule id) as the editor's checklist shows them now."""
    findings = editor.evaluate()
    return {f.rule_id for f in blocking(findings)}, {f.rule_id for f in findings}


def shown(editor: SharingDecisionEditor, name: str) -> bool:
    return editor.form.rows[name].isVisibleTo(editor.form)


def save(qtbot, editor: SharingDecisionEditor) -> str:
    assert editor.save_button.isEnabled()
    with qtbot.waitSignal(editor.saved, timeout=WAIT_MS) as signal:
        editor.save_button.click()
    return signal.args[0]


def details_text(qtbot, store, record_id: str) -> str:
    view = RecordDetailsView()
    qtbot.addWidget(view)
    view.show_detail(cases.record_detail(store, record_id=record_id))
    return flat(view.toPlainText())


def pdf_text(lead, case_id: str, *, redact: bool) -> str:
    data = printing.build_case_summary(lead, case_id=case_id, options=SummaryOptions(redact=redact))
    return flat(" ".join(page_texts(data)))


def test_a_duty_holder_not_given_the_information_needs_the_detriment_written(
    qtbot, editor, admin_store, case_id, lead, confirm_yes
):
    editor.show()
    qtbot.waitExposed(editor)
    editor.set_draft(complete_sharing_decision(SharingKind.NOT_SHARED))
    recipients = editor.form.inputs["recipients"]
    assert isinstance(recipients, RecipientListEditor)
    (row,) = recipients.rows
    combo = recipients.type_combo(row)
    assert combo.accessibleName() == "Recipient 1: type of organisation"
    assert not shown(editor, "duty_detriment")  # "another organisation": no duty

    choose(combo, S11)
    editor.form.update_conditions()
    assert shown(editor, "duty_detriment")
    assert "more detrimental to the child" in editor.form.rows["duty_detriment"].label.text()
    blocked, _ = rules_now(editor)
    assert blocked == {"DUTY_DETRIMENT"} and not editor.save_button.isEnabled()

    qtbot.keyClicks(editor.form.inputs["duty_detriment"], DETRIMENT)
    blocked, _ = rules_now(editor)
    assert blocked == set()
    record_id = save(qtbot, editor)

    saved = cases.record_detail(admin_store, record_id=record_id).content
    assert isinstance(saved, SharingDecisionDraft)
    assert saved.recipients[0].organisation_type is S11 and saved.duty_detriment == DETRIMENT
    text = details_text(qtbot, admin_store, record_id)
    assert f"Type of organisation: {S11.label}" in text
    assert f"Why disclosure would be more detrimental to the child: {DETRIMENT}" in text
    pdf = pdf_text(lead, case_id, redact=True)
    assert f"type of organisation: {S11.label}" in pdf
    assert DETRIMENT in pdf


def test_a_recipient_saved_before_the_type_was_asked_reads_not_recorded(
    qtbot, editor, admin_store, case_id, lead, confirm_yes
):
    old = complete_sharing_decision().to_dict()
    for recipient in old["recipients"]:
        del recipient["organisation_type"]  # as a record saved before this release
    draft = SharingDecisionDraft.from_dict(old)
    assert draft.recipients[0].organisation_type is None
    editor.set_draft(draft)
    recipients = editor.form.inputs["recipients"]
    assert recipients.type_combo(recipients.rows[0]).currentText() == "Not recorded"
    blocked, found = rules_now(editor)
    assert "RECIPIENT_TYPE" in found and blocked == set()  # advisory: it still saves
    record_id = save(qtbot, editor)
    assert "Type of organisation: Not recorded" in details_text(qtbot, admin_store, record_id)
    assert "type of organisation: not recorded" in pdf_text(lead, case_id, redact=True)


def test_agreement_to_a_service_is_asked_apart_from_consent_and_flagged_when_taken_for_it(
    qtbot, editor, admin_store, case_id, lead, confirm_yes
):
    editor.set_draft(complete_sharing_decision())
    form = editor.form
    assert "not consent to share" in form.rows["service_agreement"].label.text()
    assert "consent to share this information" in form.rows["consent_status"].label.text()
    assert form.rows["service_agreement"].help is not None
    assert "not consent to share" in form.rows["service_agreement"].help.text()

    choose(form.inputs["service_agreement"], ServiceAgreement.AGREED)
    choose(form.inputs["consent_status"], ConsentStatus.IMPLIED)
    blocked, found = rules_now(editor)
    assert "SERVICE_NOT_CONSENT" in found and blocked == set()
    item = editor.panel.findings_list.item_for("SERVICE_NOT_CONSENT")
    assert item is not None and "is not consent to share" in item.text()

    choose(form.inputs["consent_status"], ConsentStatus.EXPLICIT)  # consent to share itself
    _, found = rules_now(editor)
    assert "SERVICE_NOT_CONSENT" not in found
    record_id = save(qtbot, editor)

    text = details_text(qtbot, admin_store, record_id)
    label = "Agreement to a service (not consent to share)"
    assert f"{label}: {ServiceAgreement.AGREED.label}" in text
    assert "Consent to share: Explicit consent given" in text
    pdf = pdf_text(lead, case_id, redact=True)
    assert f"{label}: {ServiceAgreement.AGREED.label}" in pdf


def test_identities_protected_are_asked_printed_and_redacted(
    qtbot, editor, admin_store, case_id, lead, confirm_yes
):
    editor.set_draft(complete_sharing_decision(categories=[InfoCategory.THIRD_PARTY]))
    form = editor.form
    _, found = rules_now(editor)
    assert "THIRD_PARTY" in found  # third-party details shared: asks the question
    assert not shown(editor, "protected_identities")

    choose(form.inputs["identities_protected"], True)
    form.update_conditions()
    assert shown(editor, "protected_identities")
    blocked, found = rules_now(editor)
    assert blocked == {"IDENTITIES_PROTECTED"} and "THIRD_PARTY" not in found
    qtbot.keyClicks(form.inputs["protected_identities"], PROTECTED)
    assert rules_now(editor)[0] == set()
    record_id = save(qtbot, editor)

    text = details_text(qtbot, admin_store, record_id)
    assert "Identities protected: Yes" in text
    assert f"Whose details were withheld from whom: {PROTECTED}" in text
    assert PROTECTED in pdf_text(lead, case_id, redact=False)
    redacted = pdf_text(lead, case_id, redact=True)
    assert PROTECTED not in redacted and "[redacted: third-party details]" in redacted


def test_protected_identities_are_redacted_even_without_the_third_party_box(
    admin_store, case_id, lead
):
    from infoshare_desktop.services import records

    draft = complete_sharing_decision(identities_protected=True, protected_identities=PROTECTED)
    assert draft.categories == [InfoCategory.GENERAL_PERSONAL]
    records.record_sharing_decision(admin_store, case_id=case_id, draft=draft)
    redacted = pdf_text(lead, case_id, redact=True)
    assert PROTECTED not in redacted and "[redacted: third-party details]" in redacted


def test_the_type_round_trips_through_the_recipients_widget(qtbot):
    widget = RecipientListEditor("recipient")
    qtbot.addWidget(widget)
    given = [
        Recipient(name="A", organisation="Example School", organisation_type=t)
        for t in (*OrganisationType, None)
    ]
    widget.set_value(given)
    assert widget.value() == given
    only_type = RecipientListEditor("recipient")
    qtbot.addWidget(only_type)
    only_type.set_value([])
    choose(only_type.type_combo(only_type.rows[0]), OrganisationType.CONTRACTOR)
    assert only_type.value() == [Recipient(organisation_type=OrganisationType.CONTRACTOR)]
