"""What can be checked on Linux of the Windows build.

- No module imports a POSIX-only module (fcntl, resource, pwd, grp, termios...), or calls
  a POSIX-only or POSIX-meaning function (os.chmod, os.getuid, os.fork, signal.SIGKILL...),
  where Windows would run it: at module level, or in a function, outside a platform guard
  (`if sys.platform ...`, `if os.name ...`, `if POSIX`, or `try: ... except ImportError`).
- The default data folder under a simulated Windows platformdirs is %APPDATA%.
- With the platform guards on their Windows branch, a store is created, reopened and
  backed up (no POSIX permission call, no folder sync).
"""

from __future__ import annotations

import ast
import os
import stat
from pathlib import Path

import platformdirs
import pytest
from platformdirs import windows

from infoshare_desktop import paths as data_paths
from infoshare_desktop.services import accounts, maintenance
from infoshare_desktop.store import files
from tests.conftest import ADMIN, ADMIN_PASSWORD

REPO = Path(__file__).resolve().parents[2]
POSIX_ONLY = {
    "fcntl", "resource", "pwd", "grp", "termios", "tty", "pty", "posix", "crypt", "spwd",
    "syslog", "curses", "readline", "_posixsubprocess", "posix_ipc",
}  # fmt: skip
#: Absent on Windows, or (os.chmod) meaning something else there: only the read-only flag.
POSIX_CALLS = {
    "os.chmod", "os.fchmod", "os.lchmod", "os.chown", "os.fchown", "os.getuid", "os.geteuid",
    "os.getgid", "os.fork", "os.setsid", "os.killpg", "os.mkfifo", "os.statvfs", "os.sync",
    "os.O_DIRECTORY", "os.O_NOFOLLOW", "signal.SIGKILL", "signal.SIGHUP", "signal.SIGUSR1",
    "signal.alarm",
}  # fmt: skip
PLATFORM_TESTS = ("sys.platform", "os.name", "platform.system", "IS_WINDOWS", "POSIX")


def _is_platform_test(node: ast.AST) -> bool:
    return any(name in ast.unparse(node) for name in PLATFORM_TESTS)


def _catches_import_error(node: ast.Try) -> bool:
    for handler in node.handlers:
        if handler.type is None:
            return True
        names = ast.unparse(handler.type)
        if "ImportError" in names or "ModuleNotFoundError" in names:
            return True
    return False


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name.split(".")[0] for a in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return [node.module.split(".")[0]]
    return []


def _posix_calls(*nodes: ast.AST) -> list[tuple[int, str]]:
    return [
        (n.lineno, name)
        for node in nodes
        for n in ast.walk(node)
        if isinstance(n, ast.Attribute) and (name := ast.unparse(n)) in POSIX_CALLS
    ]


COMPOUND = (
    ast.If,
    ast.Try,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.With,
    ast.For,
    ast.While,
)


def unguarded_posix_uses(source: str) -> list[tuple[int, str]]:
    """(line, name) of each POSIX-only import or call that Windows would execute."""
    found: list[tuple[int, str]] = []

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            found.extend((node.lineno, m) for m in _imported(node) if m in POSIX_ONLY)
            if not isinstance(node, COMPOUND):
                found.extend(_posix_calls(node))
            elif isinstance(node, ast.With):
                found.extend(_posix_calls(*node.items))
            elif isinstance(node, ast.For):
                found.extend(_posix_calls(node.iter))
            elif isinstance(node, ast.While):
                found.extend(_posix_calls(node.test))
            if isinstance(node, ast.If):
                if not _is_platform_test(node.test):
                    visit(node.body)
                    visit(node.orelse)
            elif isinstance(node, ast.Try):
                if not _catches_import_error(node):
                    visit(node.body)
                for part in (node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                    visit(part)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                # A function that checks the platform first (early return) guards itself.
                if not any(isinstance(s, ast.If) and _is_platform_test(s.test) for s in node.body):
                    visit(node.body)
            elif isinstance(node, ast.ClassDef | ast.With | ast.For | ast.While):
                visit(node.body)
                visit(getattr(node, "orelse", []))

    visit(ast.parse(source).body)
    return found


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import fcntl", [(1, "fcntl")]),
        ("import os, resource", [(1, "resource")]),
        ("from pwd import getpwuid", [(1, "pwd")]),
        ("def f():\n    import termios", [(2, "termios")]),
        ("class A:\n    import grp", [(2, "grp")]),
        ("if DEBUG:\n    import fcntl", [(2, "fcntl")]),
        ("try:\n    import fcntl\nexcept OSError:\n    pass", [(2, "fcntl")]),
        ("import sys\nif sys.platform != 'win32':\n    import fcntl", []),
        ("import os\nif os.name == 'posix':\n    import resource", []),
        ("try:\n    import fcntl\nexcept ImportError:\n    fcntl = None", []),
        ("def f():\n    if sys.platform == 'win32':\n        return\n    import resource", []),
        ("from . import resource", []),  # a module of our own, not the stdlib's
        ("import os\nimport json", []),
        ("os.chmod(p, 0o700)", [(1, "os.chmod")]),
        ("def f(p):\n    os.chmod(p, 0o600)", [(2, "os.chmod")]),
        ("def f(pid):\n    os.kill(pid, signal.SIGKILL)", [(2, "signal.SIGKILL")]),
        ("x = os.getuid() == 0", [(1, "os.getuid")]),
        ("if POSIX:\n    os.chmod(p, 0o700)", []),
        ("if os.name == 'posix':\n    os.chmod(p, 0o700)", []),
        ("os.replace(a, b)", []),
        ("with open(p) as f:\n    os.fchmod(f.fileno(), 0o600)", [(2, "os.fchmod")]),
    ],
)
def test_the_check_tells_guarded_from_unguarded(source, expected):
    assert unguarded_posix_uses(source) == expected


