"""The whole of one saved record, read-only: every field, then its amendments and reviews.

`RecordDetailsView.show_detail(detail)` takes a `services.cases.RecordDetail` (whatever
the record's kind) and renders it grouped as the domain brief groups the form. Every
piece of user text passes `html.escape` before it enters the page (`record_html` builds
the page and is the one place that does it), so a name such as "<b>R&D</b>" shows as
typed. Nothing is coloured: meaning is carried by headings and words.

The case view and the supervisor's review screens reuse this widget.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTextBrowser, QWidget

from infoshare_desktop.domain.consent import describe_consent
from infoshare_desktop.domain.enums import Criterion, Initiation, SharingKind
from infoshare_desktop.domain.records import (
    AdviceDraft,
    AmendmentDraft,
    ConsentDecisionDraft,
    Draft,
    ReviewDraft,
    SharingDecisionDraft,
)
from infoshare_desktop.domain.timeutil import format_date, format_local
from infoshare_desktop.services.cases import RecordDetail
from infoshare_desktop.ui.forms.fields import sentence

NOT_RECORDED = "Not recorded"
EMPTY_TEXT = "Select a record to see everything it holds."

Value = str | bool | date | datetime | Enum | Iterable[Enum] | None


def _text(value: Value) -> str:
    """One value as escaped HTML (line breaks kept)."""
    if value is None or value == "" or value == []:
        return f"<i>{NOT_RECORDED}</i>"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return html.escape(format_local(value))
    if isinstance(value, date):
        return html.escape(format_date(value))
    if isinstance(value, Enum):
        return html.escape(getattr(value, "label", str(value.value)))
    if isinstance(value, str):
        return html.escape(value).replace("\n", "<br>")
    return "<br>".join(_text(item) for item in value)


class _Page:
    """Collects sections of label/value rows and turns them into one HTML page."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def title(self, text: str, level: int = 2) -> None:
        self.parts.append(f"<h{level}>{html.escape(text)}</h{level}>")

    def paragraph(self, escaped_html: str) -> None:
        self.parts.append(f"<p>{escaped_html}</p>")

    def row(self, label: str, value: Value, *, always: bool = True) -> None:
        """A labelled value; with `always=False` it is left out when empty."""
        if not always and (value is None or value == "" or value == []):
            return
        self.html_row(label, _text(value))

    def html_row(self, label: str, escaped_html: str) -> None:
        # Paragraphs, not a table: a table is a frame in the document, and its frame
        # markers (U+FDD0, U+FDD1) reach a screen reader as text. Paragraphs also
        # reflow at large text sizes.
        self.parts.append(f"<p><b>{html.escape(label)}:</b> {escaped_html}</p>")

    def html(self) -> str:
        return "\n".join(self.parts)


