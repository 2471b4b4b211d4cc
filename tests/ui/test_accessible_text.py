"""What a screen reader is given, read from Qt's accessibility interface (the same
interface AT-SPI reads; tests/a11y checks it end to end with a real client).

A label's accessible name is what Orca speaks for it: it must be the words on screen,
never a caption that replaces them. Errors and status changes are announced.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QTextDocument
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QLabel, QWidget

from infoshare_desktop.services import cases
from infoshare_desktop.ui.admin.user_accounts import AddUserDialog
from infoshare_desktop.ui.cases.cases_page import CasesPage
from infoshare_desktop.ui.common.announce import announcer
from infoshare_desktop.ui.common.session import Session
from infoshare_desktop.ui.signin.change_password import ChangePasswordDialog
from infoshare_desktop.ui.signin.first_run import FirstRunDialog
from tests.domain.factories import complete_case


def visible_text(label: QLabel) -> str:
    if label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(label.text())
    ):
        document = QTextDocument()
        document.setHtml(label.text())
        return document.toPlainText()
    return label.text()


def hidden_label_texts(root: QWidget) -> list[tuple[str, str]]:
    """(spoken, shown) for every showing label whose spoken name is not its text."""
    found = []
    for label in root.findChildren(QLabel):
        if not label.isVisibleTo(root) or not label.text():
            continue
        spoken = QAccessible.queryAccessibleInterface(label).text(QAccessible.Text.Name)
        shown = " ".join(visible_text(label).replace("&", "").split())
        if " ".join(spoken.replace("&", "").split()) != shown:
            found.append((spoken, shown))
    return found


def heard(qtbot, action) -> list[tuple[str, bool]]:
    said: list[tuple[str, bool]] = []
    announcer.announced.connect(lambda text, assertive: said.append((text, assertive)))
    try:
        action()
        qtbot.waitUntil(lambda: bool(said), timeout=10_000)
    finally:
        announcer.announced.disconnect()
    return said


def test_the_case_view_speaks_its_identity_consent_and_restriction(qtbot, admin_store):
    case_id = cases.create_case(admin_store, draft=complete_case(restricted=True))
    page = CasesPage(Session(admin_store))
    qtbot.addWidget(page)
    page.show()
    assert page.open_case(case_id)
    view = page.case_view
    assert hidden_label_texts(view) == []
    identity = QAccessible.queryAccessibleInterface(view.identity_label)
    assert "Restricted case" in identity.text(QAccessible.Text.Name)
    assert identity.text(QAccessible.Text.Description) == "Case identity"
    consent = QAccessible.queryAccessibleInterface(view.consent_label)
    assert consent.text(QAccessible.Text.Name) == "No consent decision recorded."


def test_the_form_speaks_and_announces_its_checklist_status(qtbot, admin_store):
    case_id = cases.create_case(admin_store, draft=complete_case())
    page = CasesPage(Session(admin_store))
    qtbot.addWidget(page)
    page.show()
    assert page.open_case(case_id)
    editor = page.case_view.start_sharing_decision()
    assert editor is not None
    editor.evaluate()
    assert hidden_label_texts(editor) == []
    before = editor.status.text()
    assert "to complete" in before

    # Choosing what was decided changes what is still to complete: that is heard.
    said = heard(qtbot, lambda: editor.form.rows["kind"].field_widget.setCurrentIndex(1))
    assert said[-1] == (editor.status.text(), False)
    assert said[-1][0] != before


def test_a_disabled_button_says_why_beside_it_and_the_fields_say_their_hints(qtbot, data_paths):
    dialog = FirstRunDialog(data_paths)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.create_button.isEnabled()
    assert dialog.problem_hint.isVisible()
    assert dialog.problem_hint.text() == "Enter a user name."
    assert dialog.create_button.accessibleDescription() == "Enter a user name."

    qtbot.keyClicks(dialog.username_edit, "sam.worker")
    assert not dialog.username_hint.isVisible()  # a good name needs no words
    qtbot.keyClicks(dialog.password_fields.password, "short")
    hint = dialog.password_fields.hint.text()
    assert dialog.password_fields.password.accessibleDescription() == hint != ""
    assert dialog.problem_hint.text() == hint
    assert hidden_label_texts(dialog) == []


def test_add_user_and_change_password_show_their_problems(qtbot, admin_store):
    session = Session(admin_store)
    add = AddUserDialog(session)
    qtbot.addWidget(add)
    add.show()
    assert add.problem_hint.isVisible() and add.problem_hint.text() == "Enter a user name."
    change = ChangePasswordDialog(session)
    qtbot.addWidget(change)
    change.show()
    assert change.problem_hint.text() == "Enter your current password."
    assert change.change_button.accessibleDescription() == "Enter your current password."


def test_a_wrong_password_is_announced_at_once(qtbot, admin_store):
    change = ChangePasswordDialog(Session(admin_store))
    qtbot.addWidget(change)
    change.show()
    change.current_edit.setText("not the password at all")
    change.new_fields.password.setText("a new long enough passphrase")
    change.new_fields.confirm.setText("a new long enough passphrase")
    said = heard(qtbot, change.change_button.click)
    assert said[-1][1] is True
    assert "current password is not right" in said[-1][0]
