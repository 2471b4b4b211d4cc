"""The type hints are checked: mypy, configured in pyproject.toml ([tool.mypy]: strict, on
the whole package), must find nothing.

Run it alone with `.venv/bin/mypy` (from the checkout; its cache is .mypy_cache/).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "infoshare_desktop"
IGNORE = re.compile(r"#\s*type:\s*ignore(?P<codes>\[[^\]]*\])?(?P<after>.*)$")


def test_mypy_finds_no_errors():
    # About 20 s from a fresh clone on a loaded 2-core machine, 3 s with the cache.
    result = subprocess.run(
        [sys.executable, "-m", "mypy"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Success"), result.stdout


def test_every_type_ignore_names_its_error_code_and_says_why():
    """A `# type: ignore[code]` stays only with its reason: on the same line after it, or
    in the comment line just above."""
    unexplained = []
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            found = IGNORE.search(line)
            if found is None:
                continue
            reason = found["after"].strip().lstrip("#").strip()
            above = lines[number - 2].strip() if number > 1 else ""
            if not found["codes"] or not (reason or above.startswith("#")):
                unexplained.append(f"{path.relative_to(ROOT)}:{number}")
    assert unexplained == []
