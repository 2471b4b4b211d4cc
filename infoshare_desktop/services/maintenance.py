"""Verification, backup and restore, for administrators and the command line."""

from __future__ import annotations

import contextlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.services import sealed
from infoshare_desktop.services.access import require, signed_in
from infoshare_desktop.store import audit, envelopes, leftovers, sigcheck
from infoshare_desktop.store.audit import Action
from infoshare_desktop.store.backup import RestorePlan as RestorePlan  # shown by the interface
from infoshare_desktop.store.backup import (
    plan_restore,
    restore_backup,
    write_backup,
)
from infoshare_desktop.store.core import Store
from infoshare_desktop.store.engine import raw_connect
from infoshare_desktop.store.grants import Trust
from infoshare_desktop.store.progress import Progress, Stages, StopCheck, check_stop
from infoshare_desktop.store.snapshot import integrity_problems


@dataclass
class VerificationResult:
    integrity: list[str] = field(default_factory=list)
    audit_entries: int = 0
    #: Entries 1 to this one were checked by an earlier verify of this user (0: none).
    audit_after: int = 0
    #: The last entry checked (sequence number, hash), for the signed check.
    audit_head: tuple[int, bytes] = (0, b"")
    #: SQLite's and SQLCipher's checks of every page ran (a full or first verify).
    integrity_checked: bool = True
    audit_macs_checked: bool = False
    audit_signatures_checked: int = 0
    #: Entries before this one were carried over from a store without signatures.
    audit_signed_from: int | None = None
    audit_problems: list[str] = field(default_factory=list)
    audit_notes: list[str] = field(default_factory=list)
    #: Grants that do not verify, rows and key slots no grant supports.
    grant_problems: list[str] = field(default_factory=list)
    grants_checked: int = 0
    root_fingerprint: str | None = None
    #: Restricted cases' members wait for an administrator's sign-in to be signed.
    members_pending: bool = False
    #: The signed envelopes (see store.envelopes): what was checked and what is wrong.
    envelopes: envelopes.EnvelopeReport = field(default_factory=envelopes.EnvelopeReport)

    @property
    def ok(self) -> bool:
        return (
            not self.integrity
            and not self.audit_problems
            and not self.grant_problems
            and self.envelopes.ok
        )

    def lines(self) -> list[str]:
        if self.integrity_checked:
            out = ["Database integrity: " + ("ok" if not self.integrity else "FAILED")]
        else:
            out = [
                "Database integrity: not checked this time (a verify of the whole store "
                "checks every page)"
            ]
        out += [f"  {p}" for p in self.integrity]
        if self.root_fingerprint is not None:
            state = "ok" if not self.grant_problems else "FAILED"
            out.append(f"Signed accounts: {self.grants_checked} grants: {state}")
            out.append(f"  Root of trust: {self.root_fingerprint}")
        else:
            out.append("Signed accounts: none yet (an administrator's sign-in carries them over)")
        out += [f"  {p}" for p in self.grant_problems]
        if self.members_pending:
            out.append(
                "Restricted-case members: not yet signed (an administrator's sign-in carries "
                "them over)"
            )
        how = ["hashes"]
        if self.audit_signed_from is not None:
            how.append("signatures")
        how.append("MACs" if self.audit_macs_checked else "no MACs (they need an administrator)")
        state = "ok" if not self.audit_problems else "FAILED"
        since = (
            f", 1 to {self.audit_after} checked before, the {self.audit_entries - self.audit_after}"
            " since checked now"
            if self.audit_after
            else ""
        )
        out.append(f"Audit trail: {self.audit_entries} entries{since}, {', '.join(how)}: {state}")
        if self.audit_signed_from is not None and self.audit_signed_from > 1:
            out.append(
                f"  Entries 1 to {self.audit_signed_from - 1} were carried over from before "
                "signatures (checked by hash)"
            )
        out += [f"  {p}" for p in self.audit_problems]
        out += [f"  Note: {n}" for n in self.audit_notes]
        env = self.envelopes
        if env.active:
            state = "ok" if env.ok else "FAILED"
            what = (
                f"1 to {env.after} checked before, the {env.checked} since checked now"
                if env.after
                else f"all {env.checked} checked"
            )
            rebuilt = "tables rebuilt and compared"
            if env.triggered_checked:
                rebuilt += ", with the tables triggers keep"
            out.append(
                f"Saved items: {env.envelopes} signed envelopes, {what} (signatures, order,"
                f" {rebuilt}): {state}"
            )
            out += [f"  {p}" for p in env.problems]
            out += [f"  Note: {n}" for n in env.notes]
        else:
            out.append(
                "Saved items: not yet in envelopes (an administrator's sign-in carries them over)"
            )
        return out


def clean_leftovers(paths: DataPaths) -> int:
    """At start: remove what crashed backups, restores and writes left behind (only what
    is provably ours and abandoned). Returns how many items went; never raises for a
    folder it cannot write to."""
    return leftovers.clean_leftovers(paths)


def _integrity_beside(
    store: Store, *, whole: bool
) -> tuple[Future[list[str]], list[Any], ThreadPoolExecutor]:
    """SQLite's and SQLCipher's own checks (if `whole`), started on their own connection
    in a thread: they run in C with the GIL released, so they take the other core while
    the audit chain and the envelopes are checked here (the connection is kept for a
    cancel to interrupt it)."""
    opened: list[Any] = []

    def run() -> list[str]:
        if not whole:
            return []
        conn = raw_connect(store.paths.database, store.keys.current_key)
        opened.append(conn)
        try:
            return integrity_problems(conn)
        finally:
            conn.close()

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="verify-integrity")
    return pool.submit(run), opened, pool


