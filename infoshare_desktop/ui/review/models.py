"""Table models for the review pages: the supervisor's queue, the author's returned
records and the team overview.

Every cell is plain text (user text is never read as HTML here). Meaning never rests on
colour: a record's kind has an icon *and* its word, and an overdue record says
"OVERDUE" in words (with a warning icon and bold type as well).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from infoshare_desktop.domain.consent import (
    WITHOUT_CONSENT,
    ConsentRecord,
    consent_person,
    describe_consent,
)
from infoshare_desktop.domain.enums import RecordKind, SharingKind
from infoshare_desktop.domain.kinds import KINDS
from infoshare_desktop.domain.timeutil import format_date, format_local, to_local, utcnow
from infoshare_desktop.services.reviews import (
    ConsentView,
    KindFilter,
    ReviewItem,
    TeamRow,
    count_text,
)
from infoshare_desktop.ui.common.fields import sentence
from infoshare_desktop.ui.common.list_model import Index, ListTableModel
from infoshare_desktop.ui.records.chronology_model import KIND_ICONS

RECORD_ID_ROLE = Qt.ItemDataRole.UserRole
OVERDUE_WORD = "OVERDUE"
ENDED_SINCE = "ENDED SINCE"

_SHARING_ICONS = {
    SharingKind.SHARED: QStyle.StandardPixmap.SP_ArrowForward,
    SharingKind.SHARED_IN_PART: QStyle.StandardPixmap.SP_MediaSeekForward,
    SharingKind.NOT_SHARED: QStyle.StandardPixmap.SP_DialogCancelButton,
    SharingKind.RECEIVED: QStyle.StandardPixmap.SP_ArrowBack,
}


def _kind_filters() -> Iterator[tuple[str, KindFilter]]:
    """Each declared reviewable kind, by its breakdown when it declares one (a sharing
    decision by what was decided; another kind's values named with the kind, so a reply
    "Shared" is not taken for a sharing decision)."""
    for kind, spec in KINDS.items():
        if not spec.reviewable:
            continue
        if spec.subkinds is None:
            yield kind.label, KindFilter(kind)
            continue
        for choice in spec.subkinds:
            label = (
                choice.label
                if kind is RecordKind.SHARING_DECISION
                else (f"{kind.label}: {choice.label}")
            )
            yield label, KindFilter(kind, choice)


KIND_FILTERS: list[tuple[str, KindFilter | None]] = [("All kinds", None), *_kind_filters()]
"""(label, filter) choices for the queue's kind filter, from the declared reviewable
kinds; the filter is what ``services.reviews.review_queue(kind=...)`` matches (enum
members, never strings)."""


def kind_text(kind: RecordKind, subkind: str) -> str:
    """The record's kind in words: a sharing decision by what was decided."""
    if kind is RecordKind.SHARING_DECISION and subkind in SharingKind._value2member_map_:
        return SharingKind(subkind).label
    return kind.label


_ICONS: dict[tuple[int, QStyle.StandardPixmap], QIcon] = {}
_BOLD: dict[str, QFont] = {}


def _standard_icon(pixmap: QStyle.StandardPixmap) -> QIcon:
    """The style's icon, looked up once (a table asks for one per visible cell)."""
    style = QApplication.style()
    key = (id(style), pixmap)
    icon = _ICONS.get(key)
    if icon is None:
        icon = _ICONS[key] = style.standardIcon(pixmap)
    return icon


def kind_icon(kind: RecordKind, subkind: str) -> QIcon:
    """An icon to go with ``kind_text`` (never instead of it)."""
    if kind is RecordKind.SHARING_DECISION and subkind in SharingKind._value2member_map_:
        pixmap = _SHARING_ICONS[SharingKind(subkind)]
    else:
        pixmap = KIND_ICONS.get(kind, QStyle.StandardPixmap.SP_FileIcon)
    return _standard_icon(pixmap)


def warning_icon() -> QIcon:
    return _standard_icon(QStyle.StandardPixmap.SP_MessageBoxWarning)


def days_phrase(since: datetime | None, now: datetime | None = None) -> str:
    """E.g. "today", "1 day", "6 days"."""
    if since is None:
        return ""
    days = ((now or utcnow()) - since).days
    if days <= 0:
        return "today"
    return f"{days} day{'s' * (days != 1)}"


