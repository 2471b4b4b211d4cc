"""Hypothesis strategies: arbitrary drafts (anything a form might produce) and valid ones."""

from __future__ import annotations

import types
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta, timezone
from enum import Enum
from typing import Any, Union, get_args, get_origin, get_type_hints

from hypothesis import strategies as st

from infoshare_desktop.domain import (
    CaseDraft,
    ConsentDecisionDraft,
    ConsentFrom,
    ConsentOutcome,
    Criterion,
    CriterionRationale,
    Draft,
    FactOrOpinion,
    InfoCategory,
    Method,
    Recipient,
    SharingDecisionDraft,
    SharingKind,
    Urgency,
    enums,
)
from infoshare_desktop.domain.consent import ConsentRecord
from infoshare_desktop.domain.enums import OrganisationType
from infoshare_desktop.domain.fields import Widget, form_of
from infoshare_desktop.domain.kinds import KINDS
from tests.domain.factories import complete_sharing_decision

#: every draft class: those nested in records and cases, and each declared kind's
DRAFT_CLASSES: tuple[type[Draft], ...] = (
    Recipient,
    CriterionRationale,
    CaseDraft,
    *(declared.draft for declared in KINDS.values()),
)

ALL_ENUM_MEMBERS: list[Enum] = [
    member
    for value in vars(enums).values()
    if isinstance(value, type) and issubclass(value, enums.LabelledEnum)
    for member in value
]

# Any code point, including lone surrogates, NUL and other control characters.
any_char = st.characters(exclude_categories=())
any_text = st.one_of(
    st.text(any_char, max_size=40),
    st.text(st.sampled_from("\x00\r\n\t\v\x1b\ud800\udfff e\u0301 -./"), max_size=20),
    st.builds(
        lambda chunk, count: chunk * count, st.text(any_char, max_size=3), st.integers(0, 9000)
    ),
)
"""Text of any Unicode and length (up to about 27,000 characters)."""

_OFFSETS = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
aware_datetimes = st.datetimes(
    min_value=datetime(1900, 1, 1),
    max_value=datetime(2200, 1, 1),
    timezones=st.sampled_from(_OFFSETS),
)
"""Aware datetimes with fixed offsets (these round-trip exactly through UTC)."""

garbage = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    any_text,
    st.datetimes(),  # naive, from year 1 to 9999
    st.sampled_from([datetime.min, datetime.max, datetime.min.replace(tzinfo=UTC)]),
    st.dates(),
    st.sampled_from(ALL_ENUM_MEMBERS),
    st.lists(st.one_of(st.none(), any_text, st.integers(), st.sampled_from(ALL_ENUM_MEMBERS))),
    st.dictionaries(any_text, st.one_of(any_text, st.none()), max_size=3),
)
"""Values of the wrong type that a buggy form or a stale draft might put in any field."""


