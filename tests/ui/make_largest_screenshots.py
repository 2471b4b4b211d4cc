"""Save screenshots at the largest text size (200%) in both themes (on demand):
packaging/screenshots/largest-*.png, every window 1366x768.

    .venv/bin/python tests/ui/make_largest_screenshots.py [--out DIR]
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


from infoshare_desktop.paths import DataPaths  # noqa: E402
from tests.ui.make_case_screenshots import save, start  # noqa: E402


def main() -> int:
    _app, out = start()  # the QApplication lives as long as main()

    from infoshare_desktop.demo import DEMO_PASSWORD, create_demo_store
    from infoshare_desktop.services import accounts, cases
    from infoshare_desktop.ui.main_window import MainWindow
    from infoshare_desktop.ui.review import install_review_pages
    from infoshare_desktop.ui.signin.unlock import UnlockDialog

    with tempfile.TemporaryDirectory() as tmp:
        paths = DataPaths(Path(tmp) / "InfoShareDesktop")
        create_demo_store(paths, cases=50, records=400)
        store = accounts.sign_in(paths, username="demo.admin", password=DEMO_PASSWORD)
        busiest = cases.list_cases(store, limit=1, sort="records")[0]
        window = MainWindow(store)
        install_review_pages(window, window.session)
        window.set_text_size("largest")
        for theme, high in (("standard", False), ("high-visibility", True)):
            window.set_high_visibility(high)
            for page in window.page_names():
                window.show_page(page)
                slug = page.lower().replace(" ", "-")
                save(window, out, f"largest-{theme}-{slug}.png")
            window.show_page("Cases")
            view = window.cases_page.case_view
            window.cases_page.open_case(busiest.case_id)
            save(window, out, f"largest-{theme}-case-view.png")
            # The details pane of a sharing decision (below the chronology at 200%).
            shared = [e for e in view.model.rows() if e.kind.value == "sharing_decision"]
            if shared:
                view.select_record(shared[-1].record_id)
                save(window, out, f"largest-{theme}-details-pane.png")  # lays the page out
                view.case_scroll.ensureWidgetVisible(view.details, 0, 0)
                view.case_scroll.verticalScrollBar().setValue(
                    view.details.mapTo(view.case_page, view.details.rect().topLeft()).y() - 40
                )
                view.details.setFocus()
                view.details.labels()[0].setFocus()  # the focus outline on the heading
                save(window, out, f"largest-{theme}-details-pane.png")
            editor = view.start_sharing_decision()
            editor.evaluate()
            save(window, out, f"largest-{theme}-sharing-form.png")
            view.close_editor()
            window.cases_page.show_list()
            unlock = UnlockDialog(paths)
            unlock.alert.show_message(
                "The password is not right. Check Caps Lock and the keyboard layout and try again."
            )
            save(unlock, out, f"largest-{theme}-sign-in-error.png", None)
            unlock.close()
        window.set_text_size("medium")
        window.set_high_visibility(False)
        window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
