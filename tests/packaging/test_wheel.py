"""The wheel from `python -m build`, installed as a user would: in a new venv, outside the
checkout, with nothing from the checkout on the path.

It starts, applies its themes, creates a store from the command line and prints a case
summary with the fonts it ships. The wheel is built from the sdist (what `python -m build`
does), so the sdist is checked too. Dependency wheels are cached (tests/packaging/venvs.py).
"""

from __future__ import annotations

import json
import sys
import tarfile
import zipfile
from email.parser import Parser
from importlib.metadata import version
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.packaging.venvs import REPO, clean_env, install_offline, new_venv, run, wheelhouse

pytestmark = pytest.mark.slow

RESOURCES = sorted(
    p.relative_to(REPO / "resources").as_posix()
    for p in (REPO / "resources").rglob("*")
    if p.is_file() and p.suffix in {".qss", ".svg", ".ttf", ".txt"}
)
PASSWORD = "quartz meadow harbour"  # fictional


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--outdir", out, REPO], cwd=REPO, env=clean_env())
    return out


def _requirements(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(zf.read(name).decode())
    return [r for r in metadata.get_all("Requires-Dist") or [] if "extra ==" not in r]


def _fonts(pdf: Path) -> dict[str, bool]:
    """Each font the PDF uses, and whether its program is embedded."""
    found: dict[str, bool] = {}
    for page in PdfReader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            embedded = descriptor is not None and "/FontFile2" in descriptor.get_object()
            found[str(font["/BaseFont"])] = embedded
    return found


def test_sdist_and_wheel_carry_the_resources(dist):
    (sdist,) = dist.glob("*.tar.gz")
    (wheel,) = dist.glob("*.whl")
    with tarfile.open(sdist) as tf:
        in_sdist = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    with zipfile.ZipFile(wheel) as zf:
        in_wheel = set(zf.namelist())
    assert RESOURCES, "resources/ has no themes, icons or fonts"
    for name in RESOURCES:
        assert f"resources/{name}" in in_sdist
        assert f"infoshare_desktop/resources/{name}" in in_wheel
    assert f"-{version('infoshare-desktop')}-" in wheel.name


def test_installed_wheel_starts_creates_a_store_and_prints_with_its_fonts(dist, tmp_path):
    (wheel,) = dist.glob("*.whl")
    python = new_venv(tmp_path / "venv")
    install_offline(python, wheel, wheelhouse(_requirements(wheel)))
    app = python.parent / "infoshare-desktop"
    elsewhere = tmp_path / "elsewhere"  # not the checkout: nothing importable from there
    elsewhere.mkdir()
    env = clean_env()

    shown = run([app, "--version"], cwd=elsewhere, env=env)
    assert shown.stdout.strip() == f"infoshare-desktop {version('infoshare-desktop')}"

    # The window: themes applied, the first-run dialog painted, then quit.
    data = tmp_path / "data"
    started = run(
        [app, "--data-dir", data],
        cwd=elsewhere,
        env=clean_env(INFOSHARE_QUIT_AFTER_FIRST_PAINT="1"),
    )
    assert "Traceback" not in started.stderr

    created = run(
        [app, "init", "--data-dir", data, "--user", "admin.one", "--password-stdin"],
        cwd=elsewhere,
        env=env,
        input=PASSWORD + "\n",
    )
    assert "Created a new store" in created.stdout

    pdf = tmp_path / "summary.pdf"
    script = Path(__file__).with_name("print_summary.py")
    printed = run(
        [python, script, data, "admin.one", pdf], cwd=elsewhere, env=env, input=PASSWORD + "\n"
    )
    where = json.loads(printed.stdout)
    site = tmp_path / "venv" / "lib"
    assert Path(where["package"]).is_relative_to(site)
    assert Path(where["resources"]).is_relative_to(site)

    fonts = _fonts(pdf)
    assert fonts, "the summary uses no font"
    assert {name.split("+", 1)[-1] for name in fonts} == {"DejaVuSans", "DejaVuSans-Bold"}
    assert all(fonts.values()), f"a font is not embedded: {fonts}"
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert where["case_reference"] in text
