"""The measure of issue 11, section 1: a kind and a field are declared once, and nothing
else needs touching. A throw-away kind, built here only from a draft class, a ``Form`` and
a ``Kind`` (docs/recipes.md), is saved through the generic service (its checklist
refusing an empty one), listed in the chronology, read back, kept as a draft, shown in the
details pane and printed; each of its fields exists only in the draft and the form.

The throw-away kind borrows the advice kind's stored name (a ``RecordKind`` member cannot
be added at run time, and a new one is the recipe's one line in ``domain.enums``): every
place that shows advice records must read what it shows from the declaration, or this
fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from infoshare_desktop.domain import checklist, rules
from infoshare_desktop.domain.enums import RecordKind
from infoshare_desktop.domain.fields import FORMS, WHEN, Field, Form, Group, Widget
from infoshare_desktop.domain.kinds import KINDS, CheckContext, Kind
from infoshare_desktop.domain.records import Draft, _text
from infoshare_desktop.domain.timeutil import utcnow
from infoshare_desktop.services import cases, drafts, printing, records
from infoshare_desktop.services.errors import ChecklistRefused
from infoshare_desktop.ui.records.record_details import RecordDetailsView
from tests.domain.factories import complete_case
from tests.reports.conftest import flat, page_texts


@dataclass(kw_only=True)
class HomeVisitDraft(Draft):
    """A throw-away kind: a home visit, who made it, when, and what was seen."""

    visitor: str = _text("visitor")
    visited_at: datetime | None = None
    seen: str = _text("what was seen")


def _check(draft: HomeVisitDraft, context: CheckContext) -> list[checklist.Finding]:
    out: list[checklist.Finding] = []
    checklist.check_moment(out, draft.visited_at, context.now, rules.REQUEST_RECEIVED)
    return checklist.in_form_order(HomeVisitDraft, out)


VISIT_FORM = Form(
    draft=HomeVisitDraft,
    groups=(
        Group(
            title="The visit",
            fields=(
                Field(name="visitor", label="Who visited", short="Visitor", widget=Widget.TEXT),
                Field(
                    name="visited_at",
                    label="When (date and time)",
                    short="Visited",
                    widget=Widget.DATETIME,
                    print_row=WHEN,
                ),
                Field(
                    name="seen",
                    label="What was seen",
                    short="Seen on the visit",
                    widget=Widget.LINES,
                    redactable=True,
                ),
            ),
        ),
    ),
)
VISIT = Kind(
    kind=RecordKind.ADVICE,
    draft=HomeVisitDraft,
    form=VISIT_FORM,
    check=_check,
    summary=lambda d: f"Home visit by {d.visitor}",
    title=lambda _d: "Home visit",
    icon="SP_FileIcon",
    words="home visit",
    plural="Home visits",
    printable=True,
    subkind=lambda _d: "visit",
    occurred=lambda d: d.visited_at,
)


@pytest.fixture
def visit_declared(monkeypatch) -> None:
    monkeypatch.setitem(KINDS, RecordKind.ADVICE, VISIT)
    monkeypatch.setitem(FORMS, HomeVisitDraft, VISIT_FORM)


def test_a_kind_declared_only_in_its_declaration_is_saved_shown_and_printed(
    qtbot, admin_store, visit_declared
):
    case_id = cases.create_case(admin_store, draft=complete_case())
    with pytest.raises(ChecklistRefused) as refused:  # its own checklist, in the generic save
        records.record_case_record(admin_store, case_id=case_id, draft=HomeVisitDraft())
    assert [f.rule_id for f in refused.value.findings] == ["REQUEST_RECEIVED"]  # borrowed

    when = utcnow() - timedelta(hours=2)
    draft = HomeVisitDraft(
        visitor="Sam Visitor", visited_at=when, seen="A tidy flat; the child was at school"
    )
    saved = records.record_case_record(admin_store, case_id=case_id, draft=draft)
    (entry,) = cases.chronology(admin_store, case_id=case_id)
    assert (entry.record_id, entry.summary) == (saved.record_id, "Home visit by Sam Visitor")
    assert entry.occurred_at == when
    detail = cases.record_detail(admin_store, record_id=saved.record_id)
    assert isinstance(detail.content, HomeVisitDraft) and detail.content.visitor == "Sam Visitor"

    draft_id = drafts.save_draft(admin_store, draft=HomeVisitDraft(visitor="Half"), case_id=case_id)
    (mine,) = drafts.list_drafts(admin_store)
    assert mine.draft_id == draft_id and "Half" in mine.snippet
    _summary, resumed = drafts.load_draft(admin_store, draft_id=draft_id)
    assert isinstance(resumed, HomeVisitDraft) and resumed.visitor == "Half"

    view = RecordDetailsView()
    qtbot.addWidget(view)
    view.show_detail(detail)
    text = view.toPlainText()
    assert "Home visit" in text and "Visitor: Sam Visitor" in text
    assert "Seen on the visit: A tidy flat; the child was at school" in text

    pdf = flat(" ".join(page_texts(printing.build_case_summary(
        admin_store, case_id=case_id, options=printing.SummaryOptions()))))  # fmt: skip
    assert "Home visits" in pdf and "Home visit by Sam Visitor" in pdf
    assert "Visitor" in pdf and "Sam Visitor" in pdf
    assert "Seen on the visit" in pdf and "A tidy flat; the child was at school" in pdf
