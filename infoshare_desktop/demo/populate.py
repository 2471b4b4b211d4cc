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

import contextlib
import dataclasses
import logging
import multiprocessing
import queue
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from infoshare_desktop.demo.content import Generator
from infoshare_desktop.diagnostics import disable_core_dumps
from infoshare_desktop.domain import checklist
from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.domain.enums import RecordKind, ReviewOutcome
from infoshare_desktop.domain.errors import UserFacingError
from infoshare_desktop.domain.kinds import CheckContext, kind_of
from infoshare_desktop.domain.records import Draft, SharingDecisionDraft
from infoshare_desktop.domain.reviews import ReviewRules
from infoshare_desktop.domain.rules import recorded_late
from infoshare_desktop.domain.timeutil import utcnow
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.services import accounts, reviews
from infoshare_desktop.services.cases import new_case
from infoshare_desktop.services.records import new_record
from infoshare_desktop.store import audit, envelopes, search, users
from infoshare_desktop.store.audit import Action
from infoshare_desktop.store.bulk import deferred_indexes, use_bulk_cache
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
#: A build of this many records or more is a bulk one (see `populate`).
BULK_FROM = 20_000

log = logging.getLogger("infoshare")


class DemoError(UserFacingError):
    user_message = (
        "Demo data can only be added to a store whose users sign what they save (a store "
        "made by this version). Nothing was added."
    )


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
#: Each author's audit entries of one action: (target kind, target id, when).
type _Audited = dict[tuple[str, Action], list[tuple[str | None, str | None, datetime]]]


@dataclass(frozen=True)
class _Ready:
    """One batch made ready to write (by the helper process, or here): its three saves'
    items, each prepared as its author's next envelope (numbered, its rows projected;
    signed only when written, here), and the audit entries the saves make."""

    parts: tuple[list[tuple[str, envelopes.Prepared]], ...]
    audited: _Audited
    records: int
    entered: int
    #: CPU seconds the helper process had used when it handed this batch over (0: made
    #: in this process)
    cpu: float


def _ready(batch: _Batch, numbering: envelopes.Numbering) -> _Ready:
    parts = []
    for part in (batch.first, batch.reviews, batch.answers):
        at = envelopes.iso(utcnow())
        parts.append(
            [(s.author, numbering.prepare(s.item, author_id=s.author, at=at)) for s in part]
        )
    audited: _Audited = {}
    for saved in batch.all():
        item, p = saved.item, saved.item.payload
        if item.kind == envelopes.CASE_CREATED:
            target = ("case", p["id"], datetime.fromisoformat(p["created_at"]))
        else:
            kind = item.kind.removeprefix(envelopes.RECORD)
            target = (kind, p["id"], datetime.fromisoformat(p["recorded_at"]))
        key = (saved.author, _ACTIONS.get(item.kind, Action.CREATE))
        audited.setdefault(key, []).append(target)
    entered = sum(1 for s in batch.first if s.entered)
    return _Ready(tuple(parts), audited, batch.records, entered, 0.0)


def _write(store: Store, ready: _Ready, signers: Mapping[str, Signer]) -> None:
    """One transaction: the batch's items, each an envelope signed by its author as a
    save makes it, in its three saves (the review_status triggers fold them in that
    order), and an audit entry for each, signed by that author as their saves sign it."""
    with store.write() as session:
        use_bulk_cache(session)
        for part in ready.parts:
            if part:
                envelopes.save_prepared(session, [(signers[a], p) for a, p in part])
        for (author, action), targets in ready.audited.items():
            with audit.signing_as(signers[author]):
                audit.append_many(session, actor_id=author, action=action, targets=targets)


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


@dataclass(frozen=True)
class _Plan:
    """What the batches are made from: all the helper process is given (no key, no
    database; the demo's fictional content is made from `seed`)."""

    seed: int
    cases: int
    records: int
    authors: list[str]
    reviewers: list[str]
    rules: ReviewRules
    now: datetime
    numbering: envelopes.Numbering