def typed(hint: Any) -> st.SearchStrategy[Any]:
    """Values of the declared type ``hint`` (with any Unicode text)."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        (inner,) = (arg for arg in get_args(hint) if arg is not type(None))
        return st.none() | typed(inner)
    if origin is list:
        return st.lists(typed(get_args(hint)[0]), max_size=4)
    if origin is dict:
        key_hint, value_hint = get_args(hint)
        return st.dictionaries(typed(key_hint), typed(value_hint), max_size=4)
    if isinstance(hint, type) and issubclass(hint, Draft):
        return well_typed(hint)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return st.sampled_from(hint)
    simple: dict[Any, st.SearchStrategy[Any]] = {
        str: any_text,
        bool: st.booleans(),
        datetime: aware_datetimes,
        date: st.dates(),
    }
    return simple[hint]


def well_typed(cls: type[Draft]) -> st.SearchStrategy[Any]:
    """Drafts of ``cls`` whose every field has its declared type (any values, any Unicode)."""
    hints = get_type_hints(cls)
    return st.builds(cls, **{f.name: typed(hints[f.name]) for f in fields(cls)})


def arbitrary(cls: type[Draft]) -> st.SearchStrategy[Any]:
    """Drafts of ``cls`` where any field may also hold garbage of the wrong type."""
    hints = get_type_hints(cls)
    return st.builds(cls, **{f.name: typed(hints[f.name]) | garbage for f in fields(cls)})


CONSENT_IDS = [f"consent-{n}" for n in range(6)]
_BASE = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
consent_moments = st.integers(-2, 40).map(lambda days: _BASE + timedelta(days=days, hours=3))
"""Moments around the decisions of ``consent_histories`` (some before, some after)."""


@st.composite
def consent_histories(draw: st.DrawFn, *, max_size: int = 6) -> list[ConsentRecord]:
    """A case's consent decisions: any outcomes, expiry dates and "ends" links (to earlier
    decisions, to later ones, to themselves, or to ids that are not there), on a few days
    so that some share a moment."""
    size = draw(st.integers(1, max_size))
    out = []
    for n in range(size):
        day = draw(st.integers(0, 30))
        occurred = _BASE + timedelta(days=day)
        outcome = draw(st.sampled_from(ConsentOutcome))
        decision = ConsentDecisionDraft(
            asked=draw(st.sampled_from(ConsentFrom)),
            outcome=outcome,
            scope_agencies=["Example Health Centre"] if outcome.is_given else [],
            valid_until=draw(
                st.none() | st.integers(0, 40).map(lambda d: (_BASE + timedelta(days=d)).date())
            ),
            occurred_at=occurred,
            supersedes_ids=draw(st.lists(st.sampled_from([*CONSENT_IDS, "missing"]), max_size=2)),
        )
        recorded = occurred + timedelta(minutes=draw(st.integers(0, 3000)))
        out.append(ConsentRecord(CONSENT_IDS[n], decision, occurred, recorded))
    return out


consent_record_lists = (
    st.lists(
        st.builds(
            ConsentRecord,
            record_id=st.sampled_from(CONSENT_IDS) | garbage,
            decision=arbitrary(ConsentDecisionDraft) | garbage,
            occurred_at=aware_datetimes | garbage,
            recorded_at=aware_datetimes | garbage,
        ),
        max_size=4,
    )
    | consent_histories()
)
"""Lists of consent records, including malformed ones (for "never raises")."""

_words = st.text(st.characters(categories=["L"]), min_size=1, max_size=12)


def sentences(prefix: str) -> st.SearchStrategy[str]:
    """Text that counts as an answer written in words: a fixed prefix and any words."""
    return st.lists(_words, max_size=8).map(lambda words: " ".join([prefix, *words]))


@st.composite
def complete_sharing_decisions(draw: st.DrawFn) -> tuple[datetime, SharingDecisionDraft]:
    """``(now, draft)`` where the draft has no blocking finding at ``now``."""
    now = draw(aware_datetimes)
    kind = draw(st.sampled_from(SharingKind))
    draft = complete_sharing_decision(kind, now)
    draft.occurred_at = now - draw(st.timedeltas(timedelta(0), timedelta(hours=24)))
    draft.urgency = draw(st.none() | st.sampled_from(Urgency))
    draft.fact_or_opinion = draw(st.none() | st.sampled_from(FactOrOpinion))
    draft.purpose = draw(sentences("Fictional purpose for testing"))
    draft.reasons = draw(sentences("Fictional reasons for the decision"))
    draft.categories = draw(st.lists(st.sampled_from(InfoCategory), unique=True))
    draft.method = draw(st.sampled_from([m for m in Method if m is not Method.OTHER]))
    draft.recipients = draw(
        st.lists(
            st.builds(
                Recipient,
                name=sentences("Name"),
                role=st.sampled_from(["", "Teacher", "Social worker"]),
                organisation=sentences("Fictional agency"),
                organisation_type=st.sampled_from(OrganisationType),  # blocking when withheld
            ),
            min_size=1,
            max_size=3,
        )
    )
    if not draft.duty_detriment:  # a recipient may be under the duty to share
        draft.duty_detriment = draw(sentences("Fictional reason disclosure would harm the child"))
    for criterion in Criterion:
        draft.criteria[criterion].rationale = draw(sentences(f"Fictional {criterion} rationale"))
    return now, draft


def declared(cls: type[Draft]) -> st.SearchStrategy[Any]:
    """Drafts of a declared kind whose fields hold what their declared inputs can hold
    (``domain.fields``): a member of the field's own pick-list, yes/no/unanswered, a date,
    words; custom inputs take any value of their type."""
    hints = get_type_hints(cls)
    by_widget: dict[Widget, Any] = {
        Widget.TEXT: st.just("") | sentences("Fictional answer"),
        Widget.LINES: st.just("") | sentences("Fictional answer"),
        Widget.YES_NO: st.none() | st.booleans(),
        Widget.CHECK: st.booleans(),
        Widget.DATE: st.none() | st.dates(),
        Widget.DATETIME: st.none() | aware_datetimes,
    }
    values: dict[str, st.SearchStrategy[Any]] = {}
    for f in form_of(cls).fields():
        if f.widget is Widget.CHOICE:
            values[f.name] = st.none() | st.sampled_from(list(f.choices or ()))
        elif f.widget is Widget.CHOICES:
            values[f.name] = st.lists(st.sampled_from(list(f.choices or ())), unique=True)
        elif f.widget in by_widget:
            values[f.name] = by_widget[f.widget]
        else:
            values[f.name] = typed(hints[f.name])
    return st.builds(cls, **values)
