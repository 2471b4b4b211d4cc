"""Cold start to the unlock dialog painted, against a script that only creates a
QApplication and shows an empty dialog (both as fresh processes, offscreen)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from infoshare_desktop.services import accounts
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
RESULTS: dict[str, float] = {}


def _env():
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "INFOSHARE_QUIT_AFTER_FIRST_PAINT": "1"}


def test_bench_startup_baseline_bare_qt(benchmark):
    def start():
        subprocess.run([sys.executable, "-c", BARE], env=_env(), check=True, timeout=60)

    benchmark.pedantic(start, rounds=8, warmup_rounds=1)
    RESULTS["bare_qt"] = benchmark.stats.stats.median


@pytest.fixture
def existing_store(data_paths):
    accounts.first_run(
        data_paths, username=ADMIN, display_name="Bench", password=ADMIN_PASSWORD
    ).close()
    return data_paths


def test_bench_startup_to_unlock_dialog(benchmark, existing_store):
    command = [sys.executable, "-m", "infoshare_desktop", "--data-dir", str(existing_store.root)]

    def start():
        subprocess.run(command, env=_env(), check=True, timeout=60)

    benchmark.pedantic(start, rounds=8, warmup_rounds=1)
    if "bare_qt" in RESULTS:
        benchmark.extra_info["ratio_to_bare_qt"] = round(
            benchmark.stats.stats.median / RESULTS["bare_qt"], 2
        )
