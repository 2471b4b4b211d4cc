"""Errors a user can act on have one root (`UserFacingError`) and one way to be shown
(`ui.feedback.user_errors`): in the screen's alert or a message box, always spoken, and
never at the cost of what was typed. Anything else is a bug for the crash handler."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

import infoshare_desktop
from infoshare_desktop.domain.errors import UserFacingError
from infoshare_desktop.services import cases
from infoshare_desktop.services import errors as service_errors
from infoshare_desktop.ui.application import UNEXPECTED_ERROR, handle_exception
from infoshare_desktop.ui.cases.cases_page import CasesPage
from infoshare_desktop.ui.cases.new_case import NewCaseDialog
from infoshare_desktop.ui.common import feedback
from infoshare_desktop.ui.common.announce import announcer
from infoshare_desktop.ui.common.labels import AlertLabel
from infoshare_desktop.ui.common.session import Session
from infoshare_desktop.ui.signin.change_password import ChangePasswordDialog
from infoshare_desktop.ui.signin.unlock import UnlockDialog
from tests.conftest import ADMIN, ADMIN_PASSWORD

UI = Path(infoshare_desktop.__file__).parent / "ui"
#: The layers' bases: the interface catches their one root instead.
LAYER_BASES = {"StoreError", "DomainError", "ReportError", "ServiceError", "KNOWN_ERRORS"}


@pytest.fixture
def heard():
    said: list[tuple[str, bool]] = []

    def hear(text: str, assertive: bool) -> None:
        said.append((text, assertive))

    announcer.announced.connect(hear)
    yield said
    announcer.announced.disconnect(hear)


def spoken(text: str) -> tuple[str, bool]:
    """An error as the announcer says it: the words on screen, at once."""
    return " ".join(text.split()), True


def test_a_wrong_password_at_sign_in_is_shown_spoken_and_keeps_the_user_name(
    qtbot, admin_store, data_paths, heard
):
    admin_store.close()
    dialog = UnlockDialog(data_paths)
    qtbot.addWidget(dialog)
    dialog.username_edit.setText(ADMIN)
    dialog.password_edit.setText("not the password")
    dialog.unlock_button.click()
    assert dialog.store is None
    assert "password is not right" in dialog.alert.text()
    assert spoken(dialog.alert.text()) in heard
    assert dialog.username_edit.text() == ADMIN  # only the password is cleared
    dialog.password_edit.setText(ADMIN_PASSWORD)
    qtbot.waitUntil(dialog.unlock_button.isEnabled, timeout=30_000)
    dialog.unlock_button.click()
    assert dialog.store is not None
    dialog.store.close()


def test_a_wrong_current_password_keeps_the_new_one_typed(qtbot, admin_store, heard):
    dialog = ChangePasswordDialog(Session(admin_store))
    qtbot.addWidget(dialog)
    new = "quiet harbour at dawn"
    dialog.current_edit.setText("not my password")
    dialog.new_fields.password.setText(new)
    dialog.new_fields.confirm.setText(new)
    dialog.change_button.click()
    assert "not right" in dialog.alert.text()
    assert spoken(dialog.alert.text()) in heard
    assert dialog.new_fields.password.text() == new and dialog.new_fields.confirm.text() == new


def test_a_store_error_in_a_dialog_is_shown_beside_what_was_typed(qtbot, admin_store, heard):
    dialog = NewCaseDialog(Session(admin_store))
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Morgan Example")
    dialog.reference_edit.setText("LOCK-0002")
    dialog.dob_unknown_check.click()
    typed = dialog.draft()
    admin_store.lock()  # the store refuses everything until it is unlocked
    assert dialog.create() is None
    assert dialog.alert.text() == "Not created. The store is locked. Unlock it to continue."
    assert spoken(dialog.alert.text()) in heard
    assert dialog.draft() == typed


def test_an_error_without_an_alert_is_shown_in_a_box_and_spoken(
    qtbot, admin_store, messages, heard
):
    page = CasesPage(Session(admin_store))
    qtbot.addWidget(page)
    assert not page.open_case("no-such-case")
    (shown,) = messages.errors
    assert "does not exist" in shown
    assert spoken(shown) in heard


def test_the_display_is_the_same_whatever_the_layer(qtbot, messages, heard):
    from infoshare_desktop.reports.errors import ReportError
    from infoshare_desktop.services.errors import (
        DiskFullError,
        InvalidTextError,
        ServiceError,
    )
    from infoshare_desktop.ui.printing.pdf import PdfError

    alert = AlertLabel()
    qtbot.addWidget(alert)
    for error in (
        DiskFullError(),
        InvalidTextError("That text has a character that cannot be kept.", field="purpose"),
        ReportError("The PDF could not be protected with the password."),
        ServiceError("That could not be done now."),
        PdfError("The PDF could not be shown."),
    ):
        with feedback.user_errors(alert, prefix="Not saved.") as outcome:
            raise error
        assert outcome.error is error and outcome.failed
        assert alert.text() == f"Not saved. {error.user_message}"
        assert heard[-1] == spoken(alert.text())
        with feedback.user_errors(None, prefix="Not printed.") as outcome:
            raise error
        assert messages.errors[-1] == f"Not printed. {error.user_message}"
        assert heard[-1] == spoken(messages.errors[-1])
    with feedback.user_errors(alert) as outcome:
        pass
    assert not outcome.failed


def test_a_bug_is_not_shown_as_a_user_error_and_its_words_never_reach_the_user(
    qtbot, messages, heard, caplog
):
    parent = QWidget()
    qtbot.addWidget(parent)
    personal = "Jamie Example, born 01/02/2015"
    with pytest.raises(KeyError), feedback.user_errors(parent):
        raise KeyError(personal)
    assert messages.errors == [] and heard == []

    try:
        raise KeyError(personal)
    except KeyError as bug:
        with caplog.at_level(logging.ERROR, logger="infoshare"):
            handle_exception(KeyError, bug, bug.__traceback__)
    assert messages.errors == [UNEXPECTED_ERROR]
    assert personal not in caplog.text


def _caught_names(node: ast.expr | None) -> set[str]:
    if node is None:
        return set()
    if isinstance(node, ast.Tuple):
        return set().union(*(_caught_names(item) for item in node.elts))
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, ast.Attribute):
        return {node.attr}
    return set()


def test_no_interface_module_catches_a_layers_base_or_the_old_tuple():
    found = []
    for path in sorted(UI.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ExceptHandler):
                caught = _caught_names(node.type) & LAYER_BASES
                if caught:
                    found.append(f"{path.relative_to(UI)}:{node.lineno} {sorted(caught)}")
            elif isinstance(node, ast.alias) and node.name == "KNOWN_ERRORS":
                found.append(f"{path.relative_to(UI)}:{node.lineno} imports KNOWN_ERRORS")
    assert found == [], "catch UserFacingError (feedback.user_errors) instead"
    assert not hasattr(service_errors, "KNOWN_ERRORS")


def test_a_user_error_needs_no_argument_and_may_name_its_field():
    assert str(UserFacingError()) == UserFacingError.user_message
    error = UserFacingError("Say which.", field="purpose")
    assert (str(error), error.field) == ("Say which.", "purpose")


def test_every_error_a_module_defines_is_a_user_error_or_a_named_internal_one():
    import importlib
    import pkgutil

    internal = {"DecryptionFailed", "CheckpointTampered"}  # caught inside the store
    internal.add("SearchCancelled")  # a superseded search: the case list's worker drops it
    internal.add("EnoughPages")  # a preview's first pages laid out: reports.case_summary's
    outside = []
    for info in pkgutil.walk_packages(infoshare_desktop.__path__, "infoshare_desktop."):
        if ".migrations" in info.name or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Exception)
                and value.__module__ == info.name
                and not issubclass(value, UserFacingError)
                and value.__name__ not in internal
            ):
                outside.append(f"{info.name}.{value.__name__}")
    assert outside == []


def test_case_not_found_is_a_service_error(admin_store):
    from infoshare_desktop.services.errors import ServiceError
    from infoshare_desktop.services.visibility import CaseNotFound

    with pytest.raises(ServiceError) as raised:
        cases.open_case(admin_store, case_id="no-such-case")
    assert isinstance(raised.value, CaseNotFound)
