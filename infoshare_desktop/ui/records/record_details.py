"""The whole of one saved record, read-only: every field, then its amendments and reviews.

`RecordDetailsView.show_detail(detail)` takes a `services.cases.RecordDetail` (whatever
the record's kind) and shows it grouped as the domain brief groups the form. The
per-kind content functions describe the record to a `_Page` (headings, label/value rows,
paragraphs); every piece of user text passes `html.escape` before it enters the page,
so a name such as "<b>R&D</b>" shows as typed. Nothing is coloured: meaning is carried
by headings and words.

The page is shown as a column of labels rather than an HTML document in a text view:
Qt's text view gives a screen reader one flat text (no headings to jump between, and
the frame markers U+FDD0/U+FDD1 of any table read out as characters). Here the page is
an object with the role Document, each heading one with the role Heading and its level
(Orca's heading navigation finds them), each row one label whose spoken name is
exactly the words shown, and the text reflows at every text size. The pane is one Tab
stop; Down and Up move through its headings and rows one at a time (each is spoken on
arrival), Page Down/Up by a screenful, Ctrl+Home/End to the first and last,
Shift+arrows select within a row, and Ctrl+C copies the selection, the row, or (on the
pane itself) the whole record as text.

The case view and the supervisor's review screens reuse this widget.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, cast

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import (
    QAccessible,
    QAccessibleAttributesInterface,
    QFocusEvent,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAccessibleWidget,
    QFrame,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from infoshare_desktop.domain.consent import describe_consent
from infoshare_desktop.domain.enums import Criterion, SharingKind
from infoshare_desktop.domain.fields import Place, Widget, form_of
from infoshare_desktop.domain.kinds import spec
from infoshare_desktop.domain.records import ConsentDecisionDraft, Draft, SharingDecisionDraft
from infoshare_desktop.domain.timeutil import format_date, format_local
from infoshare_desktop.services.cases import RecordDetail
from infoshare_desktop.ui.common.fields import sentence
from infoshare_desktop.ui.common.labels import WordWrapLabel
from infoshare_desktop.ui.common.theme import set_role

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


def plain_text(escaped_html: str) -> str:
    """What a piece of the page says, as text: the page's own few tags (``<b>``, ``<i>``,
    ``<br>``) dropped and the escaped user text given back as typed. (User text cannot
    hold a tag: every ``<`` in it was escaped.)"""
    return html.unescape(re.sub(r"<[^>]*>", "", re.sub(r"<br\s*/?>", "\n", escaped_html)))


@dataclass(frozen=True)
class Part:
    """One piece of a page: a heading (with its level), a labelled row or a paragraph."""

    kind: str  # "heading", "row" or "paragraph"
    escaped_html: str
    level: int = 0

    @property
    def text(self) -> str:
        return plain_text(self.escaped_html)


class _Page:
    """Collects the headings, label/value rows and paragraphs of one record."""

    def __init__(self) -> None:
        self.parts: list[Part] = []

    def title(self, text: str, level: int = 2) -> None:
        self.parts.append(Part("heading", html.escape(text), level))

    def paragraph(self, escaped_html: str) -> None:
        self.parts.append(Part("paragraph", escaped_html))

    def row(self, label: str, value: Value, *, always: bool = True) -> None:
        """A labelled value; with `always=False` it is left out when empty."""
        if not always and (value is None or value == "" or value == []):
            return
        self.html_row(label, _text(value))

    def html_row(self, label: str, escaped_html: str) -> None:
        self.parts.append(Part("row", f"<b>{html.escape(label)}:</b> {escaped_html}"))

    def html(self) -> str:
        """The page as HTML (for anything that wants it as one document)."""
        return "\n".join(
            f"<h{part.level}>{part.escaped_html}</h{part.level}>"
            if part.kind == "heading"
            else f"<p>{part.escaped_html}</p>"
            for part in self.parts
        )

    def text(self) -> str:
        """The page as plain text, one part a line, as it reads on screen."""
        return "\n".join(part.text for part in self.parts)


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


def _links(name: str) -> Callable[[_Page, Any, RecordDetail], None]:
    """The records a field links (``RecordLink``s), each by the line it was chosen by."""

    def render(page: _Page, d: Any, _detail: RecordDetail) -> None:
        value = getattr(d, name)
        links = value if isinstance(value, list) else [value] if value else []
        lines = "<br>".join(html.escape(str(link)) for link in links)
        page.html_row(form_of(d).field(name).short_for(d), lines or f"<i>{NOT_RECORDED}</i>")

    return render


#: How the details show the declared custom fields that are not a plain value.
CUSTOM_DETAILS: dict[str, Callable[[_Page, Any, RecordDetail], None]] = {
    "recipients": _recipients,
    "consent_choice": _consent_relied_on,
    "grounds": _grounds,
    "ground_references": lambda _page, _d, _detail: None,  # shown under each ground
    "criteria": _criteria,
    "consent_ends": _consents_ended,
    "request": _links("request"),
    "answering_decisions": _links("answered_by"),
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


def record_page(detail: RecordDetail) -> _Page:
    """The record as a page of headings, rows and paragraphs (all user text escaped)."""
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
    return page


def record_html(detail: RecordDetail) -> str:
    """The record as one HTML page (all user text escaped)."""
    return record_page(detail).html()


class HeadingLabel(WordWrapLabel):
    """A heading of the page, at its level (2 for the record and its amendments and
    reviews, 3 for the groups within them)."""

    def __init__(self, text: str, level: int, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.level = level
        self.accessible_interface: object = None  # see _accessible_for
        self.setTextFormat(Qt.TextFormat.PlainText)
        set_role(self, "heading" if level <= 2 else "subheading")


class _LevelAttribute(QAccessibleAttributesInterface):
    """A heading's level, as the Level attribute (AT-SPI's "level")."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def attributeKeys(self) -> list[QAccessible.Attribute]:
        return [QAccessible.Attribute.Level]

    def attributeValue(self, key: QAccessible.Attribute) -> int | None:
        return self.level if key == QAccessible.Attribute.Level else None


