"""The sign-in and lock screens use the look last chosen on this computer, and the main
window opens where it was (or maximised); the file that remembers it holds nothing
personal and may be missing or damaged."""

from __future__ import annotations

import json

from infoshare_desktop.ui.application import SessionController, apply_kept_look
from infoshare_desktop.ui.common import appearance
from infoshare_desktop.ui.common.theme import apply_theme, current_theme
from infoshare_desktop.ui.main_window import MainWindow
from infoshare_desktop.ui.signin.unlock import UnlockDialog
from tests.conftest import ADMIN


def test_the_sign_in_after_sign_out_keeps_the_last_look(qtbot, qapp, admin_store, data_paths):
    window = MainWindow(admin_store)
    qtbot.addWidget(window)
    window.set_text_size("large")
    window.set_high_visibility(True)
    kept = (data_paths.root / appearance.FILE_NAME).read_text(encoding="utf-8")
    assert json.loads(kept)["text_size"] == "large"
    assert ADMIN not in kept and "Alex" not in kept  # nothing personal

    controller = SessionController(data_paths, qapp)
    controller.window = window
    try:
        apply_theme(qapp)  # as if another process started
        window.sign_out()
        controller._on_window_signed_out()
        assert isinstance(controller.dialog, UnlockDialog)
        qtbot.addWidget(controller.dialog)
        assert current_theme() == ("large", True)
    finally:
        apply_theme(qapp)


def test_a_missing_or_damaged_file_means_the_default_look(qapp, data_paths):
    data_paths.root.mkdir(parents=True, exist_ok=True)
    file = data_paths.root / appearance.FILE_NAME
    for damaged in ("", "not json", "[1, 2]", '{"text_size": "enormous", "geometry": 3}'):
        file.write_text(damaged, encoding="utf-8")
        assert appearance.load(data_paths) == appearance.Appearance()
    try:
        apply_theme(qapp, "large", True)
        apply_kept_look(qapp, data_paths)
        assert current_theme() == ("medium", False)
    finally:
        apply_theme(qapp)


def test_the_window_opens_maximised_then_where_it_was(qtbot, admin_store, data_paths):
    first = MainWindow(admin_store)
    qtbot.addWidget(first)
    first.show_where_it_was()
    assert first.isMaximized()
    first.showNormal()
    first.setGeometry(40, 50, 880, 650)  # within the offscreen screen (800x800)
    first.close()
    assert appearance.load(data_paths).geometry

    from infoshare_desktop.services import accounts
    from tests.conftest import ADMIN_PASSWORD

    store = accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
    second = MainWindow(store)
    qtbot.addWidget(second)
    second.show_where_it_was()
    assert not second.isMaximized()
    assert (second.y(), second.height()) == (first.y(), 650)
    second.close()
