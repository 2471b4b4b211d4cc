"""Sign-in to the main window painted, for every role, on the scale stores (review
requests as real saves make them), beside the same sign-in and a bare window."""

from __future__ import annotations

import pytest

from infoshare_desktop.demo import DEMO_USERS
from tests.benchmarks import work
from tests.benchmarks.ab import compare


@pytest.mark.real_kdf
@pytest.mark.parametrize("username", list(DEMO_USERS))
def test_scale_sign_in_to_main_window(benchmark, qapp, scale_store, username):
    run, floor, name = work.sign_in_to_main_window(scale_store.paths, username)
    role = username.removeprefix("demo.")
    compare(
        benchmark,
        work=run,
        floor=floor,
        floor_name=name,
        rounds=1 if scale_store.records >= 1_000_000 else 3,
        labels={"work": f"sign-in to main window ({role})", "size": scale_store.size},
    )
