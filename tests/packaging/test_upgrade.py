"""A store written by the previous release opens with the current code, intact.

The previous release (tag v0.1.0, commit 3bf1185) is taken from this repository's git
history with `git archive`, installed into a cached venv, and run in its own process to
write a store (tests/packaging/release_store.py). The current code then opens that store
(migrating it if the schema moved on) and must show the same accounts, the same records
in every case, and an audit trail whose whole chain, old entries included, verifies.

Without the history (a shallow clone, a source archive) the test FAILS and says how to
fetch it; set INFOSHARE_SKIP_UPGRADE_TEST=1 to skip it on purpose.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import tarfile

import pytest

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.services import accounts, cases, maintenance
from tests.packaging.venvs import REPO, cache_root, cached_venv, clean_env, run

pytestmark = [pytest.mark.slow, pytest.mark.real_kdf]

RELEASE_TAG = "v0.1.0"
RELEASE_COMMIT = "3bf1185753959a3a94f14e68d327529b80c88e87"
SKIP_ENV = "INFOSHARE_SKIP_UPGRADE_TEST"
DEMO_PASSWORD = "demo store passphrase"  # the 0.1.0 demo store's


def _git(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, check=False)


def _release_commit() -> str:
    """The released commit, from the tag if present, else by its hash; fails if neither."""
    tagged = _git("rev-parse", "--verify", "--quiet", f"{RELEASE_TAG}^{{commit}}")
    if tagged.returncode == 0:
        commit = tagged.stdout.decode().strip()
        assert commit == RELEASE_COMMIT, f"tag {RELEASE_TAG} moved: it names {commit}"
        return commit
    if _git("cat-file", "-e", f"{RELEASE_COMMIT}^{{commit}}").returncode == 0:
        return RELEASE_COMMIT
    shallow = _git("rev-parse", "--is-shallow-repository").stdout.decode().strip()
    pytest.fail(
        f"The previous release ({RELEASE_TAG}, commit {RELEASE_COMMIT[:7]}) is not in this "
        f"checkout's git history (shallow clone: {shallow or 'not a git checkout'}), so the "
        "upgrade from it cannot be tested. Fetch it (`git fetch --unshallow --tags`), or "
        f"set {SKIP_ENV}=1 to skip this test on purpose."
    )


@pytest.fixture(scope="module")
def release_python():
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"{SKIP_ENV}=1: the upgrade from {RELEASE_TAG} is not tested")
    commit = _release_commit()
    source = cache_root() / f"source-{commit[:12]}"
    if not (source / "pyproject.toml").exists():
        archive = _git("archive", "--format=tar", commit)
        assert archive.returncode == 0, archive.stderr.decode()
        source.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tf:
            tf.extractall(source, filter="data")
    return cached_venv(f"release-{commit[:12]}", [str(source)])


def test_a_store_written_by_the_previous_release_opens_intact(release_python, tmp_path):
    data = tmp_path / "data"
    script = REPO / "tests" / "packaging" / "release_store.py"
    written = run([release_python, script, data], cwd=tmp_path, env=clean_env())
    old = json.loads(written.stdout)
    assert old["verified"] and old["audit_entries"] > 0
    assert sum(len(ids) for ids in old["records"].values()) == 12

    paths = DataPaths(data)
    admin = accounts.sign_in(paths, username="demo.admin", password=DEMO_PASSWORD)
    try:
        users = sorted(
            [u.username, u.display_name, sorted(u.roles), str(u.status)]
            for u in accounts.list_users(admin)
        )
        assert users == old["users"]
        assert all(set(Role) == set(roles) for name, _, roles, _ in users if name == "demo.admin")
        records = {
            c.case_reference: [e.record_id for e in cases.chronology(admin, case_id=c.case_id)]
            for c in cases.list_cases(admin)
        }
        assert records == old["records"]
        checked = maintenance.verify(admin)
        assert checked.ok, checked.lines()
        assert checked.audit_macs_checked
        # Every entry the old release wrote (and its own verify), then this sign-in's.
        assert checked.audit_entries > old["audit_entries"]
    finally:
        admin.close()
    # The password changed under the old release still opens that user's key slot.
    accounts.sign_in(paths, username="demo.practitioner", password=old["new_password"]).close()
