"""Contrast measured from the pixels: every kind of control, in both themes.

Each control is rendered offscreen with the application's theme, unfocused and then
focused as Tab focuses it. From the pixels: its boundary against the window reaches
3:1 (WCAG 1.4.11), its focus indicator changes enough pixels by 3:1 or more (2.4.7 /
2.4.13), and its text reaches 4.5:1 against its own fill (1.4.3).
"""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QGridLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QStyle,
    QStyleOptionButton,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from infoshare_desktop.domain.enums import Urgency
from infoshare_desktop.ui.common.fields import (
    EnumComboBox,
    LineEdit,
    SuggestionComboBox,
    TextAreaEdit,
)
from infoshare_desktop.ui.common.theme import apply_theme

PAD = 4


def luminance(colour: QColor) -> float:
    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.red())
        + 0.7152 * channel(colour.green())
        + 0.0722 * channel(colour.blue())
    )


def contrast(a: QColor, b: QColor) -> float:
    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def _sample_widgets() -> list[tuple[str, QWidget, str]]:
    """(kind, widget, sample text or "") for every kind of control the application uses."""
    line = LineEdit()
    line.setText("Sample")
    area = TextAreaEdit(2)
    area.setPlainText("Sample")
    combo = EnumComboBox(Urgency)
    combo.setCurrentIndex(1)
    suggestion = SuggestionComboBox()
    suggestion.setEditText("Sample")
    date = QDateEdit()
    date.setDisplayFormat("d MMM yyyy")
    spin = QSpinBox()
    spin.setValue(42)
    findings = QListWidget()
    findings.addItems(["To complete: sample", "To consider: sample"])
    findings.setFixedHeight(70)
    table = QTableView()
    table.setModel(QStandardItemModel(2, 2, table))
    table.setFixedHeight(90)
    browser = QTextBrowser()
    browser.setPlainText("Sample")
    browser.setFixedHeight(60)
    group = QGroupBox("Protect the PDF")
    group.setCheckable(True)
    group.setChecked(False)
    QVBoxLayout(group).addWidget(QLabel("x"))
    default = QPushButton("Sample")
    default.setDefault(True)
    return [
        ("line edit", line, "Sample"),
        ("text area", area, "Sample"),
        ("combo box", combo, "Sample"),
        ("editable combo box", suggestion, "Sample"),
        ("date edit", date, ""),
        ("spin box", spin, ""),
        ("push button", QPushButton("Sample"), "Sample"),
        ("default button", default, "Sample"),
        ("check box", QCheckBox("Sample"), "Sample"),
        ("check box without text", QCheckBox(), ""),
        ("radio button", QRadioButton("Sample"), "Sample"),
        ("findings list", findings, "Sample"),
        ("table", table, ""),
        ("record details", browser, "Sample"),
        ("checkable group box", group, ""),
    ]


def _indicator_rect(widget: QWidget) -> QRect | None:
    """Where a check box's or radio button's box is drawn (its boundary is the box's)."""
    if not isinstance(widget, QCheckBox | QRadioButton):
        return None
    option = QStyleOptionButton()
    option.initFrom(widget)
    element = (
        QStyle.SubElement.SE_CheckBoxIndicator
        if isinstance(widget, QCheckBox)
        else QStyle.SubElement.SE_RadioButtonIndicator
    )
    return widget.style().subElementRect(element, option, widget)


def _ring(image: QImage, rect: QRect, depth: int) -> Counter[str]:
    """Colours of the outermost `depth` pixel rings of `rect` in `image`."""
    found: Counter[str] = Counter()
    for d in range(depth):
        left, top = rect.left() + d, rect.top() + d
        right, bottom = rect.right() - d, rect.bottom() - d
        for x in range(left, right + 1):
            for y in (top, bottom):
                found[image.pixelColor(x, y).name()] += 1
        for y in range(top, bottom + 1):
            for x in (left, right):
                found[image.pixelColor(x, y).name()] += 1
    return found


def boundary_contrast(image: QImage, rect: QRect, window: QColor) -> float:
    """The boundary's contrast against the window: the commonest colour of each of the
    three outermost pixel rings of the control (a 1 to 3 pixel border, corners and
    anti-aliasing aside), the best of them."""
    best = 1.0
    for depth in range(3):
        ring = _ring(image, rect.adjusted(depth, depth, -depth, -depth), 1)
        colour = QColor(ring.most_common(1)[0][0])
        best = max(best, contrast(colour, window))
    return best


def focus_change(before: QImage, after: QImage) -> int:
    """How many pixels focus changed by 3:1 or more."""
    changed = 0
    for y in range(before.height()):
        for x in range(before.width()):
            if contrast(before.pixelColor(x, y), after.pixelColor(x, y)) >= 3:
                changed += 1
    return changed


def text_contrast(image: QImage, rect: QRect) -> float:
    """Text against the control's fill: the fill is the commonest colour inside, the
    text the colour furthest from it."""
    inside = Counter(
        image.pixelColor(x, y).name()
        for x in range(rect.left() + 4, rect.right() - 4)
        for y in range(rect.top() + 4, rect.bottom() - 4)
    )
    fill = QColor(inside.most_common(1)[0][0])
    return max(contrast(QColor(c), fill) for c in inside)


@pytest.fixture(params=[False, True], ids=["standard", "high visibility"])
def gallery(request, qapp, qtbot):
    apply_theme(qapp, "medium", request.param)
    window = QWidget()
    grid = QGridLayout(window)
    grid.setSpacing(18)
    grid.setContentsMargins(20, 20, 20, 20)
    samples = _sample_widgets()
    for n, (_kind, widget, _text) in enumerate(samples):
        grid.addWidget(widget, n // 2, n % 2)
    neutral = QPushButton("neutral")
    grid.addWidget(neutral, len(samples) // 2 + 1, 0)
    qtbot.addWidget(window)
    window.resize(900, 800)
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    qtbot.waitUntil(window.isActiveWindow, timeout=10_000)
    yield window, samples, neutral
    window.close()
    apply_theme(qapp)


def _grab(window: QWidget, widget: QWidget) -> QImage:
    rect = widget.geometry().adjusted(-PAD, -PAD, PAD, PAD)
    return window.grab(rect).toImage()


def test_every_control_shows_its_boundary_focus_and_text(gallery, qtbot):
    window, samples, neutral = gallery
    window_colour = window.palette().color(window.backgroundRole())
    failures = []
    for kind, widget, text in samples:
        neutral.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(neutral.hasFocus)
        before = _grab(window, widget)
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(lambda w=widget: w.hasFocus() or w.isAncestorOf(window.focusWidget()))
        after = _grab(window, widget)

        own = QRect(PAD, PAD, widget.width(), widget.height())
        box = _indicator_rect(widget)
        if box is not None:
            box = box.translated(PAD, PAD)
        boundary = boundary_contrast(before, box or own, window_colour)
        # A group box's frame groups controls; it is not a control with a boundary.
        if boundary < 3 and not isinstance(widget, QGroupBox):
            failures.append(f"{kind}: boundary {boundary:.2f}:1")
        changed = focus_change(before, after)
        needed = 2 * min(widget.width(), 60)  # an outline at least as long as two short sides
        if changed < needed:
            failures.append(f"{kind}: focus changes {changed} px by 3:1 (needs {needed})")
        if text:
            ratio = text_contrast(before, own)
            if ratio < 4.5:
                failures.append(f"{kind}: text {ratio:.2f}:1")
    assert not failures, failures
