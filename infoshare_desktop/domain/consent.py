"""A consent decision's standing at a moment: the one rule every screen and check uses.

`consent_standing(record_id, consents, at)` decides, from the case's saved consent
decisions and a moment, whether a decision stood then (current) or why not (expired,
superseded, withdrawn, refused, cannot be given, not yet given). The checklist, the case
view, the sharing form's pick-list, the consent form, the review screens and the printed
summary all ask it; nothing else decides standing (docs/domain.md, "Consent standing").

The rule:
- a decision made after the moment had not been given yet;
- a later decision about the same consent ends it: one that names it, or names a decision
  it replaced (so a renewal that is later withdrawn takes the whole chain with it). A
  withdrawal or refusal ends a given consent as *withdrawn*; anything else (a narrower
  consent, a renewal) as *superseded*. Only decisions made by the moment count, so a
  withdrawal never reaches back to sharing that happened before it;
- otherwise a refusal, withdrawal or "cannot be given" stands as what it is, and a
  consent given is current until the day after its "valid until" date (expired).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from infoshare_desktop.domain.enums import (
    ConsentFrom,
    ConsentOutcome,
    ConsentStatus,
    LabelledEnum,
    SharingKind,
)
from infoshare_desktop.domain.records import ConsentDecisionDraft
from infoshare_desktop.domain.timeutil import ensure_utc, format_date, to_local

__all__ = [
    "WITHOUT_CONSENT",
    "ConsentRecord",
    "ConsentRegister",
    "ConsentStanding",
    "ReliedOn",
    "Standing",
    "consent_person",
    "consent_standing",
    "describe_consent",
    "endable_consents",
    "ended_consents",
    "find_consent",
    "made_without_consent",
    "relied_on",
    "standing_consents",
]

WITHOUT_CONSENT = frozenset(status for status in ConsentStatus if not status.is_given)
"""Consent positions (refused, withdrawn, not sought, cannot be given) under which sharing
confidential information must be justified in the public interest or on another lawful
ground (chapter section 3; docs/domain.md, "Sharing without consent")."""


def made_without_consent(kind: object, status: object) -> bool:
    """True when a sharing decision of ``kind`` rests on a consent position ``status`` that
    is not consent given: the flag the review rules and the printed counts use. Information
    received is never "without consent" (we did not share it)."""
    return (
        isinstance(kind, SharingKind)
        and kind is not SharingKind.RECEIVED
        and isinstance(status, ConsentStatus)
        and status in WITHOUT_CONSENT
    )


_ENDING = (ConsentOutcome.WITHDRAWN, ConsentOutcome.REFUSED)
_WHO = {
    ConsentFrom.CHILD: "Child",
    ConsentFrom.PARENT_CARER: "Parent or carer",
    ConsentFrom.OTHER: "Other",
}


@dataclass(frozen=True)
class ConsentRecord:
    """A saved consent decision, as the standing rule needs it."""

    record_id: str
    decision: ConsentDecisionDraft
    occurred_at: datetime  #: when consent was asked (aware)
    recorded_at: datetime  #: when it was saved (orders decisions made at the same moment)

    @property
    def order(self) -> tuple[datetime, datetime, str]:
        return (self.occurred_at, self.recorded_at, self.record_id)


class Standing(LabelledEnum):
    """Where a consent decision stands at a moment."""

    CURRENT = "current", "Current"
    EXPIRED = "expired", "Expired"
    SUPERSEDED = "superseded", "Superseded"
    WITHDRAWN = "withdrawn", "Withdrawn"
    REFUSED = "refused", "Refused"
    CANNOT_BE_GIVEN = "cannot_be_given", "Cannot be given"
    NOT_YET_GIVEN = "not_yet_given", "Not yet given"


_OWN: dict[ConsentOutcome | None, Standing] = {
    ConsentOutcome.REFUSED: Standing.REFUSED,
    ConsentOutcome.WITHDRAWN: Standing.WITHDRAWN,
    ConsentOutcome.CANNOT_BE_GIVEN: Standing.CANNOT_BE_GIVEN,
}


@dataclass(frozen=True)
class ConsentStanding:
    """A decision's standing, with the later decision that ended it (if one did)."""

    standing: Standing
    ended_by: ConsentRecord | None = None
    valid_until: date | None = None

    @property
    def stands(self) -> bool:
        """True when consent given stands (current)."""
        return self.standing is Standing.CURRENT

    @property
    def ended_on(self) -> date | None:
        """The local day the consent ended, if a later decision ended it."""
        return _local_day(self.ended_by.occurred_at) if self.ended_by else None

    def phrase(self) -> str:
        """The standing in a few words, e.g. "withdrawn on 3 Dec 2026"."""
        s, until, ended = self.standing, self.valid_until, self.ended_on
        if s is Standing.CURRENT:
            return f"current, valid until {format_date(until)}" if until else "current"
        if s is Standing.EXPIRED and until:
            return f"expired (valid until {format_date(until)})"
        if s in (Standing.WITHDRAWN, Standing.SUPERSEDED) and ended:
            return f"{s.label.lower()} on {format_date(ended)}"
        return s.label.lower()


