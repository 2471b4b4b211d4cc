"""The application process leaves no core dump, whatever `ulimit -c` says: a forced core
held record text, the data key and the password. Checked in a real child process, through
getrlimit, /proc/self/limits and prctl(PR_GET_DUMPABLE)."""

from __future__ import annotations

import json
import resource
import subprocess
import sys

import pytest

CHILD = """
import ctypes, json, resource, sys
from infoshare_desktop import app
def limits():
    line = next(l for l in open("/proc/self/limits") if l.startswith("Max core file size"))
    return line.split()[4:6]
before = [resource.getrlimit(resource.RLIMIT_CORE), limits()]
data = sys.argv[1]
sys.argv = ["infoshare-desktop", "--data-dir", data, "verify", "--user", "x", "--password-stdin"]
code = app.main()  # as the console script and `python -m infoshare_desktop` call it
print(json.dumps({"code": code, "before": before,
                  "after": [resource.getrlimit(resource.RLIMIT_CORE), limits()],
                  "dumpable": ctypes.CDLL(None).prctl(3, 0, 0, 0, 0)}))  # PR_GET_DUMPABLE
"""


def _unlimited_cores() -> None:
    """What `ulimit -c unlimited` does in a shell (as far as the hard limit allows)."""
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    except (OSError, ValueError):
        _soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
        resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_the_application_process_cannot_dump_core(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path / "data")],
        input="a password\n",
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_unlimited_cores,
        check=False,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["code"] == 2, done.stderr  # no store there: a plain refusal
    assert result["before"][0][0] != 0, "the child did not start with core dumps allowed"
    assert result["before"][1][0] != "0"
    assert result["after"] == [[0, 0], ["0", "0"]]  # getrlimit, and /proc/self/limits
    assert result["dumpable"] == 0