class _HeadingAccessible(QAccessibleWidget):
    """What assistive technology is told of a `HeadingLabel`: the role Heading, its words
    as its name, and its level."""

    def __init__(self, label: HeadingLabel) -> None:
        super().__init__(label, QAccessible.Role.Heading)
        # Its own object, not a second base class: PySide's objects of two C++ bases
        # crash Qt's AT-SPI bridge when it asks for the attributes.
        self.level_attribute = _LevelAttribute(label.level)

    def text(self, kind: QAccessible.Text) -> str:
        label = self.widget()
        if kind == QAccessible.Text.Name and isinstance(label, QLabel):
            return label.text()
        return super().text(kind)

    def interface_cast(self, kind: QAccessible.InterfaceType) -> int:
        # PySide's stub says int, but its binding passes a pointer back to Qt only as a
        # VoidPtr (an int, or None, crashes it): hence the casts.
        if kind == QAccessible.InterfaceType.AttributesInterface:
            address = shiboken6.getCppPointer(self.level_attribute)[0]
            return cast(int, shiboken6.VoidPtr(address))
        return cast(int, shiboken6.VoidPtr(0))  # no other interface


class _DocumentAccessible(QAccessibleWidget):
    """The page as a whole is a Document (named by the record's title)."""

    def __init__(self, page: _PageWidget) -> None:
        super().__init__(page, QAccessible.Role.Document)

    def text(self, kind: QAccessible.Text) -> str:
        if kind == QAccessible.Text.Name:
            return self.widget().accessibleName()
        return super().text(kind)


def _accessible_for(_class_name: str, obj: QObject) -> QAccessibleWidget | None:
    """Qt keeps the interface it is given in its cache until the widget goes, but PySide
    leaves it owned by Python: the widget holds it, so it lives exactly as long (an
    interface collected early leaves Qt's AT-SPI bridge calling into freed memory)."""
    interface: QAccessibleWidget | None = None
    if isinstance(obj, HeadingLabel):
        interface = _HeadingAccessible(obj)
    elif isinstance(obj, _PageWidget):
        interface = _DocumentAccessible(obj)
    if isinstance(obj, (HeadingLabel, _PageWidget)):
        obj.accessible_interface = interface
    return interface


QAccessible.installFactory(_accessible_for)


class _PageWidget(QWidget):
    """The labels of one page, top to bottom (replaced whole for each record)."""

    def __init__(self, page: _Page, name: str) -> None:
        super().__init__()
        self.accessible_interface: object = None  # see _accessible_for
        self.setObjectName("recordDetailsPage")
        self.setAccessibleName(name)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.setSpacing(0)
        self.labels: list[QLabel] = []
        for part in page.parts:
            if part.kind == "heading":
                label: QLabel = HeadingLabel(part.text, part.level, self)
                if self.labels:
                    layout.addSpacing(6 if part.level > 2 else 10)
            else:
                label = WordWrapLabel(part.escaped_html, self)
                label.setTextFormat(Qt.TextFormat.RichText)
            label.setObjectName("recordDetailsPart")
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            label.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse
                | Qt.TextInteractionFlag.TextSelectableByKeyboard
            )
            # Reached by the arrow keys from the pane, not by Tab: the pane is one Tab stop.
            label.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
            label.setProperty("plain_text", part.text)
            layout.addWidget(label)
            self.labels.append(label)
        layout.addStretch(1)


