"""Shared fixtures. Qt runs offscreen; Argon2id is made cheap except where a test asks
for the production cost (`@pytest.mark.real_kdf`); hypothesis has no speed limits."""

from __future__ import annotations

import os
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import shiboken6
from hypothesis import HealthCheck, settings

from infoshare_desktop.paths import DataPaths

# No hypothesis check may depend on the machine's speed: no per-example deadline, and no
# failure because generating examples was slow on a loaded machine.
settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")

ADMIN = "admin.one"
ADMIN_PASSWORD = "plum orchard lantern"  # fictional, not a common password


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "real_kdf: use the production Argon2id cost")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> object:
    """pytest-qt closes each widget a test gave ``qtbot.addWidget``, unless its Python
    object is gone. A dialog that deletes itself when closed (the print options, the lock
    screen) can be gone on the C++ side while something still holds its Python object, and
    ``close()`` then raises and fails the test and the next one (CI saw it). Such a widget
    counts as gone: it is already closed."""
    widgets = getattr(item, "qt_widgets", None)
    if widgets:
        item.qt_widgets = [(_while_alive(ref), close) for ref, close in widgets]  # type: ignore[attr-defined]
    return (yield)


def _while_alive(ref: Callable[[], object]) -> Callable[[], object]:
    """``ref`` as pytest-qt reads it when it closes (after it has processed events), but
    None once Qt has deleted the widget."""

    def widget() -> object:
        found = ref()
        return found if found is not None and shiboken6.isValid(found) else None

    return widget


@pytest.fixture(autouse=True)
def _fast_kdf(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("real_kdf"):
        return
    from infoshare_desktop.store import keyslots as keystore

    monkeypatch.setattr(keystore, "DEFAULT_KDF", {"memory_kib": 1024, "iterations": 1, "lanes": 1})


@pytest.fixture
def data_paths(tmp_path) -> DataPaths:
    return DataPaths(tmp_path / "data")


@pytest.fixture
def admin_store(data_paths):
    """A new store with one administrator, signed in."""
    from infoshare_desktop.services import accounts

    store = accounts.first_run(
        data_paths, username=ADMIN, display_name="Alex Example (Admin)", password=ADMIN_PASSWORD
    )
    yield store
    store.close()
