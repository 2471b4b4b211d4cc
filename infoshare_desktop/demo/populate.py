"""Writing the demo store: the demo users, then fictional cases and records.

Every record is built as a practitioner would fill the form (demo.content) and passes
the same checklist a real save passes; its row and index row are built by the same
functions as a real save's (services.records.new_record, services.cases.new_case) and
written by the same repository functions (store.records, store.cases), in bulk with
their audit entries, so that 100,000 records take seconds, not minutes.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from infoshare_desktop.demo.content import Generator
from infoshare_desktop.domain import checklist
from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.domain.consent import made_without_consent
from infoshare_desktop.domain.enums import RecordKind, ReviewOutcome
from infoshare_desktop.domain.kinds import CheckContext, kind_of
from infoshare_desktop.domain.records import CaseDraft, Draft, SharingDecisionDraft
from infoshare_desktop.domain.reviews import ReviewRules
from infoshare_desktop.domain.timeutil import utcnow
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.services import accounts, reviews
from infoshare_desktop.services.cases import new_case
from infoshare_desktop.services.identifiers import record_identifier
from infoshare_desktop.services.records import new_record
from infoshare_desktop.store import audit, users
from infoshare_desktop.store import cases as case_rows
from infoshare_desktop.store import records as record_rows
from infoshare_desktop.store.audit import Action
from infoshare_desktop.store.bulk import use_bulk_cache
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
#: Records are written in transactions of about this many (whole cases each): large
#: enough that most index pages a transaction dirties take many rows, small enough to
#: hold in memory.
BATCH = 10_000


@dataclass(frozen=True)
class DemoResult:
    cases: int
    records: int
    entered_for_review: int = 0

    def __str__(self) -> str:
        names = ", ".join(DEMO_USERS)
        return (
            f"Created a demo store with {self.cases} fictional cases and {self.records} records "
            f"({self.entered_for_review} entered for review).\n"
            f"Sign in as any of: {names} — password: {DEMO_PASSWORD}"
        )


@dataclass
class _Batch:
    """Rows for one write transaction, in the order the triggers need them: the records,
    then the review requests their saves made, then the reviews, then the authors'
    answers to returned reviews (the review_status triggers fold them in that order)."""

    cases: list[tuple[NewCase, IndexRow]] = field(default_factory=list)
    identifiers: list[tuple[str, CaseDraft, datetime, str]] = field(default_factory=list)
    records: list[tuple[NewRecord, IndexRow]] = field(default_factory=list)
    entered: list[tuple[NewRecord, SharingDecisionDraft]] = field(default_factory=list)
    reviews: list[tuple[NewRecord, IndexRow]] = field(default_factory=list)
    answers: list[tuple[NewRecord, IndexRow]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.records) + len(self.reviews) + len(self.answers)


def _write(store: Store, batch: _Batch) -> int:
    """One transaction: a batch of cases with their records, their identifiers, the
    review requests the default rules make, and an audit entry for each save; through
    the repository functions the application's own saves use. Returns the number of
    records entered for review."""
    entered = 0
    with store.write() as session:
        use_bulk_cache(session)
        case_rows.insert_many(session, batch.cases)
        for case_id, draft, at, by in batch.identifiers:
            record_identifier(session, case_id=case_id, draft=draft, at=at, by=by)
        record_rows.insert_many(session, batch.records)
        rules = reviews.rules_in(session)
        for row, draft in batch.entered:
            entered += reviews.enter_if_required(
                session,
                rules=rules,
                record_id=row.id,
                author_id=row.author_id,
                kind=draft.kind,
                without_consent=row.without_consent,
                harm_concern=row.harm_concern,
                at=row.recorded_at,
            )
        record_rows.insert_many(session, batch.reviews)
        record_rows.insert_many(session, batch.answers)
        by_author: dict[tuple[str, Action], list[tuple[str | None, str | None, datetime]]] = {}
        for case, _ in batch.cases:
            by_author.setdefault((case.created_by, Action.CREATE), []).append(
                ("case", case.id, case.created_at)
            )
        for record, _ in (*batch.records, *batch.reviews, *batch.answers):
            action = _ACTIONS.get(record.kind, Action.CREATE)
            by_author.setdefault((record.author_id, action), []).append(
                (record.kind, record.id, record.recorded_at)
            )
        for (author, action), targets in by_author.items():
            audit.append_many(session, actor_id=author, action=action, targets=targets)
    return entered


_ACTIONS = {RecordKind.AMENDMENT.value: Action.AMEND, RecordKind.REVIEW.value: Action.REVIEW}


def _declared_record(
    draft: Draft,
    case_id: str,
    author: str,
    occurred: datetime,
    recorded: datetime,
    *,
    target: NewRecord | None = None,
) -> tuple[NewRecord, IndexRow]:
    """A demo draft's row and index row: its kind, breakdown and checklist as its
    declaration (``domain.kinds``) says, like a real save."""
    declared = kind_of(draft)
    context = CheckContext(
        now=recorded, reviewer_id=author, author_id=target.author_id if target else ""
    )
    found = checklist.blocking(declared.check(draft, context))
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
        target_id=target.id if target else None,
        without_consent=sharing is not None
        and made_without_consent(sharing.kind, sharing.consent_status),
        harm_concern=sharing is not None and sharing.significant_harm_concern,
    )


class _Writer:
    """Builds one case's records into the current batch, as people would save them."""

    def __init__(self, gen: Generator, *, authors: list[str], reviewers: list[str], now: datetime):
        self.gen, self.rng, self.now = gen, gen.rng, now
        self.authors, self.reviewers = authors, reviewers
        self.rules = ReviewRules()  # the default rules, for planning follow-ups only

    def _recorded(self, occurred: datetime) -> datetime:
        rng = self.rng
        delay = (
            timedelta(hours=rng.uniform(2, 100))
            if rng.random() < 0.08
            else timedelta(minutes=rng.uniform(5, 300))
        )
        return min(occurred + delay, self.now)

    def case(self, batch: _Batch, *, index: int, records: int) -> None:
        gen, rng, now = self.gen, self.rng, self.now
        case_id, created = str(uuid.uuid4()), now - timedelta(days=rng.randint(30, 730))
        draft = gen.case(index=index, created=created)
        creator = rng.choice(self.authors)
        batch.cases.append(new_case(draft, case_id=case_id, created_at=created, created_by=creator))
        batch.identifiers.append((case_id, draft, created, creator))
        span = (now - created).total_seconds()
        times = sorted(created + timedelta(seconds=rng.uniform(0, span)) for _ in range(records))
        made = 0
        request_at = rng.randrange(1, max(2, records - 2)) if rng.random() < 0.35 else -1
        for n, occurred in enumerate(times):
            if made >= records:
                break
            author = rng.choice(self.authors)
            recorded = self._recorded(occurred)
            if n == request_at and records - made >= 3:
                made += self._request(batch, case_id, author, occurred)
                continue
            draft_made: Draft
            if n == 0 or rng.random() < 0.08:
                draft_made = gen.consent(occurred)
            elif rng.random() < 0.04:
                draft_made = gen.advice(occurred)
            else:
                draft_made = gen.sharing(occurred, recorded)
            row = _declared_record(draft_made, case_id, author, occurred, recorded)
            batch.records.append(row)
            made += 1
            if isinstance(draft_made, SharingDecisionDraft):
                batch.entered.append((row[0], draft_made))
                made += self._follow_up(batch, row[0], draft_made, budget=records - made)

    def _request(self, batch: _Batch, case_id: str, author: str, received: datetime) -> int:
        """A request received, the sharing decision that answers it and (mostly) the
        reply; some stay open (due or overdue on the worklist). Returns records made."""
        gen, rng = self.gen, self.rng
        asked = gen.request(received)
        request = _declared_record(asked, case_id, author, received, self._recorded(received))
        batch.records.append(request)
        decided = min(received + timedelta(hours=rng.uniform(1, 20)), self.now)
        recorded = self._recorded(decided)
        answer = gen.answer(asked, decided, recorded)
        decision = _declared_record(answer, case_id, author, decided, recorded)
        batch.records.append(decision)
        batch.entered.append((decision[0], answer))
        if rng.random() < 0.15 or recorded >= self.now:
            return 2
        replied = min(recorded + timedelta(minutes=rng.uniform(10, 120)), self.now)
        reply = gen.reply(
            request=(request[0].id, asked), answer=(decision[0].id, answer), replied=replied
        )
        batch.records.append(_declared_record(reply, case_id, author, replied, replied))
        return 3

    def _follow_up(
        self, batch: _Batch, row: NewRecord, draft: SharingDecisionDraft, *, budget: int
    ) -> int:
        """A supervisor's review of a record the rules enter for review (most are
        reviewed), and the author's answer to some returned ones. Returns records made."""
        rng = self.rng
        if budget < 1 or not self.rules.requires_review(
            kind=draft.kind, without_consent=row.without_consent, harm_concern=row.harm_concern
        ):
            return 0
        reviewed = row.recorded_at + timedelta(hours=rng.uniform(2, 240))
        reviewers = [r for r in self.reviewers if r != row.author_id]
        if reviewed >= self.now or not reviewers or rng.random() < 0.3:
            return 0  # still awaiting review
        review = self.gen.review(row.id)
        made = _declared_record(
            review, row.case_id, rng.choice(reviewers), reviewed, reviewed, target=row
        )
        batch.reviews.append(made)
        answered = reviewed + timedelta(hours=rng.uniform(1, 72))
        if review.outcome is not ReviewOutcome.RETURNED or budget < 2 or answered >= self.now:
            return 1
        if rng.random() < 0.4:
            return 1  # returned, not yet answered
        shared = draft.kind is not None and draft.kind.shares
        answer = self.gen.response_to_review(row.id, was_shared=shared)
        batch.answers.append(
            _declared_record(answer, row.case_id, row.author_id, answered, answered, target=row)
        )
        return 2


