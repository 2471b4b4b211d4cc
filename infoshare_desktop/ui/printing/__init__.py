"""Printing case summaries (issue #6): options, a cancellable build, preview, print, save.

The case view calls :func:`open_case_summary` (Print action, Ctrl+P).
"""

from infoshare_desktop.ui.printing.controller import CaseSummaryPrinter, open_case_summary
from infoshare_desktop.ui.printing.options_dialog import SummaryOptionsDialog
from infoshare_desktop.ui.printing.worker import SummaryBuild

__all__ = [
    "CaseSummaryPrinter",
    "SummaryBuild",
    "SummaryOptionsDialog",
    "open_case_summary",
]
