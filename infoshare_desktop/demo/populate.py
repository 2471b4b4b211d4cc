"""Writing the demo store: the demo users, then fictional cases and records.

Every record is built as a practitioner would fill the form (demo.content) and passes
the same checklist a real save passes; it is built by the same functions as a real
save's (services.records.new_record, services.cases.new_case: the envelope's item, with
its review request when the service's own rule, services.reviews.review_reason, enters
it) and written by the same repository function (store.envelopes.save_many: each item
signed by its author, its rows projected), in bulk with their audit entries.

What is in it, as people's saves would leave it: review requests made at save (about a
fifth of the records under the default rules), supervisors' reviews (endorsed, with a
comment, returned) and the authors' answers to some returns, requests received
(acknowledged or not) answered by a sharing decision and a reply (some declined, some
left open), recipients' organisation types, and an NHS number (from the range kept for
tests) or a declared reason on every case.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from infoshare_desktop.demo.content import Generator
from infoshare_desktop.domain import checklist
from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.domain.enums import RecordKind, ReviewOutcome
from infoshare_desktop.domain.kinds import CheckContext, kind_of
from infoshare_desktop.domain.records import Draft, SharingDecisionDraft
from infoshare_desktop.domain.reviews import ReviewRules
from infoshare_desktop.domain.rules import recorded_late
from infoshare_desktop.domain.timeutil import utcnow
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.services import accounts, reviews
from infoshare_desktop.services.cases import new_case
from infoshare_desktop.services.records import new_record
from infoshare_desktop.store import audit, envelopes, users
from infoshare_desktop.store.audit import Action
from infoshare_desktop.store.bulk import use_bulk_cache
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


@dataclass(frozen=True)
class _Saved:
    """A demo record about to be written: its author and its envelope's item."""

    author: str
    item: envelopes.Item

    @property
    def id(self) -> str:
        return str(self.item.payload["id"])

    @property
    def recorded_at(self) -> datetime:
        return datetime.fromisoformat(self.item.payload["recorded_at"])

    @property
    def entered(self) -> bool:
        return self.item.payload.get("review") is not None


@dataclass
class _Batch:
    """Items for one write transaction, in three saves: the cases and records (with the
    review requests their saves make), then the reviews, then the authors' answers to
    returned reviews: the review_status triggers fold them in that order."""

    first: list[_Saved] = field(default_factory=list)
    reviews: list[_Saved] = field(default_factory=list)
    answers: list[_Saved] = field(default_factory=list)
    records: int = 0

    def all(self) -> list[_Saved]:
        return [*self.first, *self.reviews, *self.answers]


_ACTIONS = {
    envelopes.RECORD + RecordKind.AMENDMENT.value: Action.AMEND,
    envelopes.RECORD + RecordKind.REVIEW.value: Action.REVIEW,
}


def _write(store: Store, batch: _Batch, signers: Signers) -> int:
    """One transaction: the batch's items (each an envelope signed by its author, as a
    save makes it), and an audit entry for each. Returns how many entered review."""
    with store.write() as session:
        use_bulk_cache(session)
        for part in (batch.first, batch.reviews, batch.answers):
            if part:
                envelopes.save_many(
                    session, [(signers.get(s.author), s.author, s.item) for s in part], at=utcnow()
                )
        by_author: dict[tuple[str, Action], list[tuple[str | None, str | None, datetime]]] = {}
        for saved in batch.all():
            item, p = saved.item, saved.item.payload
            if item.kind == envelopes.CASE_CREATED:
                target = ("case", p["id"], datetime.fromisoformat(p["created_at"]))
            else:
                kind = item.kind.removeprefix(envelopes.RECORD)
                target = (kind, p["id"], datetime.fromisoformat(p["recorded_at"]))
            key = (saved.author, _ACTIONS.get(item.kind, Action.CREATE))
            by_author.setdefault(key, []).append(target)
        for (author, action), targets in by_author.items():
            # each author's entries signed by that author, as their own saves sign them
            with audit.signing_as(signers.get(author, store.signer)):
                audit.append_many(session, actor_id=author, action=action, targets=targets)
    return sum(1 for s in batch.first if s.entered)


