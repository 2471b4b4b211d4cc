"""Requests received from the screens: record one from the case view's button (the form
from its declaration, the checklist beside it), find it in the chronology, the details
pane and the printed summary; then reply to it, ticking the sharing decision that
answered it in the pick-list of the case's decisions."""

from __future__ import annotations

import pytest

from infoshare_desktop.domain import SharingKind, utcnow
from infoshare_desktop.domain.enums import Method, Rating, RecordKind, ReplyOutcome, RequestSource
from infoshare_desktop.domain.records import RecordLink
from infoshare_desktop.services import cases, printing, records
from infoshare_desktop.ui.records import RecordEditorBase
from infoshare_desktop.ui.records.record_links import (
    NO_DECISIONS,
    RecordLinkComboBox,
    RecordLinkTickList,
)
from tests.domain.factories import complete_case, complete_sharing_decision
from tests.reports.conftest import flat, page_texts
from tests.ui.conftest import WAIT_MS
from tests.ui.records.flows import choose


@pytest.fixture
def confirm_save(monkeypatch) -> None:
    monkeypatch.setattr(RecordEditorBase, "confirm_save", lambda self: True)


def _rules(editor) -> set[str]:
    return {f.rule_id for f in editor.evaluate()}


def _open(window, store):
    case_id = cases.create_case(store, draft=complete_case())
    window.show_page("Cases")
    assert window.cases_page.open_case(case_id)
    return case_id, window.cases_page.case_view


def test_a_request_is_recorded_from_the_case_view_and_printed(
    qtbot, admin_window, admin_store, confirm_save
):
    case_id, view = _open(admin_window, admin_store)
    view.new_buttons[RecordKind.REQUEST].click()
    editor = view.editor
    assert editor is not None and editor.isVisible()
    form = editor.form
    i = form.inputs
    assert {"REQUEST_FROM", "REQUEST_RECEIVED", "REQUEST_RATING"} <= _rules(editor)
    assert not editor.save_button.isEnabled()

    choose(i["source"], RequestSource.MASH)
    i["requester_organisation"].setText("Example Borough MASH")
    i["requester_name"].setText("Duty MASH officer")
    i["requester_reference"].setText("MASH-FLOW-7")
    i["received_at"].set_value(utcnow())
    choose(i["method"], Method.OTHER)
    assert form.rows["method_other"].isVisibleTo(form)  # "other" asks how
    i["method_other"].setText("Fax")
    i["asked"].setPlainText("Attendance and welfare concerns this term")
    choose(i["rating"], Rating.AMBER)
    assert "leave empty for the default:" in form.rows["due_at"].label.text()
    choose(i["acknowledged"], False)
    assert not form.rows["acknowledged_at"].isVisibleTo(form)
    assert _rules(editor) == set()
    with qtbot.waitSignal(editor.saved, timeout=WAIT_MS) as saved:
        editor.save_button.click()
    record_id = saved.args[0]

    entry = view.selected_entry()
    assert (entry.record_id, entry.kind) == (record_id, RecordKind.REQUEST)
    assert entry.summary == "Request from Example Borough MASH (amber)"
    details = view.details.toPlainText()
    assert "Request received" in details and "MASH-FLOW-7" in details
    assert "Reply due by" in details and "Attendance and welfare concerns" in details

    pdf = flat(" ".join(page_texts(printing.build_case_summary(
        admin_store, case_id=case_id, options=printing.SummaryOptions()))))  # fmt: skip
    assert "Requests received" in pdf
    assert "Request from Example Borough MASH (amber)" in pdf
    assert "MASH-FLOW-7" in pdf and "Amber: reply within 1 working day" in pdf


