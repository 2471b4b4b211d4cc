"""Record editors: a form beside its checklist, Save, and drafts kept as you type.

An editor re-runs the record's checklist shortly after every edit (debounced); Save stays
disabled while a blocking finding remains, and its tooltip and the status line say why.
Saving asks for confirmation (``confirm_save``, which tests replace), then calls the
service, which checks everything again. A refused save shows its message inline and
keeps everything typed. What is typed is kept as a draft every few seconds and whenever
``save_draft_now()`` is called (the main window calls it on lock, sign-out and close).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from infoshare_desktop.domain import checklist
from infoshare_desktop.domain.checklist import Finding, blocking
from infoshare_desktop.domain.consent import ConsentRecord
from infoshare_desktop.domain.enums import RecordKind
from infoshare_desktop.domain.kinds import CheckContext, spec
from infoshare_desktop.domain.records import (
    ConsentDecisionDraft,
    Draft,
    SharingDecisionDraft,
)
from infoshare_desktop.domain.timeutil import format_local, utcnow
from infoshare_desktop.services import cases, drafts, records
from infoshare_desktop.services.accounts import Store
from infoshare_desktop.services.cases import ChronologyEntry
from infoshare_desktop.services.errors import (
    ChecklistRefused,
    UserFacingError,
)
from infoshare_desktop.ui.common import feedback
from infoshare_desktop.ui.common.announce import announce
from infoshare_desktop.ui.common.checklist_panel import FindingsPanel, count_phrase
from infoshare_desktop.ui.common.fields import refresh_tab_order
from infoshare_desktop.ui.common.labels import AlertLabel, WordWrapLabel
from infoshare_desktop.ui.common.layout import ReflowSplitter
from infoshare_desktop.ui.records.consent_decision_form import ConsentDecisionForm
from infoshare_desktop.ui.records.declared_form import DeclaredForm
from infoshare_desktop.ui.records.record_links import record_link_inputs
from infoshare_desktop.ui.records.sharing_decision_form import SharingDecisionForm

CONFIRM_SAVE_TEXT = "A saved record cannot be edited afterwards, only amended. Save now?"
CONFIRM_DISCARD_TEXT = "Discard this draft? What you typed in it will be lost."
STACK_FROM_LINES = 24
"""The form and its checklist go one above the other only when both then keep a dozen
lines; shorter (150% scaling or 200% text on a 768-pixel screen) they stay side by side."""


class RecordForm(Protocol):
    """What the editor asks of its form (each form takes and gives its own kind of draft)."""

    def draft(self) -> Draft: ...

    def set_draft(self, draft: Any) -> None: ...

    def focus_field(self, name: str) -> bool: ...


class RecordEditorBase(QWidget):
    """Form + checklist side by side, a status line and the Save / draft buttons.

    Subclasses build the two parts and say how to check, save and draft their record.
    Signals: ``saved(record_id)`` after a save, ``discarded()`` after Discard,
    ``draft_saved(draft_id)`` whenever the draft is kept.
    """

    form: RecordForm  # set by the subclass's _build_parts

    saved = Signal(str)
    discarded = Signal()
    draft_saved = Signal(str)

    DEBOUNCE_MS = 150
    AUTOSAVE_MS = 5000
    title = "Record"

    def __init__(
        self,
        store: Store,
        *,
        case_id: str | None,
        draft_id: str | None = None,
        autosave_interval_ms: int = AUTOSAVE_MS,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._store = store
        self.case_id = case_id
        self.draft_id = draft_id
        self.record_id: str | None = None
        self.findings: list[Finding] = []
        self._dirty = False
        self.heading = QLabel(self.title, self)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        heading_font = QFont(self.heading.font())
        heading_font.setBold(True)
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.3)
        self.heading.setFont(heading_font)
        self.heading.setProperty("role", "heading")
        form, side = self._build_parts()
        self.splitter = ReflowSplitter(self, stack_from_lines=STACK_FROM_LINES)
        self.splitter.addWidget(form)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.message = AlertLabel(self)
        self.message.setAccessibleName("Problem saving")
        self.status_icon = QLabel(self)
        self.status = WordWrapLabel(self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.status.setAccessibleDescription("Checklist status")
        self.draft_status = QLabel(self)
        self.draft_status.setTextFormat(Qt.TextFormat.PlainText)
        self.draft_status.setProperty("role", "muted")
        self.save_draft_button = QPushButton("Keep as draft", self)
        self.save_draft_button.setToolTip("Keep what you have typed so you can finish it later.")
        self.discard_button = QPushButton("Discard…", self)
        self.discard_button.setToolTip("Throw away this draft.")
        self.save_button = QPushButton("Save record…", self)
        for button in (self.save_draft_button, self.discard_button, self.save_button):
            button.setAutoDefault(False)
        self._sized = False
        bar = QHBoxLayout()
        bar.addWidget(self.status_icon)
        bar.addWidget(self.status, 1)
        bar.addWidget(self.draft_status)
        bar.addWidget(self.save_draft_button)
        bar.addWidget(self.discard_button)
        bar.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.message)
        layout.addLayout(bar)
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(self.DEBOUNCE_MS)
        self._check_timer.timeout.connect(self._on_check_timer_timeout)
        self._autosave_timer = QTimer(self)
        self._autosave_timer.setSingleShot(True)
        self._autosave_timer.setInterval(autosave_interval_ms)
        self._autosave_timer.timeout.connect(self._on_autosave_timer_timeout)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.save_draft_button.clicked.connect(self._on_save_draft_button_clicked)
        self.discard_button.clicked.connect(self._on_discard_button_clicked)
        self.save_shortcut = QShortcut(QKeySequence("Ctrl+S"), self)
        self.save_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.save_shortcut.activated.connect(self._on_save_shortcut_activated)
        if draft_id is not None:
            self._resume(draft_id)
        self.evaluate()
        refresh_tab_order(self)

    def showEvent(self, event: QShowEvent) -> None:
        """On first show, give the form three fifths of the width and the checklist the rest
        (in a narrow, short window the checklist a readable column, the form the rest)."""
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            self.splitter.share_side_by_side()

    # ---- the form ---------------------------------------------------------------------------

    def draft(self) -> Draft:
        """The draft as typed."""
        return self.form.draft()

    def set_draft(self, draft: Draft) -> None:
        """Show ``draft`` in the form."""
        self.form.set_draft(draft)

    def focus_field(self, name: str) -> bool:
        """Move the focus to the field a finding names."""
        return self.form.focus_field(name)

    # ---- what subclasses provide ----------------------------------------------------------

    def _build_parts(self) -> tuple[QWidget, QWidget]:
        """The form (kept as ``self.form``) and the panel beside it; connect the form's
        change signal to _edited."""
        raise NotImplementedError

    def _empty_draft(self) -> Draft:
        raise NotImplementedError

    def _check(self, draft: Draft) -> list[Finding]:
        raise NotImplementedError

    def _record(self, draft: Draft) -> records.Saved:
        raise NotImplementedError

    def _show_findings(self, findings: list[Finding]) -> None:
        raise NotImplementedError

    def _draft_target_id(self) -> str | None:
        return None

    # ---- confirmations (tests replace these) ----------------------------------------------

    def confirm_save(self) -> bool:
        """Ask before saving: a saved record cannot be edited afterwards."""
        return self._ask("Save the record", CONFIRM_SAVE_TEXT, "Save")

    def confirm_discard(self) -> bool:
        """Ask before throwing a draft away."""
        return self._ask("Discard the draft", CONFIRM_DISCARD_TEXT, "Discard")

    def _ask(self, title: str, text: str, action: str) -> bool:
        box = feedback.message_box(QMessageBox.Icon.Question, title, text, parent=self)
        yes = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole))
        box.exec()
        return box.clickedButton() is yes

    # ---- checking ----------------------------------------------------------------------

    def evaluate(self) -> list[Finding]:
        """Run the checklist now and show the result (normally debounced after edits)."""
        self._check_timer.stop()
        self.findings = self._check(self.draft())
        self._show_findings(self.findings)
        count = len(blocking(self.findings))
        done = self.record_id is not None
        icon = (
            QStyle.StandardPixmap.SP_MessageBoxWarning
            if count
            else QStyle.StandardPixmap.SP_DialogApplyButton
        )
        size = self.status.fontMetrics().height()
        self.status_icon.setPixmap(self.style().standardIcon(icon).pixmap(size, size))
        before = self.status.text()
        if done:
            self.status.setText("Saved. The record can now only be amended, not edited.")
        else:
            self.status.setText(count_phrase(self.findings) + ".")
        if before and self.status.text() != before:
            announce(self.status, self.status.text())
        self.save_button.setEnabled(count == 0 and not done)
        self.save_button.setToolTip(
            "Save this record (Ctrl+S). It cannot be edited afterwards, only amended."
            if count == 0
            else f"Not yet: {count_phrase(self.findings)}. They are listed in the checklist."
        )
        self.save_button.setAccessibleDescription(self.save_button.toolTip())
        return self.findings

    # ---- saving ----------------------------------------------------------------------

    def save_record(self) -> str | None:
        """Save after confirmation; the new record's id, or None (refused or cancelled)."""
        if self.record_id is not None or blocking(self.evaluate()):
            return None
        if not self.confirm_save():
            return None
        self.message.hide()
        try:
            saved = self._record(self.draft())
        except UserFacingError as error:  # what was typed stays in the form
            feedback.show_user_error(self.message, error, prefix="Not saved.")
            if isinstance(error, ChecklistRefused):
                self._show_findings(list(error.findings))
            elif error.field is not None:
                self.focus_field(error.field)
            return None
        self.record_id = saved.record_id
        self.draft_id = None
        self._dirty = False
        self._autosave_timer.stop()
        self.splitter.setEnabled(False)
        for button in (self.save_draft_button, self.discard_button):
            button.setEnabled(False)
        self.draft_status.clear()
        self.evaluate()
        self.saved.emit(saved.record_id)
        return saved.record_id

    def save_draft_now(self) -> str | None:
        """Keep what is typed as a draft now (on lock, sign-out or close); its id, or None."""
        self._autosave_timer.stop()
        if self.record_id is not None:
            return None
        if not self._dirty:
            return self.draft_id
        draft = self.draft()
        if self.draft_id is None and draft == self._empty_draft():
            self._dirty = False
            return None
        try:
            self.draft_id = drafts.save_draft(
                self._store,
                draft=draft,
                case_id=self.case_id,
                target_id=self._draft_target_id(),
                draft_id=self.draft_id,
            )
        except UserFacingError as error:
            self.draft_status.setText("Draft not kept")
            feedback.show_user_error(
                self.message, error, prefix="Your typing could not be kept as a draft."
            )
            return None
        self._dirty = False
        self.draft_status.setText(f"Draft kept {format_local(utcnow())[-5:]}")
        self.draft_saved.emit(self.draft_id)
        return self.draft_id

    def discard(self) -> bool:
        """After confirmation, throw the draft away and empty the form."""
        if not self.confirm_discard():
            return False
        if self.draft_id is not None:
            try:
                drafts.discard_draft(self._store, draft_id=self.draft_id)
            except drafts.DraftNotFound:
                pass  # already gone: discarding it is done
            except UserFacingError as error:
                feedback.show_user_error(self.message, error)
                return False
        self.draft_id = None
        self._dirty = False
        self._autosave_timer.stop()
        self.message.hide()
        self.draft_status.clear()
        self.set_draft(self._empty_draft())
        self.evaluate()
        self.discarded.emit()
        return True

    def use_store(self, store: Store) -> None:
        """Carry on with the store opened again after a lock (same user)."""
        self._store = store

    @property
    def has_unsaved_changes(self) -> bool:
        """True when typing has not yet been kept as a draft."""
        return self._dirty

    def _resume(self, draft_id: str) -> None:
        try:
            _summary, draft = drafts.load_draft(self._store, draft_id=draft_id)
        except UserFacingError as error:
            self.draft_id = None
            feedback.show_user_error(self.message, error)
            return
        self.set_draft(draft)
        self.draft_status.setText("Draft resumed")

    def _edited(self) -> None:
        """Called by the form on every edit: re-check soon, keep a draft in a few seconds."""
        self._dirty = True
        self._check_timer.start()
        if not self._autosave_timer.isActive():
            self._autosave_timer.start()

    # ---- slots ------------------------------------------------------------------------

    def _on_check_timer_timeout(self) -> None:
        self.evaluate()

    def _on_autosave_timer_timeout(self) -> None:
        self.save_draft_now()

    def _on_save_button_clicked(self) -> None:
        self.save_record()

    def _on_save_shortcut_activated(self) -> None:
        """Ctrl+S: save through the same confirmation; while something blocks, go to it."""
        if self.record_id is not None:
            return
        found = blocking(self.evaluate())
        if found:
            self.focus_field(found[0].field)
            return
        self.save_record()

    def _on_save_draft_button_clicked(self) -> None:
        self._dirty = self._dirty or self.draft_id is None
        self.save_draft_now()

    def _on_discard_button_clicked(self) -> None:
        self.discard()

    def _on_finding_activated(self, field: str) -> None:
        self.focus_field(field)


