"""The architecture and the code style are part of the tests: layers (import-linter) and
ruff, run the way a developer would run them."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = BIN / name
    return str(found) if found.exists() else (shutil.which(name) or name)


def test_layers_are_kept():
    result = subprocess.run(
        [_tool("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_finds_nothing():
    result = subprocess.run(
        [_tool("ruff"), "check", "infoshare_desktop", "tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


#: Modules outside store/ still allowed to query the database themselves, and why.
SQL_OUTSIDE_THE_STORE = {
    # Accounts are being rebuilt as signed grants (issue 12); their queries move then.
    "services/accounts.py",
}
_SQL_TEXT = re.compile(
    r"\b(SELECT\b.*\bFROM|INSERT\s+(OR\s+\w+\s+)?INTO|DELETE\s+FROM|UPDATE\s+\w+\s+SET|"
    r"CREATE\s+(TABLE|INDEX|TRIGGER|VIRTUAL)|PRAGMA\s+\w+|WITH\s+\w+\s+AS)\b",
    re.DOTALL,
)
_QUERY_CALLS = {"select", "text", "exec_driver_sql", "execute", "executemany", "exec"}


def _sql_in(path: Path, calls: set[str] = _QUERY_CALLS) -> list[str]:
    """Where a module has SQL text in a string or calls a query function."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if _SQL_TEXT.search(node.value):
                found.append(f"line {node.lineno}: SQL text {node.value[:40]!r}")
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if isinstance(func, ast.Attribute) and name == "text":
                continue  # sqlalchemy's text() is called bare; x.text() is a method
            if name in calls:
                found.append(f"line {node.lineno}: {name}(...)")
    return found


def test_the_store_holds_every_sql_statement():
    """No module outside store/ writes SQL or calls select()/text()/execute() itself:
    services keep the use case, store/'s repositories the queries. (Importing
    sqlalchemy or sqlmodel outside store/ is refused by an import-linter contract.)"""
    package = ROOT / "infoshare_desktop"
    offenders = {}
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).as_posix()
        if relative.startswith("store/") or relative in SQL_OUTSIDE_THE_STORE:
            continue
        # In ui/, exec() and text() are Qt's (and ui/ cannot import sqlmodel at all).
        calls = set() if relative.startswith("ui/") else _QUERY_CALLS
        if found := _sql_in(path, calls):
            offenders[relative] = found
    assert offenders == {}


def test_the_sql_check_sees_sql():
    """The check above finds what it looks for (so its passing means something)."""
    store = ROOT / "infoshare_desktop" / "store"
    assert any("SQL text" in line for line in _sql_in(store / "search.py"))
    assert any("execute(" in line for line in _sql_in(store / "records.py"))
    assert any("select(" in line for line in _sql_in(store / "cases.py"))
    assert _sql_in(ROOT / "infoshare_desktop" / "domain" / "enums.py") == []