def _batches(plan: _Plan) -> Iterator[_Ready]:
    """The build's batches in order, each made ready to write: whole cases of about
    BATCH records, their envelopes numbered on from `plan.numbering`."""
    gen = Generator(plan.seed)
    writer = _Writer(
        gen, authors=plan.authors, reviewers=plan.reviewers, rules=plan.rules, now=plan.now
    )
    cases, records = plan.cases, plan.records
    per_case = [records // cases + (1 if i < records % cases else 0) for i in range(cases)]
    batch = _Batch()
    for index in range(cases):
        writer.case(batch, index=index, records=per_case[index])
        if batch.records >= BATCH or index == cases - 1:
            yield _ready(batch, plan.numbering)
            batch = _Batch()


def _helper(plan: _Plan, out: Any) -> None:
    """The helper process: makes the batches and hands them over, at most two ahead;
    then None (or, should it fail, the failure's type name: never its text)."""
    disable_core_dumps()
    try:
        for ready in _batches(plan):
            out.put(dataclasses.replace(ready, cpu=time.process_time()))
    except BaseException as exc:
        out.put(type(exc).__name__)
        raise
    out.put(None)


@contextmanager
def _made_by_helper(plan: _Plan) -> Iterator[Iterator[_Ready]]:
    """The batches of `plan`, made by a helper process on the other core while this one
    writes (started with ``spawn``, as store.sigcheck's; stopped however the build ends).
    Made here instead if it cannot be started."""
    context = multiprocessing.get_context("spawn")
    out = context.Queue(maxsize=2)
    process = context.Process(target=_helper, args=(plan, out), daemon=True)
    try:
        process.start()
    except (OSError, RuntimeError) as exc:
        log.warning("demo helper not started (%s); building in process", type(exc).__name__)
        yield _batches(plan)
        return

    def received() -> Iterator[_Ready]:
        while True:
            try:
                got = out.get(timeout=1)
            except queue.Empty:
                if not process.is_alive():
                    raise RuntimeError("the demo build's helper process stopped") from None
                continue
            if got is None:
                return
            if isinstance(got, str):
                raise RuntimeError(f"the demo build's helper process failed ({got})")
            yield got

    try:
        yield received()
    finally:
        if process.is_alive():
            process.terminate()
        process.join(timeout=10)
        out.close()
        out.join_thread()


def populate(
    store: Store,
    *,
    cases: int,
    records: int,
    seed: int = 2026,
    signers: Signers | None = None,
    progress: Callable[[int, float, float], None] | None = None,
    bulk: bool | None = None,
) -> DemoResult:
    """Add `cases` fictional cases and about `records` records to an open store, written
    by the practitioners among `signers` (each signs their own; by default only the
    signed-in user, who signs as themselves) and reviewed by its supervisors among them.
    `progress(records written, seconds, CPU seconds)` is called after each batch (the CPU
    of this process and of the helper's, if any).

    A `bulk` build (by default, one of BULK_FROM records or more) makes its batches in a
    helper process while this one signs and writes them, and builds the indexes that
    take random inserts once at the end (store.bulk): the same rows, signatures and
    audit entries, sooner."""
    assert store.user is not None
    own = {store.user.user_id: store.signer}
    signers = dict(signers) if signers else own
    with store.read() as session:
        authors = [a for a in users.with_role(session, Role.PRACTITIONER.value) if a in signers]
        reviewers = [a for a in users.with_role(session, Role.SUPERVISOR.value) if a in signers]
        rules = reviews.rules_in(session)
        numbering = envelopes.numbering(session)
    if not authors:
        authors, signers = [store.user.user_id], own
        reviewers = [r for r in reviewers if r in signers]
    signing = {a: s for a, s in signers.items() if s is not None}
    if numbering is None or any(a not in signing for a in authors + reviewers):
        raise DemoError()
    plan = _Plan(seed, cases, records, authors, reviewers, rules, utcnow(), numbering)
    if bulk is None:
        bulk = records >= BULK_FROM
    written = entered = 0
    started, cpu = time.perf_counter(), time.process_time()
    with contextlib.ExitStack() as stack:
        stack.enter_context(search.merging_as_written(store.write))
        if bulk:
            batches = stack.enter_context(_made_by_helper(plan))
            stack.enter_context(deferred_indexes(store.write))
        else:
            batches = _batches(plan)
        helper_cpu = 0.0
        for ready in batches:
            _write(store, ready, signing)
            written, entered = written + ready.records, entered + ready.entered
            helper_cpu = max(helper_cpu, ready.cpu)
            if progress is not None:
                used = time.process_time() - cpu + helper_cpu
                progress(written, time.perf_counter() - started, used)
    if progress is not None and bulk:  # once more: the indexes built at the end included
        progress(written, time.perf_counter() - started, time.process_time() - cpu + helper_cpu)
    return DemoResult(cases, written, entered)


class RateReport:
    """A `progress` callback that says the build rate at 10,000 records and at every
    100,000, and at the end: records per second of the whole build so far and of the
    last 100,000 (the rate *at* that size, which the average hides), by the clock and
    by the build's CPU time (both processes'; a machine shared with other work slows it
    less)."""

    FIRST, EVERY = 10_000, 100_000

    def __init__(self, say: Callable[[str], object]) -> None:
        self.say = say
        #: at each mark: records per second, and per CPU second, of the build so far
        self.rates: dict[int, float] = {}
        self.cpu_rates: dict[int, float] = {}
        #: at each mark: records per second, and per CPU second, since the mark before
        self.interval_rates: dict[int, float] = {}
        self.interval_cpu_rates: dict[int, float] = {}
        self._last: tuple[int, float, float] = (0, 0.0, 0.0)
        self._mark: tuple[int, float, float] = (0, 0.0, 0.0)

    def _marks(self, written: int) -> list[int]:
        before = self._last[0]
        marks = [self.FIRST] if before < self.FIRST <= written else []
        return marks + list(range((before // self.EVERY + 1) * self.EVERY, written + 1, self.EVERY))

    def __call__(self, written: int, seconds: float, cpu: float) -> None:
        marks = self._marks(written)
        if marks:
            self._say(written, seconds, cpu, record_as=max(marks))
        self._last = (written, seconds, cpu)

    def _say(self, written: int, seconds: float, cpu: float, *, record_as: int) -> None:
        before, since, cpu_since = self._mark
        rate = written / seconds if seconds > 0 else 0.0
        cpu_rate = written / cpu if cpu > 0 else 0.0
        step = written - before
        step_rate = step / (seconds - since) if seconds > since else 0.0
        step_cpu = step / (cpu - cpu_since) if cpu > cpu_since else 0.0
        last = ""
        if before:
            last = f"; the last {step:,}: {step_rate:,.0f}/s ({step_cpu:,.0f} per CPU second)"
        self.say(
            f"{written:,} records in {seconds:.1f} s: {rate:,.0f} records/s "
            f"({cpu_rate:,.0f} per CPU second){last}"
        )
        self.rates[record_as], self.cpu_rates[record_as] = rate, cpu_rate
        self.interval_rates[record_as], self.interval_cpu_rates[record_as] = step_rate, step_cpu
        self._mark = (written, seconds, cpu)

    def finish(self) -> None:
        """Say the whole build (if not just said): the last records, or the work after
        the last batch (a bulk build's indexes), since the last mark."""
        written, seconds, cpu = self._last
        if written != self._mark[0]:
            self._say(written, seconds, cpu, record_as=written)
        elif seconds > self._mark[1]:
            rate = written / seconds
            self.say(
                f"{written:,} records in {seconds:.1f} s in all, with "
                f"{seconds - self._mark[1]:.1f} s after the last batch: {rate:,.0f} records/s "
                f"({written / cpu if cpu > 0 else 0.0:,.0f} per CPU second)"
            )
            self.rates[written] = rate


def create_demo_store(
    paths: DataPaths,
    *,
    cases: int,
    records: int,
    progress: Callable[[int, float, float], None] | None = None,
    bulk: bool | None = None,
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
            bulk=bulk,
        )
    finally:
        for other in others:
            other.close()
        store.close()
