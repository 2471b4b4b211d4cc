"""The look of the sign-in and lock screens, and where the main window was.

The sign-in dialog is shown before anyone has opened the encrypted store, so the text
size and theme the last person chose are kept beside it, in a small plain file
(`appearance.json` in the data folder). It holds only those choices and the window's
geometry: nothing personal, and nothing keyed by who chose them. A missing or damaged
file means the defaults; it is never an error.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from infoshare_desktop.paths import DataPaths
from infoshare_desktop.ui.common.theme import TEXT_SIZES

log = logging.getLogger("infoshare")

FILE_NAME = "appearance.json"


@dataclass(frozen=True)
class Appearance:
    text_size: str = "medium"
    high_visibility: bool = False
    geometry: str = ""
    """The main window's `saveGeometry()`, base64; empty: open maximised."""


def _file(paths: DataPaths) -> Path:
    return paths.root / FILE_NAME


def load(paths: DataPaths) -> Appearance:
    try:
        data = json.loads(_file(paths).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Appearance()
    if not isinstance(data, dict):
        return Appearance()
    size = data.get("text_size")
    geometry = data.get("geometry")
    return Appearance(
        text_size=size if size in TEXT_SIZES else "medium",
        high_visibility=data.get("high_visibility") is True,
        geometry=geometry if isinstance(geometry, str) else "",
    )


def save(paths: DataPaths, **changes: object) -> None:
    """Change some of the kept choices (written whole, then moved into place)."""
    current = asdict(load(paths))
    current.update(changes)
    target = _file(paths)
    partial = target.with_name(target.name + ".new")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(current), encoding="utf-8")
        os.replace(partial, target)
    except OSError as exc:  # the look is a convenience: never stop the user for it
        log.warning("appearance not kept: %s", type(exc).__qualname__)
