"""An AT-SPI client that drives InfoShare Desktop as a screen reader user would.

Run by Debian's /usr/bin/python3 (pyatspi lives there, not in the project's venv) inside
the private session that `tests/a11y/session.py` starts. It reads one JSON command per
line on stdin and answers one JSON line on stdout, while it keeps listening to the
application's focus and announcement events in between. Commands:

  {"cmd": "wait_window", "name": TEXT, "timeout": S}   a showing window whose name has TEXT
  {"cmd": "keys", "keys": ["Tab", "ctrl+f", "type:some text"]}     xdotool key presses
  {"cmd": "step", "keys": [...], "timeout": S}         press, then wait for focus to move
  {"cmd": "wait_focus", "name": TEXT, "timeout": S}    focus on an object whose name has TEXT
  {"cmd": "tab_walk", "max": N, "timeout": S}          Tab until focus comes back round
  {"cmd": "tab_to", "name": TEXT, "max": N}            Tab until focus is on TEXT
  {"cmd": "audit"}                                    nodes of the active window, flattened
  {"cmd": "wait_announcement", "text": TEXT, "timeout": S}
  {"cmd": "announcements"}                            every announcement heard so far
  {"cmd": "quit"}

Nothing here sleeps for a fixed time to let something happen: it waits for the event or
state it expects, up to the timeout the test gives.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time

import pyatspi
from gi.repository import GLib

APP_NAME = "InfoShare Desktop"
CONTAINER_ROLES = {"table", "tree table", "list", "tree", "list box", "page tab list"}
MENU_ROLES = {"menu item", "menu", "menu bar"}
WINDOW_ROLES = {"frame", "dialog", "alert", "window", "file chooser"}

focus_events: list[dict] = []
announcements: list[str] = []
commands: queue.Queue[str] = queue.Queue()


def safe(call, default=None):
    try:
        return call()
    except Exception:
        return default


def states(acc) -> set[str]:
    state_set = safe(acc.getState)
    if state_set is None:
        return set()
    return {pyatspi.stateToString(s) for s in state_set.getStates()}


def labelled_by(acc) -> list[str]:
    """The names of the labels a control says it is labelled by (how Orca finds the
    question of a combo box, whose own name on Linux is its current value)."""
    names = []
    for relation in safe(acc.getRelationSet, []) or []:
        if safe(relation.getRelationType) != pyatspi.RELATION_LABELLED_BY:
            continue
        for index in range(safe(relation.getNTargets, 0)):
            target = safe(lambda i=index, r=relation: r.getTarget(i))
            names.append(safe(lambda t=target: t.name, "") or "")
    return names


def describe(acc) -> dict:
    parent = safe(lambda: acc.parent)
    return {
        "labels": labelled_by(acc),
        "role": safe(acc.getRoleName, "?"),
        "name": safe(lambda: acc.name, "") or "",
        "description": safe(lambda: acc.description, "") or "",
        "states": sorted(states(acc)),
        "parent_role": safe(parent.getRoleName, "") if parent is not None else "",
        "text": text_of(acc),
        "attributes": attributes_of(acc),
    }


def attributes_of(acc) -> dict[str, str]:
    """The object's AT-SPI attributes ("level" for a heading, as Orca reads it)."""
    pairs = safe(acc.getAttributes, []) or []
    return dict(pair.split(":", 1) for pair in pairs if ":" in pair)


def text_of(acc) -> str | None:
    text = safe(acc.queryText)
    if text is None:
        return None
    return safe(lambda: text.getText(0, min(text.characterCount, 4000)))


def app():
    desktop = pyatspi.Registry.getDesktop(0)
    for index in range(safe(lambda: desktop.childCount, 0)):
        candidate = safe(lambda i=index: desktop.getChildAtIndex(i))
        if candidate is not None and safe(lambda c=candidate: c.name) == APP_NAME:
            return candidate
    return None


def windows():
    application = app()
    if application is None:
        return []
    found = []
    for index in range(safe(lambda: application.childCount, 0)):
        window = safe(lambda i=index: application.getChildAtIndex(i))
        if window is not None and "showing" in states(window):
            found.append(window)
    return found


def active_window():
    shown = windows()
    for window in shown:
        if "active" in states(window):
            return window
    # Without a window manager the newest showing window is the one in front.
    return shown[-1] if shown else None


def on_event(event) -> None:
    host = safe(lambda: event.host_application.name)
    if host not in (None, APP_NAME):
        return
    if event.type.startswith("object:state-changed:focused"):
        if event.detail1:
            focus_events.append(describe(event.source))
    elif event.type.startswith("object:announcement"):
        data = event.any_data
        announcements.append(data if isinstance(data, str) else str(data))


def pump_until(condition, timeout: float):
    """Run the event loop until `condition()` is truthy or `timeout` seconds pass."""
    context = GLib.MainContext.default()
    end = time.monotonic() + timeout
    while True:
        while context.pending():
            context.iteration(False)
        result = condition()
        if result or time.monotonic() > end:
            return result
        time.sleep(0.02)


def press(keys: list[str]) -> None:
    env = dict(os.environ)
    for key in keys:
        if key.startswith("type:"):
            args = ["xdotool", "type", "--delay", "30", "--", key[5:]]
        else:
            args = ["xdotool", "key", "--clearmodifiers", key]
        subprocess.run(args, env=env, check=True, timeout=60)


def walk(acc, out: list[dict], depth: int = 0) -> None:
    if acc is None or depth > 60:
        return
    node = describe(acc)
    out.append(node)
    role = node["role"]
    count = safe(lambda: acc.childCount, 0)
    if role in CONTAINER_ROLES:
        count = min(count, 30)  # a long list is sampled, its items all look alike
    for index in range(count):
        walk(safe(lambda i=index: acc.getChildAtIndex(i)), out, depth + 1)


