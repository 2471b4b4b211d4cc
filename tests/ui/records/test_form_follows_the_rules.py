"""The sharing decision form shows every field the checklist asks for: the late-entry
reason, the public-interest justification and the consent fields appear under the same
rules (one definition each in the domain) that make the checklist ask for them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from infoshare_desktop.domain import (
    ConsentStatus,
    SharingKind,
    check_sharing_decision,
    utcnow,
)
from infoshare_desktop.ui.records import SharingDecisionForm
from tests.domain.factories import complete_sharing_decision


@pytest.fixture(scope="module")
def drafts():
    now = utcnow()
    out = []
    for kind in SharingKind:
        for status in [*ConsentStatus, None]:
            for ago in (timedelta(hours=2), timedelta(hours=30)):
                out.append(
                    complete_sharing_decision(
                        kind, now, consent_status=status, occurred_at=now - ago,
                        public_interest=[], weighing="", late_entry_reason="",
                        consent_from=None, not_sought_reasons=[],
                    )
                )  # fmt: skip
    return out


def test_every_field_the_checklist_asks_for_is_shown(qtbot, drafts) -> None:
    form = SharingDecisionForm()
    qtbot.addWidget(form)
    asked_for: set[str] = set()
    for draft in drafts:
        form.set_draft(draft)
        form.update_conditions()
        findings = check_sharing_decision(form.draft(), now=utcnow())
        for finding in findings:
            row = form.rows.get(finding.field)
            if row is not None:
                asked_for.add(finding.field)
                assert not row.isHidden(), (draft.kind, draft.consent_status, finding)
    # the conditional fields were asked for (and so shown) at least once
    assert {"late_entry_reason", "public_interest", "weighing", "consent_from"} <= asked_for


@pytest.mark.parametrize("status", list(ConsentStatus))
def test_the_justification_is_offered_exactly_when_it_can_be_asked_for(qtbot, status) -> None:
    form = SharingDecisionForm()
    qtbot.addWidget(form)
    now = utcnow()
    draft = complete_sharing_decision(SharingKind.SHARED, now, consent_status=status)
    draft.public_interest = []
    form.set_draft(draft)
    form.update_conditions()
    findings = check_sharing_decision(form.draft(), now=now)
    asked = any(x.rule_id == "OVERRIDE_JUSTIFIED" for x in findings)
    assert asked is not status.is_given
    assert form.rows["public_interest"].isHidden() is status.is_given
