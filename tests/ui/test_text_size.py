"""Text sizes up to 200% of Medium (WCAG 1.4.4): dialogs grow to show their whole
message and the page list is as wide as its longest entry."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from infoshare_desktop.ui.common.theme import TEXT_SIZES, apply_theme
from infoshare_desktop.ui.signin.set_password import SetPasswordDialog
from infoshare_desktop.ui.signin.unlock import UnlockDialog

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


def _open_sharing_form(qtbot, admin_store, size: tuple[int, int]):
    from infoshare_desktop.services import cases
    from infoshare_desktop.ui.main_window import MainWindow
    from tests.domain.factories import complete_case

    case_id = cases.create_case(admin_store, draft=complete_case())
    window = MainWindow(admin_store)
    qtbot.addWidget(window)
    window.show()
    window.resize(*size)
    window.show_page("Cases")
    assert window.cases_page.open_case(case_id)
    editor = window.cases_page.case_view.start_sharing_decision()
    assert editor is not None
    editor.evaluate()
    return window, editor


def test_at_the_largest_size_labels_wrap_between_words(qtbot, largest, admin_store):
    from infoshare_desktop.ui.common.labels import WordWrapLabel

    window, editor = _open_sharing_form(qtbot, admin_store, (1366, 768))
    qtbot.wait(50)
    broken = []
    for label in editor.findChildren(WordWrapLabel):
        if not label.isVisibleTo(window) or not label.wordWrap():
            continue
        metrics = label.fontMetrics()
        widest = max((metrics.horizontalAdvance(w) for w in label.text().split()), default=0)
        if label.width() < widest:
            broken.append(label.text())
    assert not broken, broken


def test_at_150_percent_scaling_the_save_bar_stays_on_a_768_pixel_screen(qtbot, admin_store):
    """QT_SCALE_FACTOR=1.5 on 1366x768 leaves 910x512 device-independent pixels."""
    window, editor = _open_sharing_form(qtbot, admin_store, (910, 512))
    assert window.minimumSizeHint().height() <= 512 and window.minimumSize().height() <= 512
    qtbot.waitUntil(lambda: window.height() <= 512, timeout=10_000)
    for button in (editor.save_button, editor.save_draft_button, editor.discard_button):
        where = button.mapTo(window, button.rect().bottomRight())
        assert button.isVisible() and window.rect().contains(where), button.text()


@pytest.mark.parametrize("form", ["sharing", "consent"])
@pytest.mark.parametrize(
    ("text_size", "size"),
    [("medium", (910, 512)), ("largest", (1366, 768))],
    ids=["150% scaling", "200% text"],
)
def test_on_a_768_pixel_screen_the_save_bar_shows_and_the_form_keeps_room(
    qtbot, qapp, admin_store, form, text_size, size
):
    """QT_SCALE_FACTOR=1.5 on 1366x768 leaves 910x512 device-independent pixels; 200%
    text is 1366x768 at the largest size. Either way the save bar (the checklist status,
    Keep as draft, Save record) is in the window without scrolling it, and the form is
    not squeezed to a sliver by its checklist: it keeps ten lines and 35 characters."""
    from infoshare_desktop.services import cases
    from infoshare_desktop.ui.main_window import MainWindow
    from tests.domain.factories import complete_case

    case_id = cases.create_case(admin_store, draft=complete_case())
    window = MainWindow(admin_store)
    qtbot.addWidget(window)
    window.set_text_size(text_size)
    try:
        window.show()
        window.resize(*size)
        window.show_page("Cases")
        assert window.cases_page.open_case(case_id)
        view = window.cases_page.case_view
        editor = (
            view.start_sharing_decision() if form == "sharing" else view.start_consent_decision()
        )
        assert editor is not None
        editor.evaluate()
        qtbot.waitUntil(lambda: window.height() <= size[1], timeout=10_000)
        bar = (editor.status, editor.save_draft_button, editor.save_button)

        def in_window(widget) -> bool:
            corner = widget.mapTo(window, widget.rect().bottomRight())
            return widget.isVisible() and window.rect().contains(corner)

        qtbot.waitUntil(lambda: all(in_window(widget) for widget in bar), timeout=10_000)
        pane = editor.splitter.widget(0)
        metrics = editor.fontMetrics()
        qtbot.waitUntil(
            lambda: (
                pane.height() >= 10 * metrics.lineSpacing()
                and pane.width() >= 35 * metrics.averageCharWidth()
            ),
            timeout=10_000,
        )
        # Reflow, not sideways scrolling (WCAG 1.4.10): the form and the seven criteria
        # fit their scroll areas' widths, so no row runs off behind a horizontal scroll
        # bar (a check box's words wrap beside it, at 200% as at 150%).
        panel = editor.form.checklist_panel if form == "sharing" else None
        areas = [editor.form.scroll] + ([panel.criteria_scroll] if panel else [])
        for area in areas:
            inner = area.widget()
            qtbot.waitUntil(
                lambda area=area, inner=inner: (
                    inner.minimumSizeHint().width() <= area.viewport().width()
                ),
                timeout=10_000,
            )
            qtbot.waitUntil(
                lambda area=area: not area.horizontalScrollBar().isVisible(), timeout=10_000
            )
        # "4 items to complete before saving." keeps all its lines above the list.
        findings = panel.findings_panel if panel is not None else editor.panel
        summary = findings.summary
        qtbot.waitUntil(
            lambda: summary.geometry().bottom() < findings.list.geometry().top(), timeout=10_000
        )
        lines = summary.fontMetrics().boundingRect(
            0, 0, summary.width(), 0, Qt.TextFlag.TextWordWrap, summary.text()
        )
        assert summary.height() >= lines.height()
    finally:
        window.set_text_size("medium")
