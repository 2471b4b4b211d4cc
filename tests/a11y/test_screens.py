"""Every screen, as a screen reader user meets it (a real AT-SPI client; see conftest).

One journey through the application, in order: the sign-in, each page of the main
window, a case, its sharing and consent forms, printing, the users page, the lock. On
each screen: every focusable control has a name, every Tab press moves focus and Tab
comes back round, the texts people read are exposed (not replaced by a label's name),
and errors are announced.
"""

from __future__ import annotations

import re

import pytest

# One journey on one private desktop, in order: `make test` distributes by file
# (--dist loadfile), so its tests stay on one worker.
pytestmark = pytest.mark.slow

PASSWORD = "demo store passphrase"  # the demo store's fictional password
ITEM_ROLES = {"table cell", "list item", "tree item", "column header", "row header"}
TIMEOUT = 60


VALUE_NAMED = {"combo box"}
"""On Linux, Qt names a combo box by its current value; its question is the label it
says it is labelled by, which is what Orca speaks."""


def spoken_name(node: dict) -> str:
    if node["role"] in VALUE_NAMED:
        return " ".join(node["labels"]).strip()
    return node["name"].strip() or " ".join(node["labels"]).strip()


def focusable_without_name(nodes: list[dict]) -> list[dict]:
    return [
        node
        for node in nodes
        if {"focusable", "showing"} <= set(node["states"])
        and node["role"] not in ITEM_ROLES
        and not spoken_name(node)
    ]


def labels(nodes: list[dict]) -> list[dict]:
    return [node for node in nodes if node["role"] == "label" and "showing" in node["states"]]


def check_screen(desktop, screen: str, *, max_tabs: int = 80) -> dict:
    """The generic checks on what is on screen now; returns the audit for more checks."""
    audit = desktop.ask("audit")
    assert audit["ok"], f"{screen}: no active window"
    unnamed = focusable_without_name(audit["nodes"])
    assert not unnamed, f"{screen}: focusable controls without a name: {unnamed}"
    walk = desktop.ask("tab_walk", max=max_tabs, timeout=20)
    stuck = [i for i, stop in enumerate(walk["stops"], 1) if stop["role"] is None]
    assert not stuck, f"{screen}: Tab presses {stuck} did not move focus: {walk['stops']}"
    assert walk["cycle"], f"{screen}: Tab did not come back round in {max_tabs} presses"
    nameless = [stop for stop in walk["stops"] if not spoken_name(stop)]
    assert not nameless, f"{screen}: Tab reached controls without a name: {nameless}"
    return audit


def wait_window(desktop, name: str) -> None:
    answer = desktop.ask("wait_window", name=name, timeout=TIMEOUT)
    assert answer["ok"], f"no window called {name!r}; showing: {answer['windows']}"


def wait_focus(desktop, name: str) -> dict:
    answer = desktop.ask("wait_focus", name=name, timeout=TIMEOUT)
    assert answer["ok"], f"focus never reached {name!r}; last focus: {answer['focus']}"
    return answer["focus"]


def heard(desktop, text: str) -> str:
    answer = desktop.ask("wait_announcement", text=text, timeout=TIMEOUT)
    assert answer["ok"], f"{text!r} was never announced; heard: {answer['announcements']}"
    return answer["said"]


@pytest.fixture(scope="module")
def app(desktop):
    data = desktop.demo_store()
    desktop.start_app(data)
    wait_window(desktop, "Sign in to InfoShare Desktop")
    wait_focus(desktop, "User name")
    yield desktop
    desktop.stop_app()


def described(nodes: list[dict], description: str) -> list[dict]:
    return [node for node in labels(nodes) if node["description"] == description]


def test_sign_in_names_its_controls_and_announces_a_wrong_password(app):
    check_screen(app, "sign-in")
    assert app.ask("tab_to", name="User name")["ok"]
    app.keys("type:demo.admin", "Tab")
    wait_focus(app, "Password")
    app.keys("type:not the password", "Return")
    assert "password is not right" in heard(app, "not right").lower()


@pytest.fixture(scope="module")
def signed_in(app):
    assert app.ask("tab_to", name="User name")["ok"]
    app.keys("ctrl+a", "type:demo.admin", "Tab")
    wait_focus(app, "Password")
    app.keys("ctrl+a", f"type:{PASSWORD}", "Return")
    wait_focus(app, "Pages")
    return app


@pytest.mark.parametrize(
    ("shortcut", "page"),
    [
        ("ctrl+1", "home"),
        ("ctrl+2", "users"),
        ("ctrl+3", "cases"),
        ("ctrl+4", "drafts"),
        ("ctrl+5", "review queue"),
        ("ctrl+6", "returned to me"),
        ("ctrl+7", "team overview"),
    ],
)
def test_each_page_of_the_main_window(signed_in, shortcut, page):
    signed_in.keys(shortcut)
    check_screen(signed_in, page)


def test_home_is_my_work_a_tree_whose_branches_say_their_counts(signed_in):
    signed_in.keys("ctrl+1")
    nodes = check_screen(signed_in, "home")["nodes"]
    trees = [n for n in nodes if n["role"] in ("tree", "tree table") and n["name"] == "My work"]
    assert trees, "My work is not exposed as a tree called My work"
    spoken = [n["name"] for n in nodes if n["role"] in ITEM_ROLES]
    for branch in ("Returned to me", "Awaiting my review", "Overdue reviews", "My drafts"):
        said = re.compile(rf"{branch}(, the team's)?, (\d+|1000 or more) items?")
        assert any(said.fullmatch(name) for name in spoken), (branch, spoken)


def test_case_view_speaks_its_identity_and_consent_position(signed_in):
    app = signed_in
    app.keys("ctrl+3")
    assert app.ask("tab_to", name="Cases", role="table")["ok"]
    app.keys("Down", "Return")
    wait_focus(app, "Chronology")
    nodes = check_screen(app, "case view")["nodes"]
    identity = described(nodes, "Case identity")
    assert identity and identity[0]["name"].startswith("Reference "), identity
    consent = described(nodes, "Consent position")
    assert consent, "the consent position is not exposed as a label"
    assert consent[0]["name"] and consent[0]["name"] != "Consent position", consent


def test_print_options_name_their_controls(signed_in):
    app = signed_in
    app.keys("ctrl+p")
    wait_window(app, "Print")
    check_screen(app, "print options")
    app.keys("Escape")
    wait_focus(app, "")


def test_sharing_form_speaks_and_announces_its_checklist_status(signed_in):
    app = signed_in
    app.keys("ctrl+d")
    status: list[dict] = []

    def status_text() -> str:
        status[:] = described(app.ask("audit")["nodes"], "Checklist status")
        return status[0]["name"] if status else ""

    wait_focus(app, "What was decided")
    before = status_text()
    assert re.search(r"\d+ items? to complete", before), status
    # Choosing what was decided changes what is still to complete; the change is heard.
    app.ask("clear")
    app.keys("Down")
    said = heard(app, "to complete")
    assert said != before and said == status_text()


def test_sharing_form_tab_order(signed_in):
    check_screen(signed_in, "sharing decision form", max_tabs=200)


def test_lock_screen_names_its_controls_and_announces_a_wrong_password(signed_in):
    app = signed_in
    app.keys("ctrl+l")
    wait_window(app, "InfoShare Desktop is locked")
    wait_focus(app, "Password")
    app.ask("clear")
    app.keys("type:not the password", "Return")
    assert "not right" in heard(app, "not right")
    check_screen(app, "lock screen")
