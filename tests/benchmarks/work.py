"""What a user waits for, and its fair floor, on any demo store: shared by the
benchmarks of `make bench` (tests/benchmarks/test_bench_maintenance.py) and the scale
benchmarks of `make bench-scale` (tests/benchmarks/scale/).

Each function returns ``(work, floor, floor_name)`` for ``ab.compare``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from infoshare_desktop.demo import DEMO_PASSWORD
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.store.core import Store

Pair = tuple[Callable[[], object], Callable[[], object], str]


def copy_with_fsync(src: Path, dest: Path) -> None:
    """A plain copy of a file, flushed to disk: the floor of backup, restore and rotation."""
    with open(src, "rb") as source, open(dest, "wb") as target:
        shutil.copyfileobj(source, target, 1 << 20)
        target.flush()
        os.fsync(target.fileno())
    dest.unlink()


def sign_in_to_main_window(paths: DataPaths, username: str) -> Pair:
    """Sign in and the main window shown and painted as the application builds it (its
    review pages installed), then the navigation's counts read just after the first
    paint and painted too (the window does not answer until they are), beside the same
    sign-in and a bare QMainWindow painted (what the application adds over unlocking)."""
    from PySide6.QtWidgets import QApplication, QMainWindow

    from infoshare_desktop.services import accounts
    from infoshare_desktop.ui.main_window import MainWindow
    from infoshare_desktop.ui.review import install_review_pages

    def work() -> None:
        store = accounts.sign_in(paths, username=username, password=DEMO_PASSWORD)
        window = MainWindow(store)
        install_review_pages(window, window.session)
        window.resize(1366, 768)
        window.show()
        QApplication.processEvents()
        window.grab()
        QApplication.processEvents()  # the counts, queued by the first paint
        window.grab()
        window.close()
        window.deleteLater()
        QApplication.processEvents()
        store.close()

    def floor() -> None:
        store = accounts.sign_in(paths, username=username, password=DEMO_PASSWORD)
        window = QMainWindow()
        window.resize(1366, 768)
        window.show()
        QApplication.processEvents()
        window.grab()
        window.close()
        window.deleteLater()
        QApplication.processEvents()
        store.close()

    return work, floor, "the same sign-in and a bare QMainWindow painted"


def verify(store: Store, *, full: bool) -> Pair:
    """A whole verify (every page, entry and envelope) beside a bare integrity_check; or a
    verify of a store this user has verified (only what is new: here, the previous
    round's "verified" entry) beside reading the newest audit entry and envelope."""
    from infoshare_desktop.services import maintenance
    from infoshare_desktop.store.engine import raw_connect

    def integrity() -> None:
        conn = raw_connect(store.paths.database, store.keys.current_key)
        try:
            conn.execute("PRAGMA integrity_check").fetchall()
        finally:
            conn.close()

    def newest() -> None:
        with store.read() as session:
            raw = session.connection().connection.dbapi_connection
            raw.execute("SELECT * FROM audit_event ORDER BY seq DESC LIMIT 1").fetchall()
            raw.execute("SELECT * FROM envelope ORDER BY pos DESC LIMIT 1").fetchall()

    if full:
        return (
            lambda: maintenance.verify(store, full=True),
            integrity,
            "bare PRAGMA integrity_check",
        )
    if not maintenance.verify(store).ok:  # the clean verify the next ones start from
        raise AssertionError("the benchmark store does not verify")
    return lambda: maintenance.verify(store), newest, "reading the newest entry and envelope"


def backup(store: Store, folder: Path) -> Pair:
    from infoshare_desktop.services import maintenance

    def work() -> None:
        dest = folder / "bench.isbackup"
        maintenance.backup(store, dest=dest)
        dest.unlink()

    return (
        work,
        lambda: copy_with_fsync(store.paths.database, folder / "copy.db"),
        "file copy + fsync",
    )


def rotation(store: Store, folder: Path) -> Pair:
    from infoshare_desktop.services import accounts

    return (
        lambda: accounts.rotate_key(store),
        lambda: copy_with_fsync(store.paths.database, folder / "copy.db"),
        "file copy + fsync",
    )


def restore(paths: DataPaths, username: str, backup_file: Path, folder: Path) -> Pair:
    """Restore a backup of the store over it (run `drop_replaced` untimed between
    rounds: a restore keeps the store it replaced)."""
    from infoshare_desktop.services import maintenance

    return (
        lambda: maintenance.restore(
            paths, src=backup_file, username=username, password=DEMO_PASSWORD
        ).close(),
        lambda: copy_with_fsync(paths.database, folder / "copy.db"),
        "file copy + fsync",
    )


def drop_replaced(paths: DataPaths) -> None:
    """Delete the copies restores kept of the stores they replaced."""
    for kept in paths.backups.glob("replaced-*"):
        shutil.rmtree(kept)