def identity(node: dict) -> tuple:
    return (node["role"], node["name"], node["parent_role"], node.get("text"))


def cmd_wait_window(name: str, timeout: float = 60) -> dict:
    def found():
        for window in windows():
            if name.lower() in (safe(lambda w=window: w.name, "") or "").lower():
                return window
        return None

    window = pump_until(found, timeout)
    return {"ok": window is not None, "windows": [safe(lambda w=w: w.name) for w in windows()]}


def cmd_wait_focus(name: str, timeout: float = 30) -> dict:
    def matched():
        last = focus_events[-1] if focus_events else None
        if last is None:
            return None
        spoken = " ".join([last["name"], *last["labels"]]).lower()
        return last if name.lower() in spoken else None

    event = pump_until(matched, timeout)
    return {"ok": event is not None, "focus": event or (focus_events[-1] if focus_events else None)}


def cmd_tab_walk(max_presses: int = 80, timeout: float = 10) -> dict:
    """Tab until focus returns to the first stop; a press without a focus event within
    `timeout` is recorded as a press that did not move focus."""
    pump_until(lambda: False, 0.2)
    stops: list[dict] = []
    stuck = 0
    first = None
    for _ in range(max_presses):
        seen = len(focus_events)
        press(["Tab"])
        moved = pump_until(lambda s=seen: len(focus_events) > s, timeout)
        if not moved:
            stuck += 1
            stops.append({"role": None, "name": "(focus did not move)"})
            if stuck >= 3:
                break
            continue
        stop = focus_events[-1]
        stops.append(stop)
        if first is None:
            first = identity(stop)
        elif identity(stop) == first:
            return {"ok": True, "stops": stops, "stuck": stuck, "cycle": True}
    return {"ok": True, "stops": stops, "stuck": stuck, "cycle": False}


def cmd_tab_to(name: str, role: str, max_presses: int = 60, timeout: float = 10) -> dict:
    """Tab until an object called `name` (and of `role`, if given) has the focus.

    A key chord with Alt sent by xdotool on a loaded machine is now and then read by Qt as
    Alt pressed and released alone, which puts the focus on the menu bar, where Tab
    cannot leave it: Escape gives the focus back to the window first, as a user would."""
    for _ in range(3):
        last = focus_events[-1] if focus_events else None
        if last is None or last["role"] not in MENU_ROLES:
            break
        seen = len(focus_events)
        press(["Escape"])
        pump_until(lambda s=seen: len(focus_events) > s, timeout)
    for _ in range(max_presses):
        last = focus_events[-1] if focus_events else None
        if last is not None and name.lower() == last["name"].lower() and role in ("", last["role"]):
            return {"ok": True, "focus": last}
        seen = len(focus_events)
        press(["Tab"])
        pump_until(lambda s=seen: len(focus_events) > s, timeout)
    return {"ok": False, "focus": focus_events[-1] if focus_events else None}


def cmd_step(keys: list[str], timeout: float = 10) -> dict:
    """Press `keys`, then wait until a focus event says the application has handled them
    (an arrow key in a table moves the focus to another cell): an audit asked right
    after a key press could otherwise be answered before the key is handled."""
    seen = len(focus_events)
    press(keys)
    moved = pump_until(lambda: len(focus_events) > seen, timeout)
    return {"ok": bool(moved), "focus": focus_events[-1] if focus_events else None}


def cmd_audit() -> dict:
    window = active_window()
    nodes: list[dict] = []
    walk(window, nodes)
    return {"ok": window is not None, "window": safe(lambda: window.name), "nodes": nodes}


def cmd_wait_announcement(text: str, timeout: float = 30) -> dict:
    def heard():
        return next((a for a in announcements if text.lower() in a.lower()), None)

    said = pump_until(heard, timeout)
    return {"ok": said is not None, "said": said, "announcements": announcements}


def read_commands() -> None:
    for line in sys.stdin:
        commands.put(line)
    commands.put('{"cmd": "quit"}')


def main() -> None:
    pyatspi.Registry.registerEventListener(
        on_event, "object:state-changed:focused", "object:announcement"
    )
    threading.Thread(target=read_commands, daemon=True).start()
    handlers = {
        "wait_window": lambda c: cmd_wait_window(c["name"], c.get("timeout", 60)),
        "keys": lambda c: (press(c["keys"]), {"ok": True})[1],
        "step": lambda c: cmd_step(c["keys"], c.get("timeout", 10)),
        "wait_focus": lambda c: cmd_wait_focus(c["name"], c.get("timeout", 30)),
        "tab_walk": lambda c: cmd_tab_walk(c.get("max", 80), c.get("timeout", 10)),
        "tab_to": lambda c: cmd_tab_to(
            c["name"], c.get("role", ""), c.get("max", 60), c.get("timeout", 10)
        ),
        "audit": lambda c: cmd_audit(),
        "wait_announcement": lambda c: cmd_wait_announcement(c["text"], c.get("timeout", 30)),
        "announcements": lambda c: {"ok": True, "announcements": announcements},
        "clear": lambda c: (focus_events.clear(), announcements.clear(), {"ok": True})[2],
    }
    print(json.dumps({"ok": True, "ready": True}), flush=True)
    while True:
        pump_until(lambda: not commands.empty(), 3600)
        if commands.empty():
            continue
        command = json.loads(commands.get_nowait())
        if command["cmd"] == "quit":
            return
        try:
            answer = handlers[command["cmd"]](command)
        except Exception as error:  # reported to the test, which fails with it
            answer = {"ok": False, "error": f"{type(error).__name__}: {error}"}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
