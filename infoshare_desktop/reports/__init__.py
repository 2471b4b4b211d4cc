"""Printed documents (reportlab only here): styles, page template, the case summary.

Takes plain data objects (:mod:`~infoshare_desktop.reports.model`) and returns PDF bytes
in memory. Pure of Qt and SQL; imports only the domain.
"""

from infoshare_desktop.reports.case_summary import (
    PROGRESS_TOTAL,
    CaseSummaryReport,
    render_case_summary,
)
from infoshare_desktop.reports.errors import ReportError, SummaryCancelled
from infoshare_desktop.reports.model import (
    AttachedRecord,
    CaseIdentity,
    ChronologyRow,
    PrintedRecord,
    Section,
    Signatory,
    SignatureBlock,
    SummaryDocument,
)
from infoshare_desktop.reports.protect import encrypt_pdf, password_problem
from infoshare_desktop.reports.text import escape

__all__ = [
    "PROGRESS_TOTAL",
    "AttachedRecord",
    "CaseIdentity",
    "CaseSummaryReport",
    "ChronologyRow",
    "PrintedRecord",
    "ReportError",
    "Section",
    "Signatory",
    "SignatureBlock",
    "SummaryCancelled",
    "SummaryDocument",
    "encrypt_pdf",
    "escape",
    "password_problem",
    "render_case_summary",
]
