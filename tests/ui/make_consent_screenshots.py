"""Save screenshots of the consent screens to packaging/screenshots/consent-*.png (on demand).

    .venv/bin/python tests/ui/make_consent_screenshots.py [--out DIR]

A throw-away store with fictional data, offscreen Qt and a cheap key derivation: a
parent's consent, a sharing that relied on it, then its withdrawal. Shows the consent form
choosing what a withdrawal ends, the case view's consent position and details pane, and
the supervisor's review screen and queue. Every window is 1366x768.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

SIZE = (1366, 768)


def grab(widget: QWidget, path: Path) -> None:
    widget.resize(*SIZE)
    widget.show()
    for _ in range(3):
        QApplication.processEvents()
    widget.grab().save(str(path))
    print(path)


def scroll_to(details, words: str) -> None:
    """Scroll a record's details so that ``words`` (a heading) is at the top."""
    details.show()
    QApplication.processEvents()
    heading = next(label for label in details.labels() if label.text() == words)
    details.verticalScrollBar().setValue(heading.y() - 4)


def main() -> int:
    from tests.ui.make_case_screenshots import start

    _app, out = start()  # the QApplication lives as long as main()

    from infoshare_desktop.domain import ConsentFrom, ConsentHow, ConsentOutcome, utcnow
    from infoshare_desktop.domain.accounts import Role
    from infoshare_desktop.domain.enums import RecordKind
    from infoshare_desktop.paths import DataPaths
    from infoshare_desktop.services import accounts, cases, records, reviews
    from infoshare_desktop.ui.main_window import MainWindow
    from infoshare_desktop.ui.records import ConsentDecisionEditor
    from infoshare_desktop.ui.review import REVIEW_QUEUE, install_review_pages
    from infoshare_desktop.ui.review.review_dialog import ReviewDialog
    from tests.domain.factories import (
        complete_case,
        complete_consent_decision,
        complete_sharing_decision,
    )

    with tempfile.TemporaryDirectory() as tmp:
        paths = DataPaths(Path(tmp) / "data")
        admin = accounts.first_run(
            paths, username="admin.one", display_name="Alex Example", password="plum orchard lane"
        )
        code = accounts.add_user(
            admin, username="ann.author", display_name="Ann Author", roles={Role.PRACTITIONER}
        )
        author = accounts.sign_in(
            paths, username="ann.author", password=code, new_password="harbour lantern meadow"
        )
        now = utcnow()
        case_id = cases.create_case(author, draft=complete_case())
        parent = records.record_consent_decision(
            author, case_id=case_id, draft=complete_consent_decision(
                valid_until=date(2027, 4, 19), occurred_at=now - timedelta(days=20)),
        )  # fmt: skip
        records.record_consent_decision(
            author, case_id=case_id, draft=complete_consent_decision(
                asked=ConsentFrom.CHILD, asked_name="Testy McTestface",
                scope_agencies=["Example Academy"], occurred_at=now - timedelta(days=12)),
        )  # fmt: skip
        shared = records.record_sharing_decision(
            author, case_id=case_id, draft=complete_sharing_decision(
                consent_decision_id=parent.record_id, occurred_at=now - timedelta(days=3),
                late_entry_reason="Recorded on return from a training day"),
        )  # fmt: skip
        reviews.request_review(author, record_id=shared.record_id)

        editor = ConsentDecisionEditor(author, case_id)
        i = editor.form.inputs
        i["asked"].set_value(ConsentFrom.PARENT_CARER)
        i["asked_name"].setText("Chris Example (parent)")
        i["occurred_at"].set_value(now - timedelta(minutes=20))
        i["outcome"].set_value(ConsentOutcome.WITHDRAWN)
        i["how"].set_value(ConsentHow.VERBAL)
        i["views_expressed"].setPlainText("No longer wants the health centre to be told")
        editor.form.update_conditions()
        editor.evaluate()
        editor.form.focus_field("supersedes_ids")
        grab(editor, out / "consent-withdrawal-refused.png")
        i["supersedes_ids"].boxes[parent.record_id].click()
        editor.evaluate()
        grab(editor, out / "consent-withdrawal-chosen.png")
        records.record_consent_decision(author, case_id=case_id, draft=editor.form.draft())
        editor.close()

        window = MainWindow(author)
        window.show_page("Cases")
        window.cases_page.open_case(case_id)
        view = window.cases_page.case_view
        for row in range(view.model.rowCount()):
            if view.model.row_at(row).kind is RecordKind.SHARING_DECISION:
                view.select_record(view.model.row_at(row).record_id)
        window.resize(*SIZE)
        window.show()
        scroll_to(view.details, "6. Consent")
        grab(window, out / "consent-case-view.png")
        window.close()

        supervisor_window = MainWindow(admin)
        pages = install_review_pages(supervisor_window, supervisor_window.session)
        supervisor_window.show_page(REVIEW_QUEUE)
        pages.queue.refresh()
        grab(supervisor_window, out / "consent-review-queue.png")
        detail = reviews.open_for_review(admin, record_id=shared.record_id)
        dialog = ReviewDialog(
            supervisor_window.session, detail, case_label="TEST-0001", parent=supervisor_window
        )
        dialog.resize(*SIZE)
        dialog.show()
        scroll_to(dialog.details_view, "6. Consent")
        grab(dialog, out / "consent-review-dialog.png")
        dialog.close()
        supervisor_window.close()
        author.close()
        admin.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
