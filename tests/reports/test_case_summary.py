"""Case summaries through services.printing with a real store: the text on every page,
redaction, escaping, fonts, password protection, the audit entry, roles and cancel."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError
from sqlmodel import select

from infoshare_desktop.domain import utcnow
from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.reports import case_summary
from infoshare_desktop.services import accounts, cases, printing, records
from infoshare_desktop.services.errors import PermissionDenied
from infoshare_desktop.services.printing import (
    OutputUse,
    Section,
    Signatory,
    SummaryCancelled,
    SummaryOptions,
)
from infoshare_desktop.services.visibility import CaseNotFound
from infoshare_desktop.store.tables import AuditEvent
from tests.domain.factories import complete_case, complete_sharing_decision
from tests.reports.conftest import (
    HEALTH_AMENDMENT,
    HEALTH_DETAIL,
    NAMES,
    THIRD_PARTY_DETAIL,
    flat,
    page_texts,
    qpdf_check,
)

HOSTILE = [
    "<b>not bold</b>",
    "&amp;",
    "R&D",
    '<img src="x">',
    '<a href="javascript:x">click</a>',
]


def audit_events(store, action: str | None = None) -> list[AuditEvent]:
    with store.read() as session:
        rows = session.exec(select(AuditEvent).order_by(AuditEvent.seq)).all()
    return [r for r in rows if action is None or r.action == action]


def build(store, case_id, **options) -> bytes:
    return printing.build_case_summary(store, case_id=case_id, options=SummaryOptions(**options))


def test_marking_page_numbers_and_anchor_on_every_page(admin_store, printed_case):
    data = build(admin_store, printed_case.case_id, signatures=tuple(Signatory))
    pages = page_texts(data)
    assert len(pages) >= 3
    (event,) = audit_events(admin_store, "record.print")
    anchor_seq = re.search(r"anchor=(\d+)", event.detail).group(1)
    for number, text in enumerate(pages, start=1):
        assert text.count("OFFICIAL-SENSITIVE") >= 2, f"page {number} lacks its marking"
        assert f"Page {number} of {len(pages)}" in text
        assert re.search(rf"Audit anchor {anchor_seq}:[0-9a-f]{{12}}", text)
        assert "Printed by Alex Example (Admin)" in text


def test_the_front_page_names_the_root_of_trust_in_words(admin_store, printed_case):
    words = accounts.root_fingerprint(admin_store)
    assert words is not None and len(words.split()) == 8
    first = flat(page_texts(build(admin_store, printed_case.case_id))[0])
    assert f"Root of trust {words}" in first


def test_every_included_records_reasons_and_sections_are_present(admin_store, printed_case):
    text = flat(" ".join(page_texts(build(admin_store, printed_case.case_id))))
    for reason in printed_case.reasons:
        assert flat(reason) in text
    for heading in ("Chronology", "Sharing decisions", "Consent decisions", "The seven criteria"):
        assert heading in text
    assert "Legal basis: UK GDPR Art 6(1)(a)" in text
    assert "Amendments to this record" in text and "Reviews of this record" in text
    assert "Clear and proportionate" in text
    # advice is printed in full, under its own heading
    assert "Advice records" in text and "From (role) Designated safeguarding lead" in text
    assert "Share the attendance summary with children's services today" in text
    for short in (rid[:8] for rid in printed_case.record_ids):
        assert short in text


def test_redaction_on_by_default_hides_special_category_and_third_party_details(
    admin_store, printed_case
):
    text = flat(" ".join(page_texts(build(admin_store, printed_case.case_id))))
    for secret in (HEALTH_DETAIL, THIRD_PARTY_DETAIL, HEALTH_AMENDMENT):
        assert flat(secret) not in text
    assert "[redacted: special-category details]" in text
    assert "[redacted: third-party details]" in text
    assert "Redaction on —" in text
    # Ordinary details still print.
    assert "Attendance summary for the autumn term" in text
    (event,) = audit_events(admin_store, "record.print")
    assert "redacted=3" in event.detail  # two decisions and one amendment


def test_redaction_off_shows_the_details(admin_store, printed_case):
    text = flat(" ".join(page_texts(build(admin_store, printed_case.case_id, redact=False))))
    for secret in (HEALTH_DETAIL, THIRD_PARTY_DETAIL, HEALTH_AMENDMENT):
        assert flat(secret) in text
    assert "[redacted" not in text and "Redaction off" in text


def test_markup_in_user_text_prints_literally_with_no_link_script_or_image(admin_store, tmp_path):
    case_id = cases.create_case(
        admin_store, draft=complete_case(display_name="R&D <b>Case</b>", case_reference="X&Y<1>")
    )
    hostile = " ".join(HOSTILE)
    draft = complete_sharing_decision(
        reasons=f"Reasons with {hostile} inside them", purpose=hostile
    )
    draft.recipients[0].name = '<a href="javascript:x">Jo</a> & R&D'
    records.record_sharing_decision(admin_store, case_id=case_id, draft=draft)
    data = build(admin_store, case_id)
    text = flat(" ".join(page_texts(data)))
    for item in HOSTILE:
        assert item in text
    assert "R&D <b>Case</b>" in text and "X&Y<1>" in text
    for forbidden in (b"/JavaScript", b"/JS", b"/URI", b"/Link", b"/Annots", b"/Launch"):
        assert forbidden not in data
    assert not re.search(rb"/Subtype\s*/Image", data)
    reader = PdfReader(io.BytesIO(data))
    for page in reader.pages:
        assert "/Annots" not in page
        xobjects = page["/Resources"].get("/XObject")
        assert not xobjects
    path = tmp_path / "hostile.pdf"
    path.write_bytes(data)
    result = qpdf_check(path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_polish_greek_and_cyrillic_names_extract_as_written(admin_store, printed_case):
    text = flat(" ".join(page_texts(build(admin_store, printed_case.case_id))))
    for name in NAMES:
        assert name in text
    # Names print in the bundled Unicode font (embedded subsets), not a base-14 font.
    page = PdfReader(io.BytesIO(build(admin_store, printed_case.case_id))).pages[0]
    fonts = [str(f.get_object()["/BaseFont"]) for f in page["/Resources"]["/Font"].values()]
    assert sum("DejaVuSans" in name for name in fonts) >= 2, fonts


def test_qpdf_check_passes_on_plain_and_protected_files(admin_store, printed_case, tmp_path):
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(build(admin_store, printed_case.case_id, signatures=tuple(Signatory)))
    result = qpdf_check(plain)
    assert result.returncode == 0, result.stdout + result.stderr
    protected = tmp_path / "protected.pdf"
    protected.write_bytes(build(admin_store, printed_case.case_id, password="correct horse 42"))
    result = qpdf_check(protected, password="correct horse 42")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "AES" in qpdf_check_encryption(protected)


def qpdf_check_encryption(path) -> str:
    import shutil
    import subprocess

    qpdf = shutil.which("qpdf")
    if qpdf is None:
        pytest.skip("qpdf is not installed")
    out = subprocess.run(
        [qpdf, "--show-encryption", "--password=correct horse 42", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout


def test_a_protected_summary_needs_its_password(admin_store, printed_case):
    data = build(admin_store, printed_case.case_id, password="correct horse 42")
    reader = PdfReader(io.BytesIO(data))
    assert reader.is_encrypted
    with pytest.raises(FileNotDecryptedError):
        reader.pages[0].extract_text()
    wrong = PdfReader(io.BytesIO(data))
    assert not wrong.decrypt("wrong password")
    assert NAMES[0].encode("utf-8") not in data and b"Reason number" not in data
    text = " ".join(page_texts(data, password="correct horse 42"))
    assert "OFFICIAL-SENSITIVE" in text and NAMES[0] in text
    (event,) = audit_events(admin_store, "record.print")
    assert "protected=1" in event.detail


def test_a_short_password_is_refused_before_anything_is_read(admin_store, printed_case):
    before = len(audit_events(admin_store))
    with pytest.raises(printing.InvalidSummaryOptions, match="at least 8"):
        build(admin_store, printed_case.case_id, password="short")
    assert len(audit_events(admin_store)) == before


def test_one_audit_entry_with_codes_only_is_written_per_build(admin_store, printed_case):
    with admin_store.read() as session:
        from infoshare_desktop.store.audit import chain_head

        head_before = chain_head(session)
    before = len(audit_events(admin_store))
    data = build(admin_store, printed_case.case_id, use=OutputUse.SAVE)
    events = audit_events(admin_store)
    assert len(events) == before + 1
    event = events[-1]
    assert event.action == "record.export"
    assert event.target_kind == "case" and event.target_id == printed_case.case_id
    assert event.detail.startswith("summary;use=save;records=9;redacted=")
    assert f"anchor={head_before.seq}" in event.detail
    assert re.fullmatch(r"[a-z0-9=;+_]+", event.detail)  # codes and counts only
    assert head_before.short in page_texts(data)[0]


def test_record_release_audits_a_later_print_of_the_same_bytes(admin_store, printed_case):
    build(admin_store, printed_case.case_id)
    printing.record_release(
        admin_store, case_id=printed_case.case_id, options=SummaryOptions(use=OutputUse.PRINT)
    )
    events = audit_events(admin_store, "record.print")
    assert [e.detail.split(";")[1] for e in events] == ["use=preview", "use=print"]
    assert events[-1].detail.endswith("again=1")


def test_only_team_leads_print_and_restricted_cases_stay_hidden(
    data_paths, admin_store, printed_case
):
    code = accounts.add_user(
        admin_store, username="pat.prac", display_name="Pat Practitioner", roles={Role.PRACTITIONER}
    )
    practitioner = accounts.sign_in(
        data_paths, username="pat.prac", password=code, new_password="amber meadow kettle"
    )
    with pytest.raises(PermissionDenied):
        build(practitioner, printed_case.case_id)
    practitioner.close()

    restricted = cases.create_case(
        admin_store, draft=complete_case(case_reference="EX-R-1", restricted=True)
    )
    code = accounts.add_user(
        admin_store, username="tia.lead", display_name="Tia Lead", roles={Role.TEAM_LEAD}
    )
    lead = accounts.sign_in(
        data_paths, username="tia.lead", password=code, new_password="copper harbour mist"
    )
    with pytest.raises(CaseNotFound):
        build(lead, restricted)
    assert build(lead, printed_case.case_id).startswith(b"%PDF-")
    lead.close()
    assert len(audit_events(admin_store, "record.print")) == 1


def test_cancel_releases_nothing_and_writes_no_audit(admin_store, printed_case):
    before = len(audit_events(admin_store))
    calls = {"n": 0}

    def cancelled() -> bool:
        calls["n"] += 1
        return calls["n"] > 3

    with pytest.raises(SummaryCancelled):
        printing.build_case_summary(
            admin_store, case_id=printed_case.case_id, options=SummaryOptions(), cancelled=cancelled
        )
    assert len(audit_events(admin_store)) == before


def test_progress_rises_to_the_total(admin_store, printed_case):
    seen: list[tuple[int, int]] = []
    printing.build_case_summary(
        admin_store,
        case_id=printed_case.case_id,
        options=SummaryOptions(),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen and seen[-1] == (printing.PROGRESS_TOTAL, printing.PROGRESS_TOTAL)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_period_and_sections_limit_what_is_printed(admin_store):
    case_id = cases.create_case(admin_store, draft=complete_case(case_reference="EX-P-1"))
    now = utcnow()
    old = complete_sharing_decision(
        occurred_at=now - timedelta(days=40),
        late_entry_reason="Logged late after the fictional strategy meeting",
        reasons="Old reason outside the period entirely",
    )
    records.record_sharing_decision(admin_store, case_id=case_id, draft=old)
    recent = complete_sharing_decision(reasons="Recent reason inside the period")
    records.record_sharing_decision(admin_store, case_id=case_id, draft=recent)
    text = flat(
        " ".join(
            page_texts(
                build(
                    admin_store,
                    case_id,
                    date_from=(now - timedelta(days=7)).date(),
                    sections=frozenset({Section.SHARING}),
                )
            )
        )
    )
    assert "Recent reason inside the period" in text
    assert "Old reason outside" not in text
    assert "Chronology Ref" not in text and "Consent decisions" not in text.replace(
        "Consent decisions 0", ""
    )


def test_long_text_splits_across_pages(admin_store):
    case_id = cases.create_case(admin_store, draft=complete_case(case_reference="EX-L-1"))
    long_reason = " ".join(f"word{i}" for i in range(2300))  # about 19,000 characters
    records.record_sharing_decision(
        admin_store, case_id=case_id, draft=complete_sharing_decision(reasons=long_reason)
    )
    pages = page_texts(build(admin_store, case_id))
    text = flat(" ".join(pages))
    assert "word0 " in text and "word2299" in text
    assert all(f"of {len(pages)}" in p for p in pages)


def test_default_file_name_has_no_personal_data():
    name = printing.default_file_name(utcnow())
    assert re.fullmatch(r"case-summary-\d{8}-\d{4}\.pdf", name)


def test_save_pdf_writes_atomically_and_privately(tmp_path):
    target = tmp_path / "case-summary.pdf"
    target.write_bytes(b"old")
    saved = printing.save_pdf(b"%PDF-1.4 new", target)
    assert saved == target and target.read_bytes() == b"%PDF-1.4 new"
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in tmp_path.iterdir()] == ["case-summary.pdf"]
    assert printing.save_pdf(b"x", tmp_path / "other").name == "other.pdf"
    with pytest.raises(printing.ReportError, match="could not be saved"):
        printing.save_pdf(b"x", tmp_path / "missing-folder" / "a.pdf")


def test_signature_blocks_print_a_given_name_and_role_literally(admin_store, printed_case):
    blocks = (
        printing.SignatureBlock(Signatory.TEAM_LEAD, "  Ολυμπία Παπαδοπούλου ", "Lead <b>R&D</b>"),
        Signatory.RECIPIENT,
    )
    text = flat(" ".join(page_texts(build(admin_store, printed_case.case_id, signatures=blocks))))
    assert "Ολυμπία Παπαδοπούλου" in text and "Lead <b>R&D</b>" in text
    assert "Received by (hand-over copy)" in text
    with pytest.raises(printing.InvalidSummaryOptions, match="longer than"):
        build(
            admin_store,
            printed_case.case_id,
            signatures=(printing.SignatureBlock(Signatory.PRACTITIONER, "x" * 121),),
        )


@pytest.mark.parametrize("pages", [1, 2])
def test_a_preview_gets_its_first_pages_audited_before_the_whole(
    admin_store, printed_case, monkeypatch, pages
):
    """The first pages come first, numbered "of …", each as the whole document has it,
    and the one audit entry is written before they are handed over."""
    monkeypatch.setattr(case_summary, "FIRST_PAGES", pages)
    handed: list[tuple[list[str], int]] = []

    def first_pages(data: bytes) -> None:
        handed.append((page_texts(data), len(audit_events(admin_store, "record.print"))))

    whole = page_texts(
        printing.build_case_summary(
            admin_store,
            case_id=printed_case.case_id,
            options=SummaryOptions(),
            first_pages=first_pages,
        )
    )
    ((first, audited),) = handed
    assert audited == 1 and len(audit_events(admin_store, "record.print")) == 1
    assert len(first) == pages < len(whole)
    for number, text in enumerate(first, start=1):
        assert f"Page {number} of …" in text
        assert text.replace(" of …", f" of {len(whole)}") == whole[number - 1]


def test_a_summary_no_longer_than_its_first_pages_comes_whole(admin_store, monkeypatch):
    case_id = cases.create_case(admin_store, draft=complete_case(case_reference="EX-S-1"))
    monkeypatch.setattr(case_summary, "FIRST_PAGES", 3)
    handed: list[bytes] = []
    pages = page_texts(
        printing.build_case_summary(
            admin_store, case_id=case_id, options=SummaryOptions(), first_pages=handed.append
        )
    )
    assert handed == [] and pages[-1].rstrip().endswith(f"Page {len(pages)} of {len(pages)}")
    assert len(audit_events(admin_store, "record.print")) == 1