def _local_day(moment: datetime) -> date | None:
    try:
        return to_local(moment).date()
    except (OverflowError, ValueError, OSError):
        return None


class ConsentRegister(tuple[ConsentRecord, ...]):
    """A case's usable consent decisions, sorted out once: pass it wherever the
    functions here take ``consents`` when many questions are asked of the same decisions
    (a printed summary asks two for each record). It gives the same answers as the
    decisions it was made from."""

    _by_id: dict[str, ConsentRecord]

    def __new__(cls, consents: Iterable[object]) -> ConsentRegister:
        by_id = _records(consents)
        register = super().__new__(cls, by_id.values())
        register._by_id = by_id
        return register


def _records(consents: Iterable[object]) -> dict[str, ConsentRecord]:
    """The usable records by id (tolerant: anything else is ignored)."""
    if isinstance(consents, ConsentRegister):
        return consents._by_id
    if not isinstance(consents, Iterable) or isinstance(consents, str | bytes):
        return {}
    out: dict[str, ConsentRecord] = {}
    for item in consents:
        if (
            isinstance(item, ConsentRecord)
            and isinstance(item.decision, ConsentDecisionDraft)
            and isinstance(item.occurred_at, datetime)
            and isinstance(item.recorded_at, datetime)
        ):
            out[item.record_id] = item
    return out


def _named(record: ConsentRecord) -> set[str]:
    ids = record.decision.supersedes_ids
    return {i for i in ids if isinstance(i, str)} if isinstance(ids, list | tuple) else set()


def _lineage(record: ConsentRecord, by_id: dict[str, ConsentRecord]) -> set[str]:
    """The record and every decision it replaced, directly or through others."""
    seen, todo = {record.record_id}, [record]
    while todo:
        for earlier in _named(todo.pop()):
            if earlier not in seen:
                seen.add(earlier)
                if earlier in by_id:
                    todo.append(by_id[earlier])
    return seen


def _utc(moment: object) -> datetime | None:
    if not isinstance(moment, datetime):
        return None
    try:
        return ensure_utc(moment)
    except (OverflowError, ValueError, OSError):
        return None


def _standing(
    record: ConsentRecord, by_id: dict[str, ConsentRecord], moment: datetime
) -> ConsentStanding:
    decision = record.decision
    until = decision.valid_until if isinstance(decision.valid_until, date) else None
    if isinstance(until, datetime):
        until = until.date()
    outcome = decision.outcome if isinstance(decision.outcome, ConsentOutcome) else None
    given = outcome is not None and outcome.is_given
    occurred = _utc(record.occurred_at)
    if occurred is None or occurred > moment:
        return ConsentStanding(Standing.NOT_YET_GIVEN, valid_until=until)
    lineage = _lineage(record, by_id)
    later = [
        other
        for other in by_id.values()
        if other.order > record.order
        and (_utc(other.occurred_at) or moment) <= moment
        and _named(other) & lineage
    ]
    if later:
        first = min(later, key=lambda other: other.order)
        ending = given and first.decision.outcome in _ENDING
        kind = Standing.WITHDRAWN if ending else Standing.SUPERSEDED
        return ConsentStanding(kind, ended_by=first, valid_until=until)
    if not given:
        return ConsentStanding(_OWN.get(outcome, Standing.CANNOT_BE_GIVEN))
    day = _local_day(moment)
    if until is not None and day is not None and until < day:
        return ConsentStanding(Standing.EXPIRED, valid_until=until)
    return ConsentStanding(Standing.CURRENT, valid_until=until)


def consent_standing(
    record_id: object, consents: Iterable[ConsentRecord], at: datetime
) -> ConsentStanding | None:
    """Where the decision ``record_id`` stands at ``at``, judged from the case's consent
    decisions ``consents``; None when it is not one of them. Never raises."""
    by_id = _records(consents)
    moment = _utc(at)
    record = by_id.get(record_id) if isinstance(record_id, str) else None
    if record is None or moment is None:
        return None
    return _standing(record, by_id, moment)