def verify(
    store: Store,
    *,
    full: bool = False,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> VerificationResult:
    """The audit chain and the signed envelopes (with the tables rebuilt from them and
    compared), and SQLite's and SQLCipher's own checks of every page. Unless `full`, and
    once this user has had a clean verify, only what was added since is checked, against
    what that verify signed as checked (and every user's signed check pins what they
    checked), and the page checks are left to a full verify: so a store already verified
    is verified again in moments, whatever its size. First, the same rollback check as
    at unlock (RollbackDetectedError if the database or the key store is older than one
    this account has seen). `progress(done, total)` is told how far the audit chain and
    the envelopes are (the page checks run beside them) and `should_stop()` polled
    between their steps (OperationCancelled; nothing is written)."""
    user = signed_in(store)
    store.check_current()
    check_stop(should_stop)
    trust = store.load_trust()
    with store.read() as session:
        checks = (
            envelopes.signed_checks(session, trust, store.keystore.store_id)[0]
            if trust.established
            else {}
        )
    mine = None if full else checks.get(user.user_id)
    integrity, opened, pool = _integrity_beside(store, whole=mine is None)
    try:
        result = _verify_signed(store, trust, checks, mine, progress, should_stop)
        result.integrity_checked = mine is None
        result.integrity = integrity.result()
    except BaseException:
        for conn in opened:  # a cancel (or a failure) stops the integrity checks too
            with contextlib.suppress(Exception):
                conn.interrupt()
        raise
    finally:
        pool.shutdown(wait=True)
    if progress is not None:
        progress(Stages.SCALE, Stages.SCALE)
    if result.ok:
        with store.write() as session:
            signer = store.signer
            if result.envelopes.active and signer is not None:
                envelopes.record_check(
                    session,
                    signer,
                    store_id=store.keystore.store_id,
                    report=result.envelopes,
                    audit_head=result.audit_head,
                )
            audit.append(session, actor_id=user.user_id, action=Action.VERIFY)
    return result


def _verify_signed(
    store: Store,
    trust: Trust,
    checks: dict[str, envelopes.Check],
    mine: envelopes.Check | None,
    progress: Progress | None,
    should_stop: StopCheck | None,
) -> VerificationResult:
    """The audit chain, the grants and the envelopes (verify's part in this thread), from
    the start or, given `mine` (this user's last signed check), after it. One helper
    process checks both walks' signatures (store.sigcheck) while this thread hashes the
    chain and rebuilds the tables."""
    result = VerificationResult()
    user_id = store.keys.user_id
    with store.read() as session:
        entries, saved = audit.chain_head(session).seq, envelopes.count(session)
        stages = Stages(progress, (max(entries, 1), max(saved, 1)))
        new_entries = entries - (mine.audit[0] if mine is not None and mine.audit else 0)
        new_saved = saved - (mine.pos if mine is not None else 0)
        signatures = new_entries + new_saved if trust.established else 0
        with sigcheck.checker(signatures) as checker:
            report = audit.verify_chain(
                session,
                store.keys.audit_anchor,
                trust if trust.established else None,
                progress=stages.stage(0),
                should_stop=should_stop,
                checker=checker,
                after=None if mine is None else mine.audit,
            )
            stages.done(0)
            pins = {u: c.audit for u, c in checks.items() if c.audit is not None}
            report.problems += audit.pinned_problems(session, pins)
            if trust.established:
                result.envelopes = envelopes.verify_envelopes(
                    session,
                    trust,
                    store_id=store.keystore.store_id,
                    user_id=user_id,
                    full=mine is None,
                    checker=checker,
                    progress=stages.stage(1),
                    should_stop=should_stop,
                )
                result.envelopes.problems += sealed.check_resealed(store, session)
    result.grant_problems = store.trust_problems()
    result.root_fingerprint = store.root_fingerprint
    result.grants_checked = trust.head_n
    with store.read() as session:
        result.members_pending = store.members_carry_over_pending(session)
    result.audit_entries = entries
    result.audit_after = report.after
    result.audit_head = report.head
    result.audit_macs_checked = report.macs_checked
    result.audit_signatures_checked = report.signatures_checked
    result.audit_signed_from = report.signed_from
    result.audit_problems = report.problems
    result.audit_notes = report.notes
    return result


def backup(
    store: Store,
    *,
    dest: Path,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> str:
    """Write a verified backup; returns the audit chain head it records. A cancel
    (`should_stop`) leaves no file and no audit entry."""
    require(store, Role.ADMINISTRATOR)
    return write_backup(store, dest, progress=progress, should_stop=should_stop).short


def preview_restore(
    paths: DataPaths,
    *,
    src: Path,
    username: str,
    password: str,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> RestorePlan:
    """What restoring `src` would change, after every check a restore makes (the user
    is an active administrator of the current store and of the backup, and the backup
    is of this store). Changes nothing."""
    return plan_restore(
        paths,
        src,
        username=username,
        password=password,
        progress=progress,
        should_stop=should_stop,
    )


def restore(
    paths: DataPaths,
    *,
    src: Path,
    username: str,
    password: str,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> Store:
    """Restore a backup of this store over it (the current store is kept aside under
    backups/replaced-<time>/); returns the restored store, signed in.

    The user name and password are checked against the current store first: only one of
    its active administrators may restore, and only a backup of this store. Accounts
    revoked since the backup are removed from it and the data key is rotated."""
    store = restore_backup(
        paths,
        src,
        username=username,
        password=password,
        progress=progress,
        should_stop=should_stop,
    )
    try:
        require(store, Role.ADMINISTRATOR)
    except Exception:
        store.close()
        raise
    return store
