"""Build the self-contained application folder with PyInstaller, from the wheel.

    python packaging/freeze.py [--out build/package]

Builds the wheel (`python -m build --wheel`), installs it with its `package` extra
(PyInstaller) into a build
venv (kept under OUT and reused: only the wheel is reinstalled), then freezes
packaging/infoshare-desktop.spec with that venv, so the folder holds exactly what the
wheel installs. Prints the folder's path. Runs on Linux and on Windows (each builds its
own platform's folder); uses only the standard library.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "infoshare-desktop.spec"


def _run(*args: str | Path, cwd: Path | None = None) -> None:
    subprocess.run([str(a) for a in args], check=True, cwd=cwd)


def _venv_python(folder: Path) -> Path:
    scripts = folder / ("Scripts" if sys.platform == "win32" else "bin")
    return scripts / ("python.exe" if sys.platform == "win32" else "python")


def freeze(out: Path) -> Path:
    wheels = out / "wheel"
    for old in wheels.glob("*.whl"):
        old.unlink()
    _run(sys.executable, "-m", "build", "--wheel", "--outdir", wheels, ROOT)
    (wheel,) = wheels.glob("*.whl")
    env_dir = out / "venv"
    python = _venv_python(env_dir)
    if not python.exists():
        venv.create(env_dir, with_pip=True)
    _run(python, "-m", "pip", "install", "--quiet", "--force-reinstall", "--no-deps", wheel)
    # Its dependencies and PyInstaller (the `package` extra), when missing or changed.
    _run(python, "-m", "pip", "install", "--quiet", f"{wheel}[package]")
    dist = out / "dist"
    # Run from OUT: from the checkout, `python -m` would find its infoshare_desktop/
    # folder before the installed package (which alone holds resources/).
    _run(
        python, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
        "--distpath", dist, "--workpath", out / "work", SPEC, cwd=out,
    )  # fmt: skip
    return dist / "infoshare-desktop"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "package")
    folder = freeze(parser.parse_args().out.resolve())
    print(folder)


if __name__ == "__main__":
    main()