def find_consent(record_id: object, consents: Iterable[ConsentRecord]) -> ConsentRecord | None:
    """The record ``record_id`` among ``consents``, or None."""
    return _records(consents).get(record_id) if isinstance(record_id, str) else None


def standing_consents(
    consents: Iterable[ConsentRecord], at: datetime, *, asked: ConsentFrom | None = None
) -> list[ConsentRecord]:
    """The consents given that stand at ``at`` (of the person ``asked``, if given),
    newest first."""
    by_id = _records(consents)
    moment = _utc(at)
    if moment is None:
        return []
    out = [
        record
        for record in by_id.values()
        if (asked is None or record.decision.asked == asked)
        and _standing(record, by_id, moment).stands
    ]
    return sorted(out, key=lambda record: record.order, reverse=True)


def endable_consents(
    consents: Iterable[ConsentRecord],
    at: datetime,
    *,
    outcome: ConsentOutcome | None,
    asked: ConsentFrom | None = None,
) -> list[ConsentRecord]:
    """The consents given (of the person ``asked``, if given) that a decision with
    ``outcome`` made at ``at`` may end, newest first: for a withdrawal or refusal those
    that stand; for a renewal or a narrower consent also those that have expired."""
    by_id = _records(consents)
    moment = _utc(at)
    if moment is None:
        return []
    fits = {Standing.CURRENT} if outcome in _ENDING else {Standing.CURRENT, Standing.EXPIRED}
    out = [
        record
        for record in by_id.values()
        if isinstance(record.decision.outcome, ConsentOutcome)
        and record.decision.outcome.is_given
        and (asked is None or record.decision.asked == asked)
        and _standing(record, by_id, moment).standing in fits
    ]
    return sorted(out, key=lambda record: record.order, reverse=True)


def ended_consents(record: ConsentRecord, consents: Iterable[ConsentRecord]) -> list[ConsentRecord]:
    """The decisions ``record`` names as ending or replacing, oldest first."""
    by_id = _records(consents)
    found = [by_id[i] for i in _named(record) if i in by_id]
    return sorted(found, key=lambda other: other.order)


def consent_person(decision: ConsentDecisionDraft) -> str:
    """Who was asked, in a few words: "Parent or carer: Chris Example"."""
    who = _WHO.get(decision.asked) if isinstance(decision.asked, ConsentFrom) else None
    name = decision.asked_name.strip() if isinstance(decision.asked_name, str) else ""
    if who and name:
        return f"{who}: {name}"
    return who or name or "Person not recorded"


def describe_consent(record: ConsentRecord, *, purposes: bool = False) -> str:
    """A consent decision for people, never by its id: outcome, person, date and scope,
    e.g. "Explicit consent given, Parent or carer: Chris Example, 1 Dec 2026; covers
    Example Health Centre"."""
    decision = record.decision
    outcome = decision.outcome.label if isinstance(decision.outcome, ConsentOutcome) else ""
    day = _local_day(record.occurred_at)
    parts = [outcome or "Consent decision", consent_person(decision)]
    if day is not None:
        parts.append(format_date(day))
    text = ", ".join(parts)
    agencies = [a for a in decision.scope_agencies if isinstance(a, str) and a.strip()]
    if agencies:
        text += "; covers " + "; ".join(agencies)
    chosen = [p for p in decision.scope_purposes if isinstance(p, str) and p.strip()]
    if purposes and chosen:
        text += "; purposes: " + "; ".join(chosen)
    return text


@dataclass(frozen=True)
class ReliedOn:
    """The consent a sharing decision relied on: its standing then and now."""

    consent: ConsentRecord
    then: ConsentStanding  #: when the sharing happened
    now: ConsentStanding  #: at the moment asked about (e.g. today)

    @property
    def ended_since(self) -> bool:
        """It stood when the sharing happened and has ended since."""
        return self.then.stands and not self.now.stands

    def phrase(self) -> str:
        """E.g. "current when this happened; since then withdrawn on 3 Dec 2026"."""
        then = f"{self.then.phrase()} when this happened"
        if self.ended_since:
            return f"{then}; ended since: {self.now.phrase()}"
        return then


def relied_on(
    consent_id: object,
    consents: Sequence[ConsentRecord],
    *,
    happened_at: datetime,
    now: datetime,
) -> ReliedOn | None:
    """The consent ``consent_id`` judged at the sharing's moment and at ``now``."""
    then = consent_standing(consent_id, consents, happened_at)
    later = consent_standing(consent_id, consents, now)
    record = find_consent(consent_id, consents)
    if then is None or later is None or record is None:
        return None
    return ReliedOn(record, then, later)
