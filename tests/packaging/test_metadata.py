"""The package's declarations agree with the tree and with each other (fast checks; the
slow tests in this folder build and install the real artefacts)."""

from __future__ import annotations

import tomllib
import xml.etree.ElementTree as ET
from importlib.metadata import version
from pathlib import Path

import infoshare_desktop
from infoshare_desktop.ui.common import theme

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
METAINFO = REPO / "packaging" / "uk.infoshare.InfoShareDesktop.metainfo.xml"


def _dotted(folder: Path, base: Path, prefix: str) -> str:
    return ".".join([prefix, *folder.relative_to(base).parts])


def test_the_package_list_names_every_package_and_resource_folder():
    code = REPO / "infoshare_desktop"
    resources = REPO / "resources"
    on_disk = {
        _dotted(init.parent, code, "infoshare_desktop") for init in code.rglob("__init__.py")
    }
    on_disk |= {
        _dotted(d, resources, "infoshare_desktop.resources")
        for d in [resources, *resources.rglob("*")]
        if d.is_dir() and d.name != "__pycache__"
    }
    assert set(PYPROJECT["tool"]["setuptools"]["packages"]) == on_disk


def test_one_version_everywhere():
    current = infoshare_desktop.__version__
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert version("infoshare-desktop") == current, "reinstall: make install"
    releases = ET.parse(METAINFO).getroot().find("releases")
    assert releases is not None
    assert releases[0].get("version") == current, "add the release to the metainfo"


def test_resources_are_read_from_the_package_not_from_beside_it():
    # In the checkout (editable install) the package is mapped onto resources/.
    assert theme.RESOURCES.joinpath("themes", "base.qss").read_text(encoding="utf-8")
    assert Path(str(theme.APP_ICON)).is_file()
    walking_up = [
        str(path.relative_to(REPO))
        for path in (REPO / "infoshare_desktop").rglob("*.py")
        if "parents[" in path.read_text(encoding="utf-8")
    ]
    assert not walking_up
