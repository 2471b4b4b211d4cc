"""Every screen, as a screen reader user meets it (a real AT-SPI client; see conftest).

One journey through the application, in order: the sign-in, each page of the main
window, a case, its sharing and consent forms, printing, the users page, the lock. On
each screen: every focusable control has a name, every Tab press moves focus and Tab
comes back round, the texts people read are exposed (not replaced by a label's name),
and errors are announced.
"""

from __future__ import annotations

import re
import time

import pytest

# One journey on one private desktop, in order: `make test` distributes by file
# (--dist loadfile), so its tests stay on one worker.
pytestmark = pytest.mark.slow

PASSWORD = "demo store passphrase"  # the demo store's fictional password
ITEM_ROLES = {"table cell", "list item", "tree item", "column header", "row header"}
TIMEOUT = 60
SHARING_TITLES = ("Sharing decision: ",)
DOCUMENT_ROLES = {"document frame", "document text", "document web"}


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


def wait_audit(desktop, what: str, found) -> list[dict]:
    """Read the active window until `found(nodes)` is true (or fail after TIMEOUT)."""
    end = time.monotonic() + TIMEOUT
    while True:
        nodes = desktop.ask("audit")["nodes"]
        if found(nodes):
            return nodes
        assert time.monotonic() < end, f"{what}: never seen; last audit: {nodes}"
        desktop.ask("wait_focus", name="\x00", timeout=0.5)  # let events arrive a moment


def open_menu(desktop, keys: str, first_item: str) -> None:
    """Open a menu and wait until its first item has the focus (a key pressed before the
    menu is open would go to the window instead)."""
    desktop.keys(keys)
    wait_focus(desktop, first_item)


def headings(nodes: list[dict]) -> dict[str, str]:
    return {
        node["name"]: node["attributes"].get("level", "")
        for node in nodes
        if node["role"] == "heading" and "showing" in node["states"]
    }


def test_details_pane_is_a_document_with_headings_and_rows_read_as_shown(signed_in):
    app = signed_in
    app.keys("alt+Left")  # back from the sharing form to the case (kept as a draft)
    wait_audit(app, "the case again", lambda n: not described(n, "Checklist status"))
    answer = app.ask("tab_to", name="Chronology", role="table", max=80)
    assert answer["ok"], answer["focus"]
    # Each key press waits for the focus to move before the pane is read: an audit asked
    # while a press is still on its way reads the record before it, and the press then
    # moves the selection past the one found.
    app.ask("step", keys=["ctrl+End"])
    nodes: list[dict] = []
    for _ in range(40):  # from the newest record back, to a sharing decision
        nodes = app.ask("audit")["nodes"]
        if any(name.startswith(SHARING_TITLES) for name in headings(nodes)):
            break
        assert app.ask("step", keys=["Up"])["ok"], "Up did not move to an earlier record"
    found = headings(nodes)
    title = next((name for name in found if name.startswith(SHARING_TITLES)), None)
    assert title, f"no sharing decision's heading in the details pane: {found}"
    assert found[title] == "2", found
    for section in ("1. Decision", "2. Purpose", "4. Information", "14. Reasons for the decision"):
        assert found.get(section) == "3", (section, found)
    assert any(name.startswith("Amendments (") for name in found), found
    document = [node for node in nodes if node["role"] in DOCUMENT_ROLES]
    assert [node["name"] for node in document] == [title], document

    rows = [node for node in nodes if node["role"] == "label" and ": " in node["name"]]
    assert any(node["name"].startswith("Decision: ") for node in rows), rows
    for node in rows + [n for n in nodes if n["role"] == "heading"]:
        spoken = node["name"] + (node["text"] or "")
        assert "\ufdd0" not in spoken and "\ufdd1" not in spoken, node
        if node["text"] is not None:  # what is read by character is what is named
            assert " ".join(node["text"].split()) == " ".join(node["name"].split()), node

    # One Tab stop; the arrow keys read it heading by heading, row by row.
    app.keys("alt+r")
    wait_focus(app, "Record details")
    app.keys("Down")
    first = wait_focus(app, title)
    assert first["role"] == "heading", first
    app.keys("Down")
    second = wait_focus(app, ":")
    assert second["role"] == "label" and second["name"].split(":")[0] in ("Status", "By"), second


