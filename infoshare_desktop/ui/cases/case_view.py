"""One child's case: who, the consent position, the chronology and the selected record.

New records are written in an editor that takes the place of the case (it needs the
width for the form and its checklist), with "Back to case" keeping the typing as a
draft. After a save the case comes back with the new record selected. Drafts of this
user's for the case are offered in a bar: Resume / Discard. Before a lock the open
editor keeps its draft and closes (the store it holds is about to close); after the
unlock the bar offers it again.
"""

from __future__ import annotations

import html
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAccessible,
    QAccessibleAnnouncementEvent,
    QFontMetrics,
    QKeySequence,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from infoshare_desktop.domain.consent import Standing, describe_consent
from infoshare_desktop.domain.enums import ConsentOutcome, RecordKind
from infoshare_desktop.domain.identifier import describe_identifier
from infoshare_desktop.domain.kinds import KINDS, spec
from infoshare_desktop.domain.timeutil import format_date, format_local
from infoshare_desktop.services import cases, drafts
from infoshare_desktop.services.cases import CaseSummary, ConsentPositionItem
from infoshare_desktop.services.drafts import DraftSummary
from infoshare_desktop.services.errors import UserFacingError
from infoshare_desktop.services.identifiers import CaseIdentifier
from infoshare_desktop.ui.cases.change_identifier import ChangeIdentifierDialog
from infoshare_desktop.ui.common import feedback
from infoshare_desktop.ui.common.announce import announce
from infoshare_desktop.ui.common.fields import sentence
from infoshare_desktop.ui.common.labels import WordWrapLabel, heading_label, text_label
from infoshare_desktop.ui.common.session import Session
from infoshare_desktop.ui.records import (
    AmendmentDialog,
    ConsentDecisionEditor,
    RecordEditorBase,
    SharingDecisionEditor,
    open_editor,
)
from infoshare_desktop.ui.records.chronology_model import ChronologyTableModel, summary_text

if TYPE_CHECKING:
    from infoshare_desktop.ui.printing.controller import CaseSummaryPrinter
from infoshare_desktop.ui.common.layout import (
    MARGIN,
    SPACING,
    FlowLayout,
    ReflowSplitter,
    scroll_past,
)
from infoshare_desktop.ui.common.tables import make_list_table
from infoshare_desktop.ui.records.record_details import RecordDetailsView

DRAFT_KIND_WORDS = {kind.value: found.words for kind, found in KINDS.items()}
CONSENT_SHOWN = 4
CASE_REFLOW = 130


def draft_kind_words(kind: str) -> str:
    return DRAFT_KIND_WORDS.get(kind, kind.replace("_", " "))


def consent_line(item: ConsentPositionItem) -> str:
    """One consent decision as escaped HTML: where it stands in bold words first, then who,
    what, when and scope (``domain.consent`` decides and words both)."""
    standing = item.standing.phrase()
    line = f"<b>{html.escape(sentence(standing))}</b>: "
    line += html.escape(describe_consent(item.record))
    decision = item.record.decision
    if decision.outcome is ConsentOutcome.WITHDRAWN and not item.ends:
        line += " <i>(it does not say which consent it withdraws)</i>"
    return line


def consent_position_lines(items: list[ConsentPositionItem]) -> list[str]:
    """What the case view shows of the consent position: every decision that still says
    something, newest first. A superseded consent is left out (what replaced it is shown),
    and so is a withdrawal or refusal that ended consents (they are shown as withdrawn)."""
    ended_by_shown = {
        item.standing.ended_by.record_id
        for item in items
        if item.standing.standing is Standing.WITHDRAWN and item.standing.ended_by is not None
    }
    return [
        consent_line(item)
        for item in items
        if item.standing.standing is not Standing.SUPERSEDED
        and item.record_id not in ended_by_shown
    ]