def _bold() -> QFont:
    """The application's font in bold, made once per font (it changes with text size)."""
    base = QApplication.font()
    key = base.key()
    font = _BOLD.get(key)
    if font is None:
        font = _BOLD[key] = QFont(base)
        font.setBold(True)
    return font


class _Column[T]:
    """One column: its heading and how a row shows in it."""

    def __init__(
        self,
        title: str,
        text: Callable[[T], str],
        *,
        icon: Callable[[T], QIcon | None] | None = None,
        bold: Callable[[T], bool] | None = None,
        tip: Callable[[T], str] | None = None,
        spoken: Callable[[T], str] | None = None,
    ) -> None:
        self.title = title
        self.text = text
        self.icon = icon
        self.bold = bold
        self.tip = tip
        self.spoken = spoken


BATCH = 25
"""Rows fetched at a time from a paged source: about a screenful; the view asks for more
(``fetchMore``) as the user scrolls, so no table reads or lays out rows it does not show."""

type Fetch[T] = Callable[[int, int], Sequence[T]]
"""(offset, limit) -> up to ``limit`` rows from ``offset``."""


class _ColumnsTableModel[T](ListTableModel[T]):
    """A read-only table described by its columns, over a list of rows or over a paged
    source read a batch at a time (``set_source``)."""

    columns: Sequence[_Column[T]] = ()

    def __init__(self, rows: Sequence[T] = ()) -> None:
        super().__init__(rows)
        self._fetch: Fetch[T] | None = None
        self._more = False

    def set_rows(self, rows: Sequence[T]) -> None:
        self._fetch, self._more = None, False
        super().set_rows(rows)

    def set_source(self, fetch: Fetch[T]) -> None:
        """Show rows from ``fetch``: the first batch now, the next as the view scrolls."""
        first = list(fetch(0, BATCH))
        super().set_rows(first)
        self._fetch, self._more = fetch, len(first) == BATCH

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._more

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid() or not self._more or self._fetch is None:
            return
        start = self.rowCount()
        more = list(self._fetch(start, BATCH))
        self._more = len(more) == BATCH
        if more:
            self.beginInsertRows(QModelIndex(), start, start + len(more) - 1)
            self._rows += more
            self.endInsertRows()

    def headings(self) -> list[str]:
        return [column.title for column in self.columns]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        item = self.item(index)
        if item is None:
            return None
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(item)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if column.spoken is not None:
                return column.spoken(item)
            return column.text(item).replace("\n", ", ")
        if role == Qt.ItemDataRole.DecorationRole and column.icon is not None:
            return column.icon(item)
        if role == Qt.ItemDataRole.FontRole and column.bold is not None and column.bold(item):
            return _bold()
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = column.tip(item) if column.tip is not None else column.text(item)
            return tip.replace("\n", ", ") or None
        if role == RECORD_ID_ROLE:
            return self.row_id(item)
        return None


def _case(item: ReviewItem) -> str:
    return f"{item.case_reference}\n{item.case_name}"


def _kind(item: ReviewItem) -> str:
    return kind_text(item.kind, item.subkind)


def _kind_icon(item: ReviewItem) -> QIcon:
    return kind_icon(item.kind, item.subkind)


def _when(moment: datetime) -> str:
    """Date on the first line, time on the second."""
    day, _, clock = format_local(moment).rpartition(" ")
    return f"{day}\n{clock}"


def _waiting(item: ReviewItem) -> str:
    since = item.state.waiting_since
    if since is None:
        return ""
    text = f"{format_date(to_local(since).date())} ({days_phrase(since)})"
    return f"{text}\n{OVERDUE_WORD}" if item.overdue else text


def _waiting_tip(item: ReviewItem) -> str:
    since = item.state.waiting_since
    rounds = item.state.rounds
    waiting = f"Waiting since {format_local(since)}. " if since else ""
    late = "OVERDUE: waiting longer than the review rules allow. " if item.overdue else ""
    if rounds == 0:
        return f"{waiting}{late}First review"
    return f"{waiting}{late}Answered after {rounds} review{'s' * (rounds > 1)}"


def _overdue_icon(item: ReviewItem) -> QIcon | None:
    return warning_icon() if item.overdue else None


def _is_overdue(item: ReviewItem) -> bool:
    return item.overdue