class SharingDecisionEditor(RecordEditorBase):
    """Record a sharing decision on a case (or resume a draft of one)."""

    form: SharingDecisionForm

    title = "Sharing decision"

    def __init__(
        self,
        store: Store,
        case_id: str,
        draft_id: str | None = None,
        *,
        autosave_interval_ms: int = RecordEditorBase.AUTOSAVE_MS,
        date_of_birth: date | None = None,
        parent: QWidget | None = None,
    ):
        self._consents = _case_consents(store, case_id)
        self.date_of_birth = date_of_birth
        super().__init__(
            store,
            case_id=case_id,
            draft_id=draft_id,
            autosave_interval_ms=autosave_interval_ms,
            parent=parent,
        )

    def _build_parts(self) -> tuple[QWidget, QWidget]:
        self.form = SharingDecisionForm(self._consents)
        self.panel = self.form.checklist_panel
        self.form.changed.connect(self._edited)
        self.panel.finding_activated.connect(self._on_finding_activated)
        return self.form, self.panel

    def _empty_draft(self) -> Draft:
        return SharingDecisionDraft()

    def _check(self, draft: Draft) -> list[Finding]:
        assert isinstance(draft, SharingDecisionDraft)
        return checklist.check_sharing_decision(
            draft, now=utcnow(), consents=self._consents, date_of_birth=self.date_of_birth
        )

    def _record(self, draft: Draft) -> records.Saved:
        assert isinstance(draft, SharingDecisionDraft) and self.case_id is not None
        return records.record_sharing_decision(
            self._store, case_id=self.case_id, draft=draft, from_draft_id=self.draft_id
        )

    def _show_findings(self, findings: list[Finding]) -> None:
        self.panel.set_findings(findings)