class RecordDetailsView(QScrollArea):
    """Read-only, keyboard-readable view of one record (see the module docstring)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recordDetails")
        self.setAccessibleName("Record details")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.detail: RecordDetail | None = None
        self.page = _Page()
        self.clear_detail()

    # -- what is shown ---------------------------------------------------------------------------
    def show_detail(self, detail: RecordDetail) -> None:
        self.detail = detail
        description = f"{detail.kind.label} by {detail.author_name}"
        page = record_page(detail)
        self._show(page, page.parts[0].text if page.parts else description)
        self.setAccessibleDescription(description)

    def clear_detail(self, message: str = EMPTY_TEXT) -> None:
        self.detail = None
        page = _Page()
        page.paragraph(f"<i>{html.escape(message)}</i>")
        self._show(page, "Record details")
        self.setAccessibleDescription(message)

    def _show(self, page: _Page, name: str) -> None:
        content = self.widget()
        had_focus = self.hasFocus() or (
            content is not None and content.isAncestorOf(self.focusWidget())
        )
        self.page = page
        content = _PageWidget(page, name)
        for label in content.labels:
            label.installEventFilter(self)
        self.setWidget(content)  # the previous page's widget is deleted
        if had_focus and not self.hasFocus():
            self.setFocus(Qt.FocusReason.OtherFocusReason)

    def labels(self) -> list[QLabel]:
        """The page's headings, rows and paragraphs, top to bottom."""
        content = self.widget()
        return content.labels if isinstance(content, _PageWidget) else []

    def toPlainText(self) -> str:
        """Everything the page says, one heading, row or paragraph a line."""
        return self.page.text()

    def toHtml(self) -> str:
        return self.page.html()

    # -- keyboard --------------------------------------------------------------------------------
    def _focus_part(self, index: int) -> None:
        labels = self.labels()
        if labels:
            labels[max(0, min(index, len(labels) - 1))].setFocus(Qt.FocusReason.OtherFocusReason)

    def _first_visible(self) -> int:
        top = self.verticalScrollBar().value()
        labels = self.labels()
        return next((n for n, label in enumerate(labels) if label.geometry().bottom() > top), 0)

    def _copy(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self._copy(self.toPlainText())
        elif event.key() == Qt.Key.Key_Down and not event.modifiers():
            self._focus_part(self._first_visible())
        elif event.matches(QKeySequence.StandardKey.MoveToStartOfDocument):
            self._focus_part(0)
        elif event.matches(QKeySequence.StandardKey.MoveToEndOfDocument):
            self._focus_part(len(self.labels()) - 1)
        else:
            super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        labels = self.labels()
        if not isinstance(watched, QLabel) or watched not in labels:
            return super().eventFilter(watched, event)
        if event.type() == QEvent.Type.FocusIn and isinstance(event, QFocusEvent):
            self.ensureWidgetVisible(watched, 0, 24)
        elif event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            return self._on_part_key_pressed(labels, labels.index(watched), event)
        return False

    def _on_part_key_pressed(self, labels: list[QLabel], index: int, event: QKeyEvent) -> bool:
        key, plain = event.key(), not event.modifiers()
        if plain and key == Qt.Key.Key_Down:
            self._focus_part(index + 1)
        elif plain and key == Qt.Key.Key_Up:
            if index == 0:
                self.setFocus(Qt.FocusReason.OtherFocusReason)
            else:
                self._focus_part(index - 1)
        elif plain and key in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
            # A screenful on: the farthest part that starts within one viewport's height.
            page = self.viewport().height()
            here = labels[index].y()
            if key == Qt.Key.Key_PageDown:
                within = [n for n, label in enumerate(labels) if label.y() <= here + page]
                self._focus_part(max(within[-1], index + 1))
            else:
                within = [n for n, label in enumerate(labels) if label.y() >= here - page]
                self._focus_part(min(within[0], index - 1))
        elif event.matches(QKeySequence.StandardKey.MoveToStartOfDocument):
            self._focus_part(0)
        elif event.matches(QKeySequence.StandardKey.MoveToEndOfDocument):
            self._focus_part(len(labels) - 1)
        elif event.matches(QKeySequence.StandardKey.Copy) and not labels[index].hasSelectedText():
            self._copy(str(labels[index].property("plain_text")))
        else:
            return False
        return True
