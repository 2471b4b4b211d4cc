"""The review screen: the record exactly as saved beside the supervisor's outcome.

The left side is the saved record (``RecordDetailsView``: every field, the criteria with
their rationales, grounds and consent, the amendments so far and earlier review rounds).
The right side asks for the outcome and the comment, shows the live findings of
``checklist.check_review`` and keeps Save review disabled while a blocking one remains
(its tooltip says why). Saving asks for confirmation through ``ui.feedback`` (a review
cannot be changed once saved); a refusal or a store error is shown inline and keeps the
typing.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from infoshare_desktop.domain import checklist
from infoshare_desktop.domain.checklist import Finding, blocking
from infoshare_desktop.domain.enums import RecordKind, ReviewOutcome
from infoshare_desktop.domain.fields import REVIEW_FORM
from infoshare_desktop.domain.records import ReviewDraft
from infoshare_desktop.domain.text import LONG_TEXT
from infoshare_desktop.services import records
from infoshare_desktop.services.cases import RecordDetail
from infoshare_desktop.services.errors import ChecklistRefused, UserFacingError
from infoshare_desktop.ui.common import feedback
from infoshare_desktop.ui.common.announce import announce
from infoshare_desktop.ui.common.checklist_panel import FindingsPanel
from infoshare_desktop.ui.common.fields import TextAreaEdit, name_input
from infoshare_desktop.ui.common.labels import AlertLabel, heading_label, text_label
from infoshare_desktop.ui.common.layout import SPACING, page_layout, scroll_past
from infoshare_desktop.ui.common.session import Session
from infoshare_desktop.ui.records.record_details import RecordDetailsView
from infoshare_desktop.ui.review.models import kind_text

CONFIRM_TITLE = "Save the review"
CONFIRM_TEXT = (
    "A saved review cannot be changed afterwards. If you change your mind, the record "
    "needs another round of review. Save this review now?"
)
OUTCOME = REVIEW_FORM.field("outcome")
"""The review's outcome as declared (``domain.fields``): its choices and what each means."""
COMMENT = REVIEW_FORM.field("comment")