def test_consent_decision_form_names_its_controls_and_speaks_its_status(signed_in):
    app = signed_in
    open_menu(app, "alt+c", "New case…")
    app.keys("c")  # Case > New &consent decision…
    nodes = wait_audit(app, "consent form", lambda n: described(n, "Checklist status"))
    status = described(nodes, "Checklist status")[0]["name"]
    assert re.search(r"\d+ items? to complete", status), status
    check_screen(app, "consent decision form", max_tabs=200)
    app.keys("alt+Left")
    wait_audit(app, "the case again", lambda n: not described(n, "Checklist status"))


def test_new_case_dialog(signed_in):
    app = signed_in
    app.keys("ctrl+n")
    wait_window(app, "New case")
    check_screen(app, "new case")
    app.keys("Escape")
    wait_audit(app, "the main window", lambda n: not any(x["name"] == "New case" for x in n[:1]))


def test_review_dialog_names_its_controls_and_announces_a_missing_comment(signed_in):
    app = signed_in
    app.keys("ctrl+5")
    assert app.ask("tab_to", name="Records awaiting review", role="table")["ok"]
    app.keys("Down", "Return")
    wait_window(app, "Review:")
    try:
        check_screen(app, "review dialog", max_tabs=120)
        # Return without a comment: what is still needed is said, not only shown.
        assert app.ask("tab_to", name="Outcome: Endorsed", role="radio button")["ok"]
        app.keys("Down", "Down")  # the arrow keys move within the group
        wait_focus(app, "Outcome: Returned for more detail")
        app.ask("clear")
        app.keys("space")
        assert "more detail is needed" in heard(app, "Not yet")
    finally:
        app.keys("Escape")
    wait_focus(app, "Records awaiting review")


def test_user_account_dialogs(signed_in):
    app = signed_in
    app.keys("ctrl+2")
    assert app.ask("tab_to", name="Add user…")["ok"]
    app.keys("space")
    wait_window(app, "Add user")
    check_screen(app, "add user")
    app.keys("Escape")
    wait_focus(app, "Add user")

    assert app.ask("tab_to", name="Accounts", role="table")["ok"]
    app.keys("ctrl+End")
    assert app.ask("tab_to", name="Reset password…")["ok"]
    app.keys("space")
    wait_window(app, "Reset password")
    check_screen(app, "reset password: confirm")
    app.keys("Escape")
    wait_focus(app, "Reset password")

    open_menu(app, "alt+a", "Change password…")
    app.keys("Return")  # Account > Change password…
    wait_window(app, "Change password")
    check_screen(app, "change password")
    wait_focus(app, "")
    app.ask("clear")
    assert app.ask("tab_to", name="Current password")["ok"]
    app.keys("type:not the password", "Tab")
    app.keys("type:a new long password 1", "Tab", "type:a new long password 1", "Return")
    heard(app, "not right")
    app.keys("Escape")
    wait_focus(app, "")


def test_restore_from_backup_dialog(signed_in):
    app = signed_in
    open_menu(app, "alt+m", "Users…")
    app.keys("s")  # Administration > Re&store from backup…
    wait_window(app, "Restore from backup")
    check_screen(app, "restore from backup")
    app.keys("Escape")
    wait_focus(app, "")


def test_lock_screen_names_its_controls_and_announces_a_wrong_password(signed_in):
    app = signed_in
    app.keys("ctrl+l")
    wait_window(app, "InfoShare Desktop is locked")
    wait_focus(app, "Password")
    app.ask("clear")
    app.keys("type:not the password", "Return")
    assert "not right" in heard(app, "not right")
    check_screen(app, "lock screen")
