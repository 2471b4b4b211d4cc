"""Issue 10's consent scenario through the real screens: a withdrawal saved without
naming a consent is refused; with one named, the case view, the sharing form's pick-list,
the review screen, the review queue and the printed summary (text extracted with pypdf)
all say what the domain's one standing rule says."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtGui import QTextDocumentFragment

from infoshare_desktop.domain import ConsentFrom, ConsentHow, ConsentOutcome, blocking, utcnow
from infoshare_desktop.domain.consent import consent_standing, describe_consent
from infoshare_desktop.services import cases, printing, records, reviews
from infoshare_desktop.services.errors import ChecklistRefused
from infoshare_desktop.services.printing import SummaryOptions
from infoshare_desktop.ui.cases.case_view import CaseView
from infoshare_desktop.ui.common.fields import sentence
from infoshare_desktop.ui.records import (
    ConsentDecisionEditor,
    RecordEditorBase,
    SharingDecisionEditor,
)
from infoshare_desktop.ui.records.record_details import RecordDetailsView
from infoshare_desktop.ui.review import REVIEW_QUEUE
from infoshare_desktop.ui.review.review_dialog import ReviewDialog
from tests.domain.factories import complete_consent_decision, complete_sharing_decision
from tests.reports.conftest import flat, page_texts
from tests.ui.records.conftest import NEVER_MS
from tests.ui.records.flows import choose


def plain(rich: str) -> str:
    return " ".join(QTextDocumentFragment.fromHtml(rich).toPlainText().split())


@pytest.fixture
def confirm_save(monkeypatch) -> None:
    monkeypatch.setattr(RecordEditorBase, "confirm_save", lambda self: True)


def test_every_screen_and_the_pdf_agree_with_the_standing_rule(
    qtbot, team, open_window, confirm_save
):
    now = utcnow()
    author, case_id = team.author, team.case_id
    consent = complete_consent_decision(
        valid_until=date(2027, 4, 19), occurred_at=now - timedelta(days=20)
    )
    given = records.record_consent_decision(author, case_id=case_id, draft=consent)
    earlier = complete_sharing_decision(
        consent_decision_id=given.record_id,
        occurred_at=now - timedelta(days=3),
        late_entry_reason="Recorded on return from a training day",
    )
    shared = records.record_sharing_decision(author, case_id=case_id, draft=earlier)
    reviews.request_review(author, record_id=shared.record_id)

    # The withdrawal, in the consent form: refused while it names nothing.
    editor = ConsentDecisionEditor(author, case_id, autosave_interval_ms=NEVER_MS)
    qtbot.addWidget(editor)
    i = editor.form.inputs
    choose(i["asked"], ConsentFrom.PARENT_CARER)
    i["asked_name"].setText("Chris Example (parent)")
    choose(i["outcome"], ConsentOutcome.WITHDRAWN)
    choose(i["how"], ConsentHow.VERBAL)
    i["occurred_at"].now_button.click()
    assert {f.rule_id for f in blocking(editor.evaluate())} == {"CONSENT_ENDS"}
    assert not editor.save_button.isEnabled()
    with pytest.raises(ChecklistRefused):
        records.record_consent_decision(author, case_id=case_id, draft=editor.form.draft())
    i["supersedes_ids"].boxes[given.record_id].click()
    assert blocking(editor.evaluate()) == [] and editor.save_button.isEnabled()
    with qtbot.waitSignal(editor.saved, timeout=3000):
        editor.save_button.click()

    # What the domain says, now and when the earlier sharing happened.
    consents = records.case_consents(author, case_id=case_id)
    now_phrase = consent_standing(given.record_id, consents, utcnow()).phrase()
    then_phrase = consent_standing(given.record_id, consents, earlier.occurred_at).phrase()
    assert now_phrase.startswith("withdrawn on ")
    assert then_phrase == "current, valid until 19 Apr 2027"
    (record,) = [c for c in consents if c.record_id == given.record_id]
    described = describe_consent(record)

    # The case view: withdrawn, and nowhere current.
    window, _pages = open_window(author)
    view = CaseView(window.session)
    qtbot.addWidget(view)
    assert view.open_case(case_id)
    position = plain(view.consent_label.text())
    assert f"{sentence(now_phrase)}: {described}" in position
    assert "Current" not in position and "current" not in position

    # A new sharing decision's pick-list: not offered for sharing now; offered, as current
    # then, for sharing that happened before the withdrawal.
    sharing = SharingDecisionEditor(author, case_id, autosave_interval_ms=NEVER_MS)
    qtbot.addWidget(sharing)
    combo = sharing.form.inputs["consent_decision_id"]
    assert [combo.itemData(n) for n in range(1, combo.count())] == []
    sharing.form.inputs["occurred_at"].set_value(earlier.occurred_at)
    sharing.form.inputs["purpose"].setPlainText("A late entry of last week's sharing")
    assert combo.itemData(1) == given.record_id
    assert combo.itemText(1) == f"{described} ({then_phrase} at that time)"

    # The review screen and the queue: the consent by person, outcome, scope and date,
    # current then and flagged as ended since; never its id.
    sup_window, sup_pages = open_window(team.supervisor)
    detail = reviews.open_for_review(team.supervisor, record_id=shared.record_id)
    dialog = ReviewDialog(sup_window.session, detail, case_label="TEST-0001", parent=sup_window)
    text = " ".join(dialog.details_view.toPlainText().split())
    dialog.close()
    assert described in text
    assert f"{sentence(then_phrase)} when this happened" in text
    assert f"ENDED SINCE: {now_phrase}" in text
    assert given.record_id[:8] not in text and "Recorded consent decision" not in text
    sup_window.show_page(REVIEW_QUEUE)
    queue = sup_pages.queue.model
    (row,) = [n for n in range(queue.rowCount()) if queue.row_at(n).record_id == shared.record_id]
    cell = queue.index(row, 6).data()
    assert cell.startswith("Explicit consent given, Parent or carer: Chris Example (parent)")
    assert cell.endswith(f"ENDED SINCE: {now_phrase}")

    # The details pane of the consent itself and of the withdrawal.
    details = RecordDetailsView()
    qtbot.addWidget(details)
    details.show_detail(cases.record_detail(author, record_id=given.record_id))
    assert f"Stands now: {sentence(now_phrase)}" in " ".join(details.toPlainText().split())
    details.show_detail(cases.record_detail(author, record_id=editor.record_id))
    shown = " ".join(details.toPlainText().split())
    assert f"Ends or replaces: {described}" in shown and given.record_id[:8] not in shown

    # The printed summary.
    data = printing.build_case_summary(team.lead, case_id=case_id, options=SummaryOptions())
    pdf = flat(" ".join(page_texts(data)))
    assert f"Explicit consent given — {now_phrase} (ref {given.record_id[:8]})" in pdf
    assert f"ended since: {now_phrase}" in pdf
    assert "— current" not in pdf