class ReviewDialog(QDialog):
    """Review one saved record; ``reviewed(record_id, outcome)`` after a save."""

    reviewed = Signal(str, str)

    def __init__(
        self,
        session: Session,
        detail: RecordDetail,
        *,
        case_label: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.detail = detail
        self.findings: list[Finding] = []
        self.saved_review_id: str | None = None
        what = detail.kind.label
        if detail.kind is RecordKind.SHARING_DECISION:
            what += f" ({kind_text(detail.kind, detail.subkind).lower()})"
        self.setWindowTitle(f"Review: {what}, {case_label}")
        # A review comment has no draft: over a lock the dialog is hidden, not closed.
        self.setProperty("survives_lock", True)
        self.setMinimumSize(760, 520)

        self.details_view = RecordDetailsView(self)
        self.details_view.show_detail(detail)

        self.outcome_buttons = QButtonGroup(self)
        outcome_title = OUTCOME.label_for(ReviewDraft())
        outcome_box = QGroupBox(f"&{outcome_title}", self)
        outcome_layout = QVBoxLayout(outcome_box)
        outcome_layout.setSpacing(4)
        self.outcome_radios: dict[ReviewOutcome, QRadioButton] = {}
        assert OUTCOME.choices is ReviewOutcome
        for outcome in OUTCOME.choices:
            radio = QRadioButton(outcome.label, outcome_box)
            name_input(radio, f"{outcome_title}: {outcome.label}", OUTCOME.help_for(outcome))
            self.outcome_buttons.addButton(radio)
            self.outcome_radios[outcome] = radio
            outcome_layout.addWidget(radio)

        self.comment_edit = TextAreaEdit(COMMENT.lines, LONG_TEXT, self)
        name_input(self.comment_edit, "Review comment", COMMENT.help)
        comment_label = QLabel(f"&{COMMENT.label_for(ReviewDraft())}", self)
        comment_label.setWordWrap(True)
        comment_label.setBuddy(self.comment_edit)
        self.findings_panel = FindingsPanel("Before you save", self)
        self.findings_panel.list.setMinimumHeight(90)
        self.alert = AlertLabel(self)

        side = QWidget(self)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 4, 0)
        side_layout.setSpacing(SPACING)
        side_layout.addWidget(outcome_box)
        side_layout.addWidget(comment_label)
        side_layout.addWidget(self.comment_edit)
        side_layout.addWidget(self.findings_panel, 1)
        side_scroll = scroll_past(QScrollArea(self))
        side_scroll.setWidgetResizable(True)
        side_scroll.setFrameShape(QFrame.Shape.NoFrame)
        side_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        side_scroll.setWidget(side)

        record_pane = QWidget(self)
        record_layout = QVBoxLayout(record_pane)
        record_layout.setContentsMargins(0, 0, 0, 0)
        saved_label = QLabel("The record &exactly as saved", record_pane)
        saved_label.setBuddy(self.details_view)
        record_layout.addWidget(saved_label)
        record_layout.addWidget(self.details_view, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(record_pane)
        self.splitter.addWidget(side_scroll)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        self.status_label = text_label("", self)
        self.status_label.setAccessibleDescription("Review status")
        self.close_button = QPushButton("Close", self)
        self.close_button.setAutoDefault(False)
        self.close_button.setToolTip("Close without saving a review.")
        self.save_button = QPushButton("&Save review…", self)
        self.save_button.setAutoDefault(False)
        bar = QHBoxLayout()
        bar.setSpacing(8)
        bar.addWidget(self.status_label, 1)
        bar.addWidget(self.close_button)
        bar.addWidget(self.save_button)

        layout = page_layout(self)
        layout.addWidget(heading_label(f"Review: {what}, {case_label}", self))
        layout.addWidget(
            text_label(
                f"Recorded by {detail.author_name}. Read the record and its reasons, then "
                "endorse it or return it to its author for more detail.",
                self,
                role="muted",
            )
        )
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.alert)
        layout.addLayout(bar)

        self.outcome_buttons.buttonToggled.connect(self._on_outcome_buttons_toggled)
        self.comment_edit.textChanged.connect(self._on_comment_edit_changed)
        self.findings_panel.finding_activated.connect(self._on_findings_activated)
        self.close_button.clicked.connect(self.reject)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        save = QShortcut(QKeySequence("Ctrl+S"), self)  # as in the record editors
        save.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save.activated.connect(self._on_save_shortcut_activated)
        self.setTabOrder(self.details_view, self.outcome_radios[ReviewOutcome.ENDORSED])
        self.resize(1240, 700)
        self.evaluate()

    # -- the review as chosen ---------------------------------------------------------
    def outcome(self) -> ReviewOutcome | None:
        for outcome, radio in self.outcome_radios.items():
            if radio.isChecked():
                return outcome
        return None

    def set_outcome(self, outcome: ReviewOutcome) -> None:
        self.outcome_radios[outcome].setChecked(True)

    def draft(self) -> ReviewDraft:
        return ReviewDraft(
            target_id=self.detail.record_id,
            outcome=self.outcome(),
            comment=self.comment_edit.value(),
        )

    def evaluate(self) -> list[Finding]:
        """Re-run the review checklist and enable Save review only when nothing blocks."""
        self.findings = checklist.check_review(
            self.draft(),
            reviewer_id=self.session.user.user_id,
            author_id=self.detail.author_id,
        )
        self.findings_panel.set_findings(self.findings)
        stops = blocking(self.findings)
        done = self.saved_review_id is not None
        self.save_button.setEnabled(not stops and not done)
        if done:
            tip = "This review is saved; it cannot be changed."
        elif stops:
            tip = "Not yet: " + " ".join(f.message for f in stops)
        else:
            tip = "Save this review. It cannot be changed afterwards."
        self.save_button.setToolTip(tip)
        self.save_button.setAccessibleDescription(tip)
        if tip != self.status_label.text():
            if self.status_label.text():  # a change (not the first words): heard as seen
                announce(self.status_label, tip)
            self.status_label.setText(tip)
        return self.findings

    # -- saving -----------------------------------------------------------------------
    def save_review(self) -> str | None:
        """Confirm, then save; the review's id, or None (blocked, cancelled or refused)."""
        if blocking(self.evaluate()) or self.saved_review_id is not None:
            return None
        if not feedback.confirm(self, CONFIRM_TITLE, CONFIRM_TEXT, "Save review"):
            return None
        self.alert.clear()
        draft = self.draft()
        try:
            saved = records.record_review(self.session.store, draft=draft)
        except UserFacingError as error:
            if isinstance(error, ChecklistRefused):
                self.findings_panel.set_findings(list(error.findings))
            feedback.show_user_error(self.alert, error, prefix="Not saved.")
            return None
        self.saved_review_id = saved.record_id
        self.evaluate()
        assert draft.outcome is not None
        self.reviewed.emit(self.detail.record_id, draft.outcome.value)
        self.accept()
        return saved.record_id

    # -- slots ------------------------------------------------------------------------
    def _on_outcome_buttons_toggled(self, _button: QRadioButton, checked: bool) -> None:
        if checked:
            self.evaluate()

    def _on_comment_edit_changed(self) -> None:
        self.evaluate()

    def _on_findings_activated(self, field: str) -> None:
        if field == "comment":
            self.comment_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        elif field == "outcome":
            self.outcome_radios[ReviewOutcome.ENDORSED].setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_save_shortcut_activated(self) -> None:
        if self.save_button.isEnabled():
            self.save_button.click()

    def _on_save_button_clicked(self) -> None:
        self.save_review()
