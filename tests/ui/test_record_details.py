"""The record details view: every part of a record, then amendments and reviews, escaped."""

from __future__ import annotations

import dataclasses

from infoshare_desktop.domain import RecordKind, SharingKind, utcnow
from infoshare_desktop.services import cases, records
from infoshare_desktop.ui.widgets.record_details import NOT_RECORDED, RecordDetailsView
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
    assert view.isReadOnly()


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


def test_a_screen_reader_reads_the_record_as_words_without_frame_markers(qtbot, admin_store):
    """What the accessibility interface exposes (and so AT-SPI and Orca read): each
    label with its value, and none of the U+FDD0/U+FDD1 markers a table would add."""
    from PySide6.QtGui import QAccessible

    case_id = cases.create_case(admin_store, draft=complete_case())
    saved = records.record_sharing_decision(
        admin_store, case_id=case_id, draft=complete_sharing_decision(SharingKind.SHARED)
    )
    view = RecordDetailsView()
    qtbot.addWidget(view)
    view.show_detail(cases.record_detail(admin_store, record_id=saved.record_id))

    accessible = QAccessible.queryAccessibleInterface(view)
    text_interface = accessible.textInterface()
    spoken = text_interface.text(0, text_interface.characterCount())
    assert "\ufdd0" not in spoken and "\ufdd1" not in spoken
    assert "Decision: Shared" in spoken
    assert "1. Decision" in spoken
