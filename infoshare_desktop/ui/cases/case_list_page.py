"""The list of cases: browse (a page at a time, sorted by the store) or search as you type.

Typing in the search box waits `SEARCH_DELAY_MS` after the last key, then searches off
the UI thread (`CaseSearch`): the status line says "Searching…", and the results replace
the list with the matching cases and the text that matched (matched words in bold); the
status line gives their number, which a screen reader hears. A key typed meanwhile
cancels the search under way, and only the newest query's results are ever shown
(`search_shown(query)` once they are). Fewer than three letters or digits search only
for a case with exactly that reference, and the status line says why. Enter or a
double-click opens the selected case (`open_requested(case_id)`); "New case…" asks the
window to start the New case dialog (`new_case_requested`).
"""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QKeyEvent,
    QPainter,
    QPalette,
    QShowEvent,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from infoshare_desktop.services import cases
from infoshare_desktop.services.cases import SearchHit
from infoshare_desktop.ui.cases.case_search import CaseSearch
from infoshare_desktop.ui.cases.case_table_model import (
    CASE_ID_ROLE,
    SNIPPET_HTML_ROLE,
    CaseTableModel,
)
from infoshare_desktop.ui.common import feedback
from infoshare_desktop.ui.common.announce import announce
from infoshare_desktop.ui.common.labels import heading_label, text_label
from infoshare_desktop.ui.common.layout import page_layout
from infoshare_desktop.ui.common.session import Session
from infoshare_desktop.ui.common.tables import make_list_table

SEARCH_DELAY_MS = 250

SORT_CHOICES: tuple[tuple[int, bool, str], ...] = (
    (3, True, "Last activity, newest first"),
    (3, False, "Last activity, oldest first"),
    (1, False, "Name, A to Z"),
    (1, True, "Name, Z to A"),
    (0, False, "Reference, A to Z"),
    (0, True, "Reference, Z to A"),
    (2, True, "Date of birth, youngest first"),
    (2, False, "Date of birth, oldest first"),
    (4, True, "Records, most first"),
    (4, False, "Records, fewest first"),
)
"""(column, descending, words) for the Sort by list: sorting without a mouse."""

_Index = QModelIndex | QPersistentModelIndex


