"""Save screenshots of the record editors to packaging/screenshots/form-*.png (on demand).

    .venv/bin/python tests/ui/records/make_form_screenshots.py [--out DIR]

Uses a throw-away store with fictional data, offscreen Qt and a cheap key derivation.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from infoshare_desktop.domain import (  # noqa: E402
    ConsentStatus,
    Recipient,
    RecordKind,
    SharingKind,
    utcnow,
)
from infoshare_desktop.domain.enums import Rating, ReplyOutcome  # noqa: E402
from infoshare_desktop.paths import DataPaths  # noqa: E402
from infoshare_desktop.services import accounts, cases, records  # noqa: E402
from infoshare_desktop.services.accounts import Store  # noqa: E402
from infoshare_desktop.store import keyslots as keystore  # noqa: E402
from infoshare_desktop.ui.common.theme import apply_theme  # noqa: E402
from infoshare_desktop.ui.records import (  # noqa: E402
    AmendmentDialog,
    ConsentDecisionEditor,
    SharingDecisionEditor,
    open_editor,
)
from infoshare_desktop.ui.records.record_details import RecordDetailsView  # noqa: E402
from tests.domain.factories import (  # noqa: E402
    complete_advice,
    complete_case,
    complete_consent_decision,
    complete_reply,
    complete_request,
    complete_sharing_decision,
)

SIZE = (1366, 768)


def grab(widget: QWidget, path: Path) -> None:
    """Show ``widget`` at 1366x768, let it lay out, and save a PNG."""
    widget.resize(*SIZE)
    widget.show()
    QApplication.processEvents()
    widget.grab().save(str(path))
    print(path)


def prepare() -> tuple[Path, QApplication]:
    """The output folder (``--out``), a themed offscreen application, cheap key derivation."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "packaging" / "screenshots")
    out: Path = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    keystore.DEFAULT_KDF = {"memory_kib": 1024, "iterations": 1, "lanes": 1}
    app = QApplication.instance() or QApplication([])
    apply_theme(app)
    return out, app


def first_run_store(tmp: str) -> Store:
    """A throw-away store with its fictional first administrator signed in."""
    return accounts.first_run(
        DataPaths(Path(tmp) / "data"),
        username="admin.one",
        display_name="Alex Example",
        password="plum orchard lantern",
    )


def main() -> None:
    out, app = prepare()
    with tempfile.TemporaryDirectory() as tmp:
        store = first_run_store(tmp)
        case_id = cases.create_case(store, draft=complete_case())
        records.record_consent_decision(store, case_id=case_id, draft=complete_consent_decision())
        shared = records.record_sharing_decision(
            store, case_id=case_id, draft=complete_sharing_decision()
        )

        editor = SharingDecisionEditor(store, case_id)
        grab(editor, out / "form-sharing-empty.png")

        partial = complete_sharing_decision(
            kind=SharingKind.SHARED,
            consent_status=ConsentStatus.REFUSED,
            reasons="",
            weighing="",
            occurred_at=utcnow() - timedelta(days=2),
            recipients=[Recipient(name="Zoë Łukasiewicz", role="", organisation="")],
        )
        editor.set_draft(partial)
        editor.evaluate()
        grab(editor, out / "form-sharing-findings.png")
        editor.form.focus_field("public_interest")
        grab(editor, out / "form-sharing-override.png")

        when = editor.form.inputs["occurred_at"]
        editor.form.scroll.verticalScrollBar().setValue(0)
        when.set_text("31/02/2026 09:00")  # typed wrong: kept as typed, the reason beside it
        editor.evaluate()
        grab(editor, out / "form-sharing-date-problem.png")
        when.set_text("")
        when.calendar_button.click()
        QApplication.processEvents()
        when.calendar_dialog.grab().save(str(out / "form-date-calendar.png"))
        when.calendar_dialog.reject()

        consent = ConsentDecisionEditor(store, case_id)
        grab(consent, out / "form-consent.png")

        dialog = AmendmentDialog(store, shared.record_id)
        grab(dialog, out / "form-amendment.png")

        advice = open_editor(RecordKind.ADVICE, store, case_id)
        grab(advice, out / "form-advice.png")
        advice.set_draft(complete_advice(identity_withheld=None, advice="Share"))
        advice.evaluate()
        grab(advice, out / "form-advice-findings.png")
        saved_advice = records.record_advice(store, case_id=case_id, draft=complete_advice())
        details = RecordDetailsView()
        details.show_detail(cases.record_detail(store, record_id=saved_advice.record_id))
        grab(details, out / "details-advice.png")
        details.show_detail(cases.record_detail(store, record_id=shared.record_id))
        grab(details, out / "details-sharing.png")

        # requests received: the request form (part filled, its checklist), its details,
        # the reply form with its pick-lists of the case's records, and the reply's details
        request = open_editor(RecordKind.REQUEST, store, case_id)
        request.set_draft(complete_request(rating=None, acknowledged=None, due_at=None))
        request.evaluate()
        grab(request, out / "form-request.png")
        rating = request.form.inputs["rating"]
        rating.setCurrentIndex(rating.findData(Rating.GREEN.value))
        request.evaluate()
        request.form.focus_field("due_at")
        grab(request, out / "form-request-rating.png")
        saved_request = records.record_case_record(store, case_id=case_id, draft=complete_request())
        details.show_detail(cases.record_detail(store, record_id=saved_request.record_id))
        grab(details, out / "details-request.png")
        declined = records.record_sharing_decision(
            store,
            case_id=case_id,
            draft=complete_sharing_decision(
                SharingKind.NOT_SHARED, requester_organisation="Example Borough MASH"
            ),
        )
        reply = open_editor(RecordKind.REQUEST_REPLY, store, case_id)
        form = reply.form
        pick, ticks = form.inputs["request"], form.inputs["answered_by"]
        pick.setCurrentIndex(pick.findData(saved_request.record_id))
        ticks.boxes[declined.record_id].click()
        outcome = form.inputs["outcome"]
        outcome.setCurrentIndex(outcome.findData(ReplyOutcome.DECLINED.value))
        form.inputs["replied_at"].set_value(utcnow())
        reply.evaluate()
        grab(reply, out / "form-request-reply.png")
        reply.set_draft(
            complete_reply(
                request=pick.value(),
                answered_by=ticks.value(),
                outcome=ReplyOutcome.DECLINED,
                reconsider_if_new=True,
            )
        )
        saved_reply = records.record_case_record(store, case_id=case_id, draft=reply.draft())
        details.show_detail(cases.record_detail(store, record_id=saved_reply.record_id))
        grab(details, out / "details-request-reply.png")
        request.close()
        reply.close()

        apply_theme(app, text_size="large")
        large = SharingDecisionEditor(store, case_id)
        large.set_draft(partial)
        large.evaluate()
        grab(large, out / "form-sharing-large.png")
        apply_theme(app)

        # What a problem looks like beside the form: the store locked under the typing.
        problem = SharingDecisionEditor(store, case_id)
        problem.set_draft(complete_sharing_decision())
        problem.evaluate()
        problem._edited()  # as typing does
        store.lock()
        problem.save_draft_now()
        grab(problem, out / "form-sharing-not-kept.png")
        for widget in (editor, consent, dialog, advice, details, large, problem):
            widget.close()
        store.close()


if __name__ == "__main__":
    main()
