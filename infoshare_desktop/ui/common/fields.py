"""Input widgets the record forms are built from, each with a value()/set_value() pair.

Every widget here reports user edits through a ``changed`` signal (or the Qt signal
named in its docstring) and keeps values it cannot show exactly (e.g. a datetime with
seconds) until the user edits them, so a draft survives a round trip through a form.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from itertools import pairwise
from typing import Any, Protocol, runtime_checkable

from PySide6.QtCore import QDate, QEvent, QObject, Qt, Signal, SignalInstance
from PySide6.QtGui import QFont, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from infoshare_desktop.domain.dates import DateParseError, Moment, format_moment, parse_moment
from infoshare_desktop.domain.enums import LabelledEnum, OrganisationType
from infoshare_desktop.domain.records import Recipient
from infoshare_desktop.domain.text import LONG_TEXT, MEDIUM_TEXT, SHORT_TEXT
from infoshare_desktop.domain.timeutil import to_local, utcnow
from infoshare_desktop.ui.common.labels import HintLabel, WordWrapLabel
from infoshare_desktop.ui.common.layout import FlowLayout

NOT_ANSWERED = "Not answered"


def sentence(text: str) -> str:
    """``text`` with its first letter in capitals, for a visible label."""
    return text[:1].upper() + text[1:]


def name_input(widget: QWidget, name: str, description: str = "") -> None:
    """Give an input its accessible name (and, optionally, a description)."""
    widget.setAccessibleName(name)
    if description:
        widget.setAccessibleDescription(description)
        widget.setToolTip(description)


class TextAreaEdit(QPlainTextEdit):
    """Multi-line text whose height follows the font (``lines`` lines); Tab leaves it."""

    def __init__(self, lines: int = 3, max_length: int = LONG_TEXT, parent: QWidget | None = None):
        super().__init__(parent)
        self._lines = lines
        self.max_length = max_length
        self.setTabChangesFocus(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._fit_height()

    def value(self) -> str:
        """The text as typed."""
        return self.toPlainText()

    def set_value(self, text: str) -> None:
        """Replace the text (the cursor goes to the start)."""
        self.setPlainText(text)

    def changeEvent(self, event: QEvent) -> None:
        """Refit the height when the font changes (text size setting)."""
        super().changeEvent(event)
        if event.type() in (event.Type.FontChange, event.Type.StyleChange):
            self._fit_height()

    def _fit_height(self) -> None:
        margins = self.contentsMargins()
        line = self.fontMetrics().lineSpacing()
        frame = 2 * self.frameWidth() + margins.top() + margins.bottom()
        self.setFixedHeight(int(line * self._lines + frame + 2 * self.document().documentMargin()))


class LineEdit(QLineEdit):
    """One line of text, limited to ``max_length`` characters."""

    def __init__(self, max_length: int = SHORT_TEXT, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMaxLength(max_length)

    def value(self) -> str:
        """The text as typed."""
        return self.text()

    def set_value(self, text: str) -> None:
        """Replace the text, showing its start."""
        self.setText(text)
        self.setCursorPosition(0)


class EnumComboBox[E: LabelledEnum](QComboBox):
    """One choice from a pick-list, or none yet ("Choose…"); ``currentIndexChanged``."""

    def __init__(
        self, enum_cls: type[E], placeholder: str = "Choose…", parent: QWidget | None = None
    ):
        super().__init__(parent)
        self._enum_cls = enum_cls
        self.addItem(placeholder, "")
        for member, label in enum_cls.choices():
            self.addItem(label, member.value)
        _allow_narrow(self)

    def value(self) -> E | None:
        """The chosen member, or None."""
        data = self.currentData()
        return self._enum_cls(data) if data else None

    def set_value(self, value: E | None) -> None:
        """Choose ``value`` (None: the placeholder)."""
        index = self.findData(value.value) if value is not None else 0
        self.setCurrentIndex(max(index, 0))


class YesNoComboBox(QComboBox):
    """A yes / no question that may still be unanswered; ``currentIndexChanged``."""

    def __init__(self, yes: str = "Yes", no: str = "No", parent: QWidget | None = None):
        super().__init__(parent)
        self.addItem(NOT_ANSWERED, None)
        self.addItem(yes, True)
        self.addItem(no, False)
        _allow_narrow(self)

    def value(self) -> bool | None:
        """True, False, or None when not answered."""
        return {0: None, 1: True, 2: False}[max(self.currentIndex(), 0)]

    def set_value(self, value: bool | None) -> None:
        """Show ``value``."""
        self.setCurrentIndex(0 if value is None else 1 if value else 2)


def _allow_narrow(combo: QComboBox) -> None:
    """Let a combo with long labels shrink to its column instead of widening the form."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(16)
    combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)


