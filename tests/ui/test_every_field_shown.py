"""Every field of every draft is shown in the form, the details pane and the printout, or is
declared as not shown there (``domain.fields``): read from the declaration and the draft
dataclasses, checked on a real form, a real details pane and the text of a real PDF.

A field added to a draft and not declared fails here; so does one declared and then not
shown by a screen, because the three places are driven with a draft in which every field
holds a distinctive answer.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, get_type_hints

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from infoshare_desktop.domain.consent import (
    ConsentRecord,
    ReliedOn,
    consent_standing,
    describe_consent,
)
from infoshare_desktop.domain.enums import (
    ConsentFrom,
    ConsentOutcome,
    Criterion,
    Ground,
    NotSoughtReason,
    OrganisationType,
    RecordKind,
)
from infoshare_desktop.domain.fields import WHEN, Field, Place, Widget, form_of, words
from infoshare_desktop.domain.kinds import KINDS
from infoshare_desktop.domain.records import (
    AmendmentDraft,
    ConsentDecisionDraft,
    CriterionRationale,
    Draft,
    Recipient,
    RecordLink,
    ReviewDraft,
    SharingDecisionDraft,
)
from infoshare_desktop.reports import (
    AttachedRecord,
    CaseIdentity,
    PrintedRecord,
    Section,
    SummaryDocument,
    render_case_summary,
)
from infoshare_desktop.services.cases import RecordDetail
from infoshare_desktop.ui.records import AmendmentEditor, ConsentDecisionForm, SharingDecisionForm
from infoshare_desktop.ui.records.declared_form import DeclaredForm
from infoshare_desktop.ui.records.record_details import RecordDetailsView
from infoshare_desktop.ui.records.record_links import record_link_inputs
from tests.domain.strategies import typed

WHEN_AT = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)
FULL = (RecordKind.SHARING_DECISION, RecordKind.CONSENT_DECISION)


def answer(draft: Draft, f: Field) -> Any:
    """A distinctive answer for a field, of its declared kind."""
    text = f"Answer to {f.name.replace('_', ' ')}"
    if f.widget in (Widget.TEXT, Widget.LINES):
        return text
    if f.widget is Widget.CHOICE:
        assert f.choices is not None
        return list(f.choices)[-1]
    if f.widget is Widget.CHOICES:
        assert f.choices is not None
        return [list(f.choices)[-1]]
    if f.widget in (Widget.YES_NO, Widget.CHECK):
        return True
    if f.widget is Widget.DATE:
        return date(2027, 5, 6)
    if f.widget is Widget.DATETIME:
        return WHEN_AT
    customs: dict[str, Any] = {
        "recipients": [
            Recipient(
                name="Answer to recipients",
                organisation="Example Agency",
                organisation_type=OrganisationType.CONTRACTOR,
            )
        ],
        "consent_choice": NAMED_CONSENT.record_id,
        "consent_purpose": text,
        "grounds": [Ground.STATUTORY_DUTY],
        "ground_references": {Ground.STATUTORY_DUTY.value: "Answer to ground references"},
        "criteria": {
            c: CriterionRationale(confirmed=True, rationale=f"Answer to {c.value}")
            for c in Criterion
        },
        "consent_ends": [NAMED_CONSENT.record_id],
        "agencies": ["Answer to scope agencies"],
        "purposes": ["Answer to scope purposes"],
        "request": RecordLink(record_id="request-1", description="Answer to request"),
        "answering_decisions": [
            RecordLink(record_id="decision-1", description="Answer to answered by")
        ],
    }
    return customs[f.custom]


def answered(cls: type[Draft]) -> Draft:
    """A draft of ``cls`` in which every declared field holds an answer."""
    draft = cls()
    for f in form_of(cls).fields():
        setattr(draft, f.name, answer(draft, f))
    if isinstance(draft, SharingDecisionDraft):
        draft.not_sought_reasons = [NotSoughtReason.OTHER]
    return draft


#: The consent decision the answered drafts name (relied on; ended or replaced).
NAMED_CONSENT = ConsentRecord(
    record_id="consent-1",
    decision=ConsentDecisionDraft(
        asked=ConsentFrom.PARENT_CARER,
        asked_name="Chris Named-Consent",
        outcome=ConsentOutcome.EXPLICIT,
        occurred_at=WHEN_AT - timedelta(days=3),
    ),
    occurred_at=WHEN_AT - timedelta(days=3),
    recorded_at=WHEN_AT - timedelta(days=3),
)
#: How the printout names that consent (the service's words, handed to the report).
PRINTED_CONSENT = "A consent in words"

#: What a reader must find for each custom field, in the details pane and on paper: every
#: custom name a form declares has its entry (``test_every_custom_field_has_expected_words``).
CUSTOM_WORDS: dict[str, Callable[[Place], list[str]]] = {
    "recipients": lambda _p: ["Answer to recipients", OrganisationType.CONTRACTOR.label],
    "grounds": lambda _p: [Ground.STATUTORY_DUTY.label],
    "ground_references": lambda _p: ["Answer to ground references"],
    "criteria": lambda _p: (
        [c.label for c in Criterion] + [f"Answer to {c.value}" for c in Criterion]
    ),
    "consent_purpose": lambda _p: ["Answer to consent purpose"],
    "consent_choice": lambda place: (
        [describe_consent(NAMED_CONSENT)] if place is Place.DETAILS else [PRINTED_CONSENT]
    ),
    "consent_ends": lambda place: (
        [describe_consent(NAMED_CONSENT)] if place is Place.DETAILS else [PRINTED_CONSENT]
    ),
    "agencies": lambda _p: ["Answer to scope agencies"],
    "purposes": lambda _p: ["Answer to scope purposes"],
    "request": lambda _p: ["Answer to request"],
    "answering_decisions": lambda _p: ["Answer to answered by"],
}


def expected_words(draft: Draft, f: Field, place: Place) -> list[str]:
    """What a reader must find for a field: its value in words (custom: its parts). Never
    empty, so no declared field goes unchecked."""
    found = CUSTOM_WORDS[f.custom](place) if f.custom else [words(f.value(draft))]
    assert found and all(found), f"{f.name}: nothing to look for"
    return found


def test_every_custom_field_has_expected_words():
    """Read from the declarations: a new custom field fails here until the coverage tests
    know what it shows."""
    declared = {f.custom for found in KINDS.values() for f in found.form.fields() if f.custom}
    assert declared == set(CUSTOM_WORDS)


def test_every_draft_field_is_declared_once_or_declared_not_shown():
    for kind, found in KINDS.items():
        form = found.form
        names = [f.name for f in dataclasses.fields(found.draft)]
        declared = [f.name for f in form.fields()]
        hidden = [name for name, why in form.not_shown if why]
        assert len(declared) == len(set(declared)), f"{kind}: a field declared twice"
        assert sorted(declared + hidden) == sorted(names), kind
        for f in form.fields():
            assert f.short_for(found.draft()), f"{kind}.{f.name} has no name for readers"
            assert f.label_for(found.draft()) or f.widget is Widget.CUSTOM, f.name


# ---- the form -------------------------------------------------------------------------------


def _form_inputs(kind: RecordKind, qtbot) -> tuple[Any, dict[str, Any]]:
    """A real form of ``kind`` and its inputs by field name."""
    if kind is RecordKind.SHARING_DECISION:
        form: Any = SharingDecisionForm()
    elif kind is RecordKind.CONSENT_DECISION:
        form = ConsentDecisionForm()
    elif kind is RecordKind.AMENDMENT:
        return None, {}  # checked with its dialog below
    elif kind is RecordKind.REVIEW:
        return None, {}  # the review screen, below
    else:
        form = DeclaredForm(KINDS[kind].form, record_link_inputs([]))
        form.set_draft(KINDS[kind].draft())
    qtbot.addWidget(form)
    return form, form.rows


def _variations(cls: type[Draft]) -> st.SearchStrategy[Draft]:
    """Answered drafts whose choices, yes/no answers and dates vary (what decides which
    fields apply), with empty text here and there."""
    hints = get_type_hints(cls)
    base = answered(cls)
    values = {}
    for f in form_of(cls).fields():
        fixed = st.just(f.value(base))
        if f.widget in (Widget.TEXT, Widget.LINES):
            values[f.name] = fixed | st.just("")
        elif f.widget is Widget.CUSTOM:
            values[f.name] = fixed
        elif f.widget is Widget.CHOICES:
            values[f.name] = st.lists(st.sampled_from(list(f.choices or ())), unique=True)
        elif f.widget is Widget.DATETIME:
            values[f.name] = st.sampled_from([None, WHEN_AT, datetime.now(UTC)])
        else:
            values[f.name] = typed(hints[f.name])
    return st.fixed_dictionaries(values).map(lambda changes: dataclasses.replace(base, **changes))


@pytest.mark.parametrize(
    "kind", [k for k in KINDS if k not in (RecordKind.AMENDMENT, RecordKind.REVIEW)]
)
def test_every_form_field_has_an_input_shown_when_it_applies(qtbot, kind):
    found = KINDS[kind]
    form, rows = _form_inputs(kind, qtbot)
    form.show()
    for f in found.form.fields(Place.FORM):
        assert f.name in rows, f"{kind}.{f.name} has no input in the form"

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(draft=_variations(found.draft))
    def shown_when_it_applies(draft: Draft) -> None:
        form.set_draft(draft)
        for f in found.form.fields(Place.FORM):
            if f.custom != "criteria":  # confirmed in the panel beside the form
                assert rows[f.name].isVisibleTo(form) == f.applies(draft), f.name
        # what the form holds is the draft it was given
        assert form.draft().to_dict() == draft.to_dict()

    shown_when_it_applies()


def test_the_amendment_and_review_screens_ask_every_form_field(qtbot, admin_store):
    from infoshare_desktop.services import cases, records
    from infoshare_desktop.ui.common.session import Session
    from infoshare_desktop.ui.review.review_dialog import ReviewDialog
    from tests.domain.factories import complete_case, complete_sharing_decision

    case_id = cases.create_case(admin_store, draft=complete_case())
    saved = records.record_sharing_decision(
        admin_store, case_id=case_id, draft=complete_sharing_decision()
    )
    editor = AmendmentEditor(admin_store, saved.record_id)
    qtbot.addWidget(editor)
    for f in KINDS[RecordKind.AMENDMENT].form.fields(Place.FORM):
        assert f.name in editor.form.rows, f.name
    from infoshare_desktop.services import reviews

    detail = reviews.open_for_review(admin_store, record_id=saved.record_id)
    dialog = ReviewDialog(Session(admin_store), detail, case_label="TEST-0001")
    qtbot.addWidget(dialog)
    dialog.show()
    form = KINDS[RecordKind.REVIEW].form
    outcome, comment = form.field("outcome"), form.field("comment")
    assert [f.name for f in form.fields(Place.FORM)] == ["outcome", "comment"]
    # each declared outcome is a button with the declared words, and choosing it (by
    # clicking, as a supervisor does) is what the dialog's review records
    assert outcome.choices is not None
    for choice in outcome.choices:
        radio = dialog.outcome_radios[choice]
        assert radio.text() == choice.label and radio.isVisible()
        assert radio.accessibleDescription() == outcome.help_for(choice) != ""
        qtbot.mouseClick(radio, Qt.MouseButton.LeftButton)
        assert dialog.draft().outcome is choice
    # the comment typed is the review's comment, under the declared question
    qtbot.keyClicks(dialog.comment_edit, "Add who was told and when")
    assert dialog.draft().comment == "Add who was told and when"
    labels = {w.text() for w in dialog.findChildren(QLabel)}
    assert f"&{comment.label_for(dialog.draft())}" in labels


# ---- the details pane -------------------------------------------------------------------------


def _detail(kind: RecordKind, content: Draft) -> RecordDetail:
    standing = consent_standing(NAMED_CONSENT.record_id, [NAMED_CONSENT], WHEN_AT)
    assert standing is not None
    return RecordDetail(
        relied_on=ReliedOn(NAMED_CONSENT, standing, standing),
        ends=(NAMED_CONSENT,),
        record_id="record-1",
        case_id="case-1",
        kind=kind,
        subkind="",
        author_id="user-1",
        author_name="Alex Example",
        occurred_at=WHEN_AT,
        recorded_at=WHEN_AT + timedelta(days=2),
        late=True,
        content=content,
    )


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_details_field_is_in_the_details_pane(qtbot, kind):
    found = KINDS[kind]
    draft = answered(found.draft)
    view = RecordDetailsView()
    qtbot.addWidget(view)
    view.show_detail(_detail(kind, draft))
    text = view.toPlainText()
    for f in found.form.fields():
        if Place.DETAILS not in f.shown:
            continue
        if f.widget is not Widget.CUSTOM or f.custom in ("consent_purpose",):
            assert f"{f.short_for(draft)}: " in text, f"{kind}.{f.name}: no label"
        for expected in expected_words(draft, f, Place.DETAILS):
            assert expected in text, f"{kind}.{f.name}: {expected!r} not shown"


# ---- the printout ---------------------------------------------------------------------------


def _pdf_text(records: dict[RecordKind, Draft]) -> str:
    def printed(draft: Draft) -> PrintedRecord:
        return PrintedRecord(
            ref="abcd1234",
            occurred_at=WHEN_AT,
            recorded_at=WHEN_AT + timedelta(days=2),
            late=True,
            author="Alex Example",
            content=draft,
            relied_on=PRINTED_CONSENT,
            relied_on_ref="cons0001",
            amendments=tuple(
                AttachedRecord(
                    ref="amend001",
                    target_ref="abcd1234",
                    recorded_at=WHEN_AT,
                    author="Alex Example",
                    content=records[RecordKind.AMENDMENT],  # type: ignore[arg-type]
                )
                for _ in (1,)
            ),
            reviews=(
                AttachedRecord(
                    ref="review01",
                    target_ref="abcd1234",
                    recorded_at=WHEN_AT,
                    author="Sam Supervisor",
                    content=records[RecordKind.REVIEW],  # type: ignore[arg-type]
                ),
            ),
        )

    document = SummaryDocument(
        case=CaseIdentity(display_name="Example Child", case_reference="EX-1"),
        printed_by="Alex Example",
        printed_at=WHEN_AT,
        anchor="1:abcdef123456",
        period="All records",
        sections=frozenset(Section),
        redaction="off — every recorded detail is shown.",
        sharing=(printed(records[RecordKind.SHARING_DECISION]),),
        consents=(printed(records[RecordKind.CONSENT_DECISION]),),
        others=tuple(
            printed(draft)
            for kind, draft in records.items()
            if KINDS[kind].printable
            and kind not in (RecordKind.SHARING_DECISION, RecordKind.CONSENT_DECISION)
        ),
    )
    reader = PdfReader(io.BytesIO(render_case_summary(document)))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_every_printed_field_is_in_the_pdf():
    records = {kind: answered(found.draft) for kind, found in KINDS.items()}
    assert isinstance(records[RecordKind.AMENDMENT], AmendmentDraft)
    assert isinstance(records[RecordKind.REVIEW], ReviewDraft)
    assert isinstance(records[RecordKind.CONSENT_DECISION], ConsentDecisionDraft)
    text = _pdf_text(records)
    for kind, draft in records.items():
        found = KINDS[kind]
        for f in found.form.fields(Place.PRINT):
            # amendments and reviews too: their columns and lines are named as declared
            if f.print_row != WHEN and not f.custom:
                assert " ".join(f.short_for(draft).split()) in text, f"{kind}.{f.name}: no label"
            for expected in expected_words(draft, f, Place.PRINT):
                assert " ".join(expected.split()) in text, f"{kind}.{f.name}: {expected!r}"
