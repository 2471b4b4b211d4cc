"""User text in a message box is shown as plain text: a case name that looks like HTML
appears exactly as typed, through the real QMessageBox of the drafts page's discard
confirmation."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMessageBox

from infoshare_desktop.services import cases, drafts
from infoshare_desktop.ui.common import feedback
from tests.domain.factories import complete_case, complete_sharing_decision

REAL_CONFIRM = feedback.confirm  # captured before the autouse fixture replaces it
REAL_EXEC = QDialog.exec
HTML_NAME = '<b>Riley</b> <a href="https://example.org/x">Example</a> &amp; <i>Co</i>'


def test_an_html_case_name_appears_literally_in_the_discard_confirmation(
    qtbot, admin_window, monkeypatch, tmp_path
):
    store = admin_window.session.store
    case_id = cases.create_case(store, draft=complete_case(display_name=HTML_NAME))
    drafts.save_draft(store, draft=complete_sharing_decision(), case_id=case_id)
    monkeypatch.setattr(feedback, "confirm", REAL_CONFIRM)
    monkeypatch.setattr(QDialog, "exec", REAL_EXEC)
    page = admin_window.drafts_page
    admin_window.show_page("My drafts")
    page.reload()
    page.table.selectRow(0)

    seen: dict[str, object] = {}

    def answer_the_box() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer_the_box)
            return
        label = box.findChild(QLabel, "qt_msgbox_label")
        seen.update(
            text=box.text(),
            box_format=box.textFormat(),
            label_format=label.textFormat(),
            label_text=label.text(),
        )
        box.grab().save(str(tmp_path / "discard-confirmation.png"))
        box.button(QMessageBox.StandardButton.Cancel).click()

    QTimer.singleShot(0, answer_the_box)
    page.discard_button.click()

    assert seen, "the confirmation did not appear"
    assert HTML_NAME in seen["text"] and HTML_NAME in seen["label_text"]
    assert seen["box_format"] == Qt.TextFormat.PlainText
    assert seen["label_format"] == Qt.TextFormat.PlainText
    assert len(drafts.list_drafts(store)) == 1  # Cancel kept the draft


def test_every_feedback_box_is_plain_text(qtbot):
    for icon in (QMessageBox.Icon.Warning, QMessageBox.Icon.Information):
        box = feedback.message_box(icon, "t", HTML_NAME)
        qtbot.addWidget(box)
        assert box.textFormat() == Qt.TextFormat.PlainText
        assert box.text() == HTML_NAME
