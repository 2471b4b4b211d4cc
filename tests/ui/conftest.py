"""UI fixtures: the app theme, no modal event loops, signed-in windows."""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication, QDialog

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.ui.common import feedback
from infoshare_desktop.ui.common.input_guard import install_input_guard
from infoshare_desktop.ui.common.theme import apply_theme

USER = "sam.worker"
USER_PASSWORD = "copper kettle meadow"  # fictional

#: How long a test waits for a signal or a state before failing. Generous on purpose: a
#: wait ends as soon as what it waits for happens, so only a broken test ever waits this
#: long, and a loaded machine cannot fail a working one.
WAIT_MS = 30_000


@dataclass
class FeedbackRecorder:
    """Stands in for the modal message boxes; `confirm` answers `answer`."""

    errors: list[str] = field(default_factory=list)
    infos: list[tuple[str, str]] = field(default_factory=list)
    confirms: list[str] = field(default_factory=list)
    answer: bool = True
    save_path: Path | None = None

    def show_error(self, _parent: object, text: str, title: str = "") -> None:
        self.errors.append(text)

    def inform(self, _parent: object, title: str, text: str, *, warning: bool = False) -> None:
        self.infos.append((title, text))

    def confirm(self, _parent: object, title: str, text: str, action: str) -> bool:
        self.confirms.append(title)
        return self.answer

    def ask_save_path(self, *_args: object) -> Path | None:
        return self.save_path


@pytest.fixture(scope="session", autouse=True)
def _theme(qapp):
    apply_theme(qapp)
    install_input_guard(qapp)  # as ui.application.run() does


@pytest.fixture(autouse=True)
def _no_window_outlives_its_test(qapp):
    """Each test starts with no window of an earlier one, as a user's session would.

    pytest-qt closes the widgets a test registered and asks Qt to delete them later, but
    "later" only comes when some other test runs an event loop; until then hundreds of
    closed windows (and any the test did not register) stay in the one process, and every
    app-wide walk (a theme change) visits them. Here they are deleted now, and Python's
    garbage with them."""
    yield
    for window in QApplication.topLevelWidgets():
        window.close()
        window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


@pytest.fixture(autouse=True)
def messages(monkeypatch) -> FeedbackRecorder:
    """Replace every modal message; a stray QDialog.exec() fails instead of blocking."""
    recorder = FeedbackRecorder()
    for name in ("show_error", "inform", "confirm", "ask_save_path"):
        monkeypatch.setattr(feedback, name, getattr(recorder, name))

    def no_exec(self: QDialog) -> int:
        raise AssertionError(f"{type(self).__name__}.exec() would block the test")

    monkeypatch.setattr(QDialog, "exec", no_exec)
    return recorder


def add_user(admin_store, paths, username: str, roles: set[Role], password: str):
    """An account that has completed its first sign-in; returns its open store."""
    from infoshare_desktop.services import accounts

    code = accounts.add_user(admin_store, username=username, display_name="Sam Worker", roles=roles)
    return accounts.sign_in(paths, username=username, password=code, new_password=password)


@pytest.fixture
def admin_window(qtbot, admin_store):
    from infoshare_desktop.ui.main_window import MainWindow

    window = MainWindow(admin_store)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()


@pytest.fixture
def worker_store(admin_store, data_paths):
    store = add_user(admin_store, data_paths, USER, {Role.PRACTITIONER}, USER_PASSWORD)
    yield store
    store.close()
