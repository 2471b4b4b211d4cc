"""Every Alt+letter means one thing in its window: no two visible controls, and no
control and a menu, share a mnemonic. Walks every page of the main window (with every
role, a case open and each editor), and every dialog."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from PySide6.QtWidgets import QAbstractButton, QDialog, QGroupBox, QLabel, QMainWindow, QWidget

from infoshare_desktop.paths import DataPaths
from infoshare_desktop.services import cases, records
from infoshare_desktop.ui.admin.user_accounts import AddUserDialog
from infoshare_desktop.ui.cases.change_identifier import ChangeIdentifierDialog
from infoshare_desktop.ui.cases.new_case import NewCaseDialog
from infoshare_desktop.ui.common.session import Session
from infoshare_desktop.ui.main_window import CASES, MainWindow
from infoshare_desktop.ui.printing.options_dialog import SummaryOptionsDialog
from infoshare_desktop.ui.review import install_review_pages
from infoshare_desktop.ui.review.review_dialog import ReviewDialog
from infoshare_desktop.ui.review.rules_dialog import ReviewRulesDialog
from infoshare_desktop.ui.signin.change_password import ChangePasswordDialog
from infoshare_desktop.ui.signin.first_run import FirstRunDialog
from infoshare_desktop.ui.signin.idle_lock import IdleLockDialog
from infoshare_desktop.ui.signin.unlock import UnlockDialog
from tests.domain.factories import complete_case, complete_sharing_decision

_ENTITY = re.compile(r"&[a-zA-Z]+;|&#\d+;")


def mnemonic(text: str) -> str | None:
    """The letter after a single "&" (rich-text entities and "&&" are not mnemonics)."""
    plain = _ENTITY.sub("", text).replace("&&", "")
    found = re.search(r"&(\w)", plain)
    return found.group(1).casefold() if found else None


def mnemonics(window: QWidget) -> list[tuple[str, str]]:
    """(letter, text) for the menu bar and every visible control of ``window``."""
    found: list[tuple[str, str]] = []
    if isinstance(window, QMainWindow):
        for action in window.menuBar().actions():
            if action.isVisible() and (letter := mnemonic(action.text())):
                found.append((letter, f"menu {action.text()}"))
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.window() is not window:
            continue
        if isinstance(widget, QAbstractButton) or (
            isinstance(widget, QLabel) and widget.buddy() is not None
        ):
            text = widget.text()
        elif isinstance(widget, QGroupBox):
            text = widget.title()
        else:
            continue
        if letter := mnemonic(text):
            found.append((letter, text))
    return found


def assert_unique(window: QWidget, where: str) -> None:
    found = mnemonics(window)
    counts = Counter(letter for letter, _ in found)
    clashes = sorted((letter, text) for letter, text in found if counts[letter] > 1)
    assert not clashes, f"{where}: Alt keys used twice: {clashes}"


def test_the_mnemonic_reader():
    assert mnemonic("Chro&nology") == "n"
    assert mnemonic("<b>Selected &record</b>") == "r"
    assert mnemonic("R&amp;D &Help") == "h"
    assert mnemonic("Fish && chips") is None


def test_every_page_of_the_main_window_has_unique_mnemonics(qtbot, admin_store):
    case_id = cases.create_case(admin_store, draft=complete_case())
    saved = records.record_sharing_decision(
        admin_store, case_id=case_id, draft=complete_sharing_decision()
    )
    window = MainWindow(admin_store)
    qtbot.addWidget(window)
    install_review_pages(window, window.session)
    window.show()
    qtbot.waitExposed(window)
    checked = 0
    for name in window.page_names():
        window.show_page(name)
        assert_unique(window, f"page {name}")
        checked += 1
    assert checked >= 6
    window.show_page(CASES)
    view = window.cases_page.case_view
    assert window.cases_page.open_case(case_id)
    view.select_record(saved.record_id)
    assert_unique(window, "a case")
    view.start_sharing_decision()
    assert_unique(window, "sharing decision editor")
    view.start_consent_decision()
    assert_unique(window, "consent decision editor")
    view.close_editor()
    dialog = view.amend(saved.record_id)
    assert_unique(dialog, "amendment dialog")
    dialog.reject()
    window.close()


@pytest.mark.parametrize(
    "make",
    [
        lambda store, paths: NewCaseDialog(Session(store)),
        lambda store, paths: ChangeIdentifierDialog(
            Session(store),
            cases.open_case(store, case_id=cases.create_case(store, draft=complete_case())),
        ),
        lambda store, paths: ChangePasswordDialog(Session(store)),
        lambda store, paths: IdleLockDialog(Session(store)),
        lambda store, paths: AddUserDialog(Session(store)),
        lambda store, paths: ReviewRulesDialog(Session(store)),
        lambda store, paths: SummaryOptionsDialog("TEST-0001"),
        lambda store, paths: UnlockDialog(paths),
        lambda store, paths: FirstRunDialog(DataPaths(paths.root / "elsewhere")),
    ],
    ids=[
        "new-case",
        "change-identifier",
        "change-password",
        "idle-lock",
        "add-user",
        "review-rules",
        "print",
        "unlock",
        "first-run",
    ],
)
def test_every_dialog_has_unique_mnemonics(qtbot, admin_store, data_paths, make):
    dialog: QDialog = make(admin_store, data_paths)
    qtbot.addWidget(dialog)
    dialog.show()
    assert mnemonics(dialog), "a dialog with no Alt keys at all would pass for nothing"
    assert_unique(dialog, type(dialog).__name__)


def test_the_review_screen_has_unique_mnemonics(qtbot, admin_store):
    from infoshare_desktop.services import reviews

    case_id = cases.create_case(admin_store, draft=complete_case())
    saved = records.record_sharing_decision(
        admin_store, case_id=case_id, draft=complete_sharing_decision()
    )
    detail = reviews.open_for_review(admin_store, record_id=saved.record_id)
    dialog = ReviewDialog(Session(admin_store), detail, case_label="TEST-0001")
    qtbot.addWidget(dialog)
    dialog.show()
    assert_unique(dialog, "review screen")