def populate(
    store: Store,
    *,
    cases: int,
    records: int,
    seed: int = 2026,
    progress: Callable[[int, float], None] | None = None,
) -> DemoResult:
    """Add `cases` fictional cases and about `records` records to an open store.
    `progress(records written, seconds)` is called after each batch."""
    gen = Generator(seed)
    with store.read() as session:
        authors = users.with_role(session, Role.PRACTITIONER.value)
        reviewers = users.with_role(session, Role.SUPERVISOR.value)
    if not authors:
        assert store.user is not None
        authors = [store.user.user_id]
    writer = _Writer(gen, authors=authors, reviewers=reviewers, now=utcnow())
    per_case = [records // cases + (1 if i < records % cases else 0) for i in range(cases)]
    batch = _Batch()
    written = entered = 0
    started = time.perf_counter()
    for index in range(cases):
        writer.case(batch, index=index, records=per_case[index])
        if len(batch) >= BATCH or index == cases - 1:
            entered += _write(store, batch)
            written += len(batch)
            batch = _Batch()
            if progress is not None:
                progress(written, time.perf_counter() - started)
    return DemoResult(cases, written, entered)


class RateReport:
    """A `progress` callback that says the build rate as it passes 10,000, 100,000 and
    1,000,000 records, and at the end: records per second of the whole build so far, by
    the clock and by this process's CPU time (which a machine shared with other work
    slows less)."""

    MILESTONES = (10_000, 100_000, 1_000_000)

    def __init__(self, say: Callable[[str], object]) -> None:
        self.say = say
        self.rates: dict[int, float] = {}
        self.cpu_rates: dict[int, float] = {}
        #: records per CPU second of the last batch before each milestone: the rate *at*
        #: that size (the whole build's average hides a slowdown)
        self.interval_cpu_rates: dict[int, float] = {}
        self._cpu_start = time.process_time()
        self._last: tuple[int, float, float] = (0, 0.0, 0.0)

    def __call__(self, written: int, seconds: float) -> None:
        cpu = time.process_time() - self._cpu_start
        before, _, cpu_before = self._last
        batch_rate = (written - before) / (cpu - cpu_before) if cpu > cpu_before else 0.0
        for mark in self.MILESTONES:
            if written >= mark and mark not in self.rates:
                self.rates[mark], self.cpu_rates[mark] = self._say(
                    written, seconds, cpu, batch_rate
                )
                self.interval_cpu_rates[mark] = batch_rate
        self._last = (written, seconds, cpu)

    def _say(
        self, written: int, seconds: float, cpu: float, batch_rate: float | None = None
    ) -> tuple[float, float]:
        rate = written / seconds if seconds > 0 else 0.0
        cpu_rate = written / cpu if cpu > 0 else 0.0
        last = f"; the last batch {batch_rate:,.0f}" if batch_rate else ""
        self.say(
            f"{written:,} records in {seconds:.1f} s: {rate:,.0f} records/s "
            f"({cpu_rate:,.0f} per CPU second{last})"
        )
        return rate, cpu_rate

    def finish(self) -> None:
        written, seconds, cpu = self._last
        if seconds > 0 and written not in self.rates:
            self._say(written, seconds, cpu)


def create_demo_store(
    paths: DataPaths,
    *,
    cases: int,
    records: int,
    progress: Callable[[int, float], None] | None = None,
) -> DemoResult:
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
        return populate(store, cases=max(1, cases), records=max(0, records), progress=progress)
    finally:
        store.close()