class ConsentDecisionEditor(RecordEditorBase):
    """Record a consent decision on a case (or resume a draft of one)."""

    form: ConsentDecisionForm

    title = "Consent decision"

    def __init__(
        self,
        store: Store,
        case_id: str,
        draft_id: str | None = None,
        *,
        autosave_interval_ms: int = RecordEditorBase.AUTOSAVE_MS,
        date_of_birth: date | None = None,
        parent: QWidget | None = None,
    ):
        self._consents = _case_consents(store, case_id)
        self.date_of_birth = date_of_birth
        super().__init__(
            store,
            case_id=case_id,
            draft_id=draft_id,
            autosave_interval_ms=autosave_interval_ms,
            parent=parent,
        )

    def _build_parts(self) -> tuple[QWidget, QWidget]:
        self.form = ConsentDecisionForm(self._consents)
        self.panel = FindingsPanel("Checklist")
        self.form.changed.connect(self._edited)
        self.panel.finding_activated.connect(self._on_finding_activated)
        return self.form, self.panel

    def _empty_draft(self) -> Draft:
        return ConsentDecisionDraft()

    def _check(self, draft: Draft) -> list[Finding]:
        assert isinstance(draft, ConsentDecisionDraft)
        return checklist.check_consent_decision(
            draft, now=utcnow(), consents=self._consents, date_of_birth=self.date_of_birth
        )

    def _record(self, draft: Draft) -> records.Saved:
        assert isinstance(draft, ConsentDecisionDraft) and self.case_id is not None
        return records.record_consent_decision(
            self._store, case_id=self.case_id, draft=draft, from_draft_id=self.draft_id
        )

    def _show_findings(self, findings: list[Finding]) -> None:
        self.panel.set_findings(findings)


