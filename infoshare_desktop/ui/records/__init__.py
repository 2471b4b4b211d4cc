"""Record forms and editors: sharing decisions, consent decisions and amendments.

The case view opens ``SharingDecisionEditor(store, case_id)`` or
``ConsentDecisionEditor(store, case_id)`` (pass ``draft_id=`` to resume a draft) and
``AmendmentDialog(store, target_id)``; ``open_editor(kind, store, case_id)`` opens the
editor of any kind (``DeclaredEditor`` for those, like advice, declared in full). It
listens to ``saved(record_id)`` and calls ``save_draft_now()`` on every open editor
before a lock, sign-out or close.
"""

from infoshare_desktop.ui.common.checklist_panel import ChecklistPanel, FindingsPanel
from infoshare_desktop.ui.records.amendment_dialog import AmendmentDialog, AmendmentEditor
from infoshare_desktop.ui.records.consent_decision_form import ConsentDecisionForm
from infoshare_desktop.ui.records.record_editor import (
    ConsentDecisionEditor,
    DeclaredEditor,
    RecordEditorBase,
    SharingDecisionEditor,
    open_editor,
)
from infoshare_desktop.ui.records.sharing_decision_form import SharingDecisionForm

__all__ = [
    "AmendmentDialog",
    "AmendmentEditor",
    "ChecklistPanel",
    "ConsentDecisionEditor",
    "ConsentDecisionForm",
    "DeclaredEditor",
    "FindingsPanel",
    "RecordEditorBase",
    "SharingDecisionEditor",
    "SharingDecisionForm",
    "open_editor",
]