class _Writer:
    """Builds one case's records into the current batch, as people would save them."""

    def __init__(
        self,
        gen: Generator,
        *,
        authors: list[str],
        reviewers: list[str],
        rules: ReviewRules,
        now: datetime,
    ) -> None:
        self.gen, self.rng, self.now = gen, gen.rng, now
        self.authors, self.reviewers, self.rules = authors, reviewers, rules

    def record(
        self,
        draft: Draft,
        case_id: str,
        author: str,
        occurred: datetime,
        recorded: datetime,
        *,
        target: _Saved | None = None,
    ) -> _Saved:
        """A demo draft's item: its kind, breakdown and checklist as its declaration
        (``domain.kinds``) says, entered for review by the store's rules, like a save."""
        declared = kind_of(draft)
        context = CheckContext(
            now=recorded, reviewer_id=author, author_id=target.author if target else ""
        )
        found = checklist.blocking(declared.check(draft, context))
        if found:
            raise AssertionError(f"demo {declared.kind.value} fails: {[f.rule_id for f in found]}")
        facts = declared.review(draft)
        reason = reviews.review_reason(self.rules, facts) if declared.reviewable else None
        item = new_record(
            case_id=case_id,
            kind=declared.kind,
            subkind=declared.subkind(draft),
            draft=draft,
            occurred_at=occurred,
            recorded_at=recorded,
            target_id=target.id if target else None,
            without_consent=facts.without_consent,
            harm_concern=facts.harm_concern,
            review_reason=reason,
        )
        return _Saved(author, item)

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
        case_id, created = uuid7(), now - timedelta(days=rng.randint(30, 730))
        draft = gen.case(index=index, created=created)
        batch.first.append(
            _Saved(rng.choice(self.authors), new_case(draft, case_id=case_id, created_at=created))
        )
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
            saved = self.record(draft_made, case_id, author, occurred, recorded)
            batch.first.append(saved)
            made += 1
            if isinstance(draft_made, SharingDecisionDraft):
                made += self._follow_up(batch, saved, draft_made, budget=records - made)
        batch.records += made

    def _request(self, batch: _Batch, case_id: str, author: str, received: datetime) -> int:
        """A request received, the sharing decision that answers it and (mostly) the
        reply; some stay open (due or overdue on the worklist). Returns records made."""
        gen, rng = self.gen, self.rng
        asked = gen.request(received)
        logged = self._recorded(received)
        if recorded_late(received, logged):
            asked.late_entry_reason = "Logged on return from a strategy meeting"
        request = self.record(asked, case_id, author, received, logged)
        decided = min(received + timedelta(hours=rng.uniform(1, 20)), self.now)
        recorded = self._recorded(decided)
        answer = gen.answer(asked, decided, recorded)
        decision = self.record(answer, case_id, author, decided, recorded)
        batch.first += [request, decision]
        if rng.random() < 0.15 or recorded >= self.now:
            return 2
        replied = min(recorded + timedelta(minutes=rng.uniform(10, 120)), self.now)
        reply = gen.reply(
            request=(request.id, asked), answer=(decision.id, answer), replied=replied
        )
        batch.first.append(self.record(reply, case_id, author, replied, replied))
        return 3

    def _follow_up(
        self, batch: _Batch, saved: _Saved, draft: SharingDecisionDraft, *, budget: int
    ) -> int:
        """A supervisor's review of a record its save entered for review (most are
        reviewed), and the author's answer to some returned ones. Returns records made."""
        rng = self.rng
        if budget < 1 or not saved.entered:
            return 0
        reviewed = saved.recorded_at + timedelta(hours=rng.uniform(2, 240))
        reviewers = [r for r in self.reviewers if r != saved.author]
        if reviewed >= self.now or not reviewers or rng.random() < 0.3:
            return 0  # still awaiting review
        case_id = saved.item.case_id
        review = self.gen.review(saved.id)
        batch.reviews.append(
            self.record(review, case_id, rng.choice(reviewers), reviewed, reviewed, target=saved)
        )
        answered = reviewed + timedelta(hours=rng.uniform(1, 72))
        if review.outcome is not ReviewOutcome.RETURNED or budget < 2 or answered >= self.now:
            return 1
        if rng.random() < 0.4:
            return 1  # returned, not yet answered
        shared = draft.kind is not None and draft.kind.shares
        answer = self.gen.response_to_review(saved.id, was_shared=shared)
        batch.answers.append(
            self.record(answer, case_id, saved.author, answered, answered, target=saved)
        )
        return 2


def populate(
    store: Store,
    *,
    cases: int,
    records: int,
    seed: int = 2026,
    signers: Signers | None = None,
    progress: Callable[[int, float], None] | None = None,
) -> DemoResult:
    """Add `cases` fictional cases and about `records` records to an open store, written
    by the practitioners among `signers` (each signs their own; by default only the
    signed-in user, who signs as themselves) and reviewed by its supervisors among them.
    `progress(records written, seconds)` is called after each batch."""
    gen = Generator(seed)
    assert store.user is not None
    own = {store.user.user_id: store.signer}
    signers = dict(signers) if signers else own
    with store.read() as session:
        authors = [a for a in users.with_role(session, Role.PRACTITIONER.value) if a in signers]
        reviewers = [a for a in users.with_role(session, Role.SUPERVISOR.value) if a in signers]
        rules = reviews.rules_in(session)
    if not authors:
        authors, signers = [store.user.user_id], own
        reviewers = [r for r in reviewers if r in signers]
    writer = _Writer(gen, authors=authors, reviewers=reviewers, rules=rules, now=utcnow())
    per_case = [records // cases + (1 if i < records % cases else 0) for i in range(cases)]
    batch = _Batch()
    written = entered = 0
    started = time.perf_counter()
    for index in range(cases):
        writer.case(batch, index=index, records=per_case[index])
        if batch.records >= BATCH or index == cases - 1:
            entered += _write(store, batch, signers)
            written += batch.records
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
    others: list[Store] = []
    try:
        for username, (display, roles) in list(DEMO_USERS.items())[1:]:
            code = accounts.add_user(store, username=username, display_name=display, roles=roles)
            others.append(
                accounts.sign_in(
                    paths, username=username, password=code, new_password=DEMO_PASSWORD
                )
            )
        # Each demo user signs their own records, as their saves would.
        signers = {s.user.user_id: s.signer for s in [store, *others] if s.user is not None}
        return populate(
            store,
            cases=max(1, cases),
            records=max(0, records),
            signers=signers,
            progress=progress,
        )
    finally:
        for other in others:
            other.close()
        store.close()
