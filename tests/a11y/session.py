"""A private desktop for the accessibility suite: Xvfb, a D-Bus session bus, the AT-SPI
bus, the application on a demo store, and the AT-SPI client that listens to it.

Every process is started in its own process group and stopped by that group when the
session ends (also when a test fails), so nothing is left running.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SYSTEM_PYTHON = "/usr/bin/python3"
ATSPI_LAUNCHER = "/usr/libexec/at-spi-bus-launcher"
SCREEN = "1366x768x24"
START_TIMEOUT = 120  # seconds; generous, the machine may be loaded
DEBIAN_PACKAGES = "xvfb at-spi2-core python3-pyatspi gir1.2-atspi-2.0 dbus-x11 xdotool openbox"


def missing_prerequisites() -> list[str]:
    missing = [
        tool for tool in ("Xvfb", "dbus-daemon", "xdotool", "openbox") if not shutil.which(tool)
    ]
    if not Path(ATSPI_LAUNCHER).exists():
        missing.append(ATSPI_LAUNCHER)
    probe = (
        subprocess.run(
            [SYSTEM_PYTHON, "-c", "import pyatspi"], capture_output=True, timeout=60, check=False
        )
        if Path(SYSTEM_PYTHON).exists()
        else None
    )
    if probe is None or probe.returncode != 0:
        missing.append("pyatspi for /usr/bin/python3")
    return missing


class SessionError(RuntimeError):
    pass


def _read_line(stream, timeout: float, what: str) -> str:
    """One line from a child's pipe, or SessionError after `timeout` seconds."""
    result: list[str] = []
    reader = threading.Thread(target=lambda: result.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not result or not result[0]:
        raise SessionError(f"{what} did not answer within {timeout:.0f} s")
    return result[0]


@dataclass
class Desktop:
    work: Path
    env: dict[str, str] = field(default_factory=dict)
    processes: list[subprocess.Popen] = field(default_factory=list)
    logs: dict[int, object] = field(default_factory=dict)
    app: subprocess.Popen | None = None
    client: subprocess.Popen | None = None

    # -- starting -----------------------------------------------------------------------
    def _spawn(self, args: list[str], name: str, **kwargs) -> subprocess.Popen:
        log = open(self.work / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        kwargs.setdefault("stdout", log)
        process = subprocess.Popen(args, stderr=log, env=self.env, start_new_session=True, **kwargs)
        self.processes.append(process)
        self.logs[process.pid] = log
        return process

    def start(self) -> None:
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("QT_", "DBUS_", "AT_SPI", "DISPLAY", "WAYLAND"))
        }
        bus = self._spawn(
            ["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1"],
            "dbus",
            stdout=subprocess.PIPE,
            text=True,
        )
        self.env["DBUS_SESSION_BUS_ADDRESS"] = _read_line(
            bus.stdout, START_TIMEOUT, "dbus-daemon"
        ).strip()
        xvfb = self._spawn(
            ["Xvfb", "-displayfd", "1", "-screen", "0", SCREEN, "-nolisten", "tcp"],
            "xvfb",
            stdout=subprocess.PIPE,
            text=True,
        )
        self.env["DISPLAY"] = ":" + _read_line(xvfb.stdout, START_TIMEOUT, "Xvfb").strip()
        self._spawn([ATSPI_LAUNCHER, "--launch-immediately"], "atspi")
        # A window manager: it gives the newest window the keyboard, as on a desktop.
        self._spawn(["openbox", "--sm-disable"], "openbox")
        self.env.update(
            QT_QPA_PLATFORM="xcb",
            QT_ACCESSIBILITY="1",
            QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1",
            NO_AT_BRIDGE="0",
        )
        self.client = self._spawn(
            [SYSTEM_PYTHON, str(HERE / "atspi_client.py")],
            "client",
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        ready = json.loads(_read_line(self.client.stdout, START_TIMEOUT, "the AT-SPI client"))
        if not ready.get("ready"):
            raise SessionError(f"the AT-SPI client did not start: {ready}")

    def demo_store(self) -> Path:
        data = self.work / "demo-data"
        subprocess.run(
            [sys.executable, "-m", "infoshare_desktop", "demo", "--data-dir", str(data),
             "--cases", "6", "--records", "30"],
            env=self.env, check=True, capture_output=True, timeout=START_TIMEOUT,
        )  # fmt: skip
        self._ask_for_review(data)
        return data

    def _ask_for_review(self, data: Path) -> None:
        """One record in the supervisors' review queue: the demo practitioner asks for
        review of one of their sharing decisions (through the services, as the app would)."""
        script = (
            "import sys\n"
            "from infoshare_desktop.domain.enums import RecordKind\n"
            "from infoshare_desktop.paths import resolve\n"
            "from infoshare_desktop.services import accounts, cases, reviews\n"
            "from infoshare_desktop.demo import DEMO_PASSWORD\n"
            "store = accounts.sign_in(resolve(sys.argv[1]), username='demo.practitioner',"
            " password=DEMO_PASSWORD)\n"
            "for case in cases.list_cases(store, limit=50):\n"
            "    own = [e for e in cases.chronology(store, case_id=case.case_id)"
            " if e.kind is RecordKind.SHARING_DECISION and e.author_id == store.user.user_id]\n"
            "    if own:\n"
            "        reviews.request_review(store, record_id=own[0].record_id)\n"
            "        break\n"
            "else:\n"
            "    raise SystemExit('no sharing decision of the demo practitioner')\n"
            "store.close()\n"
        )
        subprocess.run(
            [sys.executable, "-c", script, str(data)],
            env=self.env, check=True, capture_output=True, timeout=START_TIMEOUT,
        )  # fmt: skip

    def start_app(self, data: Path, *extra: str) -> None:
        self.app = self._spawn(
            [sys.executable, "-m", "infoshare_desktop", "--data-dir", str(data), *extra], "app"
        )

    def stop_app(self) -> None:
        if self.app is not None:
            self._stop(self.app)
            self.processes.remove(self.app)
            self.app = None

    # -- talking to the client ----------------------------------------------------------
    def ask(self, cmd: str, **args) -> dict:
        """Send a command to the client (see atspi_client.py) and wait for its answer."""
        assert self.client is not None and self.client.stdin is not None
        if self.app is not None and self.app.poll() is not None:
            log = (self.work / "app.log").read_text(errors="replace")[-3000:]
            raise SessionError(f"the application exited ({self.app.returncode}):\n{log}")
        self.client.stdin.write(json.dumps({"cmd": cmd, **args}) + "\n")
        self.client.stdin.flush()
        # The client's own waits are bounded by the command's timeout; allow it more.
        limit = args.get("timeout", 60) * args.get("max", 1) + START_TIMEOUT
        answer = json.loads(_read_line(self.client.stdout, limit, f"the client ({cmd})"))
        if "error" in answer:
            raise SessionError(f"{cmd}: {answer['error']}")
        return answer

    def keys(self, *keys: str) -> None:
        self.ask("keys", keys=list(keys))

    # -- stopping -----------------------------------------------------------------------
    def _stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 15)):
                try:
                    os.killpg(process.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    process.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        for stream in (process.stdin, process.stdout, self.logs.pop(process.pid, None)):
            if stream is not None:
                stream.close()

    def stop(self) -> None:
        for process in reversed(self.processes):
            self._stop(process)
        self.processes.clear()
