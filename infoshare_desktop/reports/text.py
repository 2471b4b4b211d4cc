"""The one escaping helper every piece of user text passes before it enters a Paragraph.

reportlab's Paragraph parses a small XML-like markup (``<b>``, ``<a href>``, ``<img>``,
entities). Raw user text could therefore break the build, inject a link or an image, or
silently turn "R&amp;D" into "R&D". :func:`escape` makes any text print literally.
"""

from __future__ import annotations

import re

_LINE_BREAK = re.compile(r"\r\n|[\r\n\v\f\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def escape(text: object) -> str:
    """``text`` as Paragraph markup that prints exactly as written.

    ``&``, ``<`` and ``>`` become entities, line breaks become ``<br/>``, tabs become
    spaces and any remaining control character is dropped (saved text has none; this
    only guards against a caller passing raw input). ``None`` prints as nothing.
    """
    if text is None:
        return ""
    value = str(text)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = value.replace("\t", "    ")
    value = _LINE_BREAK.sub("<br/>", value)
    return _CONTROL.sub("", value)


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"
