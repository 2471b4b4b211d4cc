"""Thousands of case-summary builds in a row, in a process of its own (a deadlock or a
crash is a failed test, not a dead test run). Run by test_build_endurance.py:

    python -m tests.ui.printing.build_stress BUILDS

Each build is refused at once (the worker thread ends as soon as it starts), while the
UI thread keeps making widgets whose construction connects signals: the moment where
deleting the worker in its own thread deadlocked against the UI thread. Prints one line
of JSON with the number of builds that finished and the Qt warnings seen.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QLabel, QWidget


def main(builds: int) -> dict[str, object]:
    from infoshare_desktop.services import printing
    from infoshare_desktop.services.errors import PermissionDenied
    from infoshare_desktop.ui.printing.worker import SummaryBuild

    messages: list[str] = []

    def keep_warnings(kind: QtMsgType, _context: object, message: str) -> None:
        if kind not in (QtMsgType.QtDebugMsg, QtMsgType.QtInfoMsg):
            messages.append(message)

    qInstallMessageHandler(keep_warnings)

    def refuse(*_args: object, **_kwargs: object) -> bytes:
        raise PermissionDenied("This needs the team lead role.")

    printing.build_case_summary = refuse  # type: ignore[assignment]
    app = QApplication.instance() or QApplication([])
    parent = QWidget()
    finished = failed = 0
    for _ in range(builds):
        build = SummaryBuild(None, "case", printing.SummaryOptions(), parent)  # type: ignore[arg-type]
        outcome: list[str] = []
        build.failed.connect(outcome.append)
        build.finished.connect(lambda done=outcome: done.append("finished"))
        build.start()
        while "finished" not in outcome:
            label = QLabel("Working", parent)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.deleteLater()
            app.processEvents()
        failed += outcome[0] == "This needs the team lead role."
        finished += 1
        build.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return {"finished": finished, "failed_plainly": failed, "qt_messages": messages}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))), flush=True)
