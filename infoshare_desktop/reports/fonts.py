"""The bundled Unicode font (DejaVu Sans), registered once with reportlab.

The base-14 PDF fonts cannot show Polish, Greek or Cyrillic names; DejaVu Sans can, and
reportlab embeds a subset with a ToUnicode map so the text extracts exactly as written.
The TTF files and their licence are in ``resources/fonts/`` (from Debian's
fonts-dejavu-core 2.37), installed as package data of ``infoshare_desktop.resources`` and
read with ``importlib.resources``. There is no fallback to a system copy: a missing font
is a broken installation and says so, rather than printing with whatever is installed.
"""

from __future__ import annotations

import functools
import io
from importlib.resources import files

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from infoshare_desktop.reports.errors import ReportError

FONT_DIR = files("infoshare_desktop.resources") / "fonts"

REGULAR = "InfoShareSans"
BOLD = "InfoShareSans-Bold"
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}


def _read(file_name: str) -> bytes:
    try:
        return (FONT_DIR / file_name).read_bytes()
    except OSError as exc:
        raise ReportError(
            f"The font file {file_name} is missing from the installation, so nothing can be "
            "printed. Reinstall InfoShare Desktop or ask your administrator."
        ) from exc


@functools.cache
def register_fonts() -> tuple[str, str]:
    """Register the regular and bold faces (once); return their names."""
    for name, file_name in _FILES.items():
        data = _read(file_name)
        try:
            pdfmetrics.registerFont(TTFont(name, io.BytesIO(data)))
        except (TTFError, OSError) as exc:
            raise ReportError(
                f"The font file {file_name} could not be read, so nothing can be printed."
            ) from exc
    # <b> in styles maps to the bold face; there is no italic face, so italic maps to regular.
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, REGULAR)
    addMapping(REGULAR, 1, 1, BOLD)
    return REGULAR, BOLD