class DeclaredEditor(RecordEditorBase):
    """Record a kind that needs nothing beyond its declaration (``domain.kinds``), such as
    advice: its declared form, its checklist beside it, and the service's generic save."""

    def __init__(
        self,
        store: Store,
        case_id: str,
        draft_id: str | None = None,
        *,
        kind: RecordKind,
        autosave_interval_ms: int = RecordEditorBase.AUTOSAVE_MS,
        date_of_birth: date | None = None,
        parent: QWidget | None = None,
    ):
        self.kind = spec(kind)
        self.title = self.kind.kind.label
        self._consents = _case_consents(store, case_id)
        self._entries = _case_entries(store, case_id)
        self.date_of_birth = date_of_birth
        super().__init__(
            store,
            case_id=case_id,
            draft_id=draft_id,
            autosave_interval_ms=autosave_interval_ms,
            parent=parent,
        )

    def _build_parts(self) -> tuple[QWidget, QWidget]:
        self.form = DeclaredForm(self.kind.form, record_link_inputs(self._entries))
        self.form.set_draft(self.kind.draft())
        self.panel = FindingsPanel("Checklist")
        self.form.changed.connect(self._edited)
        self.panel.finding_activated.connect(self._on_finding_activated)
        return self.form, self.panel

    def _empty_draft(self) -> Draft:
        return self.kind.draft()

    def _check(self, draft: Draft) -> list[Finding]:
        context = CheckContext(
            now=utcnow(), consents=self._consents, date_of_birth=self.date_of_birth
        )
        return self.kind.check(draft, context)

    def _record(self, draft: Draft) -> records.Saved:
        assert self.case_id is not None
        return records.record_case_record(
            self._store, case_id=self.case_id, draft=draft, from_draft_id=self.draft_id
        )

    def _show_findings(self, findings: list[Finding]) -> None:
        self.panel.set_findings(findings)