def _modules() -> list[Path]:
    found = sorted((REPO / "infoshare_desktop").rglob("*.py"))
    return [*found, REPO / "packaging" / "launch.py"]


def test_no_module_uses_a_posix_only_module_or_call_outside_a_guard():
    assert len(_modules()) > 50
    problems = [
        f"{path.relative_to(REPO)}:{line}: {name}"
        for path in _modules()
        for line, name in unguarded_posix_uses(path.read_text(encoding="utf-8"))
    ]
    assert not problems, "POSIX-only code Windows would run:\n" + "\n".join(problems)


@pytest.fixture
def simulated_windows(monkeypatch, tmp_path):
    """platformdirs as on Windows, with %APPDATA% and %LOCALAPPDATA% under tmp_path, and
    the store's platform guards on their Windows branch."""
    roaming, local = tmp_path / "AppData" / "Roaming", tmp_path / "AppData" / "Local"
    monkeypatch.setenv("APPDATA", str(roaming))
    monkeypatch.setenv("LOCALAPPDATA", str(local))
    monkeypatch.delenv(data_paths.ENV_DATA_DIR, raising=False)
    monkeypatch.setattr(platformdirs, "PlatformDirs", windows.Windows)
    monkeypatch.setattr(windows, "_RESOLVE_WIN_FOLDER", windows.get_win_folder_from_env_vars)
    monkeypatch.setattr(files, "POSIX", False)
    return roaming


def test_the_default_data_folder_on_windows_is_under_appdata(simulated_windows):
    chosen = data_paths.resolve()
    assert chosen.root == simulated_windows.resolve() / "InfoShareDesktop"
    assert chosen.database.parent == chosen.keystore.parent == chosen.root


def test_a_store_works_with_the_windows_branch_of_the_platform_guards(simulated_windows):
    where = data_paths.resolve()
    store = accounts.first_run(
        where, username=ADMIN, display_name="Ada Example", password=ADMIN_PASSWORD
    )
    maintenance.backup(store, dest=simulated_windows / "backup.infoshare")
    store.close()
    store = accounts.sign_in(where, username=ADMIN, password=ADMIN_PASSWORD)
    try:
        assert maintenance.verify(store).ok
    finally:
        store.close()
    assert where.database.is_file() and (simulated_windows / "backup.infoshare").is_file()


@pytest.mark.parametrize(
    ("posix", "folder_mode", "file_mode"), [(True, 0o700, 0o600), (False, 0o755, 0o644)]
)
def test_owner_only_sets_posix_modes_only_on_posix(
    monkeypatch, tmp_path, posix, folder_mode, file_mode
):
    monkeypatch.setattr(files, "POSIX", posix)
    folder, file = tmp_path / "folder", tmp_path / "folder" / "file"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    file.write_bytes(b"x")
    os.chmod(file, 0o644)
    files.owner_only(folder)
    files.owner_only(file)
    assert stat.S_IMODE(folder.stat().st_mode) == folder_mode
    assert stat.S_IMODE(file.stat().st_mode) == file_mode


def test_folder_sync_is_skipped_where_a_folder_cannot_be_opened(monkeypatch, tmp_path):
    missing = tmp_path / "not-there"
    with pytest.raises(FileNotFoundError):
        files.fsync_dir(missing)  # POSIX: the folder itself is opened and synced
    monkeypatch.setattr(files, "POSIX", False)
    files.fsync_dir(missing)  # Windows: nothing is opened
