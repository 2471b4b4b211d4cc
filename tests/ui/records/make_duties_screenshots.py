"""Save screenshots of issue 11 section 4's form sections and details (on demand).

    .venv/bin/python tests/ui/records/make_duties_screenshots.py [--out DIR]

The sharing form scrolled to the recipients' type of organisation and the duty-to-share
question, to agreement to a service beside consent to share (with its advisory), and to
identities protected; and the details pane of a record holding all of them. A throw-away
store with fictional data, offscreen Qt and a cheap key derivation.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QPoint  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from infoshare_desktop.domain import (  # noqa: E402
    ConsentStatus,
    InfoCategory,
    OrganisationType,
    Recipient,
    ServiceAgreement,
    SharingKind,
)
from infoshare_desktop.services import cases, records  # noqa: E402
from infoshare_desktop.ui.records import SharingDecisionEditor  # noqa: E402
from infoshare_desktop.ui.records.record_details import RecordDetailsView  # noqa: E402
from tests.domain.factories import complete_case, complete_sharing_decision  # noqa: E402
from tests.ui.records.make_form_screenshots import (  # noqa: E402
    first_run_store,
    grab,
    prepare,
)


def scroll_to(editor: SharingDecisionEditor, name: str, *, group: bool = True) -> None:
    """Scroll the form so that field ``name`` (or the group holding it) is at the top."""
    form = editor.form
    editor.resize(1366, 768)
    editor.show()
    QApplication.processEvents()
    QApplication.processEvents()
    row = form.rows[name]
    box = next(box for box in form.groups.values() if box.isAncestorOf(row))
    top = (box if group else row).mapTo(form.scroll.widget(), QPoint(0, 0)).y()
    form.scroll.verticalScrollBar().setValue(max(top - 8, 0))
    QApplication.processEvents()


def main() -> None:
    out, _app = prepare()
    with tempfile.TemporaryDirectory() as tmp:
        store = first_run_store(tmp)
        case_id = cases.create_case(store, draft=complete_case())
        editor = SharingDecisionEditor(store, case_id)

        in_part = complete_sharing_decision(
            SharingKind.SHARED_IN_PART,
            duty_detriment="",
            recipients=[
                Recipient(
                    name="Sam Example",
                    role="Designated safeguarding lead",
                    organisation="Example Primary School",
                    organisation_type=OrganisationType.EDUCATION_CHILDCARE,
                ),
                Recipient(name="Pat Sample", organisation="Example Leisure Trust"),
            ],
        )
        editor.set_draft(in_part)
        editor.evaluate()
        scroll_to(editor, "recipients")
        grab(editor, out / "form-sharing-duty-to-share.png")

        service = complete_sharing_decision(
            service_agreement=ServiceAgreement.AGREED, consent_status=ConsentStatus.IMPLIED
        )
        editor.set_draft(service)
        editor.evaluate()
        scroll_to(editor, "service_agreement")
        grab(editor, out / "form-sharing-consent-meanings.png")

        identities = complete_sharing_decision(
            categories=[InfoCategory.THIRD_PARTY], identities_protected=True
        )
        editor.set_draft(identities)
        editor.evaluate()
        scroll_to(editor, "could_less_be_shared", group=False)
        grab(editor, out / "form-sharing-identities.png")

        saved = records.record_sharing_decision(
            store,
            case_id=case_id,
            draft=complete_sharing_decision(
                SharingKind.SHARED_IN_PART,
                recipients=in_part.recipients[:1],
                duty_detriment="Disclosing the counselling notes would end the only support "
                "the child trusts; the school has what it needs for the plan",
                service_agreement=ServiceAgreement.AGREED,
                identities_protected=True,
                protected_identities="The mother's new address, withheld from the father",
            ),
        )
        details = RecordDetailsView()
        details.show_detail(cases.record_detail(store, record_id=saved.record_id))
        grab(details, out / "details-sharing-duties.png")
        # the consent group: agreement to a service first
        heading = next(label for label in details.labels() if label.text() == "6. Consent")
        details.verticalScrollBar().setValue(heading.mapTo(details.widget(), QPoint(0, 0)).y() - 8)
        grab(details, out / "details-sharing-consent-meanings.png")
        for widget in (editor, details):
            widget.close()
        store.close()


if __name__ == "__main__":
    main()
