"""Fixtures for the printing tests: a case with every kind of record, and PDF helpers."""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from infoshare_desktop.domain import InfoCategory, ReviewDraft, ReviewOutcome, SharingKind
from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.services import accounts, cases, records, reviews
from tests.domain.factories import (
    complete_advice,
    complete_amendment,
    complete_case,
    complete_consent_decision,
    complete_sharing_decision,
)

HEALTH_DETAIL = "Diagnosis of asthma and the inhaler prescription from the fictional clinic"
THIRD_PARTY_DETAIL = "The neighbour's account of the argument on the landing"
HEALTH_AMENDMENT = "The clinic letter also mentions the fictional allergy to penicillin"
NAMES = ("Zofia Wiśniewska", "Ολυμπία Παπαδοπούλου", "Анна Иванова")
SUPERVISOR_PASSWORD = "granite willow dusk"


@dataclass
class PrintedCase:
    case_id: str
    reasons: list[str]
    record_ids: list[str]


def add_supervisor(data_paths, admin_store):
    code = accounts.add_user(
        admin_store, username="sam.super", display_name="Анна Иванова", roles={Role.SUPERVISOR}
    )
    return accounts.sign_in(
        data_paths, username="sam.super", password=code, new_password=SUPERVISOR_PASSWORD
    )


@pytest.fixture
def printed_case(data_paths, admin_store) -> PrintedCase:
    """A case named in Polish, with sharing decisions of every kind (one with health and
    one with third-party details), a consent decision, advice, amendments and a review."""
    return make_printed_case(data_paths, admin_store)


def make_printed_case(data_paths, admin_store) -> PrintedCase:
    """The printed_case fixture's case (also used by make_sample_pages.py)."""
    case_id = cases.create_case(
        admin_store, draft=complete_case(display_name=NAMES[0], case_reference="EX-2026-0042")
    )
    consent = records.record_consent_decision(
        admin_store, case_id=case_id, draft=complete_consent_decision()
    )
    reasons, ids = [], [consent.record_id]
    for n, kind in enumerate(SharingKind):
        changes: dict = {"reasons": f"Reason number {n}: {kind.label} after weighing the plan"}
        if kind is SharingKind.SHARED_IN_PART:
            changes |= {
                "categories": [InfoCategory.HEALTH],
                "information_shared": HEALTH_DETAIL,
            }
        if kind is SharingKind.RECEIVED:
            changes |= {
                "categories": [InfoCategory.THIRD_PARTY],
                "information_shared": THIRD_PARTY_DETAIL,
            }
        draft = complete_sharing_decision(kind, **changes)
        saved = records.record_sharing_decision(admin_store, case_id=case_id, draft=draft)
        reasons.append(draft.reasons)
        ids.append(saved.record_id)
    records.add_amendment(
        admin_store, draft=complete_amendment(target_id=ids[2], text=HEALTH_AMENDMENT)
    )
    records.add_amendment(admin_store, draft=complete_amendment(target_id=ids[1]))
    advice = records.record_advice(admin_store, case_id=case_id, draft=complete_advice())
    ids.append(advice.record_id)
    supervisor = add_supervisor(data_paths, admin_store)
    reviews.request_review(admin_store, record_id=ids[1])
    records.record_review(
        supervisor,
        draft=ReviewDraft(
            target_id=ids[1],
            outcome=ReviewOutcome.ENDORSED_WITH_COMMENT,
            comment="Clear and proportionate; well recorded by Ολυμπία Παπαδοπούλου",
        ),
    )
    supervisor.close()
    return PrintedCase(case_id, reasons, ids)


def page_texts(data: bytes, password: str | None = None) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    if password is not None:
        assert reader.is_encrypted
        reader.decrypt(password)
    return [page.extract_text() or "" for page in reader.pages]


def flat(text: str) -> str:
    """Whitespace (incl. line breaks from wrapping) collapsed to single spaces."""
    return " ".join(text.split())


def qpdf_check(path: Path, password: str | None = None) -> subprocess.CompletedProcess:
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        pytest.skip("qpdf is not installed (apt-get install qpdf) so the PDF cannot be checked")
    args = [qpdf, "--check"]
    if password is not None:
        args.append(f"--password={password}")
    return subprocess.run([*args, str(path)], capture_output=True, text=True, check=False)
