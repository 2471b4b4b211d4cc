"""Save screenshots of the review screens to packaging/screenshots/review-*.png (on demand).

    .venv/bin/python tests/ui/review/make_review_screenshots.py [--out DIR]

Uses a throw-away store with fictional people and cases, offscreen Qt and a cheap key
derivation. One record is saved "a week ago" so the queue shows an OVERDUE item.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from infoshare_desktop.domain import (  # noqa: E402
    ReviewDraft,
    ReviewOutcome,
    SharingKind,
    utcnow,
)
from infoshare_desktop.domain.accounts import Role  # noqa: E402
from infoshare_desktop.paths import DataPaths  # noqa: E402
from infoshare_desktop.services import accounts, cases, records, reviews  # noqa: E402
from infoshare_desktop.store import keyslots as keystore  # noqa: E402
from infoshare_desktop.ui.common.theme import apply_theme  # noqa: E402
from infoshare_desktop.ui.main_window import MainWindow  # noqa: E402
from infoshare_desktop.ui.review import (  # noqa: E402
    RETURNED_TO_ME,
    REVIEW_QUEUE,
    TEAM_OVERVIEW,
    install_review_pages,
)
from tests.domain.factories import complete_case, complete_sharing_decision  # noqa: E402
from tests.ui.review.conftest import without_consent  # noqa: E402

SIZE = (1366, 768)
PASSWORD = "harbour lantern meadow"  # fictional
PEOPLE = {
    "ann.author": ("Ann Author", {Role.PRACTITIONER}),
    "priya.hv": ("Priya Nair (health visitor)", {Role.PRACTITIONER}),
    "dc.jones": ("DC Morgan Jones", {Role.PRACTITIONER}),
    "sid.supervisor": ("Sid Supervisor", {Role.SUPERVISOR, Role.PRACTITIONER}),
}


def grab(widget: QWidget, path: Path) -> None:
    """Show ``widget`` at 1366x768, let it lay out, and save a PNG."""
    widget.resize(*SIZE)
    widget.show()
    for _ in range(3):
        QApplication.processEvents()
    widget.grab().save(str(path))
    print(path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "packaging" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    keystore.DEFAULT_KDF = {"memory_kib": 1024, "iterations": 1, "lanes": 1}
    app = QApplication.instance() or QApplication([])
    apply_theme(app)
    with tempfile.TemporaryDirectory() as tmp:
        paths = DataPaths(Path(tmp) / "data")
        admin = accounts.first_run(
            paths, username="admin.one", display_name="Alex Example", password="plum orchard"
        )
        stores = {}
        for username, (name, roles) in PEOPLE.items():
            code = accounts.add_user(admin, username=username, display_name=name, roles=roles)
            stores[username] = accounts.sign_in(
                paths, username=username, password=code, new_password=PASSWORD
            )
        ann, priya, morgan, sid = stores.values()
        first = cases.create_case(ann, draft=complete_case())
        second = cases.create_case(
            priya,
            draft=complete_case(display_name="Jamie <Example> O'Neill", case_reference="HV-2231"),
        )
        for store in (priya, morgan, sid):
            cases.add_case_member(ann, case_id=first, user_id=accounts.current_user(store).user_id)

        # A week ago: a record still waiting, so overdue.
        week_ago = utcnow() - timedelta(days=7)
        real_now = records.utcnow
        records.utcnow = lambda: week_ago
        old = records.record_sharing_decision(
            morgan, case_id=first, draft=without_consent(now=week_ago)
        )
        records.utcnow = real_now
        records.record_sharing_decision(
            priya, case_id=second, draft=without_consent(kind=SharingKind.SHARED_IN_PART)
        )
        returned = records.record_sharing_decision(ann, case_id=first, draft=without_consent())
        records.record_sharing_decision(
            ann, case_id=first, draft=without_consent(kind=SharingKind.RECEIVED)
        )
        asked = records.record_sharing_decision(
            priya, case_id=second, draft=complete_sharing_decision()
        )
        reviews.request_review(priya, record_id=asked.record_id)
        records.record_review(
            sid,
            draft=ReviewDraft(
                target_id=returned.record_id,
                outcome=ReviewOutcome.RETURNED,
                comment="Please record who you told at the school, when, and why the family "
                "was not told before the strategy meeting.",
            ),
        )

        window = MainWindow(sid)
        pages = install_review_pages(window, window.session)
        window.show_page(REVIEW_QUEUE)
        grab(window, args.out / "review-queue.png")
        window.show_page(TEAM_OVERVIEW)
        grab(window, args.out / "review-team.png")

        queue = pages.queue
        item = next(i for i in queue.model.rows() if i.record_id == old.record_id)
        dialog = queue.open_review(item)
        dialog.set_outcome(ReviewOutcome.RETURNED)
        grab(dialog, args.out / "review-dialog.png")
        dialog.reject()

        author = MainWindow(ann)
        install_review_pages(author, author.session)
        author.show_page(RETURNED_TO_ME)
        grab(author, args.out / "review-returned.png")

        apply_theme(app, text_size="large")
        dialog = queue.open_review(item)
        dialog.set_outcome(ReviewOutcome.RETURNED)
        grab(dialog, args.out / "review-dialog-large.png")
        dialog.reject()
        window.show_page(REVIEW_QUEUE)
        grab(window, args.out / "review-queue-large.png")
        for w in (window, author):
            w.close()
        admin.close()
        for store in stores.values():
            store.close()


if __name__ == "__main__":
    main()