class SnippetDelegate(QStyledItemDelegate):
    """Paints a cell's `SNIPPET_HTML_ROLE` HTML (already escaped) on one line."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        markup = index.data(SNIPPET_HTML_ROLE)
        if not markup:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else QStyle()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        doc = QTextDocument()
        doc.setDocumentMargin(0)
        doc.setDefaultFont(opt.font)
        doc.setHtml(markup)
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, opt.widget)
        context = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        context.palette.setColor(QPalette.ColorRole.Text, opt.palette.color(role))
        painter.save()
        top = rect.top() + max(0, (rect.height() - doc.size().height()) / 2)
        painter.translate(rect.left(), top)
        painter.setClipRect(QRectF(0, 0, rect.width(), rect.height()))
        doc.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        hint = super().sizeHint(option, index)
        if not index.data(SNIPPET_HTML_ROLE):
            return hint
        return QSize(max(hint.width(), 300), hint.height())


class CaseListPage(QWidget):
    open_requested = Signal(str)
    new_case_requested = Signal()
    search_shown = Signal(str)  #: a search's results are on the list (its query)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.model = CaseTableModel(session)
        self._loaded = False
        self.search = CaseSearch(self)
        self._searching_for: str | None = None  # the query of the search under way
        self._focus_results = False  # Enter was pressed: move into the results when found

        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText("Search names, references and what records say")
        self.search_edit.setAccessibleName("Search cases")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setToolTip(
            "Type a name, a case reference or words from a record (Ctrl+F). "
            "Press Enter or Down to move to the results."
        )
        self.new_case_button = QPushButton("New case…", self)
        self.new_case_button.setToolTip("Add a child's case (Ctrl+N)")
        self.new_case_button.setAutoDefault(False)
        self.sort_combo = QComboBox(self)
        self.sort_combo.setAccessibleName("Sort cases by")
        for column, descending, words in SORT_CHOICES:
            self.sort_combo.addItem(words, (column, descending))
        self.sort_label = QLabel("Sort by", self)
        self.sort_label.setBuddy(self.sort_combo)
        self.status_label = text_label("", self, role="muted")
        self.status_label.setAccessibleDescription("Number of cases shown")

        self.table = QTableView(self)
        self.table.setObjectName("caseTable")
        make_list_table(self.table, "Cases")
        self.table.setModel(self.model)
        self.table.setWordWrap(False)
        self.table.setItemDelegateForColumn(CaseTableModel.MATCH_COLUMN, SnippetDelegate(self))
        header = self.table.horizontalHeader()
        # Fit columns to the rows on screen only (0: Qt's "visible area"), never to every
        # row of a page, and only while the table is shown (hidden, Qt measures them all).
        header.setResizeContentsPrecision(0)
        self._columns_fitted = True
        header.setSortIndicator(self.model.sort_column(), Qt.SortOrder.DescendingOrder)
        header.setSortIndicatorShown(True)
        header.sectionClicked.connect(self._on_header_section_clicked)

        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self._on_search_timer_timeout)
        self.search_edit.textChanged.connect(self._on_search_edit_text_changed)
        self.search_edit.returnPressed.connect(self._on_search_edit_return_pressed)
        self.search_edit.installEventFilter(self)
        self._count_pending = False
        self._table_viewport = self.table.viewport()
        self._table_viewport.installEventFilter(self)
        self.search.found.connect(self._on_search_found)
        self.search.failed.connect(self._on_search_failed)
        self.new_case_button.clicked.connect(self.new_case_requested)
        self.sort_combo.activated.connect(self._on_sort_combo_activated)
        self.table.activated.connect(self._on_table_activated)
        self.table.doubleClicked.connect(self._on_table_activated)
        self.model.modelReset.connect(self._update_status)
        self.model.rowsInserted.connect(self._update_status)
        session.store_changed.connect(self._on_session_store_changed)
        session.about_to_lock.connect(self._on_session_about_to_lock)

        layout = page_layout(self)
        layout.addWidget(heading_label("Cases", self))
        bar = QHBoxLayout()
        bar.addWidget(self.search_edit, 1)
        bar.addWidget(self.sort_label)
        bar.addWidget(self.sort_combo)
        bar.addWidget(self.new_case_button)
        layout.addLayout(bar)
        layout.addWidget(self.status_label)
        layout.addWidget(self.table, 1)
        self.setFocusProxy(self.search_edit)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.ensure_loaded()
        if not self._columns_fitted:
            self._fit_columns()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down in the search box moves into the results (as Enter does); the cases are
        counted once the first page has painted."""
        if (
            watched is self._table_viewport
            and event.type() == QEvent.Type.Paint
            and self._count_pending
        ):
            self._count_pending = False
            QTimer.singleShot(0, self._on_first_page_painted)
            return False
        if (
            watched is self.search_edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
        ):
            self._on_search_edit_return_pressed()
            return True
        return super().eventFilter(watched, event)

    # -- what the window calls ---------------------------------------------------------------
    def ensure_loaded(self) -> None:
        """Read the first page the first time the list is needed (not at sign-in)."""
        if not self._loaded:
            self.reload()

    def reload(self) -> None:
        self._loaded = True
        if self.model.searching:  # the same search again, off the UI thread
            self._start_search(self.model.query)
            return
        with feedback.user_errors(self):
            self.model.reload()
        self._fit_columns()

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def run_search_now(self) -> None:
        """Search for what is typed without waiting for the typing pause (the results
        come later: `search_shown`)."""
        self.search_timer.stop()
        self._on_search_timer_timeout()

    @property
    def search_pending(self) -> bool:
        """A search is under way whose results are not shown yet."""
        return self._searching_for is not None

    def select_case(self, case_id: str) -> bool:
        row = self.model.row_of(case_id)
        if row is None:
            return False
        self.table.selectRow(row)
        return True

    def selected_case_id(self) -> str | None:
        index = self.table.currentIndex()
        return index.data(CASE_ID_ROLE) if index.isValid() else None

    # -- helpers --------------------------------------------------------------------------------
    def _fit_columns(self) -> None:
        header = self.table.horizontalHeader()
        self._columns_fitted = self.table.isVisible()
        for column in range(self.model.columnCount()):
            mode = QHeaderView.ResizeMode.Interactive
            if column == self.model.columnCount() - 1:
                mode = QHeaderView.ResizeMode.Stretch
            header.setSectionResizeMode(column, mode)
        for column in range(self.model.columnCount() - 1 if self._columns_fitted else 0):
            self.table.resizeColumnToContents(column)
        self.table.setSortingEnabled(False)
        header.setSortIndicatorShown(not self.model.searching)
        header.setSectionsClickable(not self.model.searching)
        self.sort_combo.setEnabled(not self.model.searching)

    def _sort_by(self, column: int, descending: bool) -> None:
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        with feedback.user_errors(self):
            self.model.sort(column, order)
        self.table.horizontalHeader().setSortIndicator(column, order)
        choice = self.sort_combo.findData((column, descending))
        if choice >= 0:
            self.sort_combo.setCurrentIndex(choice)

    def _on_first_page_painted(self) -> None:
        if not self.model.searching and not self.model.counted:
            with feedback.user_errors(self) as outcome:
                self.model.total  # noqa: B018 (counted now, in the store)
            if outcome.failed:
                return  # said once; the number is asked for again at the next reload
        self._update_status()

    def _update_status(self) -> None:
        before = self.status_label.text()
        model = self.model
        if self._searching_for is not None:
            self.status_label.setText("Searching…")
            return  # heard once the results are in, not at every key
        if model.searching:
            n = model.rowCount()
            shown = f"“{model.query}”"
            if n == 0 and cases.too_short(model.query):
                text = (
                    f"Type at least {cases.MIN_SEARCH_CHARS} letters or digits to search "
                    f"names and records (no case has the reference {shown})."
                )
            elif n == 0:
                text = f"No case matches {shown}."
            else:
                text = (
                    f"{n} case{'s' if n != 1 else ''} match {shown}, best first. "
                    "Clear the search to see every case."
                )
            self.status_label.setText(text)
        else:
            if not model.counted:  # the first page is shown first; the number just after
                self._count_pending = True
                self.table.viewport().update()
                return
            self.status_label.setText(
                f"{model.total:,} case{'s' if model.total != 1 else ''}, sorted by "
                f"{self.sort_combo.currentText().lower()}."
            )
        if self.status_label.text() != before and (before or model.searching):
            announce(self.status_label, self.status_label.text())

    def _start_search(self, query: str) -> None:
        self._searching_for = query
        self.search.start(self.session.store, query)
        self._update_status()

    # -- slots ------------------------------------------------------------------------------------
    def _on_search_edit_text_changed(self, _text: str) -> None:
        if self._searching_for is not None:  # typed on: that query is stale
            self.search.cancel()
            self._searching_for = None
            self._update_status()
        self.search_timer.start()

    def _on_search_timer_timeout(self) -> None:
        query = self.search_edit.text().strip()
        if self._searching_for is not None and query == self._searching_for:
            return  # already being searched for
        if query == self.model.query and self._loaded and self._searching_for is None:
            if self._focus_results:
                self._move_into_results()
            return
        self._loaded = True
        if not query:  # back to every case (a page read is quick: no worker)
            self.search.cancel()
            self._searching_for = None
            with feedback.user_errors(self):
                self.model.set_query("")
            self._fit_columns()
            self._focus_results = False
            return
        self._start_search(query)

    def _on_search_found(self, ticket: int, query: str, hits: list[SearchHit]) -> None:
        if not self.search.is_latest(ticket):
            return  # superseded: a newer query's results (or none) stand
        self._searching_for = None
        self.model.show_hits(query, hits)
        self._fit_columns()
        if self.model.rowCount():
            self.table.selectRow(0)
        if self._focus_results:
            self._move_into_results()
        self.search_shown.emit(query)

    def _on_search_failed(self, ticket: int, message: str) -> None:
        if not self.search.is_latest(ticket):
            return
        self._searching_for = None
        self._focus_results = False
        self._update_status()
        feedback.show_error(self, message)

    def _move_into_results(self) -> None:
        self._focus_results = False
        if self.model.rowCount():
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
            self.table.selectRow(0)

    def _on_search_edit_return_pressed(self) -> None:
        self._focus_results = True
        self.run_search_now()

    def _on_table_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_requested.emit(index.data(CASE_ID_ROLE))

    def _on_header_section_clicked(self, column: int) -> None:
        model = self.model
        if model.searching or model.BROWSE_COLUMNS[column].sort_key is None:
            self.table.horizontalHeader().setSortIndicator(
                model.sort_column(),
                Qt.SortOrder.DescendingOrder if model.descending else Qt.SortOrder.AscendingOrder,
            )
            return
        same = model.BROWSE_COLUMNS[column].sort_key == model.sort_key
        self._sort_by(column, not model.descending if same else column in (3, 4))

    def _on_sort_combo_activated(self, index: int) -> None:
        column, descending = self.sort_combo.itemData(index)
        self._sort_by(column, descending)

    def _on_session_store_changed(self) -> None:
        if self._loaded:
            self.reload()

    def _on_session_about_to_lock(self) -> None:
        """The store is about to close: stop the search using it, and wait for it."""
        self.search.cancel()
        self._searching_for = None
        self.search.wait()
