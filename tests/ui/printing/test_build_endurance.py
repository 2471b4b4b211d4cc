"""Case-summary builds, thousands in a row, neither deadlock nor crash the application.

The worker used to be deleted in its own thread (deleteLater on the thread's finished):
there PySide takes the GIL while holding Qt's connection lock, and the UI thread, holding
the GIL, waited for that lock while building a widget. Under load this hung a test run
(1 in 4 runs of 2,000 builds here) or crashed a test worker.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ui.records.test_endurance import unexpected_qt_messages

ROOT = Path(__file__).resolve().parents[3]
BUILDS = 3000
DRIVER = [sys.executable, "-X", "faulthandler", "-m", "tests.ui.printing.build_stress"]
CAP_S = 600  # 3,000 builds take 20-40 s; only a deadlock comes near this


@pytest.mark.slow
def test_thousands_of_builds_in_a_row_neither_hang_nor_crash(request):
    try:
        result = subprocess.run(
            [*DRIVER, str(BUILDS)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=CAP_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the builds hung (no end within {CAP_S} s)")
    assert result.returncode == 0, f"the process died ({result.returncode}):\n{result.stderr}"
    outcome = json.loads(result.stdout)
    assert outcome["finished"] == outcome["failed_plainly"] == BUILDS
    assert unexpected_qt_messages(request.config, outcome["qt_messages"]) == []
