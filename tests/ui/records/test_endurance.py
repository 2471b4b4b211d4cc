"""Long use of the forms cannot crash the application.

PySide6 6.12 on Python 3.11 drops a reference to True on every signal emission and one to
None on many widget calls; after a few thousand edits the process aborts mid-form. From
Python 3.12 True, False and None are immortal and the same wheels are harmless. Each
driver runs in a process of its own (tests/ui/records/endurance.py), so an abort is a
failed test rather than a dead test run.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

#: How far a count may move over the 1,000 rounds. A leak of one reference per call moves
#: a count by 1,000 or more (a round makes 25 signal emissions and dozens of widget
#: calls); 20 still catches a leak on one call in fifty rounds, while leaving room for
#: references that merely happen to be held when the counts are read. (Measured: 0 on
#: Python 3.12 and 3.13, where the counts are constant.)
TOLERANCE = 20
SOAK_EDITS = 50_000
CAP_S = 900  # a generous cap for a loaded machine; the driver stops after its edits


def _run_driver(*args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-m", "tests.ui.records.endurance", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=CAP_S,
        check=False,
    )
    assert result.returncode == 0, f"the driver died ({result.returncode}):\n{result.stderr}"
    return json.loads(result.stdout)


def unexpected_qt_messages(config: pytest.Config, messages: list[str]) -> list[str]:
    """Qt warnings the driver saw that the suite's own qt_log_ignore does not allow."""
    ignored = [re.compile(pattern) for pattern in config.getini("qt_log_ignore")]
    return [m for m in messages if not any(p.search(m) for p in ignored)]


def _immortal(obj: object) -> bool:
    """Whether the interpreter ignores references to ``obj`` (Python 3.12+ singletons)."""
    before = sys.getrefcount(obj)
    extra = [obj] * 1000
    return sys.getrefcount(obj) == before and len(extra) == 1000


def test_this_python_and_pyside6_cannot_free_true_false_or_none():
    """The counts below are constant on 3.12+, so this is what makes them mean something:
    either the interpreter protects the singletons, or PySide6 is older than the releases
    known to drop references (6.12 on 3.11 aborts; 6.11 does not)."""
    mortal = [repr(obj) for obj in (True, False, None) if not _immortal(obj)]
    pyside = tuple(int(part) for part in version("PySide6-Essentials").split(".")[:2])
    assert not mortal or pyside < (6, 12), (
        f"Python {sys.version.split()[0]} does not protect {', '.join(mortal)} and "
        f"PySide6 {version('PySide6-Essentials')} drops references to them: the application "
        "would abort after a few thousand edits. Use Python 3.12 or newer."
    )


def test_signals_and_widget_calls_keep_true_false_and_none_referenced(request):
    result = _run_driver("refcounts")
    assert result["emissions"] >= 1000  # the slots really ran
    assert all(abs(moved) <= TOLERANCE for moved in result["drift"].values()), result
    assert unexpected_qt_messages(request.config, result["qt_messages"]) == []


@pytest.mark.slow
def test_the_sharing_decision_editor_survives_fifty_thousand_edits(request, tmp_path):
    """Typing, combo changes, ticks, recipients added and removed, checklist refreshes and
    autosaves on a real store; then the last draft reads back and the record saves."""
    result = _run_driver("soak", str(tmp_path / "data"), str(SOAK_EDITS))
    assert result["edits"] >= SOAK_EDITS
    assert result["checklist_refreshes"] >= result["cycles"] // 5
    assert result["autosaves"] >= result["cycles"] // 20
    assert result["draft_reads_back"], "the last draft kept differs from what was typed"
    assert result["record_saved"]
    assert all(abs(moved) <= TOLERANCE for moved in result["drift"].values()), result
    assert unexpected_qt_messages(request.config, result["qt_messages"]) == []
