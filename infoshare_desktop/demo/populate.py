"""Writing the demo store: the demo users, then fictional cases and records.

Every record is built as a practitioner would fill the form (demo.content) and passes
the same checklist a real save passes; its row and index row are built by the same
functions as a real save's (services.records.new_record, services.cases.new_case) and
written by the same repository functions (store.records, store.cases), in bulk with
their audit entries, so that 100,000 records take seconds, not minutes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from infoshare_desktop.demo.content import Generator
from infoshare_desktop.domain import checklist
from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.domain.consent import made_without_consent
from infoshare_desktop.domain.kinds import CheckContext, kind_of
from infoshare_desktop.domain.records import Draft, SharingDecisionDraft
from infoshare_desktop.domain.timeutil import utcnow
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.services import accounts
from infoshare_desktop.services.cases import new_case
from infoshare_desktop.services.records import new_record
from infoshare_desktop.store import audit, envelopes, users
from infoshare_desktop.store.audit import Action
from infoshare_desktop.store.core import Store
from infoshare_desktop.store.signing import Signer, uuid7

DEMO_PASSWORD = "demo store passphrase"
DEMO_USERS: dict[str, tuple[str, set[Role]]] = {
    "demo.admin": ("Dana Demo (administrator)", set(Role)),
    "demo.practitioner": ("Pip Demo (social worker)", {Role.PRACTITIONER}),
    "demo.lead": ("Lee Demo (team lead)", {Role.PRACTITIONER, Role.TEAM_LEAD}),
    "demo.supervisor": ("Sky Demo (supervisor)", {Role.PRACTITIONER, Role.SUPERVISOR}),
}
#: Who signs each demo author's envelopes (by user id).
type Signers = Mapping[str, Signer | None]
#: Records are written in transactions of about this many.
BATCH = 5000


@dataclass(frozen=True)
class DemoResult:
    cases: int
    records: int

    def __str__(self) -> str:
        names = ", ".join(DEMO_USERS)
        return (
            f"Created a demo store with {self.cases} fictional cases and {self.records} records.\n"
            f"Sign in as any of: {names} — password: {DEMO_PASSWORD}"
        )


def _write(store: Store, items: list[tuple[str, envelopes.Item]], signers: Signers) -> None:
    """One transaction: the cases and records (each an envelope signed by its author, as
    a save makes it), and an audit entry for each."""
    with store.write() as session:
        envelopes.save_many(
            session, [(signers.get(author), author, item) for author, item in items], at=utcnow()
        )
        by_author: dict[str, list[tuple[str | None, str | None, datetime]]] = {}
        for author, item in items:
            p = item.payload
            if item.kind == envelopes.CASE_CREATED:
                target = ("case", p["id"], datetime.fromisoformat(p["created_at"]))
            else:
                kind = item.kind.removeprefix(envelopes.RECORD)
                target = (kind, p["id"], datetime.fromisoformat(p["recorded_at"]))
            by_author.setdefault(author, []).append(target)
        for author, targets in by_author.items():
            audit.append_many(session, actor_id=author, action=Action.CREATE, targets=targets)


def _declared_record(
    draft: Draft, case_id: str, occurred: datetime, recorded: datetime
) -> envelopes.Item:
    """A demo draft's envelope item: its kind, breakdown and checklist as its
    declaration (``domain.kinds``) says, like a real save."""
    declared = kind_of(draft)
    found = checklist.blocking(declared.check(draft, CheckContext(now=recorded)))
    if found:
        raise AssertionError(f"demo {declared.kind.value} fails: {[f.rule_id for f in found]}")
    sharing = draft if isinstance(draft, SharingDecisionDraft) else None
    return new_record(
        case_id=case_id,
        kind=declared.kind,
        subkind=declared.subkind(draft),
        draft=draft,
        occurred_at=occurred,
        recorded_at=recorded,
        without_consent=sharing is not None
        and made_without_consent(sharing.kind, sharing.consent_status),
        harm_concern=sharing is not None and sharing.significant_harm_concern,
    )


def populate(
    store: Store,
    *,
    cases: int,
    records: int,
    seed: int = 2026,
    signers: Signers | None = None,
) -> DemoResult:
    """Add `cases` fictional cases and about `records` records to an open store, written
    by the practitioners among `signers` (each signs their own; by default only the
    signed-in user, who signs as themselves)."""
    gen = Generator(seed)
    rng = gen.rng
    assert store.user is not None
    own = {store.user.user_id: store.signer}
    signers = dict(signers) if signers else own
    with store.read() as session:
        authors = [a for a in users.with_role(session, Role.PRACTITIONER.value) if a in signers]
    if not authors:
        authors, signers = [store.user.user_id], own
    now = utcnow()
    per_case = [records // cases + (1 if i < records % cases else 0) for i in range(cases)]
    batch: list[tuple[str, envelopes.Item]] = []
    written = in_batch = 0
    for index in range(cases):
        case_id, created = uuid7(), now - timedelta(days=rng.randint(30, 730))
        draft = gen.case(index=index, created=created)
        author = rng.choice(authors)
        batch.append((author, new_case(draft, case_id=case_id, created_at=created)))
        span = (now - created).total_seconds()
        times = sorted(
            created + timedelta(seconds=rng.uniform(0, span)) for _ in range(per_case[index])
        )
        for n, occurred in enumerate(times):
            delay = (
                timedelta(hours=rng.uniform(2, 100))
                if rng.random() < 0.08
                else timedelta(minutes=rng.uniform(5, 300))
            )
            recorded = min(occurred + delay, now)
            author = rng.choice(authors)
            made: Draft
            if n == 0 or rng.random() < 0.08:
                made = gen.consent(occurred)
            elif rng.random() < 0.04:
                made = gen.advice(occurred)
            else:
                made = gen.sharing(occurred, recorded)
            batch.append((author, _declared_record(made, case_id, occurred, recorded)))
            in_batch += 1
        if in_batch >= BATCH or index == cases - 1:
            _write(store, batch, signers)
            written += in_batch
            batch, in_batch = [], 0
    return DemoResult(cases, written)


def create_demo_store(paths: DataPaths, *, cases: int, records: int) -> DemoResult:
    """A new store in an empty folder: the demo users, then the fictional cases."""
    admin_name, (admin_display, _) = next(iter(DEMO_USERS.items()))
    store = accounts.first_run(
        paths, username=admin_name, display_name=admin_display, password=DEMO_PASSWORD
    )
    others: list[Store] = []
    try:
        for username, (display, roles) in list(DEMO_USERS.items())[1:]:
            code = accounts.add_user(store, username=username, display_name=display, roles=roles)
            others.append(
                accounts.sign_in(
                    paths, username=username, password=code, new_password=DEMO_PASSWORD
                )
            )
        # Each demo practitioner signs their own records, as their saves would.
        signers = {s.user.user_id: s.signer for s in [store, *others] if s.user is not None}
        return populate(store, cases=max(1, cases), records=max(0, records), signers=signers)
    finally:
        for other in others:
            other.close()
        store.close()
