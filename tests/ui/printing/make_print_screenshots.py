"""Save screenshots of the print UI to packaging/screenshots/ (run on demand).

    .venv/bin/python tests/ui/printing/make_print_screenshots.py [--out DIR]

A throw-away store with the reports tests' example case; offscreen Qt. The options
dialog is shown at its own size (medium and large text, both must fit 1366x768); the
preview fills a 1366x768 screen, once on its first page while the rest is being built
(print-preview-building.png, the build held there) and once whole.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SCREEN = (1366, 768)
# An offscreen screen of 1366x768, so dialogs size themselves as on that laptop.
_SCREEN_CONFIG = Path(tempfile.gettempdir()) / "infoshare-screen-1366x768.json"
_SCREEN_CONFIG.write_text(
    json.dumps({"screens": [{"name": "laptop", "width": SCREEN[0], "height": SCREEN[1]}]})
)
os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_SCREEN_CONFIG}"
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from infoshare_desktop.paths import DataPaths  # noqa: E402
from infoshare_desktop.store import keyslots as keystore  # noqa: E402
from infoshare_desktop.ui.common.theme import apply_theme  # noqa: E402


def save(widget: QWidget, out: Path, name: str, size: tuple[int, int] | None = None) -> None:
    widget.show()
    if size:
        widget.resize(*size)
    for _ in range(5):
        QApplication.processEvents()
    hint = widget.size()
    assert hint.width() <= SCREEN[0] and hint.height() <= SCREEN[1], (name, hint)
    widget.grab().save(str(out / name))
    print(out / name, f"{hint.width()}x{hint.height()}")


def settle(ms: int) -> None:
    """Let queued work (page rendering) run for ``ms`` milliseconds."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for(build) -> None:
    loop = QEventLoop()
    build.finished.connect(loop.quit)
    if build.is_running():
        loop.exec()


def hold_after_first_pages() -> threading.Event:
    """Hand over the first page, then wait for the event before building the rest."""
    from infoshare_desktop.reports import case_summary

    case_summary.FIRST_PAGES = 1
    release = threading.Event()
    records = case_summary.CaseSummaryReport.records

    def held(self: case_summary.CaseSummaryReport) -> list:
        release.wait(60)
        return records(self)

    case_summary.CaseSummaryReport.records = held  # type: ignore[method-assign]
    return release


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "packaging" / "screenshots")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    keystore.DEFAULT_KDF = {"memory_kib": 1024, "iterations": 1, "lanes": 1}
    app = QApplication([])
    apply_theme(app)

    from infoshare_desktop.services import accounts
    from infoshare_desktop.ui.common.session import Session
    from infoshare_desktop.ui.printing import open_case_summary
    from tests.reports.conftest import make_printed_case

    with tempfile.TemporaryDirectory() as tmp:
        paths = DataPaths(Path(tmp) / "data")
        store = accounts.first_run(
            paths, username="z.lead", display_name="Zofia Wiśniewska", password="plum orchard"
        )
        case = make_printed_case(paths, store)
        session = Session(store)
        printer = open_case_summary(None, session, case.case_id, case_label="EX-2026-0042")
        dialog = printer.dialog
        dialog.signature_rows[1].check.setChecked(True)
        dialog.signature_rows[1].name.setText("Zofia Wiśniewska")
        dialog.signature_rows[1].role.setText("Team lead")
        dialog.protect.setChecked(True)
        dialog.password.setText("correct horse 42")
        dialog.confirm.setText("correct horse 43")
        dialog.check()
        save(dialog, out, "print-options.png")
        apply_theme(app, "large")
        QApplication.processEvents()
        dialog.fit_to_screen()
        save(dialog, out, "print-options-large.png")
        apply_theme(app)
        dialog.protect.setChecked(False)
        dialog.check()
        # The preview while the rest is built: held after its first page.
        release = hold_after_first_pages()
        dialog.preview_button.click()
        while printer.preview is None:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
        printer.preview.set_progress(420)  # as a long summary part-way through shows it
        printer.preview.resize(*SCREEN)
        settle(1000)  # the view renders the page in the background
        printer.preview.view.viewport().update()
        settle(1000)
        save(printer.preview, out, "print-preview-building.png", SCREEN)
        release.set()
        wait_for(printer.build)
        settle(1000)  # the view renders the whole document's pages in the background
        save(printer.preview, out, "print-preview.png", SCREEN)
        printer.preview.close()
        dialog.close()
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
