"""A new colleague's first sign-in, as a screen reader user meets it: the one-time code
at the sign-in, then the "Choose your password" dialog (its own desktop: the journey in
test_screens.py signs in as an existing account)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.a11y.session import START_TIMEOUT
from tests.a11y.test_screens import check_screen, wait_focus, wait_window

pytestmark = pytest.mark.slow

NEW_USER = "new.worker"
NEW_PASSWORD = "a long new password for the first sign-in"


def _add_user(desktop, data) -> str:
    """An account made by the demo administrator through the services; its one-time code."""
    script = (
        "import sys\n"
        "from infoshare_desktop.domain.accounts import Role\n"
        "from infoshare_desktop.paths import resolve\n"
        "from infoshare_desktop.services import accounts\n"
        "from infoshare_desktop.demo import DEMO_PASSWORD\n"
        "store = accounts.sign_in(resolve(sys.argv[1]), username='demo.admin',"
        " password=DEMO_PASSWORD)\n"
        f"print(accounts.add_user(store, username={NEW_USER!r}, display_name='New Worker',"
        " roles={Role.PRACTITIONER}))\n"
        "store.close()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(data)],
        env=desktop.env, check=True, capture_output=True, text=True, timeout=START_TIMEOUT,
    )  # fmt: skip
    return done.stdout.strip()


@pytest.fixture(scope="module")
def choose_password(desktop):
    data = desktop.demo_store()
    code = _add_user(desktop, data)
    desktop.start_app(data)
    wait_window(desktop, "Sign in to InfoShare Desktop")
    wait_focus(desktop, "User name")
    desktop.keys(f"type:{NEW_USER}", "Tab")
    wait_focus(desktop, "Password")
    desktop.keys(f"type:{code}", "Return")
    wait_window(desktop, "Choose your password")
    yield desktop
    desktop.stop_app()


def test_choose_password_names_its_controls_and_says_what_is_missing(choose_password):
    app = choose_password
    audit = check_screen(app, "choose your password")
    shown = " ".join(node["name"] for node in audit["nodes"] if node["role"] == "label")
    assert "Choose your password" in shown
    assert app.ask("tab_to", name="New password")["ok"]
    app.keys(f"type:{NEW_PASSWORD}", "Tab")
    wait_focus(app, "Confirm password")
    app.keys("type:something else")
    answer = app.ask("audit")
    hints = [
        node for node in answer["nodes"]
        if node["role"] == "label" and "not the same" in node["name"]
    ]  # fmt: skip
    assert hints, "a confirmation that does not match is not said on screen"
    app.keys("ctrl+a", f"type:{NEW_PASSWORD}", "Return")
    wait_focus(app, "Pages")  # the main window, signed in with the new password