def test_a_reply_links_the_request_and_the_decision_that_declined_it(
    qtbot, admin_window, admin_store, confirm_save
):
    case_id, view = _open(admin_window, admin_store)
    from tests.domain.factories import complete_request

    request = records.record_case_record(admin_store, case_id=case_id, draft=complete_request())
    declined = records.record_sharing_decision(
        admin_store,
        case_id=case_id,
        draft=complete_sharing_decision(
            SharingKind.NOT_SHARED, requester_organisation="Example Borough MASH"
        ),
    )
    view.open_case(case_id)
    view.new_buttons[RecordKind.REQUEST_REPLY].click()
    editor = view.editor
    form = editor.form
    i = form.inputs
    pick, ticks = i["request"], i["answered_by"]
    assert isinstance(pick, RecordLinkComboBox) and isinstance(ticks, RecordLinkTickList)
    assert list(ticks.boxes) == [declined.record_id]  # the case's sharing decisions only
    assert {"REPLY_REQUEST", "REPLY_DECISIONS"} <= _rules(editor)

    pick.setCurrentIndex(pick.findData(request.record_id))
    ticks.boxes[declined.record_id].click()
    choose(i["outcome"], ReplyOutcome.DECLINED)
    i["replied_at"].set_value(utcnow())
    assert form.rows["reconsider_if_new"].isVisibleTo(form)
    assert _rules(editor) == {"REPLY_RECONSIDER"}
    choose(i["reconsider_if_new"], True)
    assert _rules(editor) == set()
    with qtbot.waitSignal(editor.saved, timeout=WAIT_MS) as saved:
        editor.save_button.click()

    entry = view.selected_entry()
    assert (entry.record_id, entry.kind) == (saved.args[0], RecordKind.REQUEST_REPLY)
    details = view.details.toPlainText()
    assert "Request answered: Request from Example Borough MASH (amber)" in details
    assert "Answered by: Not shared (or request declined): request from Example" in details
    assert "Reconsider if new information: Yes" in details
    content = cases.record_detail(admin_store, record_id=entry.record_id).content
    assert content.request.record_id == request.record_id
    assert [link.record_id for link in content.answered_by] == [declined.record_id]


def test_with_no_sharing_decision_the_reply_says_to_record_one_first(
    qtbot, admin_window, admin_store
):
    _case_id, view = _open(admin_window, admin_store)
    view.new_buttons[RecordKind.REQUEST_REPLY].click()
    ticks = view.editor.form.inputs["answered_by"]
    assert ticks.boxes == {} and ticks.empty_label.text() == NO_DECISIONS
    assert ticks.empty_label.isVisibleTo(view.editor)


def test_open_requests_show_when_their_reply_is_due_until_answered(
    qtbot, admin_window, admin_store, tmp_path
):
    """The chronology's Status column and the details pane say "Overdue" or "Reply due"
    and when, for a request no reply names; a reply takes the badge away."""
    from datetime import timedelta

    from infoshare_desktop.domain.timeutil import format_local
    from infoshare_desktop.ui.records.chronology_model import ChronologyTableModel
    from tests.domain.factories import complete_reply, complete_request

    case_id, view = _open(admin_window, admin_store)
    now = utcnow()
    late = records.record_case_record(admin_store, case_id=case_id, draft=complete_request(
        now, received_at=now - timedelta(hours=30), rating=Rating.RED,
        late_entry_reason="Taken by phone on a home visit"))  # fmt: skip
    soon = records.record_case_record(
        admin_store, case_id=case_id, draft=complete_request(now, rating=Rating.RED)
    )
    due = cases.record_detail(admin_store, record_id=soon.record_id).content.due_at
    view.open_case(case_id)

    def status(record_id: str) -> str:
        model = view.model
        row = next(
            r
            for r in range(model.rowCount())
            if model.item(model.index(r, 0)).record_id == record_id
        )
        return model.index(row, ChronologyTableModel.STATUS).data()

    assert not view.table.isColumnHidden(ChronologyTableModel.STATUS)
    assert status(late.record_id) == "Overdue"
    assert status(soon.record_id) == f"Reply due {format_local(due)}"
    assert view.select_record(late.record_id)
    assert "Status: Overdue" in view.details.toPlainText()
    assert view.review_button.isEnabled()  # a declared reviewable kind: its author may ask
    admin_window.resize(1200, 800)
    admin_window.grab().save(str(tmp_path / "case-view-request-badges.png"))

    decision = records.record_sharing_decision(
        admin_store, case_id=case_id, draft=complete_sharing_decision()
    )
    records.record_case_record(admin_store, case_id=case_id, draft=complete_reply(
        now, request=RecordLink(record_id=late.record_id, description="Request"),
        answered_by=[RecordLink(record_id=decision.record_id, description="Shared")]))  # fmt: skip
    view.open_case(case_id)
    assert status(late.record_id) == ""  # answered: no badge
    assert status(soon.record_id).startswith("Reply due ")
    assert view.select_record(late.record_id)
    assert "Overdue" not in view.details.toPlainText()
