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
from collections.abc import Callable, Iterable
from datetime import date, datetime
from enum import Enum
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTextBrowser, QWidget

from infoshare_desktop.domain.consent import describe_consent
from infoshare_desktop.domain.enums import Criterion, SharingKind
from infoshare_desktop.domain.fields import Place, Widget, form_of
from infoshare_desktop.domain.kinds import spec
from infoshare_desktop.domain.records import ConsentDecisionDraft, Draft, SharingDecisionDraft
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


def _recipients(page: _Page, d: SharingDecisionDraft, _detail: RecordDetail) -> None:
    received = d.kind is SharingKind.RECEIVED
    if not d.recipients:
        page.paragraph(f"<i>{NOT_RECORDED}</i>")
    for n, recipient in enumerate(d.recipients, 1):
        who = ", ".join(
            html.escape(part)
            for part in (recipient.name, recipient.role, recipient.organisation)
            if part
        )
        kind = recipient.organisation_type
        who = who or f"<i>{NOT_RECORDED}</i>"
        who += f"<br>Type of organisation: {_text(kind)}"
        page.html_row(f"{'Source' if received else 'Recipient'} {n}", who)


def _consent_relied_on(page: _Page, d: SharingDecisionDraft, detail: RecordDetail) -> None:
    label = "Consent decision relied on"
    if d.consent_decision_id:
        page.html_row(label, relied_on_html(detail))
    else:
        page.row(label, None)


def _grounds(page: _Page, d: SharingDecisionDraft, _detail: RecordDetail) -> None:
    if not d.grounds:
        page.paragraph(f"<i>{NOT_RECORDED}</i>")
    for ground in d.grounds:
        reference = d.ground_references.get(ground.value, "")
        text = f"Legal basis: {html.escape(ground.legal_basis)}"
        if reference:
            text += f"<br>Reference: {html.escape(reference)}"
        page.html_row(ground.label, text)


def _criteria(page: _Page, d: SharingDecisionDraft, _detail: RecordDetail) -> None:
    for criterion in Criterion:
        item = d.criteria.get(criterion)
        confirmed = item is not None and item.confirmed
        rationale = item.rationale if item is not None else ""
        page.html_row(
            criterion.label,
            ("Confirmed" if confirmed else "<i>Not confirmed</i>")
            + (f": {_text(rationale)}" if rationale else ""),
        )


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


def _consents_ended(page: _Page, d: ConsentDecisionDraft, detail: RecordDetail) -> None:
    ends = [html.escape(describe_consent(record)) for record in detail.ends]
    unknown = len(d.supersedes_ids) - len(ends)
    if unknown > 0:
        ends.append(f"<i>{unknown} consent decision(s) not of this case</i>")
    page.html_row("Ends or replaces", "<br>".join(ends) or f"<i>{NOT_RECORDED}</i>")


#: How the details show the declared custom fields that are not a plain value.
CUSTOM_DETAILS: dict[str, Callable[[_Page, Any, RecordDetail], None]] = {
    "recipients": _recipients,
    "consent_choice": _consent_relied_on,
    "grounds": _grounds,
    "ground_references": lambda _page, _d, _detail: None,  # shown under each ground
    "criteria": _criteria,
    "consent_ends": _consents_ended,
}


def _content(page: _Page, content: Draft, detail: RecordDetail) -> None:
    """Every field the declaration shows in the details, group by group."""
    if isinstance(content, ConsentDecisionDraft) and detail.standing is not None:
        page.html_row("Stands now", f"<b>{html.escape(sentence(detail.standing.phrase()))}</b>")
    form = form_of(content)
    for group in form.groups:
        shown = [f for f in group.fields if Place.DETAILS in f.shown and f.is_shown(content)]
        if not shown:
            continue
        if len(form.groups) > 1:
            page.title(group.title_for(content, short=True), 3)
        for f in shown:
            render = CUSTOM_DETAILS.get(f.custom) if f.widget is Widget.CUSTOM else None
            if render is not None:
                render(page, content, detail)
            else:
                page.row(f.short_for(content), f.value(content))


def _provenance(page: _Page, detail: RecordDetail) -> None:
    page.row("By", detail.author_name)
    page.row("Happened", detail.occurred_at)
    page.row("Recorded", detail.recorded_at)
    if detail.late:
        page.html_row("Late entry", "Yes: recorded more than 24 hours after it happened")


def record_html(detail: RecordDetail) -> str:
    """The record as an HTML page (all user text escaped)."""
    page = _Page()
    page.title(spec(detail.kind).title(detail.content))
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
