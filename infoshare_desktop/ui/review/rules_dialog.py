"""Administration → Review rules: which saved records enter review automatically, and
after how many days a record waiting for review counts as overdue."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from infoshare_desktop.domain.reviews import ReviewRules
from infoshare_desktop.services import reviews
from infoshare_desktop.ui.common import feedback
from infoshare_desktop.ui.common.labels import AlertLabel, heading_label, text_label
from infoshare_desktop.ui.common.layout import form_layout, page_layout
from infoshare_desktop.ui.common.session import Session

MIN_DAYS = 1
MAX_DAYS = 90


class ReviewRulesDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Review rules")
        self.setMinimumWidth(520)
        rules = reviews.review_rules(session.store)

        self.without_consent_check = QCheckBox("Every sharing decision made &without consent", self)
        self.harm_check = QCheckBox(
            "Every decision &not to share when there is a significant-harm concern", self
        )
        self.every_check = QCheckBox("&Every sharing decision, whatever it was", self)
        for check, name in (
            (self.without_consent_check, "Review decisions made without consent"),
            (self.harm_check, "Review decisions not to share despite a harm concern"),
            (self.every_check, "Review every sharing decision"),
        ):
            check.setAccessibleName(name)
        self.without_consent_check.setChecked(rules.without_consent)
        self.harm_check.setChecked(rules.not_shared_with_harm_concern)
        self.every_check.setChecked(rules.every_sharing_decision)

        self.days_spin = QSpinBox(self)
        self.days_spin.setRange(MIN_DAYS, MAX_DAYS)
        self.days_spin.setSuffix(" days")
        self.days_spin.setAccessibleName("Days waiting before a review is overdue")
        self.days_spin.setValue(rules.overdue_after_days)
        self.alert = AlertLabel(self)

        enter_box = QGroupBox("Records that enter review when they are saved", self)
        enter_layout = QVBoxLayout(enter_box)
        for check in (self.without_consent_check, self.harm_check, self.every_check):
            enter_layout.addWidget(check)
        enter_layout.addWidget(
            text_label(
                "Authors can also ask for review of any of their own records.",
                enter_box,
                role="muted",
            )
        )

        layout = page_layout(self)
        layout.addWidget(heading_label("Review rules", self))
        layout.addWidget(
            text_label(
                "Supervisors review the reasons colleagues recorded. Choose which records "
                "go to their review queue automatically. The rules apply to records saved "
                "from now on, by everyone on this computer.",
                self,
            )
        )
        layout.addWidget(enter_box)
        form = form_layout()
        form.addRow("&Overdue after", self.days_spin)
        layout.addLayout(form)
        layout.addWidget(
            text_label(
                "A record waiting longer than this is marked OVERDUE in the review queue "
                "and the team overview.",
                self,
                role="muted",
            )
        )
        layout.addWidget(self.alert)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.every_check.toggled.connect(self._on_every_check_toggled)
        self._on_every_check_toggled(self.every_check.isChecked())

    def rules(self) -> ReviewRules:
        return ReviewRules(
            without_consent=self.without_consent_check.isChecked(),
            not_shared_with_harm_concern=self.harm_check.isChecked(),
            every_sharing_decision=self.every_check.isChecked(),
            overdue_after_days=self.days_spin.value(),
        )

    def _on_every_check_toggled(self, checked: bool) -> None:
        # Every decision includes the narrower rules; they keep their setting for later.
        self.without_consent_check.setEnabled(not checked)
        self.harm_check.setEnabled(not checked)

    def _on_buttons_accepted(self) -> None:
        with feedback.user_errors(self.alert, prefix="Not saved.") as outcome:
            reviews.set_review_rules(self.session.store, rules=self.rules())
        if outcome.failed:
            return
        self.accept()
