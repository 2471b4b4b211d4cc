"""Starting the interface: the QApplication, the exception hook, and who is signed in.

Nothing here imports the storage stack at import time; the sign-in dialogs import the
services when the user presses Unlock or Create, and a background thread warms them up
meanwhile.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from infoshare_desktop import APP_NAME, __version__
from infoshare_desktop.diagnostics import safe_traceback
from infoshare_desktop.domain.errors import UserFacingError
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.ui.common import appearance, feedback
from infoshare_desktop.ui.common.input_guard import install_input_guard
from infoshare_desktop.ui.common.theme import apply_theme, current_theme
from infoshare_desktop.ui.signin.first_run import FirstRunDialog
from infoshare_desktop.ui.signin.unlock import UnlockDialog

if TYPE_CHECKING:
    from infoshare_desktop.services.accounts import Store
    from infoshare_desktop.ui.main_window import MainWindow

log = logging.getLogger("infoshare")

UNEXPECTED_ERROR = (
    "Something went wrong in InfoShare Desktop. Your work has been kept as far as "
    "possible. Details without personal data are in the log; if this happens again, "
    "please tell your administrator."
)


def needs_first_run(paths: DataPaths) -> bool:
    """An empty data folder (as `services.accounts.needs_first_run`, without importing it)."""
    return not (paths.keystore.exists() or paths.database.exists())


def handle_exception(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    """The global exception hook: log where it happened (never the message) and tell the
    user plainly. A known error (the environment's or the user's) shows its own words."""
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    if exc.__traceback__ is None and tb is not None:
        exc = exc.with_traceback(tb)
    if isinstance(exc, UserFacingError):
        log.warning("unhandled known error %s", type(exc).__qualname__)
        text = str(exc)
    else:
        log.error("unexpected error\n%s", safe_traceback(exc))
        text = UNEXPECTED_ERROR
    try:
        feedback.show_error(None, text)
    except Exception as shown:
        log.error("could not show an error message\n%s", safe_traceback(shown))


def install_exception_hook() -> None:
    sys.excepthook = handle_exception


def _warm_up_services(paths: DataPaths | None = None) -> None:
    """Import the storage stack while the user types, then remove what crashed backups
    and restores left behind (no store file is opened)."""
    try:
        import infoshare_desktop.services.accounts  # noqa: F401
        from infoshare_desktop.services import maintenance

        if paths is not None:
            maintenance.clean_leftovers(paths)
    except Exception as exc:  # the Unlock button will report it properly
        log.warning("warm-up failed: %s", type(exc).__qualname__)


def start_warm_up(paths: DataPaths | None = None) -> threading.Thread:
    thread = threading.Thread(target=_warm_up_services, args=(paths,), name="warm-up", daemon=True)
    thread.start()
    return thread


def apply_kept_look(app: QApplication, paths: DataPaths) -> None:
    """The text size and theme last chosen on this computer (see `ui.appearance`)."""
    look = appearance.load(paths)
    if current_theme() != (look.text_size, look.high_visibility):
        apply_theme(app, look.text_size, look.high_visibility)


class SessionController(QObject):
    """Who is using the application: the sign-in dialog, then a main window, and back to
    signing in after Sign out. Quits when the user quits."""

    def __init__(self, paths: DataPaths, app: QApplication) -> None:
        super().__init__()
        self.paths = paths
        self.app = app
        self.dialog: FirstRunDialog | UnlockDialog | None = None
        self.window: MainWindow | None = None
        app.setQuitOnLastWindowClosed(False)

    def start(self) -> None:
        if needs_first_run(self.paths):
            self._show_dialog(FirstRunDialog(self.paths))
        else:
            self._show_dialog(UnlockDialog(self.paths))

    def _show_dialog(self, dialog: FirstRunDialog | UnlockDialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(self._on_dialog_finished)
        dialog.show()

    def _on_dialog_finished(self, _result: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is None:
            return
        dialog.deleteLater()
        if dialog.store is None:
            self.app.quit()
            return
        self._open_window(dialog.store)

    def _open_window(self, store: Store) -> None:
        from infoshare_desktop.ui.main_window import MainWindow
        from infoshare_desktop.ui.review import install_review_pages

        window = MainWindow(store)
        install_review_pages(window, window.session)
        window.signed_out.connect(self._on_window_signed_out)
        window.closed.connect(self._on_window_closed)
        self.window = window
        window.show_where_it_was()

    def _on_window_signed_out(self) -> None:
        window, self.window = self.window, None
        if window is not None:
            window.deleteLater()
        apply_kept_look(self.app, self.paths)  # the look the last person chose
        self._show_dialog(UnlockDialog(self.paths))

    def _on_window_closed(self) -> None:
        if self.window is not None:  # closed by quitting, not by signing out
            self.window.deleteLater()
            self.window = None
            self.app.quit()


#: Set by the start-up benchmark: quit as soon as the first dialog has painted.
QUIT_AFTER_FIRST_PAINT = "INFOSHARE_QUIT_AFTER_FIRST_PAINT"


class _QuitOnFirstPaint(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, QApplication.quit)
        return False


def run(paths: DataPaths) -> int:
    """Show the first-run or sign-in dialog, then the main window; returns the exit code."""
    running = QApplication.instance()
    app = running if isinstance(running, QApplication) else QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    apply_kept_look(app, paths)
    install_input_guard(app)
    install_exception_hook()
    controller = SessionController(paths, app)
    controller.start()
    if os.environ.get(QUIT_AFTER_FIRST_PAINT) and controller.dialog is not None:
        probe = _QuitOnFirstPaint(app)
        controller.dialog.installEventFilter(probe)
    QTimer.singleShot(0, lambda: start_warm_up(paths))
    return app.exec()
