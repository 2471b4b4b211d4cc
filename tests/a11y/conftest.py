"""The accessibility suite: the real application under Xvfb, read by a real AT-SPI client.

One private desktop per module (see `session.py`); it is stopped even when a test fails.
"""

from __future__ import annotations

import pytest

from tests.a11y.session import DEBIAN_PACKAGES, Desktop, missing_prerequisites


@pytest.fixture(scope="module")
def desktop(tmp_path_factory):
    missing = missing_prerequisites()
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (Debian: {DEBIAN_PACKAGES})")
    session = Desktop(tmp_path_factory.mktemp("a11y"))
    try:
        session.start()
        yield session
    finally:
        session.stop()
