"""Filling the record forms the way a practitioner does, shared by the forms' own tests
and the whole-application flow."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLineEdit

from infoshare_desktop.domain import (
    Confidentiality,
    ConsentFrom,
    ConsentStatus,
    Criterion,
    FactOrOpinion,
    Ground,
    InfoCategory,
    Initiation,
    Method,
    PublicInterestCircumstance,
    SharingKind,
    Urgency,
    blocking,
)
from infoshare_desktop.ui.records import SharingDecisionEditor
from tests.domain.factories import RATIONALES


def choose(combo: QComboBox, value: object) -> None:
    """Pick ``value`` (an enum member, True/False) the way a user would."""
    index = combo.findData(getattr(value, "value", value))
    assert index >= 0, value
    combo.setCurrentIndex(index)


def blocking_rules(editor: SharingDecisionEditor) -> set[str]:
    return {f.rule_id for f in blocking(editor.evaluate())}


def fill_refused_consent_decision(
    qtbot,
    editor: SharingDecisionEditor,
    *,
    reasons: str = "Shared without consent because the child is at risk",
) -> None:
    """A decision to share where consent was refused, checking at each step that Save
    stays blocked until the public-interest circumstance, the weighing, transparency,
    the method and all seven rationales are filled in."""
    i, panel = editor.form.inputs, editor.panel
    choose(i["kind"], SharingKind.SHARED)
    choose(i["initiation"], Initiation.PROACTIVE)
    i["occurred_at"].now_button.click()
    choose(i["urgency"], Urgency.URGENT)
    i["purpose"].setPlainText("To protect the child from the risk described by the school")
    name, _role, organisation = i["recipients"].rows[0].findChildren(QLineEdit)
    name.setText("Jo Example")
    organisation.setText("Example Borough Children's Services")
    i["information_shared"].setPlainText("The disclosure made to the class teacher today")
    i["categories"].boxes[InfoCategory.GENERAL_PERSONAL].click()
    choose(i["fact_or_opinion"], FactOrOpinion.FACT)
    choose(i["could_less_be_shared"], False)
    choose(i["confidentiality"], Confidentiality.YES)
    choose(i["consent_status"], ConsentStatus.REFUSED)
    choose(i["consent_from"], ConsentFrom.PARENT_CARER)
    i["grounds"].boxes[Ground.SIGNIFICANT_HARM].click()
    qtbot.keyClicks(i["reasons"], reasons)

    assert blocking_rules(editor) == {
        "OVERRIDE_JUSTIFIED",
        "TRANSPARENCY",
        "SECURE_METHOD",
        "CRITERIA",
    }
    assert editor.status.text() == "12 items to complete before saving."
    i["public_interest"].boxes[PublicInterestCircumstance.SUFFERING_SIGNIFICANT_HARM].click()
    assert "OVERRIDE_JUSTIFIED" in blocking_rules(editor)  # the weighing is still missing
    i["weighing"].setPlainText(
        "If shared, the child can be protected today; if not, the harm may continue unseen"
    )
    assert "OVERRIDE_JUSTIFIED" not in blocking_rules(editor)
    choose(i["individual_told"], False)
    assert "TRANSPARENCY" in blocking_rules(editor)
    i["not_told_reason"].setPlainText("Telling the parent first would put the child at risk")
    choose(i["method"], Method.SECURE_EMAIL)
    choose(i["channel_secure"], True)
    assert blocking_rules(editor) == {"CRITERIA"}
    for criterion in Criterion:
        assert not editor.save_button.isEnabled()
        box = panel.boxes[criterion]
        box.check_box.click()
        box.rationale.setText(RATIONALES[criterion])
        editor.evaluate()
    assert editor.save_button.isEnabled()
