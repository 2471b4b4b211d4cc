"""Save screenshots of the case screens to packaging/screenshots/case-*.png (on demand).

    .venv/bin/python tests/ui/make_case_screenshots.py [--out DIR]

Builds a throw-away demo store (50 fictional cases, 400 records) with a cheap key
derivation and offscreen Qt; every window is 1366x768.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from infoshare_desktop.paths import DataPaths  # noqa: E402
from infoshare_desktop.store import keyslots as keystore  # noqa: E402
from infoshare_desktop.ui.common.theme import apply_theme  # noqa: E402

SIZE = (1366, 768)


def start() -> tuple[QApplication, Path]:
    """What every screenshot script does first: read --out, make it, take the cheap
    key derivation, start Qt offscreen with the application's theme."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "packaging" / "screenshots")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    keystore.DEFAULT_KDF = {"memory_kib": 1024, "iterations": 1, "lanes": 1}
    app = QApplication.instance() or QApplication([])
    apply_theme(app)
    return app, out


def save(widget: QWidget, out: Path, name: str, size: tuple[int, int] | None = SIZE) -> None:
    widget.show()
    if size:
        widget.resize(*size)
    else:
        widget.adjustSize()
    for _ in range(3):
        QApplication.processEvents()
    widget.grab().save(str(out / name))
    print(out / name)


def search_for(list_page, text: str) -> None:
    """Type `text` in the case list's search box and wait for its results (the search
    runs off the UI thread)."""
    list_page.search_edit.setText(text)
    list_page.run_search_now()
    deadline = time.monotonic() + 60
    while list_page.search_pending and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)
    QApplication.processEvents()


def main() -> int:
    _app, out = start()  # the QApplication lives as long as main()

    from infoshare_desktop.demo import DEMO_PASSWORD, create_demo_store
    from infoshare_desktop.domain import SharingDecisionDraft, SharingKind
    from infoshare_desktop.domain.enums import AmendmentReason, RecordKind
    from infoshare_desktop.domain.records import AmendmentDraft
    from infoshare_desktop.services import accounts, cases, drafts, records, reviews
    from infoshare_desktop.ui.main_window import MainWindow

    with tempfile.TemporaryDirectory() as tmp:
        paths = DataPaths(Path(tmp) / "InfoShareDesktop")
        create_demo_store(paths, cases=50, records=400)
        store = accounts.sign_in(paths, username="demo.lead", password=DEMO_PASSWORD)
        busiest = cases.list_cases(store, limit=3, sort="records")
        purposes = ["Planning meeting next week", "Ask the school nurse about the care plan"]
        for case, purpose in zip(busiest[1:], purposes, strict=False):
            drafts.save_draft(
                store,
                draft=SharingDecisionDraft(kind=SharingKind.SHARED, purpose=purpose),
                case_id=case.case_id,
            )
        window = MainWindow(store)
        window.show_page("Cases")
        save(window, out, "case-list.png")

        page = window.cases_page
        search_for(page.list_page, "Pennock")
        save(window, out, "case-search.png")
        search_for(page.list_page, "Pe")
        save(window, out, "case-search-too-short.png")
        search_for(page.list_page, "")

        page.open_case(busiest[1].case_id)
        view = page.case_view
        shared = [e for e in view.model.rows() if e.kind is RecordKind.SHARING_DECISION]
        own = [e for e in shared if e.author_id == store.user.user_id]
        if own:  # badges: one awaiting review, one amended (with a saved confirmation)
            reviews.request_review(store, record_id=own[0].record_id)
        amended = records.add_amendment(
            store,
            draft=AmendmentDraft(
                target_id=shared[-1].record_id,
                text="The health visitor is Oscar Fairbrook, not Fairbrooke.",
                reason=AmendmentReason.CORRECTION_OF_FACT,
                target_was_shared=True,
                recipients_told=True,
                recipients_told_notes="Told by secure email the same day.",
            ),
        )
        view.reload(select_record_id=shared[-1].record_id)
        view.show_saved(amended.record_id, "Amendment")
        save(window, out, "case-view.png")

        window.set_high_visibility(True)
        save(window, out, "case-view-high-visibility.png")
        window.set_high_visibility(False)
        window.set_text_size("large")
        save(window, out, "case-view-large.png")
        # The largest text size in both themes, with a form open while the theme changes.
        editor = view.start_sharing_decision()
        editor.evaluate()
        save(window, out, "form-sharing-large-standard.png")
        window.set_high_visibility(True)
        save(window, out, "form-sharing-large-high-visibility.png")
        view.close_editor()
        save(window, out, "case-view-large-high-visibility.png")
        window.set_high_visibility(False)
        window.show_page("My drafts")
        save(window, out, "case-drafts-large.png")
        window.set_text_size("medium")
        save(window, out, "case-drafts.png")

        window.show_page("Cases")
        dialog = page.new_case()
        dialog.name_edit.setText("Amara Ashdown")
        dialog.reference_edit.setText("")
        save(dialog, out, "case-new.png", None)
        match = busiest[0]
        dialog.name_edit.setText(match.display_name)
        if match.date_of_birth:
            born = match.date_of_birth
            dialog.dob_edit.set_text(f"{born:%d/%m/%Y}")
        dialog.reference_edit.setText("WM-NEW-0001")
        dialog.create()
        save(dialog, out, "case-duplicate.png", None)
        dialog.reject()
        window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
