"""Logging without personal data: events and error types, never messages or values."""

from __future__ import annotations

import logging
import logging.handlers
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