class OneLineDelegate(QStyledItemDelegate):
    """Cells on one line (elided at the end when too long) in a table that wraps."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        option.features &= ~QStyleOptionViewItem.ViewItemFeature.WrapText


class CaseView(QWidget):
    back_requested = Signal()
    records_changed = Signal()
    drafts_changed = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.case: CaseSummary | None = None
        self.editor: RecordEditorBase | None = None
        self.amendment_dialog: AmendmentDialog | None = None
        self.identifier_dialog: ChangeIdentifierDialog | None = None
        self.summary_printer: CaseSummaryPrinter | None = None
        self.case_drafts: list[DraftSummary] = []
        self.model = ChronologyTableModel()

        self.stack = QStackedWidget(self)
        self.case_page = QWidget(self.stack)
        self.editor_page = QWidget(self.stack)
        # At large text sizes the case page scrolls as a whole rather than squeezing
        # the chronology to no rows (the editor keeps its save bar in view instead).
        self.case_scroll = scroll_past(QScrollArea(self.stack))
        self.case_scroll.setWidgetResizable(True)
        self.case_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.case_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.case_scroll.setWidget(self.case_page)
        self.stack.addWidget(self.case_scroll)
        self.stack.addWidget(self.editor_page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self._build_case_page()
        self._build_editor_page()
        session.about_to_lock.connect(self._on_session_about_to_lock)
        session.store_changed.connect(self._on_session_store_changed)

    # -- building ------------------------------------------------------------------------------
    def _button(self, text: str, tip: str, parent: QWidget) -> QPushButton:
        button = QPushButton(text, parent)
        button.setToolTip(tip)
        button.setAutoDefault(False)
        return button

    def _build_case_page(self) -> None:
        page = self.case_page
        self.back_button = self._button("← All cases", "Back to the list of cases (Alt+Left)", page)
        to_list = QShortcut(QKeySequence("Alt+Left"), page)
        to_list.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        to_list.activated.connect(self.back_requested)
        self.name_label = heading_label("", page)
        self.identity_label = text_label("", page)
        self.identity_label.setAccessibleDescription("Case identity")
        #: a button for each kind started from the case (as declared in domain.kinds)
        self.new_buttons = {
            kind: self._button(f"{found.menu.replace('&', '')}…", found.menu_tip, page)
            for kind, found in KINDS.items()
            if found.menu
        }
        self.new_sharing_button = self.new_buttons[RecordKind.SHARING_DECISION]
        self.new_consent_button = self.new_buttons[RecordKind.CONSENT_DECISION]
        self.amend_button = self._button(
            "Amend selected record…",
            "Add a correction or further information to the selected record",
            page,
        )
        self.amend_button.setEnabled(False)
        self.review_button = self._button(
            "Ask for review…",
            "Ask a supervisor to review the reasons in your selected sharing decision",
            page,
        )
        self.review_button.setEnabled(False)
        self.identifier_button = self._button(
            "Change NHS number…",
            "Correct or add the child's NHS number, or record why it is not included "
            "(kept as an amendment of the case)",
            page,
        )

        self.drafts_bar = QFrame(page)
        self.drafts_bar.setObjectName("draftsBar")
        self.drafts_bar.setProperty("role", "notice")
        self.drafts_bar.setFrameShape(QFrame.Shape.StyledPanel)
        self.drafts_icon = QLabel(self.drafts_bar)
        self.drafts_icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation).pixmap(20)
        )
        self.drafts_label = text_label("", self.drafts_bar)
        self.drafts_label.setAccessibleDescription("Unfinished drafts")
        self.resume_button = self._button("Resume", "Carry on with the latest draft", page)
        self.discard_draft_button = self._button("Discard…", "Throw the latest draft away", page)
        bar = QHBoxLayout(self.drafts_bar)
        bar.setContentsMargins(8, 6, 8, 6)
        bar.addWidget(self.drafts_icon)
        bar.addWidget(self.drafts_label, 1)
        bar.addWidget(self.resume_button)
        bar.addWidget(self.discard_draft_button)
        self.drafts_bar.hide()

        self.saved_bar = QFrame(page)
        self.saved_bar.setObjectName("savedBar")
        self.saved_bar.setProperty("role", "notice")
        self.saved_bar.setFrameShape(QFrame.Shape.StyledPanel)
        saved_icon = QLabel(self.saved_bar)
        saved_icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton).pixmap(20)
        )
        self.saved_label = text_label("", self.saved_bar)
        saved_layout = QHBoxLayout(self.saved_bar)
        saved_layout.setContentsMargins(8, 6, 8, 6)
        saved_layout.addWidget(saved_icon)
        saved_layout.addWidget(self.saved_label, 1)
        self.saved_bar.hide()

        self.consent_label = WordWrapLabel(page)
        self.consent_label.setTextFormat(Qt.TextFormat.RichText)
        self.consent_label.setWordWrap(True)
        self.consent_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.consent_label.setAccessibleDescription("Consent position")

        self.table = QTableView(page)
        self.table.setObjectName("chronologyTable")
        make_list_table(self.table, "Chronology")
        self.table.setModel(self.model)
        # The short columns wrap between words rather than be cut (see _fit_columns).
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setItemDelegateForColumn(ChronologyTableModel.SUMMARY, OneLineDelegate(self))
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.viewport().installEventFilter(self)
        self._fitted_width = -1
        self._rows_seen = 0
        self._measured_key: tuple[int, float, str] | None = None
        self._measured_widths: dict[int, tuple[int | None, int, int]] = {}
        self._rows_fitted: object = None
        self._fit_put_off = False
        for changed in (
            self.model.modelReset,
            self.model.dataChanged,
            self.model.rowsInserted,
            self.model.rowsRemoved,
        ):
            changed.connect(self._on_model_changed)
        self.details = RecordDetailsView(page)

        left = QWidget(page)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        consent_heading = QLabel("<b>Consent position</b>", left)
        left_layout.addWidget(consent_heading)
        left_layout.addWidget(self.consent_label)
        chronology_heading = QLabel("<b>Chro&nology</b> (oldest first)", left)
        chronology_heading.setBuddy(self.table)
        left_layout.addWidget(chronology_heading)
        left_layout.addWidget(self.table, 1)
        right = QWidget(page)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        details_heading = QLabel("<b>Selected &record</b>", right)
        details_heading.setBuddy(self.details)
        right_layout.addWidget(details_heading)
        right_layout.addWidget(self.details, 1)
        # Side by side only while the chronology's short columns fit beside the details
        # without wrapping to a sliver (at Medium on 1366 pixels, not at Large).
        self.splitter = ReflowSplitter(page, stacked_lines=24, reflow_characters=CASE_REFLOW)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 1)

        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.name_label)
        top.addWidget(self.identity_label, 1)
        actions = FlowLayout()
        for button in self.new_buttons.values():
            actions.addWidget(button)
        actions.addWidget(self.amend_button)
        actions.addWidget(self.review_button)
        actions.addWidget(self.identifier_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(MARGIN, MARGIN, MARGIN, MARGIN)
        layout.setSpacing(SPACING)
        layout.addLayout(top)
        layout.addLayout(actions)
        layout.addWidget(self.saved_bar)
        layout.addWidget(self.drafts_bar)
        layout.addWidget(self.splitter, 1)

        self.back_button.clicked.connect(self.back_requested)
        for kind, button in self.new_buttons.items():
            button.clicked.connect(partial(self._on_new_button_clicked, kind))
        self.amend_button.clicked.connect(self._on_amend_button_clicked)
        self.review_button.clicked.connect(self._on_review_button_clicked)
        self.identifier_button.clicked.connect(self._on_identifier_button_clicked)
        self.resume_button.clicked.connect(self._on_resume_button_clicked)
        self.discard_draft_button.clicked.connect(self._on_discard_draft_button_clicked)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)

    def _build_editor_page(self) -> None:
        page = self.editor_page
        self.back_to_case_button = self._button(
            "← Back to case",
            "Keep what you typed as a draft and go back to the case (Alt+Left)",
            page,
        )
        self.editor_case_label = text_label("", page, role="muted")
        top = QHBoxLayout()
        top.addWidget(self.back_to_case_button)
        top.addWidget(self.editor_case_label, 1)
        self.editor_layout = QVBoxLayout(page)
        self.editor_layout.setContentsMargins(MARGIN, MARGIN, MARGIN, 0)
        self.editor_layout.addLayout(top)
        self.back_to_case_button.clicked.connect(self._on_back_to_case_button_clicked)
        back = QShortcut(QKeySequence("Alt+Left"), page)
        back.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        back.activated.connect(self._on_back_to_case_button_clicked)

    # -- opening and reloading -------------------------------------------------------------------
    def open_case(self, case_id: str) -> bool:
        """Show a case (audited as a view); False if it cannot be read."""
        self.close_editor()
        with feedback.user_errors(self) as outcome:
            self.case = cases.open_case(self.session.store, case_id=case_id)
        if outcome.failed:
            return False
        self._show_identity()
        self.saved_bar.hide()
        self.splitter.setSizes([680, 320])  # in proportion: the chronology gets 68%
        self.details.clear_detail()
        self.reload()
        self.table.scrollToBottom()
        return True

    def reload(self, select_record_id: str | None = None) -> None:
        """Read the chronology, consent position and drafts again."""
        if self.case is None:
            return
        store, case_id = self.session.store, self.case.case_id
        with feedback.user_errors(self) as outcome:
            entries = cases.chronology(store, case_id=case_id)
            consent = cases.consent_position(store, case_id=case_id)
            self.case_drafts = drafts.list_drafts(store, case_id=case_id)
        if outcome.failed:
            return
        self.model.set_rows(entries)
        # The Status column appears once a record has a badge; until then it would only
        # take width from the summary.
        self.table.setColumnHidden(
            ChronologyTableModel.STATUS, not any(entry.badges for entry in entries)
        )
        self._fit_columns()
        self._show_consent(consent)
        self._show_drafts_bar()
        self.amend_button.setEnabled(False)
        self.review_button.setEnabled(False)
        if select_record_id is not None:
            self.select_record(select_record_id)

    def changeEvent(self, event: QEvent) -> None:
        """Fit the chronology's columns again when the text size or theme changes."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._rows_fitted = None  # a style's own margins change the rows' heights too
            self._fit_columns()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Fit the chronology's columns to the new width."""
        super().resizeEvent(event)
        self._fit_columns()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Fit the columns again when the chronology's own width changes (the splitter
        moved, a scroll bar came or went), once per width, and when it is shown after a
        fit it had to put off."""
        if watched is self.table.viewport() and (
            (event.type() == QEvent.Type.Resize and watched.width() != self._fitted_width)
            or (event.type() == QEvent.Type.Show and self._fit_put_off)
        ):
            self._fit_columns()
        return super().eventFilter(watched, event)

    def _fit_columns(self) -> None:
        """Fit the short columns (kind, the two dates, author, status) to their contents
        on one line when there is room, and otherwise wrap them between words (never
        narrower than their longest word, so nothing in them is cut); the summary, the
        last column, takes what is left, on one line, and only it may be elided (the
        details pane and its tooltip have it whole).

        The texts are measured once per set of rows and font (`_measured`), Qt lays out
        one cell per column (the widest) to size it, and the rows are sized again only
        when a short column's width changed: opening a 200-record case fitted five times
        and asked Qt for some 37,000 cells' data."""
        table, model = self.table, ChronologyTableModel
        # A chronology not on screen has no width of its own yet (a page being opened):
        # fitted when it is shown (eventFilter), not at every width it passes through.
        self._fit_put_off = not table.isVisible()
        if self._fit_put_off:
            self._fitted_width = -1
            return
        self._fitted_width = table.viewport().width()
        short = [c for c in range(model.SUMMARY) if not table.isColumnHidden(c)]
        metrics = table.fontMetrics()
        header = table.horizontalHeader()
        measured = self._measured(metrics)
        grid = 1 if table.showGrid() else 0
        full, narrow = {}, {}
        table.setWordWrap(False)  # measured on one line; what a cell adds to its text
        for column in short:
            widest_row, widest_text, widest_word = measured[column]
            heading = header.sectionSizeHint(column)
            cell = 0
            if widest_row is not None:
                cell = table.sizeHintForIndex(self.model.index(widest_row, column)).width()
            full[column] = max(heading, cell + grid)
            # What the cell adds to its text (margins; the kind's icon) stays the same.
            # Two pixels more than measured: the wrapped layout's fractional advances
            # add up to a little more than the whole-pixel ones.
            narrow[column] = max(
                header.sectionSizeFromContents(column).width(),
                full[column] - widest_text + widest_word + 2,
            )
        table.setWordWrap(True)
        width = table.viewport().width() - self._scroll_bar_to_come()
        summary_room = max(12 * metrics.horizontalAdvance("M"), width // 4)
        room = width - summary_room
        widths = dict(full)
        if sum(full.values()) > room:
            # Share what is left over the narrowest fit in proportion to what each lacks.
            spare = max(0, room - sum(narrow.values()))
            lacking = sum(full[c] - narrow[c] for c in short) or 1
            for column in short:
                extra = spare * (full[column] - narrow[column]) // lacking
                widths[column] = min(full[column], narrow[column] + extra)
        for column, column_width in widths.items():
            table.setColumnWidth(column, column_width)
        # Each row as high as its cells need, which only the rows, the font or the short
        # columns' widths change (not the summary's: it is one line).
        rows = (self._measured_key, tuple(sorted(widths.items())))
        if rows != self._rows_fitted:
            table.resizeRowsToContents()
            self._rows_fitted = rows

    def _scroll_bar_to_come(self) -> int:
        """The width of the vertical scroll bar the rows are about to need (Qt shows it
        only at its next layout, and the columns would be fitted twice), else 0."""
        table = self.table
        bar = table.verticalScrollBar()
        if bar.isVisible() or not self.model.rowCount():
            return 0
        if self.model.rowCount() * table.rowHeight(0) <= table.viewport().height():
            return 0
        return table.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, bar)

    def _measured(self, metrics: QFontMetrics) -> dict[int, tuple[int | None, int, int]]:
        """Per short column: the row of its widest text, that text's width and its
        widest word's (a date and time counts as one word: it wraps after the date,
        "13 Aug 2025" over "00:58", not inside it); kept until the rows or the font
        change."""
        key = (self._rows_seen, metrics.fontDpi(), self.table.font().key())
        if self._measured_key == key:
            return self._measured_widths
        model = ChronologyTableModel
        widths: dict[int, tuple[int | None, int, int]] = {}
        for column in range(model.SUMMARY):
            keep = 3 if column in (model.HAPPENED, model.RECORDED) else 1
            widest_row: int | None = None
            widest_text = widest_word = 0
            for row in range(self.model.rowCount()):
                text = str(self.model.index(row, column).data() or "")
                width = metrics.horizontalAdvance(text)
                if widest_row is None or width > widest_text:
                    widest_row, widest_text = row, width
                words = text.split()
                for unit in (" ".join(words[:keep]), *words[keep:]):
                    widest_word = max(widest_word, metrics.horizontalAdvance(unit))
            widths[column] = (widest_row, widest_text, widest_word)
        self._measured_key, self._measured_widths = key, widths
        return widths

    def _on_model_changed(self, *_: object) -> None:
        self._rows_seen += 1  # measure the texts again at the next fit

    def select_record(self, record_id: str) -> bool:
        row = self.model.row_of(record_id)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def selected_entry(self) -> cases.ChronologyEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _show_identity(self) -> None:
        case = self.case
        assert case is not None
        self.name_label.setText(case.display_name)
        born = format_date(case.date_of_birth) if case.date_of_birth else "not known"
        parts = [f"Reference {case.case_reference}", f"Born {born}"]
        identifier = case.identifier
        parts.append(identifier.text() if identifier else describe_identifier(None))
        if case.restricted:
            parts.append("Restricted case: only staff named on it can see it")
        self.identity_label.setText("  ·  ".join(parts))
        self.identity_label.setToolTip(
            f"NHS number recorded by {identifier.recorded_by}, "
            f"{format_local(identifier.recorded_at)}"
            if identifier
            else "No NHS number recorded: use “Change NHS number…” to add it or say why not"
        )
        self.editor_case_label.setText(f"{case.display_name} ({case.case_reference})")

    def _show_consent(self, items: list[ConsentPositionItem]) -> None:
        shown = consent_position_lines(items)
        if not shown:
            self.consent_label.setText("<i>No consent decision recorded.</i>")
            return
        lines = shown[:CONSENT_SHOWN]
        if len(shown) > CONSENT_SHOWN:
            lines.append(
                f"<i>and {len(shown) - CONSENT_SHOWN} earlier consent decisions "
                "(see the chronology)</i>"
            )
        self.consent_label.setText("<br>".join(lines))

    def _show_drafts_bar(self) -> None:
        found = self.case_drafts
        if not found or self.editor is not None:
            self.drafts_bar.hide()
            return
        latest = found[0]
        if len(found) == 1:
            text = f"You have 1 unfinished {draft_kind_words(latest.kind)} for this case"
        else:
            text = (
                f"You have {len(found)} unfinished records for this case; the latest is a "
                f"{draft_kind_words(latest.kind)}"
            )
        said = f": “{latest.snippet}”" if latest.snippet else ""
        self.drafts_label.setText(f"{text}{said} (kept {format_local(latest.updated_at)}).")
        self.resume_button.setAccessibleDescription(f"Resume the {draft_kind_words(latest.kind)}")
        self.drafts_bar.show()

    def show_saved(self, record_id: str, what: str = "The record") -> None:
        """Confirm a save where the user is looking, and to a screen reader."""
        entry = next((e for e in self.model.rows() if e.record_id == record_id), None)
        said = summary_text(entry) if entry is not None else what
        text = f"Saved: {said}. It is selected in the chronology."
        self.saved_label.setText(text)
        self.saved_bar.show()
        event = QAccessibleAnnouncementEvent(self.saved_label, text)
        event.setPoliteness(QAccessible.AnnouncementPoliteness.Polite)
        QAccessible.updateAccessibility(event)

    # -- editors -------------------------------------------------------------------------------
    def start_record(
        self, kind: RecordKind, draft_id: str | None = None
    ) -> RecordEditorBase | None:
        """A new record of ``kind``, or (when one is unfinished) the user's latest draft."""
        if self.case is None:
            return None
        draft_id = draft_id or self._existing_draft(kind)
        editor = open_editor(
            kind,
            self.session.store,
            self.case.case_id,
            draft_id,
            date_of_birth=self.case.date_of_birth,
        )
        self._show_editor(editor)
        return editor

    def start_sharing_decision(self, draft_id: str | None = None) -> SharingDecisionEditor | None:
        """A new sharing decision, or (when one is unfinished) the user's latest draft."""
        editor = self.start_record(RecordKind.SHARING_DECISION, draft_id)
        assert editor is None or isinstance(editor, SharingDecisionEditor)
        return editor

    def start_consent_decision(self, draft_id: str | None = None) -> ConsentDecisionEditor | None:
        """A new consent decision, or (when one is unfinished) the user's latest draft."""
        editor = self.start_record(RecordKind.CONSENT_DECISION, draft_id)
        assert editor is None or isinstance(editor, ConsentDecisionEditor)
        return editor

    def amend(self, target_id: str, draft_id: str | None = None) -> AmendmentDialog | None:
        """Open the amendment dialog for a record (non-modal to the event loop); an
        unfinished amendment of the same record is resumed rather than started again."""
        draft_id = draft_id or self._existing_draft(RecordKind.AMENDMENT, target_id)
        with feedback.user_errors(self) as outcome:
            dialog = AmendmentDialog(self.session.store, target_id, draft_id, parent=self)
        if outcome.failed:
            return None
        self.amendment_dialog = dialog
        dialog.saved.connect(self._on_amendment_dialog_saved)
        dialog.finished.connect(self._on_amendment_dialog_finished)
        dialog.open()
        return dialog

    def print_summary(self) -> None:
        """Options, preview, print or save a summary of the open case (team leads)."""
        from infoshare_desktop.ui.printing import open_case_summary

        if self.case is not None:
            self.summary_printer = open_case_summary(
                self, self.session, self.case.case_id, case_label=self.case.case_reference
            )

    def amend_selected(self) -> AmendmentDialog | None:
        entry = self.selected_entry()
        if entry is None:
            return None
        target = entry.record_id
        if entry.kind in (RecordKind.AMENDMENT, RecordKind.REVIEW) and entry.target_id:
            target = entry.target_id
        return self.amend(target)

    def _existing_draft(self, kind: RecordKind, target_id: str | None = None) -> str | None:
        if self.case is None:
            return None
        try:
            found = drafts.find_draft(
                self.session.store, case_id=self.case.case_id, kind=kind.value, target_id=target_id
            )
        except UserFacingError:  # no draft found is the same as none: start afresh
            return None
        return found.draft_id if found else None

    def resume(self, draft: DraftSummary) -> None:
        """Carry on with one of this case's drafts in the right editor."""
        if draft.kind not in RecordKind._value2member_map_:
            return  # a draft of a kind this version does not know
        kind = RecordKind(draft.kind)
        if kind is RecordKind.AMENDMENT and draft.target_id:
            self.amend(draft.target_id, draft.draft_id)
        elif spec(kind).menu:
            self.start_record(kind, draft.draft_id)

    def save_drafts(self) -> None:
        """Keep every open editor's typing as a draft now."""
        if self.editor is not None:
            self.editor.save_draft_now()
        if self.amendment_dialog is not None:
            self.amendment_dialog.editor.save_draft_now()

    def close_editor(self) -> None:
        """Keep the typing as a draft, close the editor and show the case again."""
        editor, self.editor = self.editor, None
        if editor is not None:
            editor.save_draft_now()
            self.editor_layout.removeWidget(editor)
            editor.deleteLater()
            self.drafts_changed.emit()
        self.stack.setCurrentWidget(self.case_scroll)

    def _show_editor(self, editor: RecordEditorBase) -> None:
        self.close_editor()
        self.editor = editor
        editor.setParent(self.editor_page)
        self.editor_layout.addWidget(editor, 1)
        editor.saved.connect(self._on_editor_saved)
        editor.discarded.connect(self._on_editor_discarded)
        editor.draft_saved.connect(self._on_editor_draft_saved)
        self.drafts_bar.hide()
        self.saved_bar.hide()
        self.stack.setCurrentWidget(self.editor_page)
        # To its first field: the editor itself is a container with no name to speak.
        editor.setFocus(Qt.FocusReason.OtherFocusReason)
        editor.focusNextChild()

    # -- slots ------------------------------------------------------------------------------------
    def _on_new_button_clicked(self, kind: RecordKind, *_args: object) -> None:
        self.start_record(kind)

    def _on_amend_button_clicked(self) -> None:
        self.amend_selected()

    def _on_review_button_clicked(self) -> None:
        from infoshare_desktop.ui.review.actions import ask_for_review

        entry = self.selected_entry()
        if entry is not None:
            ask_for_review(self, self.session, entry.record_id)

    def _on_resume_button_clicked(self) -> None:
        if self.case_drafts:
            self.resume(self.case_drafts[0])

    def _on_discard_draft_button_clicked(self) -> None:
        if not self.case_drafts:
            return
        latest = self.case_drafts[0]
        words = draft_kind_words(latest.kind)
        if not feedback.confirm(
            self,
            "Discard the draft",
            f"Discard your unfinished {words}? What you typed in it will be lost.",
            "Discard",
        ):
            return
        with feedback.user_errors(self):
            drafts.discard_draft(self.session.store, draft_id=latest.draft_id)
        self.reload()
        self.drafts_changed.emit()

    def _on_table_selection_changed(self, _selected: QItemSelection, _old: QItemSelection) -> None:
        entry = self.selected_entry()
        self.amend_button.setEnabled(entry is not None)
        user = self.session.user
        self.review_button.setEnabled(
            entry is not None
            and spec(entry.kind).reviewable
            and user is not None
            and entry.author_id == user.user_id
        )
        if entry is None:
            self.details.clear_detail()
            return
        try:
            detail = cases.record_detail(self.session.store, record_id=entry.record_id)
        except UserFacingError as error:  # said where the record would have been
            self.details.clear_detail(error.user_message)
            announce(self.details, error.user_message, assertive=True)
            return
        self.details.show_detail(detail)

    def _on_back_to_case_button_clicked(self) -> None:
        self.close_editor()
        self.reload()

    def _on_editor_saved(self, record_id: str) -> None:
        what = self.editor.title if self.editor is not None else "Record"
        self.close_editor()
        self.reload(select_record_id=record_id)
        self.show_saved(record_id, what)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self.records_changed.emit()

    def _on_editor_discarded(self) -> None:
        self.close_editor()
        self.reload()

    def _on_editor_draft_saved(self, _draft_id: str) -> None:
        self.drafts_changed.emit()

    def change_identifier(self) -> ChangeIdentifierDialog | None:
        """Open the Change NHS number dialog for the open case."""
        if self.case is None:
            return None
        dialog = ChangeIdentifierDialog(self.session, self.case, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.changed.connect(self._on_identifier_dialog_changed)
        dialog.finished.connect(dialog.deleteLater)
        self.identifier_dialog = dialog
        dialog.open()
        return dialog

    def _on_identifier_button_clicked(self) -> None:
        self.change_identifier()

    def _on_identifier_dialog_changed(self, identifier: CaseIdentifier) -> None:
        if self.case is not None:
            self.case = replace(self.case, identifier=identifier)
            self._show_identity()
            text = f"Saved: {identifier.text()}. The earlier identifier is kept."
            self.saved_label.setText(text)
            self.saved_bar.show()
            event = QAccessibleAnnouncementEvent(self.saved_label, text)
            event.setPoliteness(QAccessible.AnnouncementPoliteness.Polite)
            QAccessible.updateAccessibility(event)

    def _on_amendment_dialog_saved(self, record_id: str) -> None:
        self.reload(select_record_id=record_id)
        self.show_saved(record_id, "Amendment")
        self.records_changed.emit()

    def _on_amendment_dialog_finished(self, _result: int) -> None:
        dialog, self.amendment_dialog = self.amendment_dialog, None
        if dialog is not None:
            dialog.deleteLater()
        entry = self.selected_entry()
        self.reload(select_record_id=entry.record_id if entry else None)
        self.drafts_changed.emit()

    def _on_session_about_to_lock(self) -> None:
        self.save_drafts()
        if self.editor is not None and self.editor.has_unsaved_changes:
            return  # not kept as a draft (disk full, busy...): the editor stays, behind the lock
        self.close_editor()

    def _on_session_store_changed(self) -> None:
        if self.editor is not None:
            self.editor.use_store(self.session.store)
        if self.case is not None:
            self.reload()
