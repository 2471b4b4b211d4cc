"""Cold start to the unlock dialog painted, against a script that only creates a
QApplication and shows an empty dialog (both as fresh processes, offscreen)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from infoshare_desktop.services import accounts
from tests.benchmarks.ab import compare
from tests.conftest import ADMIN, ADMIN_PASSWORD

BARE = """
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QDialog
app = QApplication(sys.argv)
dialog = QDialog()
class Quit(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, app.quit)
        return False
probe = Quit()
dialog.installEventFilter(probe)
dialog.show()
app.exec()
"""


def _env():
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "INFOSHARE_QUIT_AFTER_FIRST_PAINT": "1"}


@pytest.fixture
def existing_store(data_paths):
    accounts.first_run(
        data_paths, username=ADMIN, display_name="Bench", password=ADMIN_PASSWORD
    ).close()
    return data_paths


def test_bench_startup_to_unlock_dialog(benchmark, existing_store):
    command = [sys.executable, "-m", "infoshare_desktop", "--data-dir", str(existing_store.root)]
    bare = [sys.executable, "-c", BARE]
    compare(
        benchmark,
        work=lambda: subprocess.run(command, env=_env(), check=True, timeout=60),
        floor=lambda: subprocess.run(bare, env=_env(), check=True, timeout=60),
        floor_name="a bare QApplication showing an empty dialog",
        rounds=8,
    )
