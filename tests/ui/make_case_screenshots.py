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
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from infoshare_desktop.paths import DataPaths  # noqa: E402
from infoshare_desktop.store import keyslots as keystore  # noqa: E402
from infoshare_desktop.ui.theme import apply_theme  # noqa: E402

SIZE = (1366, 768)


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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "packaging" / "screenshots")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    keystore.DEFAULT_KDF = {"memory_kib": 1024, "iterations": 1, "lanes": 1}
    app = QApplication([])
    apply_theme(app)

    from infoshare_desktop.domain import SharingDecisionDraft, SharingKind
    from infoshare_desktop.domain.enums import RecordKind
    from infoshare_desktop.services import accounts, cases, drafts
    from infoshare_desktop.services.demo import DEMO_PASSWORD, create_demo_store
    from infoshare_desktop.ui.main_window import MainWindow

    with tempfile.TemporaryDirectory() as tmp:
        paths = DataPaths(Path(tmp) / "InfoShareDesktop")
        create_demo_store(paths, cases=50, records=400)
        store = accounts.sign_in(paths, username="demo.lead", password=DEMO_PASSWORD)
        busiest = cases.list_cases(store, limit=3, sort="records")
        for case in busiest[1:]:
            drafts.save_draft(
                store,
                draft=SharingDecisionDraft(
                    kind=SharingKind.SHARED, purpose="Planning meeting next week"
                ),
                case_id=case.case_id,
            )
        window = MainWindow(store)
        window.show_page("Cases")
        save(window, out, "case-list.png")

        page = window.cases_page
        page.list_page.search_edit.setText("Pennock")
        page.list_page.run_search_now()
        save(window, out, "case-search.png")
        page.list_page.search_edit.clear()
        page.list_page.run_search_now()

        page.open_case(busiest[1].case_id)
        view = page.case_view
        for row in range(view.model.rowCount() - 1, -1, -1):
            entry = view.model.row_at(row)
            if entry.kind is RecordKind.SHARING_DECISION:
                view.select_record(entry.record_id)
                break
        save(window, out, "case-view.png")

        window.set_high_visibility(True)
        save(window, out, "case-view-high-visibility.png")
        window.set_high_visibility(False)
        window.set_text_size("large")
        save(window, out, "case-view-large.png")
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
