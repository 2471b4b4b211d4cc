"""Amending a saved record: saved records are never edited, only corrected or added to.

``AmendmentDialog(store, target_id)`` reads the amended record (to say what is amended
and whether it was shared: then the recipients-told question applies) and holds an
``AmendmentEditor`` with its own findings. Closing it keeps the typing as a draft.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from infoshare_desktop.domain import checklist
from infoshare_desktop.domain.checklist import Finding
from infoshare_desktop.domain.enums import AmendmentReason, RecordKind, SharingKind
from infoshare_desktop.domain.kinds import summary_of
from infoshare_desktop.domain.records import AmendmentDraft, Draft
from infoshare_desktop.domain.text import LONG_TEXT, MEDIUM_TEXT
from infoshare_desktop.domain.timeutil import format_local
from infoshare_desktop.services import cases, records
from infoshare_desktop.services.accounts import Store
from infoshare_desktop.ui.common.checklist_panel import FindingsPanel
from infoshare_desktop.ui.common.fields import (
    EnumComboBox,
    FieldRow,
    TextAreaEdit,
    WrappingLabel,
    YesNoComboBox,
    focus_target,
    watch,
)
from infoshare_desktop.ui.common.layout import scroll_past
from infoshare_desktop.ui.records.record_editor import RecordEditorBase


class AmendmentForm(QWidget):
    """The amendment's text and reason, and (for a shared record) whether recipients were told."""

    changed = Signal()
    #: Shadows QWidget.scroll(), which nothing here calls (renaming it is left to the forms'
    #: owner, to keep merges small).
    scroll: QScrollArea  # type: ignore[assignment]

    def __init__(
        self,
        target_id: str,
        *,
        target_was_shared: bool,
        about: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._loading = False
        self._target_id = target_id
        self._target_was_shared = target_was_shared
        self.about = WrappingLabel(about, None, self)
        self.text = TextAreaEdit(6, LONG_TEXT)
        self.reason = EnumComboBox(AmendmentReason)
        self.recipients_told = YesNoComboBox("Yes, they have been told", "No, not yet")
        self.recipients_told_notes = TextAreaEdit(2, MEDIUM_TEXT)
        self.inputs: dict[str, QWidget] = {
            "text": self.text,
            "reason": self.reason,
            "recipients_told": self.recipients_told,
            "recipients_told_notes": self.recipients_told_notes,
        }
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(self.about)
        self.rows = {
            "text": FieldRow("The correction or addition", self.text, "", content),
            "reason": FieldRow("Reason for the amendment", self.reason, "", content),
            "recipients_told": FieldRow(
                "This record was shared: have the recipients been told of this amendment?",
                self.recipients_told,
                "When shared information is corrected, the recipients should be told.",
                content,
            ),
            "recipients_told_notes": FieldRow(
                "Who was told, when and how (or when they will be)",
                self.recipients_told_notes,
                "",
                content,
            ),
        }
        for row in self.rows.values():
            layout.addWidget(row)
        layout.addStretch(1)
        self.rows["recipients_told"].setVisible(target_was_shared)
        self.rows["recipients_told_notes"].setVisible(target_was_shared)
        self.scroll = scroll_past(QScrollArea(self))
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll)
        for widget in self.inputs.values():
            watch(widget, self._on_input_changed)

    def draft(self) -> AmendmentDraft:
        """The amendment as typed."""
        return AmendmentDraft(
            target_id=self._target_id,
            text=self.text.value(),
            reason=self.reason.value(),
            recipients_told=self.recipients_told.value(),
            recipients_told_notes=self.recipients_told_notes.value(),
            target_was_shared=self._target_was_shared,
        )

    def set_draft(self, draft: AmendmentDraft) -> None:
        """Show ``draft`` (its target is the dialog's), without emitting ``changed``."""
        self._loading = True
        try:
            self.text.set_value(draft.text)
            self.reason.set_value(draft.reason)
            self.recipients_told.set_value(draft.recipients_told)
            self.recipients_told_notes.set_value(draft.recipients_told_notes)
        finally:
            self._loading = False

    def focus_field(self, name: str) -> bool:
        """Move the focus to the field a finding names."""
        row = self.rows.get(name)
        if row is None or row.isHidden():
            return False
        self.scroll.ensureWidgetVisible(row)
        focus_target(self.inputs[name]).setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def _on_input_changed(self, *_args: object) -> None:
        if not self._loading:
            self.changed.emit()


class AmendmentEditor(RecordEditorBase):
    """Amend a saved record (or resume a draft amendment)."""

    title = "Amendment"

    def __init__(
        self,
        store: Store,
        target_id: str,
        draft_id: str | None = None,
        *,
        autosave_interval_ms: int = RecordEditorBase.AUTOSAVE_MS,
        parent: QWidget | None = None,
    ):
        self.target_id = target_id
        detail = cases.record_detail(store, record_id=target_id)
        sharing = SharingKind.parse(detail.subkind)
        self.target_was_shared = (
            detail.kind is RecordKind.SHARING_DECISION and sharing is not None and sharing.shares
        )
        summary = summary_of(detail.kind, detail.content)
        self._about = (
            f"Amending: {summary}, recorded {format_local(detail.recorded_at)} by "
            f"{detail.author_name}. The saved record stays as it was; this amendment is "
            "added to it."
        )
        super().__init__(
            store,
            case_id=detail.case_id,
            draft_id=draft_id,
            autosave_interval_ms=autosave_interval_ms,
            parent=parent,
        )

    def _build_parts(self) -> tuple[QWidget, QWidget]:
        self.form = AmendmentForm(
            self.target_id, target_was_shared=self.target_was_shared, about=self._about
        )
        self.panel = FindingsPanel("Checklist")
        self.form.changed.connect(self._edited)
        self.panel.finding_activated.connect(self._on_finding_activated)
        return self.form, self.panel

    def _empty_draft(self) -> Draft:
        return AmendmentDraft(target_id=self.target_id, target_was_shared=self.target_was_shared)

    def _draft_target_id(self) -> str | None:
        return self.target_id

    def _check(self, draft: Draft) -> list[Finding]:
        assert isinstance(draft, AmendmentDraft)
        return checklist.check_amendment(draft)

    def _record(self, draft: Draft) -> records.Saved:
        assert isinstance(draft, AmendmentDraft)
        return records.add_amendment(self._store, draft=draft, from_draft_id=self.draft_id)

    def _show_findings(self, findings: list[Finding]) -> None:
        self.panel.set_findings(findings)


class AmendmentDialog(QDialog):
    """A dialog around an AmendmentEditor; accepted once the amendment is saved.

    Raises a StoreError subclass (e.g. RecordNotFound) if the record cannot be read.
    """

    saved = Signal(str)

    def __init__(
        self,
        store: Store,
        target_id: str,
        draft_id: str | None = None,
        *,
        autosave_interval_ms: int = RecordEditorBase.AUTOSAVE_MS,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle("Amend a saved record")
        self.editor = AmendmentEditor(
            store, target_id, draft_id, autosave_interval_ms=autosave_interval_ms, parent=self
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.editor, 1)
        layout.addWidget(buttons)
        self.editor.saved.connect(self._on_editor_saved)
        self.editor.discarded.connect(self.reject)
        back = QShortcut(QKeySequence("Alt+Left"), self)
        back.activated.connect(self.reject)  # back to the case, keeping the draft
        self.resize(1000, 620)

    def reject(self) -> None:
        """Close, keeping anything typed as a draft."""
        self.editor.save_draft_now()
        super().reject()

    def _on_editor_saved(self, record_id: str) -> None:
        self.saved.emit(record_id)
        self.accept()
