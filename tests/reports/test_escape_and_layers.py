"""The escaping helper, and the reports package staying free of Qt and SQL."""

from __future__ import annotations

import subprocess
import sys

import pytest

from infoshare_desktop.domain import InfoCategory
from infoshare_desktop.reports import escape
from infoshare_desktop.services.printing import redaction_marker


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("R&D", "R&amp;D"),
        ("&amp;", "&amp;amp;"),
        ("<b>x</b>", "&lt;b&gt;x&lt;/b&gt;"),
        ('<img src="x">', '&lt;img src="x"&gt;'),
        ("line one\nline two\r\nthree", "line one<br/>line two<br/>three"),
        ("tab\there", "tab    here"),
        ("bell\x07", "bell"),
        (None, ""),
        ("Zofia Wiśniewska", "Zofia Wiśniewska"),
    ],
)
def test_escape(raw, expected):
    assert escape(raw) == expected


def test_escaped_text_round_trips_through_a_paragraph():
    from reportlab.platypus import Paragraph

    from infoshare_desktop.reports.styles import stylesheet

    text = 'R&D <b>x</b> &amp; <a href="javascript:x">y</a>\nnext'
    para = Paragraph(escape(text), stylesheet()["Body"])
    # The parsed paragraph holds exactly the original characters (line break aside).
    assert para.getPlainText() == text.replace("\n", "")


def test_redaction_marker_follows_the_categories():
    assert redaction_marker([InfoCategory.GENERAL_PERSONAL]) is None
    assert redaction_marker([InfoCategory.CRIMINAL_OFFENCE]) is None
    assert redaction_marker([InfoCategory.HEALTH]) == "[redacted: special-category details]"
    assert (
        redaction_marker([InfoCategory.OTHER_SPECIAL_CATEGORY, InfoCategory.THIRD_PARTY])
        == "[redacted: special-category and third-party details]"
    )
    assert redaction_marker([InfoCategory.THIRD_PARTY]) == "[redacted: third-party details]"


def test_the_reports_package_imports_no_qt_sql_or_store():
    code = (
        "import sys, infoshare_desktop.reports, infoshare_desktop.reports.case_summary;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'sqlalchemy', 'sqlmodel')"
        " or m.startswith(('infoshare_desktop.store', 'infoshare_desktop.services'))];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
