"""Verify, backup, key rotation and restore on the scale stores, beside bare integrity_check and
a plain copy with fsync (one round each from 100k: minutes each on a shared machine).
``INFOSHARE_SCALE_MAINTENANCE_SIZES=10k,100k`` runs them at those sizes only (the rest
of the table still at every size asked), e.g. to leave them out at 1M."""

from __future__ import annotations

import os

import pytest

from tests.benchmarks import work
from tests.benchmarks.ab import compare

MAINTENANCE_SIZES = "INFOSHARE_SCALE_MAINTENANCE_SIZES"


@pytest.fixture(autouse=True)
def _only_at_the_sizes_asked(size):
    asked = os.environ.get(MAINTENANCE_SIZES)
    if asked is not None and size not in {s.strip() for s in asked.split(",")}:
        pytest.skip(f"maintenance not asked at {size} ({MAINTENANCE_SIZES}={asked})")


def _rounds(scale_store) -> int:
    return 1 if scale_store.records >= 100_000 else 3


def test_scale_verify(benchmark, scale_store, admin):
    """The whole verify (`--full`, Verify the whole store)."""
    run, floor, name = work.verify(admin, full=True)
    compare(
        benchmark,
        work=run,
        floor=floor,
        floor_name=name,
        rounds=_rounds(scale_store),
        warmup=0,
        labels={"work": "verify (whole)", "size": scale_store.size},
    )


def test_scale_verify_again(benchmark, scale_store, admin):
    """A verify of a store already verified (the default: only what is new)."""
    run, floor, name = work.verify(admin, full=False)
    compare(
        benchmark,
        work=run,
        floor=floor,
        floor_name=name,
        rounds=5,
        labels={"work": "verify, already verified", "size": scale_store.size},
    )


def test_scale_backup(benchmark, scale_store, admin, tmp_path):
    run, floor, name = work.backup(admin, tmp_path)
    compare(
        benchmark,
        work=run,
        floor=floor,
        floor_name=name,
        rounds=_rounds(scale_store),
        warmup=0,
        labels={"work": "backup", "size": scale_store.size},
    )


def test_scale_rotation(benchmark, scale_store, admin, tmp_path):
    """The store stays usable after (same passwords, a new data key)."""
    run, floor, name = work.rotation(admin, tmp_path)
    compare(
        benchmark,
        work=run,
        floor=floor,
        floor_name=name,
        rounds=_rounds(scale_store),
        warmup=0,
        labels={"work": "key rotation", "size": scale_store.size},
    )


def test_scale_restore(benchmark, scale_store, tmp_path):
    """A backup of the store restored over it (signed out, as at the sign-in screen); the
    store it replaced, which a restore keeps aside, is dropped between rounds, untimed."""
    from infoshare_desktop.demo import DEMO_PASSWORD
    from infoshare_desktop.services import accounts, maintenance

    backup_file = tmp_path / "scale.isbackup"
    store = accounts.sign_in(scale_store.paths, username="demo.admin", password=DEMO_PASSWORD)
    try:
        maintenance.backup(store, dest=backup_file)
    finally:
        store.close()
    run, floor, name = work.restore(scale_store.paths, "demo.admin", backup_file, tmp_path)
    try:
        compare(
            benchmark,
            work=run,
            floor=floor,
            floor_name=name,
            prepare=lambda: work.drop_replaced(scale_store.paths),
            rounds=_rounds(scale_store),
            warmup=0,
            labels={"work": "restore", "size": scale_store.size},
        )
    finally:
        work.drop_replaced(scale_store.paths)
