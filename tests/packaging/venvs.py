"""Fresh virtual environments outside the checkout, for the installation tests.

What does not change between runs is cached under ``$INFOSHARE_TEST_CACHE`` (default
``~/.cache/infoshare-desktop-tests``): a folder of dependency wheels keyed by the exact
requirements, and the previous release's environment keyed by its commit. Each cache
entry is built in a temporary folder and renamed into place, so two test workers never
see a half-built one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CACHE_ENV = "INFOSHARE_TEST_CACHE"
TIMEOUT = 900  # seconds; generous, for a loaded two-core machine with a cold pip cache


def cache_root() -> Path:
    root = os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "infoshare-desktop-tests"
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


def run(args: Sequence[str | os.PathLike[str]], **kwargs) -> subprocess.CompletedProcess[str]:
    """Run a command, failing with its output (not just its exit code) if it fails."""
    kwargs.setdefault("timeout", TIMEOUT)
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, check=False, **kwargs
    )
    if done.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, args))} exited {done.returncode}\n"
            f"--- stdout\n{done.stdout[-4000:]}\n--- stderr\n{done.stderr[-4000:]}"
        )
    return done


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a program in a test venv: no PYTHONPATH, no data-folder override,
    offscreen Qt."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "INFOSHARE_"))}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.update(extra)
    return env


def new_venv(where: Path) -> Path:
    """A new venv at `where` (from the interpreter running the tests); returns its python."""
    run([sys.executable, "-m", "venv", where])
    return where / "bin" / "python"


def _publish(build: Path, final: Path) -> Path:
    """Rename a finished cache entry into place; keep the other worker's if it won."""
    try:
        build.rename(final)
    except OSError:
        if not final.exists():
            raise
        shutil.rmtree(build, ignore_errors=True)
    return final


def _key(*parts: str) -> str:
    text = "\n".join([sys.version, sys.platform, *parts])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def wheelhouse(requirements: Sequence[str]) -> Path:
    """A folder of wheels that satisfies `requirements` (built once per requirement set)."""
    final = cache_root() / f"wheels-{_key(*sorted(requirements))}"
    if final.is_dir():
        return final
    build = final.with_name(f"{final.name}.tmp-{uuid.uuid4().hex[:8]}")
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--wheel-dir", build, *requirements])
    return _publish(build, final)


def install_offline(python: Path, target: Path, wheels: Path) -> None:
    """Install a wheel (or a source folder) with its dependencies from `wheels` only."""
    run([python, "-m", "pip", "install", "--quiet", "--no-index", "--find-links", wheels, target])


def cached_venv(name: str, install: Sequence[str]) -> Path:
    """A venv under the cache with `install` (pip arguments) installed once; its python.

    The venv is built in a temporary folder and renamed, so use it through its python
    (``python -m ...``): console scripts keep the temporary folder in their first line.
    """
    final = cache_root() / name
    if (final / "bin" / "python").exists():
        return final / "bin" / "python"
    build = final.with_name(f"{final.name}.tmp-{uuid.uuid4().hex[:8]}")
    python = new_venv(build)
    run([python, "-m", "pip", "install", "--quiet", *install])
    return _publish(build, final) / "bin" / "python"
