"""A record form built from its declaration (``domain.fields``), in a scroll area.

``DeclaredForm(form)`` makes one titled group per declared group and one labelled input
per field shown in the form, of the declared widget kind. Fields appear only when they
apply (the declaration's predicate over the draft the form holds); hidden fields keep
what was typed in them, so a draft round-trips unchanged through ``set_draft()`` and
``draft()``. Labels and group titles that the declaration words after the draft (e.g.
"Recipients" or "Source") follow it as it is filled in.

Custom inputs (``Widget.CUSTOM``) are the named exceptions: a subclass passes a factory
for each by its custom name, and reads or fills those that have no ``value()`` /
``set_value()`` pair itself (``_extra_values``, ``_load_extra``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields as dataclass_fields
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

from infoshare_desktop.domain.fields import Field, Form, Group, Place, Widget
from infoshare_desktop.domain.records import Draft
from infoshare_desktop.domain.text import MEDIUM_TEXT
from infoshare_desktop.ui.common.fields import (
    CheckBox,
    EnumCheckGroup,
    EnumComboBox,
    FieldInput,
    FieldRow,
    LineEdit,
    OptionalDateTimeEdit,
    TextAreaEdit,
    YesNoComboBox,
    focus_target,
    refresh_tab_order,
    set_value_of,
    value_of,
    watch,
)
from infoshare_desktop.ui.common.labels import SectionBox
from infoshare_desktop.ui.common.layout import scroll_past

CustomFactory = Callable[[Field], QWidget]


def _max_length(form: Form, name: str) -> int:
    for f in dataclass_fields(form.draft):
        if f.name == name:
            return int(f.metadata.get("max_length", MEDIUM_TEXT))
    return MEDIUM_TEXT


def make_input(form: Form, field: Field) -> QWidget:
    """The input for a field of one of the plain widget kinds."""
    kind = field.widget
    if kind is Widget.TEXT:
        return LineEdit(_max_length(form, field.name))
    if kind is Widget.LINES:
        return TextAreaEdit(field.lines, _max_length(form, field.name))
    if kind is Widget.CHOICE:
        assert field.choices is not None
        return EnumComboBox(field.choices)
    if kind is Widget.CHOICES:
        assert field.choices is not None
        return EnumCheckGroup(field.choices)
    if kind is Widget.YES_NO:
        return YesNoComboBox(*field.yes_no)
    if kind is Widget.CHECK:
        return CheckBox()
    if kind is Widget.DATE:
        return OptionalDateTimeEdit(with_time=False)
    if kind is Widget.DATETIME:
        return OptionalDateTimeEdit()
    raise ValueError(f"{field.name} needs a custom input ({field.custom!r})")


class DeclaredForm(QWidget):
    """Every form-shown field of a declared form; ``changed`` on any edit."""

    changed = Signal()
    #: Shadows QWidget.scroll(), which nothing here calls (renaming it is left to the forms'
    #: owner, to keep merges small).
    scroll: QScrollArea  # type: ignore[assignment]

    def __init__(
        self,
        form: Form,
        customs: Mapping[str, CustomFactory] | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.form = form
        self._customs = dict(customs or {})
        self._loading = False
        self.inputs: dict[str, QWidget] = {}
        self.rows: dict[str, QWidget] = {}
        self.groups: dict[int | str, SectionBox] = {}
        self._content = QWidget()
        self._content_layout = QVBoxLayout(self._content)
        empty = form.draft()
        for group in form.groups:
            self._build_group(group, empty)
        self._content_layout.addStretch(1)
        self.scroll = scroll_past(QScrollArea(self))
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self._content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll)
        for widget in self.inputs.values():
            watch(widget, self._on_input_changed)

    # ---- building ---------------------------------------------------------------------

    def _build_group(self, group: Group, empty: Draft) -> None:
        box = SectionBox(group.title_for(empty), self._content)
        self.groups[group.key] = box
        self._content_layout.addWidget(box)
        layout = box.body
        layout.setSpacing(6)
        for field in group.fields:
            if Place.FORM not in field.shown:
                continue
            if field.widget is Widget.CUSTOM:
                widget = self._customs[field.custom](field)
            else:
                widget = make_input(self.form, field)
            label = field.label_for(empty)
            row: QWidget = FieldRow(label, widget, field.help, self._content) if label else widget
            self.rows[field.name] = row
            if isinstance(widget, FieldInput):
                self.inputs[field.name] = widget
            layout.addWidget(row)

    # ---- the draft --------------------------------------------------------------------

    def draft(self) -> Any:
        """The draft as the form shows it (hidden fields keep their values)."""
        values = {name: value_of(widget) for name, widget in self.inputs.items()}
        values.update(self._extra_values())
        return self.form.draft(**values)

    def set_draft(self, draft: Draft) -> None:
        """Show ``draft`` in every field, without emitting ``changed``."""
        self._loading = True
        try:
            for name, widget in self.inputs.items():
                set_value_of(widget, getattr(draft, name))
            self._load_extra(draft)
        finally:
            self._loading = False
        self.update_conditions()
        refresh_tab_order(self)

    def _extra_values(self) -> dict[str, Any]:
        """Values of custom inputs that have no value() (subclasses)."""
        return {}

    def _load_extra(self, draft: Any) -> None:
        """Fill custom inputs that have no set_value() (subclasses)."""

    # ---- what applies -----------------------------------------------------------------

    def update_conditions(self) -> None:
        """Show the fields that apply to what has been entered; hide the rest."""
        draft = self.draft()
        for group in self.form.groups:
            box = self.groups[group.key]
            box.setVisible(group.applies(draft))
            if callable(group.title):
                box.setTitle(group.title_for(draft))
            for field in group.fields:
                row = self.rows.get(field.name)
                if row is None:
                    continue
                row.setVisible(field.applies(draft))
                if callable(field.label) and isinstance(row, FieldRow):
                    row.set_label(field.label_for(draft))
        self._update_extra(draft)

    def _update_extra(self, draft: Any) -> None:
        """What else follows the draft (subclasses)."""

    # ---- focus ------------------------------------------------------------------------

    def focus_field(self, name: str) -> bool:
        """Move the focus to the field a finding names."""
        row = self.rows.get(name)
        widget = self.inputs.get(name)
        if row is None or widget is None or not row.isVisibleTo(self._content):
            return False
        self.scroll.ensureWidgetVisible(row)
        focus_target(widget).setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    # ---- slots ------------------------------------------------------------------------

    def _on_input_changed(self, *_args: object) -> None:
        if self._loading:
            return
        self._before_conditions()
        self.update_conditions()
        self.changed.emit()

    def _before_conditions(self) -> None:
        """What must follow an edit before the conditions are worked out (subclasses)."""
