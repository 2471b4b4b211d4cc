"""Save screenshots of My work (the home page) and the consistent identifier screens to
packaging/screenshots/ (on demand).

    .venv/bin/python tests/ui/make_worklist_screenshots.py [--out DIR]

A throw-away demo store (30 fictional cases, 200 records), then a practitioner's work
made through the services: a record returned by a supervisor, one awaiting review, a
consent about to expire and one expired while relied on, two drafts. 1366x768, both
themes, and the largest text size (200%).
"""

from __future__ import annotations

import sys
import tempfile
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.ui.make_case_screenshots import save, search_for, start


def main() -> int:
    _app, out = start()

    from infoshare_desktop.demo import DEMO_PASSWORD, create_demo_store
    from infoshare_desktop.domain import ReviewDraft, ReviewOutcome, utcnow
    from infoshare_desktop.domain.timeutil import to_local
    from infoshare_desktop.paths import DataPaths
    from infoshare_desktop.services import accounts, cases, drafts, records
    from infoshare_desktop.ui.main_window import MainWindow
    from infoshare_desktop.ui.review import install_review_pages
    from tests.domain.factories import (
        complete_case,
        complete_consent_decision,
        complete_request,
        complete_sharing_decision,
    )
    from tests.services.test_records import _relying_on
    from tests.services.test_reviews import without_consent

    with tempfile.TemporaryDirectory() as tmp:
        paths = DataPaths(Path(tmp) / "InfoShareDesktop")
        create_demo_store(paths, cases=30, records=200)
        me = accounts.sign_in(paths, username="demo.lead", password=DEMO_PASSWORD)
        supervisor = accounts.sign_in(paths, username="demo.supervisor", password=DEMO_PASSWORD)
        practitioner = accounts.sign_in(paths, username="demo.practitioner", password=DEMO_PASSWORD)
        now = utcnow()
        today = to_local(now).date()
        case_id = cases.create_case(
            me,
            draft=complete_case(
                display_name="Amara Ashdown",
                case_reference="WM-2026-0412",
                nhs_number="999 000 0018",
            ),
        )
        other = cases.create_case(
            me, draft=complete_case(display_name="Leo Marsh", case_reference="WM-2026-0388")
        )
        returned = records.record_sharing_decision(me, case_id=case_id, draft=without_consent())
        records.record_review(
            supervisor,
            draft=ReviewDraft(
                target_id=returned.record_id,
                outcome=ReviewOutcome.RETURNED,
                comment="Please say why the family was not told before the school was.",
            ),
        )
        records.record_sharing_decision(me, case_id=other, draft=without_consent())
        records.record_sharing_decision(practitioner, case_id=other, draft=without_consent())
        old = complete_consent_decision(
            valid_until=today - timedelta(days=3), occurred_at=now - timedelta(days=40)
        )
        expired = records.record_consent_decision(me, case_id=other, draft=old)
        relying = _relying_on(
            expired.record_id,
            old,
            occurred_at=now - timedelta(days=10),
            late_entry_reason="Recorded on return from a home visit",
        )
        records.record_sharing_decision(me, case_id=other, draft=relying)
        soon = complete_consent_decision(valid_until=today + timedelta(days=12))
        records.record_consent_decision(me, case_id=case_id, draft=soon)
        drafts.save_draft(
            me,
            draft=complete_sharing_decision(purpose="Planning meeting with the school next week"),
            case_id=case_id,
        )
        request = complete_request(
            now, received_at=now - timedelta(days=2), due_at=now - timedelta(hours=3)
        )
        records.record_case_record(me, case_id=other, draft=request)
        supervisor.close()
        practitioner.close()

        window = MainWindow(me)
        install_review_pages(window, window.session)
        window.show_page("Home")
        save(window, out, "home-worklist.png")
        window.set_high_visibility(True)
        save(window, out, "home-worklist-high-visibility.png")
        window.set_text_size("largest")
        save(window, out, "home-worklist-largest-high-visibility.png")
        window.set_high_visibility(False)
        save(window, out, "home-worklist-largest.png")
        window.set_text_size("medium")

        # The consistent identifier: the New case dialog, the case view, the change
        # dialog and a search by NHS number, in both themes.
        for high, suffix in ((False, ""), (True, "-high-visibility")):
            window.set_high_visibility(high)
            window.show_page("Cases")
            page = window.cases_page
            dialog = page.new_case()
            dialog.name_edit.setText("Noah Fairweather")
            dialog.dob_edit.set_text("14/02/2017")
            dialog.reference_edit.setText("WM-2026-0450")
            dialog.identifier.nhs_edit.setText("999 000 0107")
            dialog.identifier.nhs_edit.editingFinished.emit()
            save(dialog, out, f"case-new-nhs-number{suffix}.png", None)
            dialog.identifier.nhs_edit.setText("999 000 0108")
            save(dialog, out, f"case-new-nhs-number-invalid{suffix}.png", None)
            dialog.identifier.nhs_edit.clear()
            dialog.identifier.reason_combo.setCurrentIndex(3)  # another reason
            save(dialog, out, f"case-new-nhs-reason-needs-words{suffix}.png", None)
            dialog.identifier.reason_edit.setText("Arrived from abroad last week; none issued yet")
            save(dialog, out, f"case-new-nhs-reason{suffix}.png", None)
            dialog.reject()
            page.open_case(case_id)
            save(window, out, f"case-view-nhs-number{suffix}.png")
            change = page.case_view.change_identifier()
            change.identifier.nhs_edit.setText("9990000115")
            save(change, out, f"case-change-nhs-number{suffix}.png", None)
            change.reject()
            page.show_list()
            search_for(page.list_page, "999 000 0018")
            save(window, out, f"case-search-nhs-number{suffix}.png")
            search_for(page.list_page, "")
        window.set_high_visibility(False)
        window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
