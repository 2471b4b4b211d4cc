"""The first page after signing in: My work, then who is signed in and what they can do.

My work is a tree: one branch per section the user's roles allow ("Returned to me (2)"),
each item under it one thing to do, on two lines (what it is; the case and why it is
here). A click on an item, or Enter, opens it: the record in its case, or the draft to
carry on with (`item_opened`). The total goes to the navigation entry ("Home (3)")
through `count_changed`. The sections and their queries are services.worklist's: every
one indexed and LIMITed, so showing this page costs the same at any size of store.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics, QKeyEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGroupBox,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from infoshare_desktop.domain.accounts import CASE_ROLES
from infoshare_desktop.services import accounts, worklist
from infoshare_desktop.services.errors import UserFacingError
from infoshare_desktop.services.worklist import WorkItem, WorkKind, WorkSection
from infoshare_desktop.ui.admin.account_table import roles_text
from infoshare_desktop.ui.common import feedback
from infoshare_desktop.ui.common.labels import AlertLabel, heading_label, text_label
from infoshare_desktop.ui.common.layout import MARGIN, SPACING, form_layout, page_layout
from infoshare_desktop.ui.common.session import Session

ITEM_ROLE = Qt.ItemDataRole.UserRole
KIND_ROLE = Qt.ItemDataRole.UserRole + 1
NOTHING_WAITING = "Nothing is waiting for you."


def _value_label(text: str, parent: QWidget, accessible_name: str) -> QLabel:
    label = text_label(text, parent)
    label.setAccessibleDescription(accessible_name)
    return label


def _things(count: int) -> str:
    return f"{count} item{'s' * (count != 1)}"


def section_text(section: WorkSection) -> str:
    """The branch as shown: "Returned to me (2)"."""
    return f"{section.label} ({section.count_text})"


def section_spoken(section: WorkSection) -> str:
    """The branch as a screen reader says it: "Returned to me, 2 items"."""
    whose = ", the team's" if section.team else ""
    count = f"{worklist.COUNT_CAP} or more items" if section.count >= worklist.COUNT_CAP else ""
    return f"{section.label}{whose}, {count or _things(section.count)}"


def item_lines(item: WorkItem) -> tuple[str, str]:
    """What the item is; then its case and why it is on the list."""
    case = " · ".join(p for p in (item.case_reference, item.case_name) if p)
    where = f"{case} · {item.detail}" if case else item.detail
    return item.title, where


class _WrappingDelegate(QStyledItemDelegate):
    """Rows as tall as their text wrapped to the column (QTreeView alone measures them
    unwrapped, so a long line at a large text size would be cut off)."""

    def __init__(self, tree: QTreeWidget) -> None:
        super().__init__(tree)
        self.tree = tree

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = super().sizeHint(option, index)
        depth, parent = 0, index.parent()
        while parent.isValid():
            depth, parent = depth + 1, parent.parent()
        width = self.tree.viewport().width() - self.tree.indentation() * (depth + 1) - 12
        font = index.data(Qt.ItemDataRole.FontRole) or option.font
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        flags = Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft
        rect = QFontMetrics(font).boundingRect(QRect(0, 0, max(width, 50), 100_000), flags, text)
        return QSize(hint.width(), max(hint.height(), rect.height() + 8))


class WorklistTree(QTreeWidget):
    """The sections and their items; ``item_opened`` on a click or Enter on an item."""

    item_opened = Signal(object)  # WorkItem

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("worklist")
        self.setAccessibleName("My work")
        self.setAccessibleDescription(
            "Each branch is a kind of work with its count. Press Enter on an item to open it."
        )
        self.setColumnCount(1)
        self.setHeaderHidden(True)
        self.header().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.setWordWrap(True)
        self.setUniformRowHeights(False)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setItemDelegate(_WrappingDelegate(self))
        self._collapsed: set[WorkKind] = set()
        self.itemClicked.connect(self._on_item_clicked)
        self.itemCollapsed.connect(self._on_item_collapsed)
        self.itemExpanded.connect(self._on_item_expanded)

    def set_sections(self, sections: list[WorkSection]) -> None:
        """Show ``sections``, keeping which branches were collapsed and the current item."""
        current = self.current_work_item()
        self.clear()
        for section in sections:
            branch = QTreeWidgetItem(self, [section_text(section)])
            branch.setData(0, KIND_ROLE, section.kind.value)
            branch.setData(0, Qt.ItemDataRole.AccessibleTextRole, section_spoken(section))
            font = branch.font(0)
            font.setBold(True)
            branch.setFont(0, font)
            for item in section.items:
                what, where = item_lines(item)
                child = QTreeWidgetItem(branch, [f"{what}\n{where}"])
                child.setData(0, ITEM_ROLE, item)
                child.setData(0, Qt.ItemDataRole.AccessibleTextRole, f"{what}. {where}")
                child.setToolTip(0, "Click or press Enter to open it")
                if current is not None and _same(item, current):
                    self.setCurrentItem(child)
            if not section.items:
                self._note(branch, section.empty_text)
            elif section.count > len(section.items):
                more = section.count - len(section.items)
                self._note(
                    branch,
                    f"and {more}{' or more' if section.count >= worklist.COUNT_CAP else ''} "
                    f"more (the first {len(section.items)} are listed)",
                )
            branch.setExpanded(section.kind not in self._collapsed)
        first = self.topLevelItem(0)
        if self.currentItem() is None and first is not None:
            self.setCurrentItem(first)

    def _note(self, branch: QTreeWidgetItem, text: str) -> None:
        note = QTreeWidgetItem(branch, [text])
        note.setFlags(Qt.ItemFlag.ItemIsEnabled)  # read, not selected or opened
        font = note.font(0)
        font.setItalic(True)
        note.setFont(0, font)

    def current_work_item(self) -> WorkItem | None:
        item = self.currentItem()
        return item.data(0, ITEM_ROLE) if item is not None else None

    def items_of(self, kind: WorkKind) -> list[WorkItem]:
        for row in range(self.topLevelItemCount()):
            branch = self.topLevelItem(row)
            if branch is not None and branch.data(0, KIND_ROLE) == kind.value:
                children = (branch.child(i) for i in range(branch.childCount()))
                found = (child.data(0, ITEM_ROLE) for child in children if child is not None)
                return [item for item in found if isinstance(item, WorkItem)]
        return []

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            current = self.currentItem()
            if current is not None and current.data(0, ITEM_ROLE) is not None:
                self.item_opened.emit(current.data(0, ITEM_ROLE))
                return
            if current is not None and current.childCount():
                current.setExpanded(not current.isExpanded())
                return
        super().keyPressEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.scheduleDelayedItemsLayout()  # rows grow or shrink with the text size

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.scheduleDelayedItemsLayout()  # wrapped lines need new heights

    def _on_item_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        work = item.data(0, ITEM_ROLE)
        if work is not None:
            self.item_opened.emit(work)

    def _on_item_collapsed(self, item: QTreeWidgetItem) -> None:
        kind = item.data(0, KIND_ROLE)
        if kind:
            self._collapsed.add(WorkKind(kind))

    def _on_item_expanded(self, item: QTreeWidgetItem) -> None:
        kind = item.data(0, KIND_ROLE)
        if kind:
            self._collapsed.discard(WorkKind(kind))


def _same(a: WorkItem, b: WorkItem) -> bool:
    if a.kind is not b.kind:
        return False
    if a.draft is not None and b.draft is not None:
        return a.draft.draft_id == b.draft.draft_id
    return a.record_id == b.record_id


class HomePage(QWidget):
    """My work above; the session's facts and the list of what the user can do below,
    in a part that scrolls rather than clips when the text is large."""

    count_changed = Signal(int)
    item_opened = Signal(object)  # WorkItem

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.count = 0
        self.sections: list[WorkSection] = []
        user = session.user
        self.has_worklist = any(user.has(role) for role in CASE_ROLES)
        self.setAccessibleName("Home")
        layout = page_layout(self, margin=MARGIN + 4)
        layout.addWidget(heading_label("My work" if self.has_worklist else "Home", self))
        self.welcome_label = text_label(f"Welcome, {user.display_name}.", self, role="muted")
        layout.addWidget(self.welcome_label)
        self.rotation_alert = AlertLabel(self)  # administrators only
        layout.addWidget(self.rotation_alert)
        self.alert = AlertLabel(self)
        layout.addWidget(self.alert)
        self.summary_label = text_label("", self)
        self.summary_label.setAccessibleDescription("My work summary")
        self.tree = WorklistTree(self)
        self.tree.item_opened.connect(self.item_opened)
        if self.has_worklist:
            layout.addWidget(self.summary_label)
            layout.addWidget(self.tree, 3)  # three quarters of the height; the rest below
        else:
            self.summary_label.hide()
            self.tree.hide()

        about = QScrollArea(self)
        about.setWidgetResizable(True)
        about.setFrameShape(QFrame.Shape.NoFrame)
        about.setAccessibleName("About this session")
        self.about_area = about
        box = QGroupBox("About this session", about)
        about.setWidget(box)
        box_layout = QVBoxLayout(box)
        box_layout.setSpacing(6)
        form = form_layout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.signed_in_label = _value_label(
            f"{user.display_name} (user name {user.username})", box, "Signed in as"
        )
        self.roles_label = _value_label(roles_text(user.roles), box, "Your roles")
        self.folder_label = _value_label(
            str(accounts.data_folder(session.store)), box, "Data folder"
        )
        self.lock_label = _value_label("", box, "Screen lock")
        form.addRow("Signed in as:", self.signed_in_label)
        form.addRow("Your roles:", self.roles_label)
        form.addRow("Data folder:", self.folder_label)
        form.addRow("Screen lock:", self.lock_label)
        box_layout.addLayout(form)
        box_layout.addSpacing(SPACING // 2)
        box_layout.addWidget(text_label("What you can do here", box, role="subheading"))
        self.tasks_layout = QVBoxLayout()
        self.tasks_layout.setSpacing(6)
        box_layout.addLayout(self.tasks_layout)
        box_layout.addWidget(
            text_label(
                "Everything you record is kept encrypted in the data folder on this "
                "computer. Other people who use this computer sign in with their own "
                "accounts and cannot unlock your session.",
                box,
                role="muted",
            )
        )
        box_layout.addStretch(1)
        layout.addWidget(about, 1)
        session.store_changed.connect(self.refresh)
        self.refresh()
        self._read_for_first_show = True  # shown at sign-in: no need to read it twice

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._read_for_first_show:
            self._read_for_first_show = False
            return
        self.refresh_work()  # what others saved since, and what this user did elsewhere

    def refresh(self) -> None:
        """The session facts and the worklist, read again."""
        try:
            minutes = accounts.idle_lock_minutes(self.session.store)
        except UserFacingError:  # a locked or busy store: the page fills in next time
            return
        notices = []
        if self.session.is_administrator and accounts.key_rotation_pending(self.session.store):
            notices.append(
                "Key rotation pending: the old key of a revoked or disabled account, or of a "
                "reset password, could still open this store. Use Administration > Rotate "
                "the data key now."
            )
        if accounts.trust_warnings(self.session.store):  # administrators only
            notices.append(
                "The signed accounts in this store were changed outside the application; "
                "accounts whose grants are affected cannot sign in. Run Administration > "
                "Verify store to see what, and restore the latest backup."
            )
        if accounts.members_carry_over_pending(self.session.store):
            notices.append(
                "Restricted cases from before this version are closed, even to the staff "
                "named on them, until an administrator signs in once: that sign-in signs "
                "who is named on them."
            )
        if notices:
            self.rotation_alert.show_message(" ".join(notices))
        else:
            self.rotation_alert.clear()
        unit = "minute" if minutes == 1 else "minutes"
        self.lock_label.setText(
            f"Locks itself after {minutes} {unit} without use; lock it yourself with "
            "Ctrl+L whenever you step away."
        )
        self.refresh_work()

    def refresh_work(self) -> None:
        if not self.has_worklist or not self.session.store.is_open:
            return
        with feedback.user_errors(self.alert, prefix="Your work could not be loaded.") as outcome:
            sections = worklist.my_work(self.session.store)
        if outcome.failed:
            return
        self.alert.clear()
        self.sections = sections
        self.tree.set_sections(sections)
        self.count = worklist.total(sections)
        waiting = [s for s in sections if s.count]
        if waiting:
            parts = ", ".join(f"{s.label.lower()}: {s.count_text}" for s in waiting)
            self.summary_label.setText(f"Waiting for you: {parts}. Click an item to open it.")
        else:
            self.summary_label.setText(NOTHING_WAITING)
        self.count_changed.emit(self.count)

    def set_tasks(self, tasks: list[tuple[str, str]]) -> None:
        """(title, what it does) for each thing the user can do, shown as a list."""
        while self.tasks_layout.count():
            item = self.tasks_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        parent = self.about_area.widget()
        for title, text in tasks:
            label = text_label(f"•  {title}: {text}", parent)
            self.tasks_layout.addWidget(label)