def open_editor(
    kind: RecordKind,
    store: Store,
    case_id: str,
    draft_id: str | None = None,
    *,
    date_of_birth: date | None = None,
) -> RecordEditorBase:
    """The editor for a new record of ``kind`` (or a draft of one): the sharing and consent
    decision editors for theirs, the declared editor for any other kind."""
    if kind is RecordKind.SHARING_DECISION:
        return SharingDecisionEditor(store, case_id, draft_id, date_of_birth=date_of_birth)
    if kind is RecordKind.CONSENT_DECISION:
        return ConsentDecisionEditor(store, case_id, draft_id, date_of_birth=date_of_birth)
    return DeclaredEditor(store, case_id, draft_id, kind=kind, date_of_birth=date_of_birth)


def _case_entries(store: Store, case_id: str) -> list[ChronologyEntry]:
    """The case's records, for the pick-lists that link them (none if unreadable)."""
    try:
        return cases.chronology(store, case_id=case_id)
    except UserFacingError:
        return []


def _case_consents(store: Store, case_id: str) -> list[ConsentRecord]:
    """The case's consent decisions, read once per editor (none if they cannot be read;
    the service reads them again, in the save's own transaction)."""
    try:
        return records.case_consents(store, case_id=case_id)
    except UserFacingError:
        return []


__all__ = [
    "CONFIRM_SAVE_TEXT",
    "ConsentDecisionEditor",
    "DeclaredEditor",
    "RecordEditorBase",
    "SharingDecisionEditor",
    "open_editor",
]