def _sharing_decision(page: _Page, d: SharingDecisionDraft, detail: RecordDetail) -> None:
    received = d.kind is SharingKind.RECEIVED
    page.title("1. Decision", 3)
    page.row("Decision", d.kind)
    page.row("Proactive or on request", d.initiation)
    if d.initiation is Initiation.ON_REQUEST:
        page.row("Requester", d.requester_name)
        page.row("Requester's organisation", d.requester_organisation)
        page.row("What they asked for", d.request_details)
        page.row("Requester's identity checked", d.requester_identity_checked)
        page.row("Requester told the reasons", d.requester_told_reasons, always=False)
    page.row("When it happened", d.occurred_at)
    page.row("Reason for the late entry", d.late_entry_reason, always=False)
    page.row("Urgency", d.urgency)

    page.title("2. Purpose", 3)
    page.row("Why sharing was considered", d.purpose)

    page.title("3. Source" if received else "3. Recipients", 3)
    if not d.recipients:
        page.paragraph(f"<i>{NOT_RECORDED}</i>")
    for n, recipient in enumerate(d.recipients, 1):
        who = ", ".join(
            html.escape(part)
            for part in (recipient.name, recipient.role, recipient.organisation)
            if part
        )
        page.html_row(f"{'Source' if received else 'Recipient'} {n}", who or NOT_RECORDED)

    page.title("4. Information", 3)
    page.row(
        "What was received" if received else "What was shared or withheld", d.information_shared
    )
    page.row("Categories", d.categories)
    page.row("Fact or opinion", d.fact_or_opinion)
    if not received:
        page.row("Could less have been shared", d.could_less_be_shared)
        page.row("How the amount was limited", d.minimisation_notes, always=False)
        page.row("What was withheld", d.withheld, always=False)

    page.title("5. Confidentiality", 3)
    page.row("Is the information confidential", d.confidentiality)
    page.row("Why", d.confidentiality_reason)

    page.title("6. Consent", 3)
    page.row("Consent", d.consent_status)
    page.row("From whom", d.consent_from, always=False)
    page.row("Child's competence considered", d.child_competence_considered, always=False)
    if d.consent_decision_id:
        page.html_row("Consent decision relied on", relied_on_html(detail))
        page.row("Purpose the consent covers", d.consent_purpose, always=False)
    page.row("Why consent was not sought", d.not_sought_reasons, always=False)
    page.row("Other reason consent was not sought", d.not_sought_other, always=False)

    page.title("7. Grounds (lawful basis)", 3)
    if not d.grounds:
        page.paragraph(f"<i>{NOT_RECORDED}</i>")
    for ground in d.grounds:
        reference = d.ground_references.get(ground.value, "")
        text = f"Legal basis: {html.escape(ground.legal_basis)}"
        if reference:
            text += f"<br>Reference: {html.escape(reference)}"
        page.html_row(ground.label, text)

    page.title("8. Public interest and proportionality", 3)
    page.row("Circumstance that applies", d.public_interest)
    page.row("Weighing: if shared against if not shared", d.weighing)

    page.title("9. Transparency", 3)
    page.row("Individual or family told", d.individual_told)
    page.row("What they were told, why, how", d.told_details, always=False)
    page.row("Why they were not told", d.not_told_reason, always=False)

    page.title("10. Advice", 3)
    page.row("Practitioner in doubt", d.in_doubt)
    page.row("Advice sought", d.advice_sought)
    if d.advice_sought:
        page.row("From (role)", d.advice_from_role)
        page.row("When", d.advice_when)
        page.row("What the advice said", d.advice_outcome)
        page.row("Identity withheld while seeking advice", d.advice_identity_withheld)
    page.row("Why there was no time for advice", d.no_time_for_advice_reason, always=False)

    if not received:
        page.title("11. Method and security", 3)
        page.row("Method", d.method)
        page.row("Other method", d.method_other, always=False)
        page.row("Channel secure", d.channel_secure)
        page.row("Why an insecure channel was used", d.insecure_reason, always=False)
        page.row("Recipient verified", d.recipient_verified)

        page.title("12. The seven criteria", 3)
        for criterion in Criterion:
            item = d.criteria.get(criterion)
            confirmed = item is not None and item.confirmed
            rationale = item.rationale if item is not None else ""
            page.html_row(
                criterion.label,
                ("Confirmed" if confirmed else "<i>Not confirmed</i>")
                + (f": {_text(rationale)}" if rationale else ""),
            )

    page.title("13. Safety, well-being and views", 3)
    page.row("Significant-harm concern", d.significant_harm_concern)
    page.row("Safety and well-being considered", d.safety_wellbeing)
    page.row("Views of the child and family", d.views_child_family)

    page.title("14. Reasons for the decision", 3)
    page.row("Reasons", d.reasons)


ENDED_SINCE = "ENDED SINCE"


def relied_on_html(detail: RecordDetail) -> str:
    """The consent a sharing decision relied on, for people (never by its id): who, what,
    when and scope, where it stood when the sharing happened, and, in words that stand
    out, whether it has ended since."""
    found = detail.relied_on
    if found is None:
        return "<i>A consent decision that is not one of this case's</i>"
    text = html.escape(describe_consent(found.consent))
    text += f"<br>{html.escape(sentence(found.then.phrase()))} when this happened"
    if found.ended_since:
        text += (
            f"<br><b>{ENDED_SINCE}: {html.escape(found.now.phrase())}</b>. The sharing "
            "stays recorded with the consent it relied on at the time."
        )
    return text


