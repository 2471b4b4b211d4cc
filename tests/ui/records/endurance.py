"""Long use of the record forms, in a process of its own (a crash is a failed test, not a
dead test run). Run by tests/ui/records/test_endurance.py:

    python -m tests.ui.records.endurance refcounts
    python -m tests.ui.records.endurance soak DATA_FOLDER EDITS

Each mode prints one line of JSON with what it did, how far the reference counts of
True, False and None moved, and the Qt warnings it saw. On Python 3.11 with PySide6 6.12
every signal emission drops a reference to True and many widget calls one to None; True
starts at a few hundred, so a few thousand edits free it and the process aborts
("bool_dealloc", "none_dealloc").
"""

from __future__ import annotations

import gc
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    Qt,
    QTimer,
    QtMsgType,
    Signal,
    qInstallMessageHandler,
)
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

SINGLETONS = {"True": True, "False": False, "None": None}


def reference_counts() -> dict[str, int]:
    """sys.getrefcount of True, False and None after a full collection."""
    gc.collect()
    return {name: sys.getrefcount(obj) for name, obj in SINGLETONS.items()}


def settle() -> None:
    """Let the events an event loop would handle run: posted events, timers that are due,
    and deletions asked for with deleteLater() (which processEvents() alone leaves)."""
    QCoreApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def drift(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {name: after[name] - before[name] for name in before}


class _Emitter(QObject):
    fired = Signal()
    flag = Signal(bool)
    text = Signal(str)


def _widget_calls(app: QApplication) -> tuple[Callable[[int], None], dict[str, int]]:
    """One round of the signal emissions and widget calls the forms use: plain Qt widgets,
    the project's own inputs and the sharing decision form with its checklist."""
    from infoshare_desktop.domain import (
        ConsentStatus,
        Criterion,
        InfoCategory,
        SharingKind,
        check_sharing_decision,
        utcnow,
    )
    from infoshare_desktop.domain.enums import Urgency
    from infoshare_desktop.ui.common.checklist_panel import FindingsPanel
    from infoshare_desktop.ui.common.fields import (
        CheckBox,
        EnumCheckGroup,
        EnumComboBox,
        LineEdit,
        OptionalDateTimeEdit,
        TextAreaEdit,
        YesNoComboBox,
    )
    from infoshare_desktop.ui.records import SharingDecisionForm

    slots = {"emissions": 0}

    def slot(*_args: object) -> None:
        slots["emissions"] += 1

    emitter = _Emitter()
    for signal in (emitter.fired, emitter.flag, emitter.text):
        signal.connect(slot)
    line, plain, box = QLineEdit(), QPlainTextEdit(), QCheckBox("Tick")
    combo = QComboBox()
    combo.addItems(["One", "Two", "Three"])
    timer = QTimer()
    timer.setSingleShot(True)
    timer.setInterval(0)
    line.textChanged.connect(slot)
    plain.textChanged.connect(slot)
    box.toggled.connect(slot)
    combo.currentIndexChanged.connect(slot)
    timer.timeout.connect(slot)
    own_line, own_text = LineEdit(), TextAreaEdit()
    urgency, yes_no, tick = EnumComboBox(Urgency), YesNoComboBox(), CheckBox()
    categories, moment = EnumCheckGroup(InfoCategory), OptionalDateTimeEdit()
    for widget in (own_line, own_text):
        widget.textChanged.connect(slot)
    for widget in (urgency, yes_no):
        widget.currentIndexChanged.connect(slot)
    tick.toggled.connect(slot)
    categories.changed.connect(slot)
    moment.changed.connect(slot)
    form = SharingDecisionForm()
    form.changed.connect(slot)
    findings = FindingsPanel()
    kinds, statuses = list(SharingKind), list(ConsentStatus)
    keep = [emitter, line, plain, box, combo, timer, own_line, own_text, urgency, yes_no, tick]
    keep += [categories, moment, form, findings]

    def one_round(i: int) -> None:
        emitter.fired.emit()
        emitter.flag.emit(i % 2 == 0)
        emitter.text.emit(str(i))
        line.setText(f"Line {i}")
        plain.setPlainText(f"Text {i}")
        box.setChecked(i % 2 == 0)
        combo.setCurrentIndex(i % 3)
        timer.start()
        own_line.set_value(f"Own line {i}")
        own_text.set_value(f"Own text {i}")
        urgency.set_value(list(Urgency)[i % len(Urgency)] if i % 3 else None)
        yes_no.set_value((None, True, False)[i % 3])
        tick.set_value(i % 2 == 1)
        categories.boxes[InfoCategory.GENERAL_PERSONAL].click()
        moment.now_button.click()
        moment.clear_button.click()
        inputs = form.inputs
        inputs["kind"].setCurrentIndex(1 + i % len(kinds))  # type: ignore[attr-defined]
        inputs["consent_status"].setCurrentIndex(1 + i % len(statuses))  # type: ignore[attr-defined]
        inputs["individual_told"].set_value((None, True, False)[i % 3])  # type: ignore[attr-defined]
        inputs["in_doubt"].click()  # type: ignore[attr-defined]
        inputs["purpose"].setPlainText(f"Purpose {i}")  # type: ignore[attr-defined]
        criterion = form.checklist_panel.boxes[list(Criterion)[i % len(Criterion)]]
        criterion.check_box.click()
        criterion.rationale.setText(f"Rationale {i}")
        recipients = inputs["recipients"]
        recipients.add_button.click()  # type: ignore[attr-defined]
        recipients.rows[0].remove_button.click()  # type: ignore[attr-defined]
        draft = form.draft()
        findings.set_findings(check_sharing_decision(draft, now=utcnow()))
        if i % 10 == 0:
            form.set_draft(draft)
        settle()

    one_round.keep = keep  # type: ignore[attr-defined]
    return one_round, slots


def run_refcounts(rounds: int = 1000) -> dict[str, object]:
    """``rounds`` rounds of widget calls (each with a dozen signal emissions) after a short
    warm-up; how far the reference counts moved over them."""
    from infoshare_desktop.ui.common.theme import apply_theme

    app = QApplication.instance() or QApplication([])
    apply_theme(app)
    one_round, slots = _widget_calls(app)
    for i in range(20):  # warm-up: caches and lazily built objects settle first
        one_round(i)
    slots["emissions"] = 0
    before = reference_counts()
    for i in range(rounds):
        one_round(i)
    after = reference_counts()
    return {"rounds": rounds, "emissions": slots["emissions"], "drift": drift(before, after)}


# ---- the soak: the sharing decision editor on a real store ----------------------------


def run_soak(data_folder: Path, edits: int) -> dict[str, object]:
    """Drive a sharing decision editor on a real store through ``edits`` edits as a user
    makes them (typing, combo changes, ticks), with checklist refreshes and autosaves,
    then check the last draft reads back from the store and the record saves."""
    from infoshare_desktop.domain import (
        ConsentStatus,
        Criterion,
        Ground,
        InfoCategory,
        Method,
        SharingKind,
        Urgency,
    )
    from infoshare_desktop.paths import DataPaths
    from infoshare_desktop.services import accounts, cases, drafts
    from infoshare_desktop.store import keyslots
    from infoshare_desktop.ui.common.theme import apply_theme
    from infoshare_desktop.ui.records import SharingDecisionEditor
    from tests.conftest import ADMIN, ADMIN_PASSWORD
    from tests.domain.factories import complete_case, complete_sharing_decision

    keyslots.DEFAULT_KDF = {"memory_kib": 1024, "iterations": 1, "lanes": 1}  # not under test
    app = QApplication.instance() or QApplication([])
    apply_theme(app)
    paths = DataPaths(data_folder)
    store = accounts.first_run(
        paths, username=ADMIN, display_name="Alex Example", password=ADMIN_PASSWORD
    )
    case_id = cases.create_case(store, draft=complete_case())
    editor = SharingDecisionEditor(store, case_id, autosave_interval_ms=200)
    editor.confirm_save = lambda: True  # type: ignore[method-assign]
    editor.resize(1200, 900)
    editor.show()
    counts = {"edits": 0, "autosaves": 0, "checklist_refreshes": 0}
    editor.form.changed.connect(lambda: counts.__setitem__("edits", counts["edits"] + 1))
    editor.draft_saved.connect(lambda _id: counts.__setitem__("autosaves", counts["autosaves"] + 1))
    evaluate = editor.evaluate

    def counted_evaluate():
        counts["checklist_refreshes"] += 1
        return evaluate()

    editor.evaluate = counted_evaluate  # type: ignore[method-assign]
    inputs, panel = editor.form.inputs, editor.panel
    recipients = inputs["recipients"]
    combos: list[tuple[QComboBox, int]] = [
        (inputs["kind"], len(SharingKind)),  # type: ignore[list-item]
        (inputs["consent_status"], len(ConsentStatus)),  # type: ignore[list-item]
        (inputs["urgency"], len(Urgency)),  # type: ignore[list-item]
        (inputs["method"], len(Method)),  # type: ignore[list-item]
        (inputs["individual_told"], 2),  # type: ignore[list-item]
        (inputs["channel_secure"], 2),  # type: ignore[list-item]
    ]
    ticks: list[QCheckBox] = [
        inputs["categories"].boxes[InfoCategory.GENERAL_PERSONAL],  # type: ignore[attr-defined]
        inputs["grounds"].boxes[Ground.SIGNIFICANT_HARM],  # type: ignore[attr-defined]
        inputs["in_doubt"],  # type: ignore[list-item]
        *(panel.boxes[c].check_box for c in Criterion),
    ]
    texts: list[Callable[[], QWidget]] = [
        lambda: inputs["purpose"],
        lambda: inputs["reasons"],
        lambda: recipients.rows[0].findChildren(QLineEdit)[0],  # type: ignore[attr-defined]
        *(lambda c=c: panel.boxes[c].rationale for c in Criterion),
    ]
    before: dict[str, int] | None = None
    cycle = 0
    while counts["edits"] < edits:
        field = texts[cycle % len(texts)]()
        field.setFocus()
        QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClick(field, Qt.Key.Key_Backspace)  # clear it, as a user retyping would
        QTest.keyClicks(field, f"Retyped text number {cycle} for a fictional case")
        combo, choices = combos[cycle % len(combos)]
        QTest.keyClick(combo, Qt.Key.Key_Down if cycle % 2 == 0 else Qt.Key.Key_Up)
        combo.setCurrentIndex(1 + cycle % choices)
        QTest.mouseClick(ticks[cycle % len(ticks)], Qt.MouseButton.LeftButton)
        inputs["occurred_at"].now_button.click()  # type: ignore[attr-defined]
        if cycle % 10 == 0:  # a recipient added, then the first one removed
            recipients.add_button.click()  # type: ignore[attr-defined]
            recipients.rows[0].remove_button.click()  # type: ignore[attr-defined]
        settle()  # the debounced checklist and the autosave timer fire here
        if cycle % 5 == 0:
            editor.evaluate()
        if cycle % 20 == 0:
            editor.save_draft_now()
        if cycle % 50 == 25:  # the draft shown again, as when it is resumed
            editor.set_draft(editor.draft())
        if cycle == 10:
            before = reference_counts()
        cycle += 1
    after = reference_counts()
    typed = editor.draft()
    editor.save_draft_button.click()  # "Keep as draft" (a no-op if the timer just kept it)
    draft_id = editor.draft_id
    assert draft_id is not None, "the last draft was not kept"
    _summary, kept = drafts.load_draft(store, draft_id=draft_id)
    editor.set_draft(complete_sharing_decision())
    record_id = editor.save_record()
    saved = cases.record_detail(store, record_id=record_id) if record_id else None
    result = {
        **counts,
        "cycles": cycle,
        "draft_reads_back": kept == typed,
        "record_saved": saved is not None,
        "drift": drift(before or after, after),
    }
    editor.close()
    store.close()
    return result


def main(argv: list[str]) -> int:
    qt_messages: list[str] = []

    def keep_warnings(kind: QtMsgType, _context: object, message: str) -> None:
        if kind != QtMsgType.QtDebugMsg and kind != QtMsgType.QtInfoMsg:
            qt_messages.append(message)

    qInstallMessageHandler(keep_warnings)
    if argv[:1] == ["refcounts"]:
        result = run_refcounts()
    elif argv[:1] == ["soak"] and len(argv) == 3:
        result = run_soak(Path(argv[1]), int(argv[2]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps({**result, "qt_messages": qt_messages}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
