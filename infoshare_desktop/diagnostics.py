"""Logging without personal data: events and error types, never messages or values; and
no core dumps, which would hold everything (record text, the data key, the password)."""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import sys
import traceback

from infoshare_desktop.paths import DataPaths


def safe_traceback(exc: BaseException) -> str:
    """Where an error happened, without its message or values (they may hold personal data)."""
    frames = traceback.extract_tb(exc.__traceback__)
    lines = [f"{type(exc).__module__}.{type(exc).__qualname__}"]
    lines += [f'  File "{f.filename}", line {f.lineno}, in {f.name}' for f in frames]
    return "\n".join(lines)


def setup_logging(paths: DataPaths) -> None:
    """A small rotating log in the data folder."""
    try:
        paths.logs.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            paths.logs / "infoshare.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("infoshare")
    for old in root.handlers:
        old.close()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    root.propagate = False


PR_SET_DUMPABLE = 4  # <linux/prctl.h>


def disable_core_dumps() -> None:
    """Make this process leave no core dump, whatever the shell's `ulimit -c`: the core
    size limit goes to 0 (soft and hard, so nothing in the process can raise it again),
    and on Linux the process is made non-dumpable, which also covers a core_pattern
    that pipes to a crash handler and keeps other processes of the same user from
    reading its memory through /proc. A no-op where neither exists (Windows)."""
    try:
        import resource
    except ImportError:
        return
    with contextlib.suppress(OSError, ValueError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
