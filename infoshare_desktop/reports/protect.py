"""Password protection: AES-256 encryption of a finished PDF (pypdf with `cryptography`).

reportlab's own AES-256 needs the unmaintained ``pyaes``; pypdf re-writing reportlab's
output with ``algorithm="AES-256"`` uses the ``cryptography`` package instead.
"""

from __future__ import annotations

import io

from infoshare_desktop.reports.errors import ReportError

MIN_PASSWORD = 8


def password_problem(password: str) -> str | None:
    """Why ``password`` cannot protect a summary, or None."""
    if len(password) < MIN_PASSWORD:
        return f"Use a password of at least {MIN_PASSWORD} characters to protect the PDF."
    if "\x00" in password:
        return "A password cannot contain a NUL character."
    return None


def encrypt_pdf(data: bytes, password: str) -> bytes:
    """``data`` encrypted with AES-256; the password is needed to open it."""
    problem = password_problem(password)
    if problem:
        raise ReportError(problem)
    try:
        from pypdf import PdfReader, PdfWriter
    except ImportError as exc:  # pragma: no cover - a packaging fault
        raise ReportError(
            "Password protection is not available in this installation (pypdf is missing)."
        ) from exc
    try:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        writer.encrypt(user_password=password, owner_password=None, algorithm="AES-256")
        out = io.BytesIO()
        writer.write(out)
    except Exception as exc:
        raise ReportError("The PDF could not be protected with the password.") from exc
    return out.getvalue()
