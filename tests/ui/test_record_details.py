"""The record details view: every part of a record, then amendments and reviews, escaped."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QGuiApplication
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from infoshare_desktop.domain import RecordKind, SharingKind, utcnow
from infoshare_desktop.services import cases, records
from infoshare_desktop.ui.records.record_details import NOT_RECORDED, RecordDetailsView
from tests.domain.factories import (
    RATIONALES,
    complete_amendment,
    complete_case,
    complete_consent_decision,
    complete_review,
    complete_sharing_decision,
)

HOSTILE = "<b>x</b> & <script>alert(1)</script>"


def test_a_sharing_decision_shows_every_group_with_amendments_and_reviews(qtbot, admin_store):
    case_id = cases.create_case(admin_store, draft=complete_case())
    saved = records.record_sharing_decision(
        admin_store,
        case_id=case_id,
        draft=complete_sharing_decision(SharingKind.SHARED, reasons=f"Because {HOSTILE}"),
    )
    records.add_amendment(
        admin_store, draft=complete_amendment(target_id=saved.record_id, text=f"Fix {HOSTILE}")
    )
    detail = cases.record_detail(admin_store, record_id=saved.record_id)
    review = dataclasses.replace(
        detail,
        record_id="review-1",
        kind=RecordKind.REVIEW,
        author_name="Robin <Supervisor>",
        recorded_at=utcnow(),
        content=complete_review(comment=f"Returned {HOSTILE}"),
    )
    detail.reviews.append(review)

    view = RecordDetailsView()
    qtbot.addWidget(view)
    view.show_detail(detail)
    text = view.toPlainText()

    assert f"Because {HOSTILE}" in text
    assert f"Fix {HOSTILE}" in text
    assert f"Returned {HOSTILE}" in text and "Robin <Supervisor>" in text
    assert "<script>" not in view.toHtml()
    for heading in (
        "1. Decision",
        "2. Purpose",
        "3. Recipients",
        "4. Information",
        "5. Confidentiality",
        "6. Consent",
        "7. Grounds (lawful basis)",
        "8. Public interest and proportionality",
        "9. Transparency",
        "10. Advice",
        "11. Method and security",
        "12. The seven criteria",
        "13. Safety, well-being and views",
        "14. Reasons for the decision",
        "Amendments (1)",
        "Reviews (1)",
        "Review round 1",
    ):
        assert heading in text, heading
    for rationale in RATIONALES.values():
        assert rationale in text
    assert "UK GDPR Art 6(1)(a)" in text  # the legal basis of the consent ground
    assert "Returned for more detail" in text


def test_a_consent_decision_and_an_empty_view(qtbot, admin_store):
    case_id = cases.create_case(admin_store, draft=complete_case())
    saved = records.record_consent_decision(
        admin_store, case_id=case_id, draft=complete_consent_decision(limits="<i>none</i>")
    )
    view = RecordDetailsView()
    qtbot.addWidget(view)
    assert "Select a record" in view.toPlainText()
    view.show_detail(cases.record_detail(admin_store, record_id=saved.record_id))
    text = view.toPlainText()
    assert "Explicit consent given" in text and "<i>none</i>" in text
    assert "Not reviewed yet." in text and NOT_RECORDED not in text
    view.clear_detail()
    assert view.detail is None


def accessible_tree(interface) -> list:
    """Every accessible object under `interface`, depth first (what AT-SPI walks)."""
    found = [interface]
    for index in range(interface.childCount()):
        found.extend(accessible_tree(interface.child(index)))
    return found


def shown_record(qtbot, admin_store, **changes) -> RecordDetailsView:
    case_id = cases.create_case(admin_store, draft=complete_case())
    saved = records.record_sharing_decision(
        admin_store, case_id=case_id, draft=complete_sharing_decision(SharingKind.SHARED, **changes)
    )
    view = RecordDetailsView()
    qtbot.addWidget(view)
    view.resize(500, 600)
    view.show()
    view.show_detail(cases.record_detail(admin_store, record_id=saved.record_id))
    return view


def test_a_screen_reader_finds_a_document_with_headings_and_rows_read_as_shown(qtbot, admin_store):
    """What the accessibility interface exposes (and so AT-SPI and Orca read): a
    document, its headings with the role Heading and their level, each row one object
    whose name is the words shown, and none of the U+FDD0/U+FDD1 markers a table adds."""
    view = shown_record(qtbot, admin_store, reasons=f"Because {HOSTILE}")
    tree = accessible_tree(QAccessible.queryAccessibleInterface(view))
    documents = [node for node in tree if node.role() == QAccessible.Role.Document]
    assert [d.text(QAccessible.Text.Name) for d in documents] == ["Sharing decision: Shared"]

    headings = {
        node.text(QAccessible.Text.Name): node.attributesInterface().attributeValue(
            QAccessible.Attribute.Level
        )
        for node in tree
        if node.role() == QAccessible.Role.Heading
    }
    assert headings["Sharing decision: Shared"] == 2
    assert headings["1. Decision"] == 3 and headings["14. Reasons for the decision"] == 3
    assert headings["Amendments (0)"] == 2 and headings["Reviews (0)"] == 2
    # The AT-SPI bridge asks a heading for every kind of interface; each answer is safe.
    heading = next(node for node in tree if node.role() == QAccessible.Role.Heading)
    assert heading.textInterface() is None and heading.actionInterface() is None
    assert heading.valueInterface() is None and heading.tableCellInterface() is None

    names = [
        node.text(QAccessible.Text.Name)
        for node in tree
        if node.role() == QAccessible.Role.StaticText
    ]
    assert "Decision: Shared" in names
    assert f"Reasons: Because {HOSTILE}" in names  # as typed: the HTML in it is not read
    assert not any("\ufdd0" in name or "\ufdd1" in name for name in names + list(headings))
    # Every row and heading on the page is exposed, in the order shown.
    exposed = [
        node.text(QAccessible.Text.Name)
        for node in tree
        if node.role() in (QAccessible.Role.StaticText, QAccessible.Role.Heading)
    ]
    assert exposed == [label.property("plain_text") for label in view.labels()]


def test_the_pane_is_one_tab_stop_read_row_by_row_with_the_arrow_keys(qtbot, admin_store):
    view = shown_record(qtbot, admin_store)
    before = QPushButton("Before")
    after = QPushButton("After")
    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    for widget in (before, view, after):
        layout.addWidget(widget)
    window.resize(500, 600)
    window.show()
    qtbot.waitExposed(window)
    before.setFocus()

    qtbot.keyClick(before, Qt.Key.Key_Tab)
    qtbot.waitUntil(view.hasFocus)
    qtbot.keyClick(view, Qt.Key.Key_Down)
    labels = view.labels()
    qtbot.waitUntil(labels[0].hasFocus)
    assert labels[0].text() == "Sharing decision: Shared"
    qtbot.keyClick(labels[0], Qt.Key.Key_Down)
    qtbot.waitUntil(labels[1].hasFocus)
    qtbot.keyClick(labels[1], Qt.Key.Key_Up)
    qtbot.waitUntil(labels[0].hasFocus)

    # Ctrl+End reaches the last row, scrolled into view.
    qtbot.keyClick(labels[0], Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(labels[-1].hasFocus)
    visible = labels[-1].visibleRegion()
    assert not visible.isEmpty()
    # Ctrl+C on a row with nothing selected copies the row as shown.
    qtbot.keyClick(labels[-1], Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == labels[-1].property("plain_text")

    # Page Down from the top moves on by about a screenful, never back.
    qtbot.keyClick(labels[-1], Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(labels[0].hasFocus)
    qtbot.keyClick(labels[0], Qt.Key.Key_PageDown)
    moved = next(n for n, label in enumerate(labels) if label.hasFocus())
    assert moved > 1 and labels[moved].y() <= view.viewport().height()

    # Tab leaves the pane: it is one stop, not one per row.
    qtbot.keyClick(labels[moved], Qt.Key.Key_Tab)
    qtbot.waitUntil(after.hasFocus)

    # On the pane itself, Ctrl+C copies the whole record as text.
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == view.toPlainText()
    assert "14. Reasons for the decision" in view.toPlainText()


def test_a_new_record_keeps_the_keyboard_in_the_pane(qtbot, admin_store):
    """Showing another record while a row has the focus leaves the focus on the pane
    (not lost with the old rows)."""
    view = shown_record(qtbot, admin_store)
    qtbot.waitExposed(view)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: view.labels()[0].hasFocus())
    detail = view.detail
    view.show_detail(detail)
    qtbot.waitUntil(view.hasFocus)
