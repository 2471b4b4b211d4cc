"""Text sizes up to 200% of Medium (WCAG 1.4.4): dialogs grow to show their whole
message and the page list is as wide as its longest entry."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel

from infoshare_desktop.ui.dialogs.set_password import SetPasswordDialog
from infoshare_desktop.ui.dialogs.unlock import UnlockDialog
from infoshare_desktop.ui.theme import TEXT_SIZES, apply_theme

WRONG = "The password is not right. Check Caps Lock and the keyboard layout and try again."


@pytest.fixture
def largest(qapp):
    apply_theme(qapp, "largest")
    yield
    apply_theme(qapp)


def cut_labels(root) -> list[str]:
    """Showing labels that are given less room than their text needs."""
    cut = []
    for label in root.findChildren(QLabel):
        if not label.isVisible() or not label.text():
            continue
        if label.wordWrap():
            too_small = label.heightForWidth(label.width()) > label.height() + 1
        else:
            too_small = label.sizeHint().width() > label.width() + 1
        if too_small:
            cut.append(label.text())
    return cut


def test_the_largest_size_is_twice_medium():
    assert max(TEXT_SIZES.values()) >= 2 * TEXT_SIZES["medium"]


def test_sign_in_and_set_password_grow_to_show_their_whole_message(qtbot, largest, data_paths):
    dialog = UnlockDialog(data_paths)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.alert.show_message(WRONG)
    qtbot.waitUntil(lambda: not cut_labels(dialog), timeout=10_000)

    choose = SetPasswordDialog(
        "sam.worker", "Welcome. Choose the password you will use from now on.", None
    )
    qtbot.addWidget(choose)
    choose.show()
    qtbot.keyClicks(choose.fields.password, "short")
    qtbot.waitUntil(lambda: not cut_labels(choose), timeout=10_000)


def test_the_page_list_fits_its_longest_entry(qtbot, largest, admin_window):
    from infoshare_desktop.ui.review import install_review_pages

    install_review_pages(admin_window, admin_window.session)
    admin_window.resize(1366, 768)
    navigation = admin_window.navigation
    longest = navigation.item(navigation.count() - 1)
    longest.setText("Returned to me (12)")
    qtbot.waitUntil(
        lambda: all(
            navigation.visualItemRect(navigation.item(row)).width()
            >= navigation.fontMetrics().horizontalAdvance(navigation.item(row).text())
            for row in range(navigation.count())
        ),
        timeout=10_000,
    )