def _consent_decision(page: _Page, d: ConsentDecisionDraft, detail: RecordDetail) -> None:
    if detail.standing is not None:
        page.html_row("Stands now", f"<b>{html.escape(sentence(detail.standing.phrase()))}</b>")
    page.title("Who was asked", 3)
    page.row("Asked", d.asked)
    page.row("Name or role", d.asked_name)
    page.row("When", d.occurred_at)
    page.row("Competence or capacity considered", d.competence_considered)
    page.row("Notes on competence", d.competence_notes, always=False)
    page.title("Outcome", 3)
    page.row("Outcome", d.outcome)
    page.row("How given", d.how)
    page.title("Scope and limits", 3)
    page.row("Agencies or recipients covered", "\n".join(d.scope_agencies))
    page.row("Information covered", d.scope_information)
    page.row("Purposes covered", "\n".join(d.scope_purposes))
    page.row("Limits", d.limits)
    page.row("Valid until", d.valid_until)
    page.row("Review date", d.review_date)
    page.title("Views", 3)
    page.row("Views expressed", d.views_expressed)
    if d.supersedes_ids:
        ends = [html.escape(describe_consent(record)) for record in detail.ends]
        unknown = len(d.supersedes_ids) - len(ends)
        if unknown > 0:
            ends.append(f"<i>{unknown} consent decision(s) not of this case</i>")
        page.html_row("Ends or replaces", "<br>".join(ends))


def _amendment(page: _Page, d: AmendmentDraft) -> None:
    page.row("Reason", d.reason)
    page.row("Correction or addition", d.text)
    if d.target_was_shared:
        page.row("Recipients told of the amendment", d.recipients_told)
        page.row("Who was told, when, how", d.recipients_told_notes, always=False)


def _review(page: _Page, d: ReviewDraft) -> None:
    page.row("Outcome", d.outcome)
    page.row("Comment", d.comment, always=False)


def _advice(page: _Page, d: AdviceDraft) -> None:
    page.row("From (role)", d.sought_from_role)
    page.row("When", d.sought_at)
    page.row("Advice given", d.advice)
    page.row("Identity withheld", d.identity_withheld)


def _content(page: _Page, content: Draft, detail: RecordDetail) -> None:
    if isinstance(content, SharingDecisionDraft):
        _sharing_decision(page, content, detail)
    elif isinstance(content, ConsentDecisionDraft):
        _consent_decision(page, content, detail)
    elif isinstance(content, AmendmentDraft):
        _amendment(page, content)
    elif isinstance(content, ReviewDraft):
        _review(page, content)
    elif isinstance(content, AdviceDraft):
        _advice(page, content)


def _provenance(page: _Page, detail: RecordDetail) -> None:
    page.row("By", detail.author_name)
    page.row("Happened", detail.occurred_at)
    page.row("Recorded", detail.recorded_at)
    if detail.late:
        page.html_row("Late entry", "Yes: recorded more than 24 hours after it happened")


def record_html(detail: RecordDetail) -> str:
    """The record as an HTML page (all user text escaped)."""
    page = _Page()
    kind = detail.kind.label
    if isinstance(detail.content, SharingDecisionDraft) and detail.content.kind is not None:
        kind = f"{kind}: {detail.content.kind.label}"
    page.title(kind)
    if detail.badges:
        page.row("Status", " · ".join(detail.badges))
    if detail.corrects:
        page.row("Amends", detail.corrects)
    _provenance(page, detail)
    _content(page, detail.content, detail)

    page.title(f"Amendments ({len(detail.amendments)})")
    if not detail.amendments:
        page.paragraph("None. A saved record is never edited; corrections are added here.")
    for n, amendment in enumerate(detail.amendments, 1):
        page.title(f"Amendment {n}", 3)
        _provenance(page, amendment)
        _content(page, amendment.content, amendment)

    page.title(f"Reviews ({len(detail.reviews)})")
    if not detail.reviews:
        page.paragraph("Not reviewed yet.")
    for n, review in enumerate(detail.reviews, 1):
        page.title(f"Review round {n}", 3)
        page.row("Reviewer", review.author_name)
        page.row("When", review.recorded_at)
        _content(page, review.content, review)
    return page.html()


class RecordDetailsView(QTextBrowser):
    """Read-only, selectable view of one record (see the module docstring)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recordDetails")
        self.setAccessibleName("Record details")
        self.setOpenLinks(False)
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.detail: RecordDetail | None = None
        self.clear_detail()

    def show_detail(self, detail: RecordDetail) -> None:
        self.detail = detail
        self.setHtml(record_html(detail))
        self.setAccessibleDescription(f"{detail.kind.label} by {detail.author_name}")

    def clear_detail(self, message: str = EMPTY_TEXT) -> None:
        self.detail = None
        self.setHtml(f"<p><i>{html.escape(message)}</i></p>")
        self.setAccessibleDescription(message)