class CheckBox(QCheckBox):
    """A tick for a yes-or-no fact that defaults to no; ``toggled``."""

    def value(self) -> bool:
        """Whether it is ticked."""
        return self.isChecked()

    def set_value(self, value: bool) -> None:
        """Tick or untick."""
        self.setChecked(value is True)


class RecordChoiceComboBox(QComboBox):
    """One of a case's saved records, or none; ``currentIndexChanged``."""

    def __init__(self, none_text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._none_text = none_text
        self.set_choices([])
        _allow_narrow(self)

    def set_choices(self, choices: Sequence[tuple[str, str]]) -> None:
        """Offer ``[(record_id, label)]`` after "none", keeping the current choice."""
        current = self.value() if self.count() else None
        self.blockSignals(True)
        try:
            self.clear()
            self.addItem(self._none_text, "")
            for record_id, label in choices:
                self.addItem(label, record_id)
        finally:
            self.blockSignals(False)
        self.set_value(current)

    def value(self) -> str | None:
        """The chosen record's id, or None."""
        return self.currentData() or None

    def set_value(self, record_id: str | None) -> None:
        """Choose ``record_id``; one not offered is added as "another record" and kept."""
        if not record_id:
            self.setCurrentIndex(0)
            return
        index = self.findData(record_id)
        if index < 0:
            self.addItem("A record not listed for this case", record_id)
            index = self.count() - 1
        self.setCurrentIndex(index)


class SuggestionComboBox(QComboBox):
    """Free text with suggestions to pick from; ``currentTextChanged``."""

    def __init__(self, max_length: int = MEDIUM_TEXT, parent: QWidget | None = None):
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        line_edit = self.lineEdit()
        assert line_edit is not None  # an editable combo box always has one
        line_edit.setMaxLength(max_length)
        _allow_narrow(self)

    def value(self) -> str:
        """The text as typed or picked."""
        return self.currentText()

    def set_value(self, text: str) -> None:
        """Show ``text``."""
        self.setCurrentText(text)

    def set_suggestions(self, suggestions: Sequence[str]) -> None:
        """Offer ``suggestions``, keeping the text."""
        text = self.currentText()
        self.blockSignals(True)
        try:
            self.clear()
            self.addItems(list(suggestions))
            self.setCurrentText(text)
        finally:
            self.blockSignals(False)


class WrappingLabel(WordWrapLabel):
    """A word-wrapped label; with a ``toggles`` check box, it is that box's words: clicking
    them toggles the box, and they are underlined while the box has the keyboard focus (a
    check box's own text cannot wrap, so a long one would widen the form at large text)."""

    def __init__(self, text: str, toggles: QCheckBox | None = None, parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._toggles = toggles
        if toggles is not None:
            self.setBuddy(toggles)
            toggles.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Underline the words while their box has the keyboard focus (visible focus)."""
        if watched is self._toggles and event.type() in (
            QEvent.Type.FocusIn,
            QEvent.Type.FocusOut,
        ):
            font = QFont(self.font())
            font.setUnderline(event.type() == QEvent.Type.FocusIn)
            self.setFont(font)
        return super().eventFilter(watched, event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """Clicking the words toggles their check box, as a check box's own text would."""
        if self._toggles is not None and event.button() == Qt.MouseButton.LeftButton:
            self._toggles.toggle()
            self._toggles.setFocus(Qt.FocusReason.MouseFocusReason)
        super().mouseReleaseEvent(event)


class EnumCheckGroup[E: LabelledEnum](QWidget):
    """Any number of choices from a pick-list, as check boxes with wrapped words.

    ``detail`` adds a second line under a choice (e.g. a ground's legal basis). The order
    in which choices were ticked is kept, so a draft's list round-trips unchanged.
    """

    changed = Signal()

    def __init__(
        self,
        enum_cls: type[E],
        detail: Callable[[E], str] | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._order: list[E] = []
        self.boxes: dict[E, QCheckBox] = {}
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setColumnStretch(1, 1)
        for row, (member, label) in enumerate(enum_cls.choices()):
            box = QCheckBox(self)
            text = label if detail is None else f"{label}\n{detail(member)}"
            name_input(box, label, detail(member) if detail else "")
            words = WrappingLabel(text, box, self)
            layout.addWidget(box, row, 0, Qt.AlignmentFlag.AlignTop)
            layout.addWidget(words, row, 1)
            box.toggled.connect(lambda checked, m=member: self._on_box_toggled(m, checked))
            self.boxes[member] = box

    def value(self) -> list[E]:
        """The ticked choices, in the order they were ticked."""
        return list(self._order)

    def set_value(self, values: Sequence[E]) -> None:
        """Tick exactly ``values`` (without emitting ``changed``)."""
        self.blockSignals(True)
        try:
            for member, box in self.boxes.items():
                box.setChecked(member in values)
        finally:
            self.blockSignals(False)
        self._order = [v for v in dict.fromkeys(values) if v in self.boxes]

    def _on_box_toggled(self, member: E, checked: bool) -> None:
        if checked and member not in self._order:
            self._order.append(member)
        elif not checked and member in self._order:
            self._order.remove(member)
        self.changed.emit()


class CalendarDialog(QDialog):
    """A month calendar to choose a day from; it opens at the field's day, else today."""

    def __init__(self, day: date | None, latest: date | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Choose a date")
        self.calendar = QCalendarWidget(self)
        self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.calendar.setGridVisible(True)
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.calendar.setAccessibleName("Calendar: arrow keys move, Enter chooses")
        if latest is not None:
            self.calendar.setMaximumDate(QDate(latest.year, latest.month, latest.day))
        start = day or date.today()
        if latest is not None and start > latest:
            start = latest
        self.calendar.setSelectedDate(QDate(start.year, start.month, start.day))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Choose")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.calendar.activated.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.calendar)
        layout.addWidget(buttons)
        self.calendar.setFocus()

    def chosen(self) -> date:
        """The day selected."""
        chosen = self.calendar.selectedDate().toPython()
        assert isinstance(chosen, date)
        return chosen


class OptionalDateTimeEdit(QWidget):
    """A date (and time) typed as people write them, or chosen from a calendar; or none.

    ``latest`` (e.g. today, for a date of birth) is the last day the calendar offers;
    ``empty_text`` says what an empty field means (None: say nothing, e.g. for a filter).

    The text is read by ``domain.dates.parse_moment`` (day first: "01/01/2020 09:00",
    "1/1/2020", "1 Jan 2020"); the line under it shows how it was read ("Wed 1 Jan
    2020, 09:00") or why it could not be, and text that cannot be read is left as typed
    (the value is then None) instead of being changed into another date. Leaving the
    field puts a date it read into the unambiguous form. The value keeps its full
    precision until the user changes it; what the user types is local time, returned
    as aware UTC. A date-time typed without a time is taken at the start of its day,
    and the line under it says so.
    """

    changed = Signal()

    def __init__(
        self,
        with_time: bool = True,
        parent: QWidget | None = None,
        *,
        latest: Callable[[], date] | None = None,
        now_button: bool = True,
        empty_text: str | None = "Not entered.",
    ):
        super().__init__(parent)
        self._with_time = with_time
        self._empty_text = empty_text
        self._latest = latest
        self._value: datetime | date | None = None
        self._name = ""
        self.problem = ""
        self._unread = ""
        self._no_time = False
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("dd/mm/yyyy hh:mm" if with_time else "dd/mm/yyyy")
        self.edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.edit.setMaxLength(60)
        widest = "Wed 30 Sep 2026, 00:00" if with_time else "Wed 30 Sep 2026"
        self.edit.setMinimumWidth(self.edit.fontMetrics().horizontalAdvance(widest) + 24)
        self.calendar_button = QPushButton("Calendar…", self)
        self.now_button = QPushButton("Now" if with_time else "Today", self)
        self.now_button.setVisible(now_button)
        self.clear_button = QPushButton("Clear", self)
        for button in (self.calendar_button, self.now_button, self.clear_button):
            button.setAutoDefault(False)
        self.hint = HintLabel(self)
        # The buttons wrap below the field where the row does not fit (200% text in a
        # narrow column), rather than widening the form past its scroll area.
        row = FlowLayout()
        row.addWidget(self.edit)
        row.addWidget(self.calendar_button)
        row.addWidget(self.now_button)
        row.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.hint)
        self.setFocusProxy(self.edit)
        self.calendar_dialog: CalendarDialog | None = None
        self._show(None)
        self.edit.textEdited.connect(self._on_edit_text_edited)
        self.edit.editingFinished.connect(self._on_edit_editing_finished)
        self.calendar_button.clicked.connect(self._on_calendar_button_clicked)
        self.now_button.clicked.connect(self._on_now_clicked)
        self.clear_button.clicked.connect(self._on_clear_clicked)

    def set_accessible_name(self, name: str) -> None:
        """Name the editor and its buttons after the field."""
        self._name = name
        name_input(self.edit, name)
        self.calendar_button.setAccessibleName(f"Choose {name} from a calendar")
        self.now_button.setAccessibleName(f"{self.now_button.text()}: set {name}")
        self.clear_button.setAccessibleName(f"Clear {name}")
        self._describe()

    def value(self) -> datetime | date | None:
        """The datetime (or date, without time), or None when not entered or unreadable."""
        return self._value

    def set_value(self, value: datetime | date | None) -> None:
        """Show ``value`` (without emitting ``changed``)."""
        self._value = value
        self._show(value)

    def set_text(self, text: str) -> None:
        """Type ``text`` as the user would and leave the field (for scripts and tests)."""
        self.edit.setText(text)
        self._on_edit_text_edited(text)
        self._on_edit_editing_finished()

    # ---- showing ------------------------------------------------------------------------

    def _local(self, value: datetime | date) -> Moment:
        if isinstance(value, datetime):
            local = to_local(value)
            return Moment(local.date(), local.time().replace(second=0, microsecond=0))
        return Moment(value)

    def _show(self, value: datetime | date | None) -> None:
        self.problem = self._unread = ""
        self._no_time = False
        self.edit.setText("" if value is None else format_moment(self._local(value)))
        self.edit.setCursorPosition(0)
        self._update_hint()

    def _update_hint(self, moment: Moment | None = None) -> None:
        """The line under the field: the problem, how to type, or how it was read (once
        the text shows the date unambiguously, it is left out unless it adds something)."""
        self.clear_button.setEnabled(bool(self.edit.text()))
        if moment is not None:
            self._no_time = self._with_time and moment.time is None
        if self.problem:
            self.hint.set_hint(HintLabel.PROBLEM, self.problem)
        elif self._value is None and self._empty_text is None:
            self.hint.hide()  # an empty field needs no words here (e.g. a filter: any date)
            self._describe()
            return
        elif self._value is None:
            example = "01/01/2020 09:00" if self._with_time else "01/01/2020"
            self.hint.set_hint(
                HintLabel.INFO, f"{self._empty_text} Type the day first, e.g. {example}."
            )
        else:
            shown = format_moment(self._local(self._value))
            if self.edit.text() == shown and not self._no_time:
                self.hint.hide()
                self._describe()
                return
            if self._no_time:
                shown += ". No time was typed: add it if you know it"
            self.hint.set_hint(HintLabel.GOOD, f"Read as {shown}.")
        self.hint.setVisible(True)
        self._describe()

    def _describe(self) -> None:
        self.edit.setAccessibleDescription(self.hint.text() if self.hint.isVisibleTo(self) else "")

    # ---- slots ------------------------------------------------------------------------

    def _on_edit_text_edited(self, text: str) -> None:
        try:
            moment = parse_moment(text, with_time=self._with_time)
        except DateParseError as error:
            moment, self._unread = None, str(error)
        else:
            self._unread = ""
            self.problem = ""  # the typing put it right: say so at once
        self._value = None if moment is None else self._to_value(moment)
        self._update_hint(moment)
        self.changed.emit()

    def _on_edit_editing_finished(self) -> None:
        if self._unread:
            self.problem = self._unread  # shown once the user has finished typing
            self._update_hint()
        elif self._value is not None:
            self.edit.setText(format_moment(self._local(self._value)))
            self.edit.setCursorPosition(0)
            self._update_hint()

    def _to_value(self, moment: Moment) -> datetime | date:
        if self._with_time:
            return moment.at().astimezone().astimezone(UTC)
        return moment.day

    def _on_calendar_button_clicked(self) -> None:
        current = self._value
        day = self._local(current).day if current is not None else None
        latest = self._latest() if self._latest else None
        dialog = CalendarDialog(day, latest, self)
        dialog.accepted.connect(lambda: self._on_calendar_chosen(dialog.chosen()))
        dialog.finished.connect(dialog.deleteLater)
        self.calendar_dialog = dialog
        dialog.open()

    def _on_calendar_chosen(self, day: date) -> None:
        current = self._value
        at = self._local(current).time if isinstance(current, datetime) else None
        self.set_text(format_moment(Moment(day, at)))
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_now_clicked(self) -> None:
        now = to_local(utcnow()).replace(second=0, microsecond=0)
        self._value = now.astimezone(UTC) if self._with_time else now.date()
        self._unread = ""
        self._show(self._value)
        self.changed.emit()

    def _on_clear_clicked(self) -> None:
        self._value = None
        self._unread = ""
        self._show(None)
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.changed.emit()


class _ListRowFrame(QFrame):
    """One row of an editable list: a title, the inputs, and a Remove button."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(self)
        bold = QFont(self.title.font())
        bold.setBold(True)
        self.title.setFont(bold)
        self.remove_button = QPushButton("Remove", self)
        self.grid = QGridLayout(self)
        self.grid.addWidget(self.title, 0, 0, 1, 2)
        self.grid.addWidget(self.remove_button, 0, 2, Qt.AlignmentFlag.AlignRight)


class _ListEditor(QWidget):
    """Rows added and removed by the user; subclasses build and read one row."""

    changed = Signal()

    def __init__(self, item_word: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._item_word = item_word
        self.rows: list[_ListRowFrame] = []
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setContentsMargins(0, 0, 0, 0)
        self.add_button = QPushButton(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._rows_layout)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.add_button.clicked.connect(self._on_add_clicked)
        self._retitle()

    def set_item_word(self, word: str) -> None:
        """Rename the items (e.g. "recipient" or "source")."""
        self._item_word = word
        self._retitle()

    def add_row(self) -> _ListRowFrame:
        """Add a blank row at the end and return it."""
        row = _ListRowFrame(self)
        self._fill_row(row)
        row.remove_button.clicked.connect(lambda: self._on_remove_clicked(row))
        self.rows.append(row)
        self._rows_layout.addWidget(row)
        row.show()  # now, not on the next event loop pass, so Tab can reach it at once
        self._retitle()
        refresh_tab_order(self)
        return row

    def first_input(self) -> QWidget:
        """The input to focus for this list: the first blank one, else the first one."""
        inputs = [w for row in self.rows for w in self._inputs(row)]
        blank = [w for w in inputs if not w.text().strip()]
        chosen = blank or inputs
        return chosen[0] if chosen else self.add_button

    def _clear_rows(self) -> None:
        for row in self.rows:
            self._drop_row(row)
        self.rows = []

    def _drop_row(self, row: _ListRowFrame) -> None:
        """Take ``row`` out of the list now and delete it once back in the event loop.

        It stays parented until then: ``setParent(None)`` before ``deleteLater()`` handed
        the row to Python, and its deletion then corrupted the heap (PySide6 6.12; the
        endurance tests crashed within a few hundred redrawn lists)."""
        self._rows_layout.removeWidget(row)
        row.hide()
        row.deleteLater()

    def _retitle(self) -> None:
        word = self._item_word
        self.add_button.setText(f"Add another {word}" if self.rows else f"Add a {word}")
        for number, row in enumerate(self.rows, start=1):
            row.title.setText(f"{sentence(word)} {number}")
            row.remove_button.setAccessibleName(f"Remove {word} {number}")
            self._name_row(row, number)

    def _on_add_clicked(self) -> None:
        row = self.add_row()
        self._inputs(row)[0].setFocus(Qt.FocusReason.TabFocusReason)
        self.changed.emit()

    def _on_remove_clicked(self, row: _ListRowFrame) -> None:
        index = self.rows.index(row)
        self.rows.remove(row)
        self._drop_row(row)
        self._retitle()
        refresh_tab_order(self)
        target = self.rows[min(index, len(self.rows) - 1)] if self.rows else None
        (self._inputs(target)[0] if target else self.add_button).setFocus()
        self.changed.emit()

    def _fill_row(self, row: _ListRowFrame) -> None:
        raise NotImplementedError

    def _inputs(self, row: _ListRowFrame) -> list[QLineEdit]:
        return row.findChildren(QLineEdit)

    def _name_row(self, row: _ListRowFrame, number: int) -> None:
        raise NotImplementedError


class StringListEditor(_ListEditor):
    """An editable list of one-line texts (e.g. the agencies a consent covers)."""

    def __init__(
        self, item_word: str, max_length: int = MEDIUM_TEXT, parent: QWidget | None = None
    ) -> None:
        self._max_length = max_length
        super().__init__(item_word, parent)

    def value(self) -> list[str]:
        """The non-blank texts, in order."""
        texts = [self._inputs(row)[0].text() for row in self.rows]
        return [text for text in texts if text.strip()]

    def set_value(self, values: Sequence[str]) -> None:
        """Show ``values`` (one blank row when empty)."""
        self._clear_rows()
        for text in values or [""]:
            self._inputs(self.add_row())[0].setText(text)

    def _fill_row(self, row: _ListRowFrame) -> None:
        edit = LineEdit(self._max_length, row)
        edit.textChanged.connect(self.changed)
        row.grid.addWidget(edit, 1, 0, 1, 3)
        row.title.setBuddy(edit)

    def _name_row(self, row: _ListRowFrame, number: int) -> None:
        self._inputs(row)[0].setAccessibleName(f"{sentence(self._item_word)} {number}")


class RecipientListEditor(_ListEditor):
    """Recipients (or sources): name, role and organisation per row, and the type of
    organisation under them (the duty to share; "Not recorded" until chosen)."""

    PARTS = (("name", "Name"), ("role", "Role"), ("organisation", "Organisation"))
    TYPE_LABEL = "Type of organisation (the duty to share, Children Act 2004 s16LA)"
    TYPE_NOT_CHOSEN = "Not recorded"

    def value(self) -> list[Recipient]:
        """The recipients with anything typed or chosen, in order."""
        out = []
        for row in self.rows:
            values = {
                part: edit.text()
                for (part, _), edit in zip(self.PARTS, self._inputs(row), strict=True)
            }
            kind = self.type_combo(row).value()
            if any(text.strip() for text in values.values()) or kind is not None:
                out.append(Recipient(**values, organisation_type=kind))
        return out

    def set_value(self, recipients: Sequence[Recipient]) -> None:
        """Show ``recipients`` (one blank row when empty)."""
        self._clear_rows()
        for recipient in recipients or [Recipient()]:
            row = self.add_row()
            for (part, _), edit in zip(self.PARTS, self._inputs(row), strict=True):
                edit.setText(getattr(recipient, part))
                edit.setCursorPosition(0)  # its start shown
            self.type_combo(row).set_value(recipient.organisation_type)

    def type_combo(self, row: _ListRowFrame) -> EnumComboBox[OrganisationType]:
        """The row's type-of-organisation choice."""
        (combo,) = row.findChildren(EnumComboBox)
        return combo

    def _fill_row(self, row: _ListRowFrame) -> None:
        for column, (_part, label) in enumerate(self.PARTS):
            edit = LineEdit(SHORT_TEXT, row)
            edit.textChanged.connect(self.changed)
            words = QLabel(label, row)
            words.setBuddy(edit)
            row.grid.addWidget(words, 1, column)
            row.grid.addWidget(edit, 2, column)
            row.grid.setColumnStretch(column, 1)
        combo = EnumComboBox(OrganisationType, self.TYPE_NOT_CHOSEN, row)
        combo.currentIndexChanged.connect(self.changed)
        words = WordWrapLabel(self.TYPE_LABEL, row)
        words.setWordWrap(True)
        words.setBuddy(combo)
        row.grid.addWidget(words, 3, 0, 1, 3)
        row.grid.addWidget(combo, 4, 0, 1, 3)

    def _inputs(self, row: _ListRowFrame) -> list[QLineEdit]:
        return [w for w in row.findChildren(QLineEdit) if isinstance(w, LineEdit)]

    def _name_row(self, row: _ListRowFrame, number: int) -> None:
        for (_part, label), edit in zip(self.PARTS, self._inputs(row), strict=True):
            edit.setAccessibleName(f"{sentence(self._item_word)} {number}: {label.lower()}")
        self.type_combo(row).setAccessibleName(
            f"{sentence(self._item_word)} {number}: type of organisation"
        )


class FieldRow(QWidget):
    """A field: its label above its input (a buddy), with optional help text under it."""

    def __init__(
        self, label: str, field_widget: QWidget, help_text: str = "", parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.field_widget = field_widget
        self.label = WordWrapLabel(sentence(label), self)
        self.label.setWordWrap(True)
        self.label.setBuddy(field_widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.setSpacing(3)
        layout.addWidget(self.label)
        self.words: WrappingLabel | None = None
        if isinstance(field_widget, QCheckBox):
            # A check box's words follow it, wrapped (its own text would not wrap).
            self.label.hide()
            self.words = WrappingLabel(sentence(label), field_widget, self)
            tick = QHBoxLayout()
            tick.setContentsMargins(0, 0, 0, 0)
            tick.addWidget(field_widget, 0, Qt.AlignmentFlag.AlignTop)
            tick.addWidget(self.words, 1)
            layout.addLayout(tick)
        else:
            layout.addWidget(field_widget)
        self.help = None
        if help_text:
            self.help = WordWrapLabel(help_text, self)
            self.help.setWordWrap(True)
            self.help.setProperty("role", "muted")
            layout.addWidget(self.help)
        if isinstance(field_widget, OptionalDateTimeEdit):
            field_widget.set_accessible_name(sentence(label))
        elif not field_widget.accessibleName():
            name_input(field_widget, sentence(label), help_text)

    def set_label(self, label: str) -> None:
        """Change the visible label and the input's accessible name together."""
        self.label.setText(sentence(label))
        if self.words is not None:
            self.words.setText(sentence(label))
        if isinstance(self.field_widget, OptionalDateTimeEdit):
            self.field_widget.set_accessible_name(sentence(label))
        else:
            self.field_widget.setAccessibleName(sentence(label))


@runtime_checkable
class FieldInput(Protocol):
    """What every input of this module has: its value, to read and to set."""

    def value(self) -> Any: ...

    def set_value(self, value: Any, /) -> None: ...


@runtime_checkable
class _Changing(Protocol):
    changed: SignalInstance


def value_of(widget: QWidget) -> Any:
    """The value of one of this module's inputs (forms keep them as plain widgets)."""
    assert isinstance(widget, FieldInput), type(widget).__name__
    return widget.value()


def set_value_of(widget: QWidget, value: Any) -> None:
    """Show ``value`` in one of this module's inputs."""
    assert isinstance(widget, FieldInput), type(widget).__name__
    widget.set_value(value)


def watch(widget: QWidget, slot: Callable[..., object]) -> None:
    """Call ``slot`` whenever the value of any input from this module changes."""
    if isinstance(widget, QPlainTextEdit | QLineEdit):
        widget.textChanged.connect(slot)
    elif isinstance(widget, SuggestionComboBox):
        widget.currentTextChanged.connect(slot)
    elif isinstance(widget, QComboBox):
        widget.currentIndexChanged.connect(slot)
    elif isinstance(widget, QCheckBox):
        widget.toggled.connect(slot)
    else:  # this module's other inputs (dates, check groups, lists) declare `changed`
        assert isinstance(widget, _Changing), type(widget).__name__
        widget.changed.connect(slot)


def focus_target(widget: QWidget) -> QWidget:
    """The widget that should take the focus for an input of this module."""
    if isinstance(widget, OptionalDateTimeEdit):
        return widget.edit
    if isinstance(widget, _ListEditor):
        return widget.first_input()
    if isinstance(widget, EnumCheckGroup):
        boxes = list(widget.boxes.values())
        ticked = [box for box in boxes if box.isChecked()]
        return (ticked or boxes)[0]
    return widget


def focus_chain(root: QWidget) -> list[QWidget]:
    """Focusable widgets under ``root`` in layout (visual) order."""
    out: list[QWidget] = []

    def visit_layout(layout: QLayout) -> None:
        for index in range(layout.count()):
            item = layout.itemAt(index)
            if item is None:
                continue
            if (child := item.widget()) is not None:
                visit(child)
            elif (inner := item.layout()) is not None:
                visit_layout(inner)

    def visit(widget: QWidget | None) -> None:
        if widget is None:
            return
        if isinstance(widget, QScrollArea) and widget.widget() is not None:
            visit(widget.widget())
        elif isinstance(widget, QSplitter):
            for index in range(widget.count()):
                visit(widget.widget(index))
        elif widget.focusPolicy().value & Qt.FocusPolicy.TabFocus.value and (
            widget.layout() is None or isinstance(widget, QAbstractScrollArea)
        ):
            out.append(widget)
        elif (layout := widget.layout()) is not None:
            visit_layout(layout)

    if (layout := root.layout()) is not None:
        visit_layout(layout)
    return out


def refresh_tab_order(widget: QWidget) -> None:
    """Put the tab order of ``widget``'s window back into visual order."""
    window = widget.window()
    chain = focus_chain(window)
    for first, second in pairwise(chain):
        QWidget.setTabOrder(first, second)
