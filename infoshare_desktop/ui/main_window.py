"""The main window: a header, a navigation list and a stack of pages, plus locking.

Adding a screen (for the engineers who follow):

    page = CaseListPage(window.session)            # keep the Session, never a store
    window.add_page("Cases", page, "Ctrl+2", description="find and open a child's case")

`add_page` puts the page in the navigation list, in the Go menu with its shortcut, and
(with a description) in the Home page's list of what the user can do. Pages reach the
open store as `session.store`, save drafts on `session.about_to_lock`, and reload on
`session.store_changed` (after an unlock the store is a new object).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from infoshare_desktop import APP_NAME, __version__
from infoshare_desktop.domain.accounts import CASE_ROLES
from infoshare_desktop.domain.enums import RecordKind
from infoshare_desktop.domain.kinds import KINDS
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.services import accounts, maintenance, records
from infoshare_desktop.services.accounts import Store
from infoshare_desktop.services.drafts import DraftSummary
from infoshare_desktop.services.errors import UserFacingError
from infoshare_desktop.services.maintenance import VerificationResult
from infoshare_desktop.services.worklist import WorkItem
from infoshare_desktop.ui.admin.account_table import roles_text
from infoshare_desktop.ui.admin.restore_backup import RestoreBackupDialog
from infoshare_desktop.ui.admin.users_page import UsersPage, rotate_data_key
from infoshare_desktop.ui.cases.cases_page import CasesPage
from infoshare_desktop.ui.common import appearance, feedback
from infoshare_desktop.ui.common.activity import UserActivityFilter
from infoshare_desktop.ui.common.labels import text_label
from infoshare_desktop.ui.common.navigation import NavigationList, PageHost
from infoshare_desktop.ui.common.progress import (
    Progress,
    StopCheck,
    StoreOperation,
    Work,
    report,
)
from infoshare_desktop.ui.common.session import Session
from infoshare_desktop.ui.common.theme import TEXT_SIZES, apply_theme, current_theme
from infoshare_desktop.ui.home.drafts_page import DraftsPage
from infoshare_desktop.ui.home.home_page import HomePage
from infoshare_desktop.ui.signin.change_password import ChangePasswordDialog
from infoshare_desktop.ui.signin.idle_lock import (
    WARNING_SECONDS,
    IdleLockDialog,
    IdleWarningDialog,
)
from infoshare_desktop.ui.signin.unlock import UnlockDialog

HOME = "Home"
USERS = "Users"
CASES = "Cases"
DRAFTS = "My drafts"
#: A QDialog property: hide the dialog over a lock instead of closing it.
SURVIVES_LOCK = "survives_lock"
BACKUP_FILTER = "InfoShare backups (*.isbackup)"
BACKUP_SUFFIX = ".isbackup"
#: The search index is tidied (its segments merged, services.records.tidy_search_index)
#: once the user has been idle this long, a bounded step at a time, this far apart.
TIDY_AFTER_MS = 3000
TIDY_STEP_MS = 100


def backup_file_name(now: datetime | None = None) -> str:
    """A default backup name that holds no personal data: just the time."""
    return f"infoshare-backup-{(now or datetime.now()):%Y%m%d-%H%M}{BACKUP_SUFFIX}"


class MainWindow(PageHost):
    signed_out = Signal()
    """The session ended by Sign out: someone else may sign in now."""
    closed = Signal()
    """The window closed (after `signed_out`, or because the user quit)."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = Session(store, self)
        self.paths = DataPaths(accounts.data_folder(store))
        self.lock_dialog: UnlockDialog | None = None
        self.restore_dialog: RestoreBackupDialog | None = None
        self._locked = False
        self._ended = False
        self._kept_over_lock: list[QDialog] = []
        self._pages: dict[str, QWidget] = {}
        self._home_tasks: list[tuple[str, str]] = []
        self.setWindowTitle(APP_NAME)
        # Small enough for 1366x768 at 150% system scaling (910x512): pages reflow.
        self.setMinimumSize(640, 400)
        self.resize(1180, 720)

        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.setInterval(self._idle_interval_ms())
        self.idle_timer.timeout.connect(self._on_idle_timer_timeout)
        # The warning comes WARNING_SECONDS before the lock (at once for a lock sooner).
        self.idle_warning_timer = QTimer(self)
        self.idle_warning_timer.setSingleShot(True)
        self.idle_warning_timer.timeout.connect(self._on_idle_warning_timer_timeout)
        self.idle_warning = IdleWarningDialog(self)
        self.tidy_timer = QTimer(self)
        self.tidy_timer.setSingleShot(True)
        self.tidy_timer.timeout.connect(self._on_tidy_timer_timeout)
        self._activity = UserActivityFilter(self)
        self._activity.activity.connect(self._on_activity_activity)
        self._lock_when_done = False
        self.session.operation_finished.connect(self._on_session_operation_finished)

        self._build_central()
        self._build_menus()
        self.home_page = HomePage(self.session, self)
        self.add_page(HOME, self.home_page, "Ctrl+1")
        self.home_page.count_changed.connect(self._on_home_page_count_changed)
        self.home_page.item_opened.connect(self._on_home_page_item_opened)
        self._on_home_page_count_changed(self.home_page.count)
        if self.session.is_administrator:
            self.users_page = UsersPage(self.session, self)
            self.add_page(
                USERS,
                self.users_page,
                "Ctrl+2",
                description="add accounts for the staff who use this computer, change "
                "their roles, reset forgotten passwords and unlock locked accounts",
            )
        self.cases_page: CasesPage | None = None
        self.drafts_page: DraftsPage | None = None
        if any(self.session.user.has(role) for role in CASE_ROLES):
            self._add_case_pages()
        self._build_view_menu()
        self._apply_preferences()
        self._update_home_tasks()
        self.show_page(HOME)
        self.navigation.setFocus()
        self._start_idle_watch()

    # -- the page API -----------------------------------------------------------------
    def add_page(
        self, name: str, widget: QWidget, shortcut: str | None = None, *, description: str = ""
    ) -> QAction:
        """Add a screen: a navigation entry, a Go menu item (with `shortcut`) and, with a
        `description`, a line on the Home page. Returns the menu action."""
        if name in self._pages:
            raise ValueError(f"a page called {name!r} already exists")
        self._pages[name] = widget
        self.pages_stack.addWidget(widget)
        item = QListWidgetItem(name, self.navigation)
        action = QAction(name, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            native = QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)
            item.setToolTip(f"{name} ({native})")
        action.triggered.connect(lambda _checked=False, n=name: self.show_page(n))
        self.go_menu.addAction(action)
        if description:
            keys = f" ({shortcut})" if shortcut else ""
            self._home_tasks.append((f"{name}{keys}", description))
            self._update_home_tasks()
        return action

    def page(self, name: str) -> QWidget:
        return self._pages[name]

    def page_names(self) -> list[str]:
        return list(self._pages)

    def show_page(self, name: str) -> None:
        self.navigation.setCurrentRow(list(self._pages).index(name))

    def current_page_name(self) -> str:
        return list(self._pages)[self.pages_stack.currentIndex()]

    # -- store and locking ------------------------------------------------------------
    @property
    def is_locked(self) -> bool:
        return self._locked

    def set_store(self, store: Store) -> None:
        """Continue with a newly unlocked store (same user) and show the window again."""
        self.session.replace_store(store)
        self._locked = False
        self.outer_stack.setCurrentWidget(self.content)
        self.idle_timer.setInterval(self._idle_interval_ms())
        self.show()
        self.activateWindow()
        self._start_idle_watch()
        kept, self._kept_over_lock = self._kept_over_lock, []
        for dialog in kept:  # what was typed stayed in memory, out of sight, until now
            dialog.show()

    def lock(self) -> None:
        """Save drafts, close the store, hide everything, and show the lock screen."""
        if self._locked or self._ended:
            return
        self._stop_idle_watch()
        self.session.about_to_lock.emit()
        self._close_dialogs(keep_over_lock=True)
        accounts.lock(self.session.store)
        self._locked = True
        self.outer_stack.setCurrentWidget(self.lock_page)
        self.hide()
        user = self.session.user
        self.lock_dialog = UnlockDialog(
            self.paths, locked_user=user.username, locked_name=user.display_name
        )
        self.lock_dialog.finished.connect(self._on_lock_dialog_finished)
        self.lock_dialog.open()

    def sign_out(self) -> None:
        self._end_session()
        self.signed_out.emit()
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._end_session()
        event.accept()
        self.closed.emit()

    def _end_session(self) -> None:
        if self._ended:
            return
        self._ended = True
        operation = self.session.operation
        if operation is not None:  # closing the window cancels it (its files go with it)
            operation.cancel()
            operation.wait()
        geometry = bytes(self.saveGeometry().toBase64().data()).decode("ascii")
        appearance.save(self.paths, geometry=geometry)
        self._stop_idle_watch()
        if not self._locked:
            self.session.about_to_lock.emit()
        self._close_dialogs()
        accounts.sign_out(self.session.store)

    def _idle_interval_ms(self) -> int:
        return accounts.idle_lock_minutes(self.session.store) * 60_000

    def _start_idle_watch(self) -> None:
        _application().installEventFilter(self._activity)
        self._restart_idle_timers()

    def _restart_idle_timers(self) -> None:
        self.idle_warning.hide()
        self.idle_timer.start()
        self.idle_warning_timer.start(max(0, self.idle_timer.interval() - WARNING_SECONDS * 1000))
        self.tidy_timer.start(TIDY_AFTER_MS)

    def _stop_idle_watch(self) -> None:
        self.idle_timer.stop()
        self.tidy_timer.stop()
        self.idle_warning_timer.stop()
        self.idle_warning.hide()
        _application().removeEventFilter(self._activity)

    def _close_dialogs(self, *, keep_over_lock: bool = False) -> None:
        """Dismiss any open dialog (message boxes too) so nothing stays on screen.

        On a lock, a dialog whose ``survives_lock`` property is set (one whose typing has
        no draft to go to, such as a review comment) is hidden instead and shown again
        after the same user unlocks; on sign-out it is closed like the rest."""
        for dialog in self.findChildren(QDialog):
            if dialog.isVisible() and keep_over_lock and dialog.property(SURVIVES_LOCK):
                dialog.hide()
                self._kept_over_lock.append(dialog)
            elif dialog.isVisible():
                dialog.reject()
        if not keep_over_lock:
            kept, self._kept_over_lock = self._kept_over_lock, []
            for dialog in kept:
                dialog.reject()

    # -- building ---------------------------------------------------------------------
    def _build_central(self) -> None:
        user = self.session.user
        header = QFrame(self)
        header.setObjectName("header")
        self.user_label = QLabel(
            f"Signed in as <b>{html.escape(user.display_name)}</b> ({html.escape(user.username)})",
            header,
        )
        self.user_label.setTextFormat(Qt.TextFormat.RichText)
        self.roles_label = text_label(f"Roles: {roles_text(user.roles)}", header, role="muted")
        lock_button = QPushButton("Lock", header)
        lock_button.setAutoDefault(False)
        lock_button.setToolTip("Lock the screen now (Ctrl+L)")
        lock_button.clicked.connect(self._on_lock_button_clicked)
        header_layout = QHBoxLayout(header)
        header_layout.setContentsMargins(12, 8, 12, 8)
        header_layout.setSpacing(12)
        who = QVBoxLayout()
        who.setSpacing(2)
        who.addWidget(self.user_label)
        who.addWidget(self.roles_label)
        header_layout.addLayout(who, 1)
        header_layout.addWidget(lock_button)

        self.navigation = NavigationList(self)
        self.pages_stack = QStackedWidget(self)
        self.navigation.currentRowChanged.connect(self.pages_stack.setCurrentIndex)

        self.content = QWidget(self)
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        body.addWidget(self.navigation)
        body.addWidget(self.pages_stack, 1)
        content_layout = QVBoxLayout(self.content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.setSpacing(0)
        content_layout.addWidget(header)
        content_layout.addLayout(body, 1)

        self.lock_page = QWidget(self)  # blank: nothing of the session shows while locked
        self.outer_stack = QStackedWidget(self)
        self.outer_stack.addWidget(self.content)
        self.outer_stack.addWidget(self.lock_page)
        self.setCentralWidget(self.outer_stack)

    def _action(
        self, menu: QMenu, text: str, slot: Callable[[], None], shortcut: str | None = None
    ) -> QAction:
        action = menu.addAction(text)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.lock_action = self._action(
            file_menu, "&Lock", self._on_lock_action_triggered, "Ctrl+L"
        )
        self._action(file_menu, "&Sign out", self._on_sign_out_action_triggered)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self._on_quit_action_triggered, "Ctrl+Q")
        self.go_menu = bar.addMenu("&Go")
        account_menu = bar.addMenu("&Account")
        self.account_menu = account_menu
        self.change_password_action = self._action(
            account_menu, "&Change password…", self._on_change_password_triggered
        )
        self.admin_menu: QMenu | None = None
        if self.session.is_administrator:
            self.admin_menu = bar.addMenu("Ad&ministration")
            self._action(self.admin_menu, "&Users…", self._on_users_action_triggered)
            self._action(self.admin_menu, "&Idle lock…", self._on_idle_lock_action_triggered)
            self.admin_menu.addSeparator()
            self._action(self.admin_menu, "&Back up now…", self._on_backup_action_triggered)
            self.restore_action = self._action(
                self.admin_menu, "Re&store from backup…", self._on_restore_action_triggered
            )
            self._action(self.admin_menu, "&Verify store…", self._on_verify_action_triggered)
            self._action(
                self.admin_menu,
                "Verify the &whole store…",
                self._on_verify_whole_action_triggered,
            )
            self._action(
                self.admin_menu, "&Rotate the data key now…", self._on_rotate_action_triggered
            )
        help_menu = bar.addMenu("&Help")
        self._action(help_menu, f"&About {APP_NAME}", self._on_about_action_triggered)

    def _add_case_pages(self) -> None:
        """Cases and My drafts, with the Case menu (for staff who work on cases)."""
        self.cases_page = CasesPage(self.session, self)
        self.add_page(
            CASES,
            self.cases_page,
            "Ctrl+3",
            description="find a child's case (Ctrl+F), open it to see its chronology and "
            "consent position, and record sharing and consent decisions",
        )
        self.drafts_page = DraftsPage(self.session, self)
        self.add_page(
            DRAFTS,
            self.drafts_page,
            "Ctrl+4",
            description="carry on with records you started and have not saved yet",
        )
        self.cases_page.case_opened.connect(self._on_cases_page_case_opened)
        self.cases_page.case_view.drafts_changed.connect(self._on_case_view_drafts_changed)
        self.drafts_page.resume_requested.connect(self._on_drafts_page_resume_requested)

        menu = QMenu("&Case", self)
        menu.setToolTipsVisible(True)
        self.menuBar().insertMenu(self.account_menu.menuAction(), menu)
        self.case_menu = menu
        self.new_case_action = self._action(
            menu, "&New case…", self._on_new_case_action_triggered, "Ctrl+N"
        )
        self.find_action = self._action(
            menu, "&Find a case", self._on_find_action_triggered, "Ctrl+F"
        )
        menu.addSeparator()
        #: an item for each kind started from the case (as declared in domain.kinds)
        self.new_record_actions = {
            kind: self._action(
                menu,
                f"{found.menu}…",
                partial(self._on_new_record_action_triggered, kind),
                found.shortcut or None,
            )
            for kind, found in KINDS.items()
            if found.menu
        }
        self.new_sharing_action = self.new_record_actions[RecordKind.SHARING_DECISION]
        self.new_consent_action = self.new_record_actions[RecordKind.CONSENT_DECISION]
        self.amend_action = self._action(
            menu, "&Amend selected record…", self._on_amend_action_triggered
        )
        menu.addSeparator()
        self.print_action = self._action(
            menu, "&Print case summary…", self._on_print_action_triggered, "Ctrl+P"
        )
        self._on_cases_page_case_opened("")

    def _build_view_menu(self) -> None:
        menu = QMenu("&View", self)
        self.menuBar().insertMenu(self.account_menu.menuAction(), menu)
        self.view_menu = menu
        sizes = menu.addMenu("&Text size")
        self.text_size_group = QActionGroup(self)
        self.text_size_actions: dict[str, QAction] = {}
        for size in TEXT_SIZES:
            action = sizes.addAction(size.capitalize())
            action.setCheckable(True)
            action.setData(size)
            self.text_size_group.addAction(action)
            self.text_size_actions[size] = action
        self.text_size_group.triggered.connect(self._on_text_size_group_triggered)
        self.high_visibility_action = menu.addAction("&High visibility")
        self.high_visibility_action.setCheckable(True)
        self.high_visibility_action.toggled.connect(self._on_high_visibility_action_toggled)

    def _apply_preferences(self) -> None:
        """The user's own text size and theme (read once, after sign-in)."""
        try:
            prefs = accounts.preferences(self.session.store)
        except UserFacingError:  # the look is a convenience: the defaults will do
            prefs = {}
        size = prefs.get("text_size", "medium")
        size = size if size in TEXT_SIZES else "medium"
        high = prefs.get("theme") == "high_visibility"
        self.text_size_actions[size].setChecked(True)
        self.high_visibility_action.blockSignals(True)
        self.high_visibility_action.setChecked(high)
        self.high_visibility_action.blockSignals(False)
        self._apply_theme()

    def set_text_size(self, size: str) -> None:
        self.text_size_actions[size].setChecked(True)
        self._change_look(text_size=size)

    def set_high_visibility(self, on: bool) -> None:
        self.high_visibility_action.setChecked(on)

    def _apply_theme(self) -> None:
        size = self.text_size_group.checkedAction().data()
        high = self.high_visibility_action.isChecked()
        if current_theme() != (size, high):
            apply_theme(_application(), size, high)
        # The sign-in and lock screens open in the look last chosen on this computer.
        appearance.save(self.paths, text_size=size, high_visibility=high)

    def show_where_it_was(self) -> None:
        """Open where the window was last time on this computer, or maximised."""
        kept = appearance.load(self.paths).geometry
        if kept and self.restoreGeometry(QByteArray.fromBase64(kept.encode("ascii"))):
            self.show()
        else:
            self.showMaximized()

    def _change_look(self, **values: str) -> None:
        self._apply_theme()
        with feedback.user_errors(self, prefix="Your choice applies now but was not remembered."):
            accounts.set_preferences(self.session.store, **values)

    def _update_home_tasks(self) -> None:
        tasks = list(self._home_tasks)
        tasks.append(
            ("Lock (Ctrl+L)", "lock the screen when you step away; your password opens it again")
        )
        tasks.append(("Change password", "in the Account menu, whenever you need to"))
        if self.session.is_administrator:
            tasks.append(
                (
                    "Administration menu",
                    "set how soon the screen locks itself, back up the store, check "
                    "that it and its audit trail are intact, and replace its data key",
                )
            )
        self.home_page.set_tasks(tasks)

    # -- slots ------------------------------------------------------------------------
    def _on_home_page_count_changed(self, count: int) -> None:
        item = self.navigation.item(list(self._pages).index(HOME))
        item.setText(f"{HOME} ({count})" if count else HOME)

    def _on_home_page_item_opened(self, item: WorkItem) -> None:
        """Open a worklist item: the draft to carry on with, or the record in its case."""
        if self.cases_page is None or not item.case_id:
            return
        self.show_page(CASES)
        if item.draft is not None:
            self.cases_page.resume_draft(item.draft)
        elif self.cases_page.open_case(item.case_id) and item.record_id:
            self.cases_page.case_view.select_record(item.record_id)

    def _on_cases_page_case_opened(self, case_id: str) -> None:
        for action in (
            *self.new_record_actions.values(),
            self.amend_action,
            self.print_action,
        ):
            action.setEnabled(bool(case_id))

    def _on_case_view_drafts_changed(self) -> None:
        if self.drafts_page is not None and self.drafts_page.isVisible():
            self.drafts_page.reload()

    def _on_drafts_page_resume_requested(self, draft: DraftSummary) -> None:
        assert self.cases_page is not None
        self.show_page(CASES)
        self.cases_page.resume_draft(draft)

    def _on_new_case_action_triggered(self) -> None:
        assert self.cases_page is not None
        self.show_page(CASES)
        self.cases_page.new_case()

    def _on_find_action_triggered(self) -> None:
        assert self.cases_page is not None
        self.show_page(CASES)
        self.cases_page.focus_search()

    def _on_new_record_action_triggered(self, kind: RecordKind, *_args: object) -> None:
        assert self.cases_page is not None
        if self.cases_page.open_case_id:
            self.show_page(CASES)
            self.cases_page.case_view.start_record(kind)

    def _on_print_action_triggered(self) -> None:
        assert self.cases_page is not None
        self.cases_page.case_view.print_summary()

    def _on_amend_action_triggered(self) -> None:
        assert self.cases_page is not None
        if self.cases_page.open_case_id:
            self.cases_page.case_view.amend_selected()

    def _on_text_size_group_triggered(self, action: QAction) -> None:
        self._change_look(text_size=action.data())

    def _on_high_visibility_action_toggled(self, on: bool) -> None:
        self._change_look(theme="high_visibility" if on else "standard")

    def _on_idle_timer_timeout(self) -> None:
        if self.session.operation is not None:  # a backup, restore, rotation or verify
            self._lock_when_done = True  # must not be cut off: the lock waits for it
            return
        self.lock()

    def _on_idle_warning_timer_timeout(self) -> None:
        if self.idle_timer.isActive() and self.session.operation is None:
            self.idle_warning.warn()

    def _on_tidy_timer_timeout(self) -> None:
        if self._locked or self._ended or self.session.operation is not None:
            return
        try:
            more = records.tidy_search_index(self.session.store)
        except UserFacingError:
            return  # the store is busy (another window saving): the next idle spell tidies
        if more:
            self.tidy_timer.start(TIDY_STEP_MS)

    def _on_session_operation_finished(self) -> None:
        if self._lock_when_done:
            self._lock_when_done = False
            self.lock()

    def _on_activity_activity(self) -> None:
        self._restart_idle_timers()

    def _on_lock_button_clicked(self) -> None:
        self.lock()

    def _on_lock_action_triggered(self) -> None:
        self.lock()

    def _on_lock_dialog_finished(self, _result: int) -> None:
        dialog, self.lock_dialog = self.lock_dialog, None
        if dialog is None:
            return
        dialog.deleteLater()
        if dialog.store is not None:
            self.set_store(dialog.store)
        else:
            self.sign_out()

    def _on_sign_out_action_triggered(self) -> None:
        self.sign_out()

    def _on_quit_action_triggered(self) -> None:
        self.close()

    def _on_change_password_triggered(self) -> None:
        if ChangePasswordDialog.ask(self.session, self):
            feedback.inform(
                self,
                "Password changed",
                "Your password has been changed. Use the new one from now on.",
            )

    def _on_users_action_triggered(self) -> None:
        self.show_page(USERS)

    def _on_idle_lock_action_triggered(self) -> None:
        if IdleLockDialog.ask(self.session, self):
            self.idle_timer.setInterval(self._idle_interval_ms())
            self.home_page.refresh()

    def _on_backup_action_triggered(self) -> None:
        dest = feedback.ask_save_path(
            self, "Back up the store", Path.home() / backup_file_name(), BACKUP_FILTER
        )
        if dest is None:
            return
        if dest.suffix != BACKUP_SUFFIX:
            dest = dest.with_name(dest.name + BACKUP_SUFFIX)
        store = self.session.store

        def work(progress: Progress, should_stop: StopCheck) -> str:
            return maintenance.backup(store, dest=dest, progress=progress, should_stop=should_stop)

        def written(head: object) -> None:
            report(
                self,
                "Backup written",
                f"The backup was written and checked.\n\nFile: {dest}\nAudit trail head: "
                f"{head}\n\nKeep it somewhere safe, away from this computer. Restoring it "
                "needs an administrator's user name and password.",
            )

        self._run_operation(
            work,
            written,
            title="Back up the store",
            label="Writing the backup and checking it…",
            accessible_name="Backup progress",
            cancelled="The backup was cancelled. No backup file was written and nothing "
            "has changed.",
        )

    def _run_operation(
        self,
        work: Work,
        done: Callable[[Any], None],
        *,
        title: str,
        label: str,
        accessible_name: str,
        cancelled: str,
    ) -> StoreOperation | None:
        """Run `work` off the UI thread behind a progress dialog (ui.common.progress);
        None if another operation is still running."""
        operation = StoreOperation.reported(
            work,
            done,
            title=title,
            label=label,
            accessible_name=accessible_name,
            cancelled=cancelled,
            parent=self,
        )
        if not self.session.run(operation):
            operation.deleteLater()
            return None
        return operation

    def _on_rotate_action_triggered(self) -> None:
        rotate_data_key(self, self.session)

    def _on_restore_action_triggered(self) -> None:
        src = feedback.ask_open_path(
            self, "Restore from backup", self.paths.backups, BACKUP_FILTER + ";;All files (*)"
        )
        if src is None:
            return
        dialog = RestoreBackupDialog(
            self.paths, src, username=self.session.user.username, session=self.session, parent=self
        )
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(self._on_restore_dialog_accepted)
        self.restore_dialog = dialog
        dialog.open()

    def _on_restore_dialog_accepted(self) -> None:
        """Close this session's store (the restore needs the files to itself), restore,
        then sign out so the user signs in again to the restored store. If the restore is
        refused, nothing changed: continue with the current store."""
        dialog, self.restore_dialog = self.restore_dialog, None
        if dialog is None:
            return
        username, password, src = dialog.username, dialog.password, dialog.src
        dialog.password_edit.clear()
        dialog.deleteLater()
        self._stop_idle_watch()
        self.session.about_to_lock.emit()
        accounts.sign_out(self.session.store)
        self._locked = True  # the store is closed: nothing may use it meanwhile
        paths = self.paths

        def work(progress: Progress, should_stop: StopCheck) -> Store:
            return maintenance.restore(
                paths,
                src=src,
                username=username,
                password=password,
                progress=progress,
                should_stop=should_stop,
            )

        def restored(store: object) -> None:
            assert isinstance(store, Store)
            accounts.sign_out(store)
            report(
                self,
                "Backup restored",
                "The backup has been restored. The store it replaced is kept under "
                "backups/replaced-<time>/ in the data folder.\n\nSign in again to continue.",
            )
            self.sign_out()

        def not_restored() -> None:
            """Refused or cancelled: nothing changed, so continue with the current store."""
            if self._ended:
                return
            with feedback.user_errors(self) as again:
                self.set_store(accounts.sign_in(self.paths, username=username, password=password))
            if again.failed:
                self.sign_out()

        operation = self._run_operation(
            work,
            restored,
            title="Restore from backup",
            label="Restoring the backup: copying, checking and re-keying it…",
            accessible_name="Restore progress",
            cancelled="The restore was cancelled. The current store has not been changed.",
        )
        if operation is None:
            not_restored()
            return
        operation.failed.connect(not_restored)
        operation.cancelled.connect(not_restored)

    def _on_verify_action_triggered(self) -> None:
        """What was added since this administrator's last clean verify (all of it, the
        first time)."""
        self._verify(full=False)

    def _on_verify_whole_action_triggered(self) -> None:
        """Everything again, every page of the file included (minutes on a big store)."""
        self._verify(full=True)

    def _verify(self, *, full: bool) -> None:
        store = self.session.store

        def work(progress: Progress, should_stop: StopCheck) -> VerificationResult:
            return maintenance.verify(store, full=full, progress=progress, should_stop=should_stop)

        def verified(result: object) -> None:
            assert isinstance(result, VerificationResult)
            summary = (
                "The store and its audit trail are intact."
                if result.ok
                else "Problems were found. Do not delete anything; ask your administrator or "
                "restore the latest backup."
            )
            report(
                self,
                "Verify store",
                summary + "\n\n" + "\n".join(result.lines()),
                warning=not result.ok,
            )

        self._run_operation(
            work,
            verified,
            title="Verify store",
            label=(
                "Checking every page of the store, its audit trail and every saved item…"
                if full
                else "Checking the store and its audit trail…"
            ),
            accessible_name="Verification progress",
            cancelled="The verification was cancelled before it finished; nothing was "
            "recorded. Run it again to check the store.",
        )

    def _on_about_action_triggered(self) -> None:
        feedback.inform(
            self,
            f"About {APP_NAME}",
            f"{APP_NAME} {__version__}\n\nRecords decisions to share, or not to share, "
            "information about children with other agencies, and the reasons for them. "
            "Everything is kept encrypted on this computer.",
        )


def _application() -> QApplication:
    """The running application (a main window exists only inside one)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app
