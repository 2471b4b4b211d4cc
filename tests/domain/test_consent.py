"""A consent decision's standing: every case of issue 10 as a table, and the properties
that make standing a function of the case's decisions and the moment."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infoshare_desktop.domain import ConsentFrom, ConsentOutcome, check_consent_decision
from infoshare_desktop.domain.consent import (
    ConsentRecord,
    ConsentRegister,
    Standing,
    consent_standing,
    describe_consent,
    endable_consents,
    ended_consents,
    find_consent,
    relied_on,
    standing_consents,
)
from tests.domain import factories as f
from tests.domain.strategies import consent_histories, consent_moments

DAY = timedelta(days=1)
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
GIVEN, REFUSED = ConsentOutcome.EXPLICIT, ConsentOutcome.REFUSED
WITHDRAWN, CANNOT = ConsentOutcome.WITHDRAWN, ConsentOutcome.CANNOT_BE_GIVEN


def decision(
    record_id: str,
    day: int,
    outcome: ConsentOutcome = GIVEN,
    ends: tuple[str, ...] = (),
    until: date | None = None,
    asked: ConsentFrom = ConsentFrom.PARENT_CARER,
) -> ConsentRecord:
    """A consent decision made ``day`` days after T0 that names ``ends`` as ended."""
    when = T0 + day * DAY
    draft = f.complete_consent_decision(
        when, occurred_at=when, outcome=outcome, supersedes_ids=list(ends), valid_until=until,
        asked=asked,
    )  # fmt: skip
    return ConsentRecord(record_id, draft, when, when + timedelta(minutes=3))


@dataclass(frozen=True)
class Case:
    """``decisions``; at ``day`` (days after T0, plus two hours) ``record_id`` is ``expected``."""

    name: str
    decisions: tuple[ConsentRecord, ...]
    record_id: str
    day: float
    expected: Standing
    ended_by: str | None = None


C = decision("c", 0)
CASES = [
    Case("given, no end date", (C,), "c", 5, Standing.CURRENT),
    Case("before it was given", (C,), "c", -1, Standing.NOT_YET_GIVEN),
    Case("on its last valid day", (decision("c", 0, until=date(2026, 3, 9)),), "c", 7,
         Standing.CURRENT),
    Case("the day after it", (decision("c", 0, until=date(2026, 3, 9)),), "c", 8,
         Standing.EXPIRED),
    Case("withdrawn", (C, decision("w", 4, WITHDRAWN, ("c",))), "c", 5, Standing.WITHDRAWN, "w"),
    Case("before the withdrawal: still current", (C, decision("w", 4, WITHDRAWN, ("c",))), "c",
         3, Standing.CURRENT),
    Case("the withdrawal itself", (C, decision("w", 4, WITHDRAWN, ("c",))), "w", 5,
         Standing.WITHDRAWN),
    Case("refused when asked again", (C, decision("r", 4, REFUSED, ("c",))), "c", 5,
         Standing.WITHDRAWN, "r"),
    Case("a withdrawal naming nothing ends nothing (it is refused when saved)",
         (C, decision("w", 4, WITHDRAWN)), "c", 5, Standing.CURRENT),
    Case("a withdrawal of another consent", (C, decision("d", 1), decision("w", 4, WITHDRAWN,
                                                                         ("d",))), "c", 5,
         Standing.CURRENT),
    Case("a narrower consent supersedes", (C, decision("n", 3, ends=("c",))), "c", 5,
         Standing.SUPERSEDED, "n"),
    Case("the narrower consent stands", (C, decision("n", 3, ends=("c",))), "n", 5,
         Standing.CURRENT),
    Case("a renewal later withdrawn: the original", (C, decision("r", 3, ends=("c",)),
                                                      decision("w", 6, WITHDRAWN, ("r",))), "c",
         7, Standing.SUPERSEDED, "r"),
    Case("a renewal later withdrawn: the renewal", (C, decision("r", 3, ends=("c",)),
                                                     decision("w", 6, WITHDRAWN, ("r",))), "r",
         7, Standing.WITHDRAWN, "w"),
    Case("a withdrawal naming the original ends its later renewal too",
         (C, decision("r", 3, ends=("c",)), decision("w", 6, WITHDRAWN, ("c",))), "r", 7,
         Standing.WITHDRAWN, "w"),
    Case("a back-dated withdrawal of the original does not end a later renewal",
         (C, decision("w", 2, WITHDRAWN, ("c",)), decision("r", 3, ends=("c",))), "r", 7,
         Standing.CURRENT),
    Case("a renewal after expiry supersedes the expired one",
         (decision("c", 0, until=date(2026, 3, 5)), decision("r", 9, ends=("c",))), "c", 10,
         Standing.SUPERSEDED, "r"),
    Case("refused", (decision("r", 0, REFUSED),), "r", 1, Standing.REFUSED),
    Case("cannot be given", (decision("x", 0, CANNOT),), "x", 1, Standing.CANNOT_BE_GIVEN),
    Case("a refusal later replaced by consent", (decision("r", 0, REFUSED),
                                                 decision("g", 2, ends=("r",))), "r", 3,
         Standing.SUPERSEDED, "g"),
    Case("a decision naming itself ends nothing", (decision("c", 0, ends=("c",)),), "c", 1,
         Standing.CURRENT),
    Case("a loop of names ends nothing earlier than it", (decision("a", 0, ends=("b",)),
                                                          decision("b", 1, ends=("a",))), "b", 2,
         Standing.CURRENT),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_standing(case: Case) -> None:
    moment = T0 + case.day * DAY + timedelta(hours=2)
    found = consent_standing(case.record_id, case.decisions, moment)
    assert found is not None
    assert found.standing is case.expected
    assert (found.ended_by.record_id if found.ended_by else None) == case.ended_by


def test_an_unknown_decision_has_no_standing() -> None:
    assert consent_standing("not-there", [C], T0) is None
    assert consent_standing(None, [C], T0) is None
    assert consent_standing("c", [C], "yesterday") is None  # type: ignore[arg-type]


def test_phrases_say_when_it_ended() -> None:
    withdrawn = consent_standing("c", [C, decision("w", 4, WITHDRAWN, ("c",))], T0 + 9 * DAY)
    assert withdrawn is not None and withdrawn.phrase() == "withdrawn on 6 Mar 2026"
    expiring = decision("c", 0, until=date(2027, 4, 19))
    current = consent_standing("c", [expiring], T0 + DAY)
    assert current is not None and current.phrase() == "current, valid until 19 Apr 2027"
    expired = consent_standing("c", [expiring], datetime(2027, 5, 1, tzinfo=UTC))
    assert expired is not None and expired.phrase() == "expired (valid until 19 Apr 2027)"


def test_descriptions_name_the_person_outcome_date_and_scope_never_the_id() -> None:
    text = describe_consent(C, purposes=True)
    assert text == (
        "Explicit consent given, Parent or carer: Chris Example (parent), 2 Mar 2026; covers "
        f"{f.FICTIONAL_AGENCY}; Example Health Centre; purposes: {f.FICTIONAL_PURPOSE}"
    )
    assert "d7a4b601" not in describe_consent(replace(C, record_id="d7a4b601-5e2c"))


def test_standing_consents_of_a_person() -> None:
    child = decision("child", 1, asked=ConsentFrom.CHILD)
    history = [C, child, decision("w", 4, WITHDRAWN, ("c",))]
    assert standing_consents(history, T0 + 2 * DAY) == [child, C]
    assert standing_consents(history, T0 + 5 * DAY) == [child]
    assert standing_consents(history, T0 + 2 * DAY, asked=ConsentFrom.PARENT_CARER) == [C]


def test_what_a_decision_ends() -> None:
    w = decision("w", 4, WITHDRAWN, ("d", "c", "missing"))
    assert ended_consents(w, [C, decision("d", 1), w]) == [C, decision("d", 1)]


def test_relied_on_flags_a_consent_ended_since() -> None:
    history = [C, decision("w", 4, WITHDRAWN, ("c",))]
    found = relied_on("c", history, happened_at=T0 + 2 * DAY, now=T0 + 9 * DAY)
    assert found is not None and found.ended_since
    assert found.phrase() == "current when this happened; ended since: withdrawn on 6 Mar 2026"
    later = relied_on("c", history, happened_at=T0 + 5 * DAY, now=T0 + 9 * DAY)
    assert later is not None and not later.ended_since and not later.then.stands


# ---- properties: standing is a function of the decisions and the moment -------------

PROPERTY = settings(max_examples=300, deadline=None)


def _all(history: list[ConsentRecord], moment: datetime) -> dict[str, object]:
    return {r.record_id: consent_standing(r.record_id, history, moment) for r in history}


@PROPERTY
@given(history=consent_histories(), moment=consent_moments, seed=st.randoms())
def test_order_and_repetition_of_the_decisions_do_not_matter(history, moment, seed) -> None:
    shuffled = list(history)
    seed.shuffle(shuffled)
    assert _all(shuffled, moment) == _all(history, moment)
    assert _all(history + history, moment) == _all(history, moment)


@PROPERTY
@given(history=consent_histories(), moment=consent_moments, outcome=st.sampled_from(ConsentOutcome))
def test_a_register_made_once_answers_as_the_decisions_do(history, moment, outcome) -> None:
    """A printed summary asks a ConsentRegister, made once, instead of the list: every
    question gets the same answer (and unusable items are ignored as before)."""
    register = ConsentRegister([*history, None, "not a decision"])
    assert _all(history, moment) == {
        r.record_id: consent_standing(r.record_id, register, moment) for r in history
    }
    for record in history:
        assert find_consent(record.record_id, register) == find_consent(record.record_id, history)
        assert ended_consents(record, register) == ended_consents(record, history)
        assert relied_on(record.record_id, register, happened_at=moment, now=moment) == relied_on(
            record.record_id, history, happened_at=moment, now=moment
        )
    assert standing_consents(register, moment) == standing_consents(history, moment)
    assert endable_consents(register, moment, outcome=outcome) == endable_consents(
        history, moment, outcome=outcome
    )


@PROPERTY
@given(history=consent_histories(), moment=consent_moments, later=consent_histories(max_size=3))
def test_decisions_made_after_a_moment_never_change_standing_at_it(history, moment, later):
    """A withdrawal after a sharing never reaches back to it (nor does anything else)."""
    after = [
        replace(r, record_id=f"later-{r.record_id}", occurred_at=moment + DAY * (n + 1))
        for n, r in enumerate(later)
    ]
    with_later = _all(history + after, moment)
    assert {i: with_later[i] for i in _all(history, moment)} == _all(history, moment)


@PROPERTY
@given(history=consent_histories(), moments=st.lists(consent_moments, min_size=2, max_size=4))
def test_an_ended_consent_never_stands_again(history, moments) -> None:
    moments.sort()
    for record in history:
        ended = False
        for moment in moments:
            standing = consent_standing(record.record_id, history, moment)
            assert standing is not None
            if ended:
                assert standing.ended_by is not None
            ended = ended or standing.ended_by is not None


@PROPERTY
@given(history=consent_histories(), moment=consent_moments)
def test_standing_follows_the_rule(history, moment) -> None:
    for record in history:
        standing = consent_standing(record.record_id, history, moment)
        assert standing is not None
        outcome = record.decision.outcome
        if record.occurred_at > moment:
            assert standing.standing is Standing.NOT_YET_GIVEN
            continue
        later_naming = [
            other
            for other in history
            if other.order > record.order
            and other.occurred_at <= moment
            and record.record_id in other.decision.supersedes_ids
        ]
        if later_naming:  # anything later that names it ends it
            assert standing.ended_by is not None
            assert standing.ended_by.order <= min(o.order for o in later_naming)
        if standing.stands:
            assert outcome is not None and outcome.is_given
            until = record.decision.valid_until
            assert until is None or until >= moment.astimezone().date()
        if standing.standing is Standing.WITHDRAWN and standing.ended_by is not None:
            assert standing.ended_by.decision.outcome in (WITHDRAWN, REFUSED)
    standing_ids = [r.record_id for r in standing_consents(history, moment)]
    assert sorted(standing_ids) == sorted(
        r.record_id for r in history if consent_standing(r.record_id, history, moment).stands
    )


@PROPERTY
@given(
    history=consent_histories(),
    moment=consent_moments,
    outcome=st.sampled_from(ConsentOutcome),
)
def test_the_consent_form_offers_exactly_what_the_checklist_accepts(history, moment, outcome):
    """What the consent form offers to end (endable_consents) passes CONSENT_ENDS; for a
    withdrawal or refusal, anything else is refused."""
    offered = {r.record_id for r in endable_consents(history, moment, outcome=outcome)}
    for record in history:
        draft = f.complete_consent_decision(
            moment, outcome=outcome, supersedes_ids=[record.record_id], occurred_at=moment
        )
        found = check_consent_decision(draft, now=moment + DAY, consents=history)
        accepted = "CONSENT_ENDS" not in {x.rule_id for x in found}
        if record.record_id in offered:
            assert accepted
        elif outcome in (WITHDRAWN, REFUSED):
            assert not accepted