def _consent_lines(record: ConsentRecord) -> list[str]:
    """A consent decision in two short lines: outcome and person; date and scope (the
    first agency it covers, and how many more; the tooltip lists them all)."""
    decision = record.decision
    outcome = decision.outcome.label if decision.outcome else "Consent decision"
    day = format_date(to_local(record.occurred_at).date())
    agencies = [a for a in decision.scope_agencies if a.strip()]
    scope = ""
    if agencies:
        more = len(agencies) - 1
        scope = f"; covers {agencies[0]}" + (f" and {more} more" if more else "")
    return [f"{outcome}, {consent_person(decision)}", f"{day}{scope}"]


def consent_text(view: ConsentView | None) -> str:
    """The Consent column: the consent a record rests on, by person, outcome, scope and date
    (never by id), with a consent that has ended since the record was made flagged."""
    if view is None:
        return ""
    if view.decision is not None:
        stands = f"Stands now: {view.standing.phrase()}" if view.standing else ""
        return "\n".join([*_consent_lines(view.decision), stands]).strip()
    found = view.relied_on
    if found is not None:
        lines = _consent_lines(found.consent)
        if not found.then.stands:
            lines.append(f"Did not stand then: {found.then.phrase()}")
        elif found.ended_since:
            lines.append(f"{ENDED_SINCE}: {found.now.phrase()}")
        return "\n".join(lines)
    if view.status in WITHOUT_CONSENT:
        return f"Without consent: {view.status.label}"
    if view.status is not None:
        return f"{view.status.label} (no consent decision linked)"
    return ""


def _consent(item: ReviewItem) -> str:
    return consent_text(item.consent)


def _consent_tip(item: ReviewItem) -> str:
    view = item.consent
    if view is not None and view.relied_on is not None:
        found = view.relied_on
        return f"{describe_consent(found.consent, purposes=True)}. {sentence(found.phrase())}."
    return consent_text(view)


def _consent_ended(item: ReviewItem) -> bool:
    found = item.consent.relied_on if item.consent is not None else None
    return found is not None and (found.ended_since or not found.then.stands)


class ReviewQueueTableModel(_ColumnsTableModel[ReviewItem]):
    """Records awaiting review, in the order given (the service gives oldest first)."""

    columns = (
        _Column("Case", _case),
        _Column("Kind", _kind, icon=_kind_icon),
        _Column("Summary", lambda i: i.summary),
        _Column("Author", lambda i: i.author_name),
        _Column("Recorded", lambda i: _when(i.recorded_at)),
        _Column(
            "Waiting since",
            _waiting,
            icon=_overdue_icon,
            bold=_is_overdue,
            tip=_waiting_tip,
        ),
        _Column(
            "Consent",
            _consent,
            icon=lambda i: warning_icon() if _consent_ended(i) else None,
            bold=_consent_ended,
            tip=_consent_tip,
            spoken=lambda i: _consent(i).replace("\n", ", ") or "No consent recorded",
        ),
    )

    def row_id(self, item: ReviewItem) -> str:
        return item.record_id


def _returned(item: ReviewItem) -> str:
    when = f"\n{format_local(item.last_reviewed_at)}" if item.last_reviewed_at else ""
    return f"{item.last_reviewer}{when}"


class ReturnedTableModel(_ColumnsTableModel[ReviewItem]):
    """The author's records returned for more detail, with who returned them and when."""

    columns = (
        _Column("Case", _case),
        _Column("Kind", _kind, icon=_kind_icon),
        _Column("Summary", lambda i: i.summary),
        _Column("Recorded", lambda i: _when(i.recorded_at)),
        _Column("Returned by", _returned),
        _Column("Supervisor's comment", lambda i: i.last_comment),
    )

    def row_id(self, item: ReviewItem) -> str:
        return item.record_id


class TeamTableModel(_ColumnsTableModel[TeamRow]):
    """Per practitioner: awaiting review, returned and unanswered, endorsed, overdue."""

    columns = (
        _Column("Practitioner", lambda r: r.author_name),
        _Column("Awaiting review", lambda r: count_text(r.awaiting)),
        _Column("Returned, not yet answered", lambda r: count_text(r.returned)),
        _Column("Endorsed", lambda r: count_text(r.endorsed)),
        _Column(
            "Overdue",
            lambda r: f"{count_text(r.overdue)} {OVERDUE_WORD}" if r.overdue else "None",
            icon=lambda r: warning_icon() if r.overdue else None,
            bold=lambda r: r.overdue > 0,
        ),
    )
