"""Writing the demo store: the demo users, then fictional cases and records.

Every record is built as a practitioner would fill the form (demo.content) and passes
the same checklist a real save passes; its row and index row are built by the same
functions as a real save's (services.records.new_record, services.cases.new_case) and
written by the same repository functions (store.records, store.cases), in bulk with
their audit entries, so that 100,000 records take seconds, not minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from infoshare_desktop.demo.content import Generator
from infoshare_desktop.domain import checklist
from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.domain.consent import made_without_consent
from infoshare_desktop.domain.ids import uuid7
from infoshare_desktop.domain.kinds import CheckContext, kind_of
from infoshare_desktop.domain.records import Draft, SharingDecisionDraft
from infoshare_desktop.domain.timeutil import utcnow
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.services import accounts
from infoshare_desktop.services.cases import new_case
from infoshare_desktop.services.records import new_record
from infoshare_desktop.store import audit, users
from infoshare_desktop.store import cases as case_rows
from infoshare_desktop.store import records as record_rows
from infoshare_desktop.store.audit import Action
from infoshare_desktop.store.cases import NewCase
from infoshare_desktop.store.core import Store
from infoshare_desktop.store.records import NewRecord
from infoshare_desktop.store.search import IndexRow

DEMO_PASSWORD = "demo store passphrase"
DEMO_USERS: dict[str, tuple[str, set[Role]]] = {
    "demo.admin": ("Dana Demo (administrator)", set(Role)),
    "demo.practitioner": ("Pip Demo (social worker)", {Role.PRACTITIONER}),
    "demo.lead": ("Lee Demo (team lead)", {Role.PRACTITIONER, Role.TEAM_LEAD}),
    "demo.supervisor": ("Sky Demo (supervisor)", {Role.PRACTITIONER, Role.SUPERVISOR}),
}
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


def _write(
    store: Store,
    cases: list[tuple[NewCase, IndexRow]],
    records: list[tuple[NewRecord, IndexRow]],
) -> None:
    """One transaction: the cases, the records, and an audit entry for each."""
    with store.write() as session:
        if cases:
            case_rows.insert_many(session, cases)
        if records:
            record_rows.insert_many(session, records)
        by_author: dict[str, list[tuple[str | None, str | None, datetime]]] = {}
        for case, _ in cases:
            by_author.setdefault(case.created_by, []).append(("case", case.id, case.created_at))
        for record, _ in records:
            by_author.setdefault(record.author_id, []).append(
                (record.kind, record.id, record.recorded_at)
            )
        for author, targets in by_author.items():
            audit.append_many(session, actor_id=author, action=Action.CREATE, targets=targets)


def _declared_record(
    draft: Draft, case_id: str, author: str, occurred: datetime, recorded: datetime
) -> tuple[NewRecord, IndexRow]:
    """A demo draft's row and index row: its kind, breakdown and checklist as its
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
        author_id=author,
        occurred_at=occurred,
        recorded_at=recorded,
        without_consent=sharing is not None
        and made_without_consent(sharing.kind, sharing.consent_status),
        harm_concern=sharing is not None and sharing.significant_harm_concern,
    )


def populate(store: Store, *, cases: int, records: int, seed: int = 2026) -> DemoResult:
    """Add `cases` fictional cases and about `records` records to an open store."""
    gen = Generator(seed)
    rng = gen.rng
    with store.read() as session:
        authors = users.with_role(session, Role.PRACTITIONER.value)
    if not authors:
        assert store.user is not None
        authors = [store.user.user_id]
    now = utcnow()
    per_case = [records // cases + (1 if i < records % cases else 0) for i in range(cases)]
    case_batch: list[tuple[NewCase, IndexRow]] = []
    record_batch: list[tuple[NewRecord, IndexRow]] = []
    written = 0
    for index in range(cases):
        case_id, created = uuid7(), now - timedelta(days=rng.randint(30, 730))
        draft = gen.case(index=index, created=created)
        author = rng.choice(authors)
        case_batch.append(new_case(draft, case_id=case_id, created_at=created, created_by=author))
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
            record_batch.append(_declared_record(made, case_id, author, occurred, recorded))
        if len(record_batch) >= BATCH or index == cases - 1:
            _write(store, case_batch, record_batch)
            written += len(record_batch)
            case_batch, record_batch = [], []
    return DemoResult(cases, written)


def create_demo_store(paths: DataPaths, *, cases: int, records: int) -> DemoResult:
    """A new store in an empty folder: the demo users, then the fictional cases."""
    admin_name, (admin_display, _) = next(iter(DEMO_USERS.items()))
    store = accounts.first_run(
        paths, username=admin_name, display_name=admin_display, password=DEMO_PASSWORD
    )
    try:
        for username, (display, roles) in list(DEMO_USERS.items())[1:]:
            code = accounts.add_user(store, username=username, display_name=display, roles=roles)
            accounts.sign_in(
                paths, username=username, password=code, new_password=DEMO_PASSWORD
            ).close()
        return populate(store, cases=max(1, cases), records=max(0, records))
    finally:
        store.close()
