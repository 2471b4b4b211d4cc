"""The whole review loop through the screens, with two users on one store: a practitioner
records a decision without consent, a supervisor returns it from the queue, the author
answers with an amendment from "Returned to me", and the supervisor endorses it."""

from __future__ import annotations

from PySide6.QtCore import Qt

from infoshare_desktop.domain import AmendmentReason, ReviewOutcome
from infoshare_desktop.domain.enums import RecordKind
from infoshare_desktop.services import cases, records, reviews
from infoshare_desktop.ui.records.record_editor import RecordEditorBase
from infoshare_desktop.ui.review import RETURNED_TO_ME, REVIEW_QUEUE, TEAM_OVERVIEW
from infoshare_desktop.ui.review.review_dialog import CONFIRM_TITLE
from tests.ui.review.conftest import AUTHOR, NAMES, SUPERVISOR, nav_text, without_consent

COMMENT = "Please record who you told at the school and why the family was <b>not</b> told."
ANSWER = "Told the designated safeguarding lead at school; family not told before the meeting."


def rule_ids(dialog) -> set[str]:
    return {f.rule_id for f in dialog.findings}


def test_return_answer_and_endorse_through_the_screens(
    qtbot, team, open_window, messages, monkeypatch
):
    saved = records.record_sharing_decision(
        team.author, case_id=team.case_id, draft=without_consent()
    )

    # The supervisor finds it in the queue (the count is in the navigation entry).
    sup_window, sup_pages = open_window(team.supervisor)
    queue = sup_pages.queue
    assert nav_text(sup_window, REVIEW_QUEUE) == "Review queue (1)"
    sup_window.show_page(REVIEW_QUEUE)
    assert queue.model.rowCount() == 1
    item = queue.model.row_at(0)
    assert item.record_id == saved.record_id and item.author_name == NAMES[AUTHOR]
    assert queue.model.index(0, 6).data() == "Without consent: Consent not sought"

    # Enter opens the review screen with the record exactly as saved.
    queue.table.setFocus()
    queue.table.setCurrentIndex(queue.model.index(0, 0))
    qtbot.keyClick(queue.table, Qt.Key.Key_Return)
    dialog = queue.review_dialog
    assert dialog is not None and dialog.isVisible()
    shown = dialog.details_view.toPlainText()
    assert "6. Consent" in shown and "12. The seven criteria" in shown
    assert "Not reviewed yet." in shown
    assert not dialog.save_button.isEnabled()
    assert rule_ids(dialog) == {"REVIEW_OUTCOME"}

    # Returning needs a comment: Save stays disabled, and its tooltip says why.
    dialog.outcome_radios[ReviewOutcome.RETURNED].click()
    assert rule_ids(dialog) == {"REVIEW_COMMENT"}
    assert not dialog.save_button.isEnabled()
    assert "what more detail is needed" in dialog.save_button.toolTip()
    qtbot.keyClicks(dialog.comment_edit, COMMENT)
    assert dialog.save_button.isEnabled() and not dialog.findings
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert messages.confirms == [CONFIRM_TITLE]
    assert not dialog.isVisible()
    assert queue.model.rowCount() == 0
    assert nav_text(sup_window, REVIEW_QUEUE) == "Review queue"
    assert "returned for more detail" in queue.summary_label.text()

    # The author signs in: no queue, but the record is under "Returned to me".
    author_window, author_pages = open_window(team.author)
    assert REVIEW_QUEUE not in author_window.page_names()
    assert TEAM_OVERVIEW not in author_window.page_names()
    assert nav_text(author_window, RETURNED_TO_ME) == "Returned to me (1)"
    author_window.show_page(RETURNED_TO_ME)
    returned = author_pages.returned
    assert returned.model.rowCount() == 1
    assert returned.comment_label.text() == COMMENT  # plain text, shown as typed
    assert NAMES[SUPERVISOR] in returned.from_label.text()
    assert returned.model.index(0, 4).data().startswith(NAMES[SUPERVISOR] + "\n")

    # ... and answers it with an amendment through the amendment dialog's widgets.
    qtbot.mouseClick(returned.answer_button, Qt.MouseButton.LeftButton)
    amendment = returned.amendment_dialog
    assert amendment is not None and amendment.isVisible()
    form = amendment.editor.form
    assert form.reason.value() is AmendmentReason.RESPONSE_TO_REVIEW
    qtbot.keyClicks(form.text, ANSWER)
    form.recipients_told.setCurrentIndex(form.recipients_told.findText("Yes, they have been told"))
    qtbot.keyClicks(form.recipients_told_notes, "The school was sent the addition today.")
    amendment.editor.evaluate()
    monkeypatch.setattr(RecordEditorBase, "confirm_save", lambda _self: True)
    assert amendment.editor.save_button.isEnabled(), amendment.editor.findings
    qtbot.mouseClick(amendment.editor.save_button, Qt.MouseButton.LeftButton)
    assert not amendment.isVisible()
    assert returned.model.rowCount() == 0
    assert nav_text(author_window, RETURNED_TO_ME) == "Returned to me"

    # Back in the supervisor's queue (refreshed when the page is shown again).
    sup_window.show_page("Home")
    sup_window.show_page(REVIEW_QUEUE)
    assert nav_text(sup_window, REVIEW_QUEUE) == "Review queue (1)"
    tip = queue.model.index(0, 5).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.endswith("Answered after 1 review")
    queue.table.selectRow(0)
    qtbot.mouseClick(queue.review_button, Qt.MouseButton.LeftButton)
    dialog = queue.review_dialog
    shown = dialog.details_view.toPlainText()
    assert "Review round 1" in shown and ANSWER in shown and COMMENT in shown
    dialog.outcome_radios[ReviewOutcome.ENDORSED].click()
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert queue.model.rowCount() == 0
    state = reviews.review_state_of(team.author, record_id=saved.record_id)
    assert state.status.value == "endorsed" and state.rounds == 2

    # The case's chronology shows every step with its time and author.
    steps = cases.chronology(team.author, case_id=team.case_id)
    assert [(e.kind, e.author_name) for e in steps] == [
        (RecordKind.SHARING_DECISION, NAMES[AUTHOR]),
        (RecordKind.REVIEW, NAMES[SUPERVISOR]),
        (RecordKind.AMENDMENT, NAMES[AUTHOR]),
        (RecordKind.REVIEW, NAMES[SUPERVISOR]),
    ]
    assert [e.subkind for e in steps if e.kind is RecordKind.REVIEW] == ["returned", "endorsed"]
    times = [e.recorded_at for e in steps]
    assert all(t is not None for t in times) and times == sorted(times)
    assert all(e.target_id == saved.record_id for e in steps[1:])

    # The team overview shows where the author's records stand.
    sup_window.show_page(TEAM_OVERVIEW)
    row = sup_pages.team.model.row_at(0)
    assert (row.author_name, row.awaiting, row.returned, row.endorsed) == (
        NAMES[AUTHOR],
        0,
        0,
        1,
    )
