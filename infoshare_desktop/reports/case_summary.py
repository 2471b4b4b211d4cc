"""The case summary: a trustworthy printed account of one case, built in memory.

:func:`render_case_summary` takes a :class:`~infoshare_desktop.reports.model.SummaryDocument`
(already filtered and redacted by the service) and returns the PDF bytes. Its text is
laid out by :mod:`~infoshare_desktop.reports.blocks` (never parsed as markup, so user
text prints exactly as written); the page template puts the protective marking at the
top and bottom of every page with "Page X of Y", who printed it and when, and the audit
chain anchor.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from infoshare_desktop.domain.enums import Criterion, RecordKind
from infoshare_desktop.domain.fields import WHEN, Field, Place, form_of, words
from infoshare_desktop.domain.kinds import KINDS, kind_of
from infoshare_desktop.domain.records import (
    ConsentDecisionDraft,
    SharingDecisionDraft,
)
from infoshare_desktop.domain.timeutil import format_date, format_local
from infoshare_desktop.reports.blocks import Grid, Run, Text, TextBlock, Typesetter
from infoshare_desktop.reports.errors import ReportError, SummaryCancelled
from infoshare_desktop.reports.fonts import REGULAR
from infoshare_desktop.reports.model import (
    AttachedRecord,
    PrintedRecord,
    Section,
    SummaryDocument,
)
from infoshare_desktop.reports.page import (
    FRAME_HEIGHT,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    PAGE_SIZE,
    PAGE_WIDTH,
    EnoughPages,
    NumberedCanvas,
    PageDecoration,
)
from infoshare_desktop.reports.styles import (
    FACTS_LOOK,
    GRID_LOOK,
    REDACTED_INK,
    SIGNATURE_PADDING,
    stylesheet,
)

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
FirstPages = Callable[[bytes], None]

#: How many pages a preview shows while the rest is laid out.
FIRST_PAGES = 3

#: progress(done, PROGRESS_TOTAL) is reported; building the story is the first part,
#: laying out the pages the rest.
PROGRESS_TOTAL = 1000
_BUILD_SHARE = 0.3

NOT_RECORDED = "Not recorded"
#: kinds with a section of their own; every other printable kind prints under OTHERS
FULL_SECTIONS = (RecordKind.SHARING_DECISION, RecordKind.CONSENT_DECISION)


def yes_no(value: bool | None) -> str:
    """ "Yes", "No" or "Not recorded" (meaning is never carried by a symbol alone)."""
    if value is None:
        return NOT_RECORDED
    return "Yes" if value else "No"


def _when(value: datetime | None) -> str:
    return format_local(value) if value is not None else NOT_RECORDED


def _two_line(value: datetime) -> str:
    """A date and time on two lines, for narrow table columns (plain cell text)."""
    day, _, time = format_local(value).rpartition(" ")
    return f"{day}\n{time}"


class _ProgressMeter:
    """Turns work done into throttled progress(done, total) calls and honours cancel."""

    def __init__(self, progress: Progress | None, cancelled: Cancelled | None) -> None:
        self._progress = progress
        self._cancelled = cancelled
        self._last = -1

    def check_cancelled(self) -> bool:
        return self._cancelled is not None and self._cancelled()

    def check(self) -> None:
        if self._cancelled is not None and self._cancelled():
            raise SummaryCancelled()

    def report(self, fraction: float) -> None:
        done = min(int(fraction * PROGRESS_TOTAL), PROGRESS_TOTAL)
        if self._progress is not None and done > self._last:
            self._last = done
            self._progress(done, PROGRESS_TOTAL)


class _SummaryDocTemplate(BaseDocTemplate):
    """Counts laid-out flowables for progress and checks for cancel on every page."""

    def __init__(self, buffer: io.BytesIO, meter: _ProgressMeter, total: int, **kwargs: Any):
        super().__init__(buffer, **kwargs)
        self._meter = meter
        self._total = max(total, 1)
        self._done = 0

    def afterFlowable(self, flowable: Flowable) -> None:
        self._done += 1
        if self._done % 64 == 0:
            self._meter.check()
            share = min(self._done / self._total, 0.99)
            self._meter.report(_BUILD_SHARE + (1 - _BUILD_SHARE) * share)

    def afterPage(self) -> None:
        self._meter.check()


class CaseSummaryReport:
    """Lays out one :class:`SummaryDocument` as an A4 PDF."""

    LABEL_WIDTH = 44 * mm
    BODY_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    #: chronology columns: ref, occurred, recorded, kind, summary, by
    CHRONOLOGY_WIDTHS = (17 * mm, 21 * mm, 21 * mm, 21 * mm, None, 30 * mm)
    CRITERIA_WIDTHS = (27 * mm, 21 * mm, None)
    ATTACHED_WIDTHS = (22 * mm, 30 * mm, 34 * mm, None)
    DETACHED_WIDTHS = (17 * mm, 22 * mm, 28 * mm, 34 * mm, None)
    SIGNATURE_WIDTHS = (28 * mm, None)

    def __init__(
        self,
        document: SummaryDocument,
        *,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> None:
        self.doc = document
        self.styles = stylesheet()
        self.typesetter = Typesetter()
        self._meter = _ProgressMeter(progress, cancelled)
        self._partial = b""
        self._done = 0  # records built into the story (for progress)

    # -- small builders ------------------------------------------------------------------

    def para(self, text: Text, style: str = "Body") -> TextBlock:
        """Text across the page (a title, heading or note), exactly as written."""
        return self.typesetter.block(text, self.BODY_WIDTH, self._style(style))

    def _style(self, name: str) -> ParagraphStyle:
        style = self.styles[name]
        assert isinstance(style, ParagraphStyle)  # the sheet holds paragraph styles only
        return style

    def _widths(self, widths: Sequence[float | None]) -> list[float]:
        fixed = sum(w for w in widths if w is not None)
        flexible = (self.BODY_WIDTH - fixed) / max(sum(1 for w in widths if w is None), 1)
        return [w if w is not None else flexible for w in widths]

    def _cells(
        self, row: Sequence[Text], widths: Sequence[float], padding: float, styles: Sequence[str]
    ) -> list[TextBlock]:
        return [
            self.typesetter.block(text, width - 2 * padding, self._style(style))
            for text, width, style in zip(row, widths, styles, strict=True)
        ]

    def facts(self, rows: Iterable[tuple[str, Text]]) -> Grid | None:
        """A label/value grid (the labels shaded and bold), or None with no rows."""
        widths = [self.LABEL_WIDTH, self.BODY_WIDTH - self.LABEL_WIDTH]
        cells = [self._cells(row, widths, FACTS_LOOK.padding, ("CellBold", "Cell")) for row in rows]
        if not cells:
            return None
        return Grid(cells, widths, FACTS_LOOK, page_room=FRAME_HEIGHT, label_column=True)

    def some_facts(self, rows: Iterable[tuple[str, Text]]) -> Grid:
        """``facts`` of rows that are there (never empty)."""
        grid = self.facts(rows)
        assert grid is not None
        return grid

    def grid(
        self, header: Sequence[str], rows: Iterable[Sequence[Text]], widths: Sequence[float | None]
    ) -> Grid:
        """A grid of small text under a shaded header row (repeated on each page)."""
        col_widths = self._widths(widths)
        pad = GRID_LOOK.padding
        return Grid(
            [self._cells(row, col_widths, pad, ["Small"] * len(col_widths)) for row in rows],
            col_widths,
            GRID_LOOK,
            page_room=FRAME_HEIGHT,
            header=self._cells(header, col_widths, pad, ["SmallBold"] * len(col_widths)),
        )

    @staticmethod
    def lines(items: Iterable[str]) -> str:
        """Items one per line."""
        return "\n".join(item for item in items if item)

    @staticmethod
    def _redacted(value: str) -> Run:
        """The redaction marker, in colour and bold (and its words say "redacted", so it
        is visible in black and white)."""
        return Run(value, bold=True, color=REDACTED_INK)

    def redactable(self, record: PrintedRecord | AttachedRecord, value: str) -> Text:
        """A value that may have been replaced by the redaction marker."""
        if record.redacted is not None and value == record.redacted:
            return (self._redacted(value),)
        return value or "—"

    # -- front matter ------------------------------------------------------------------------

    def front(self) -> list[Flowable]:
        d, case = self.doc, self.doc.case
        rows: list[tuple[str, Text]] = [
            ("Child or young person", case.display_name),
            (
                "Date of birth",
                format_date(case.date_of_birth) if case.date_of_birth else NOT_RECORDED,
            ),
            ("Case reference", case.case_reference),
        ]
        if case.identifier:
            rows.append(("Consistent identifier", case.identifier))
        if case.other_identifiers:
            rows.append(("Other identifiers", case.other_identifiers))
        rows += [
            ("Restricted case", yes_no(case.restricted)),
            ("Period covered", d.period),
            ("Sections", ", ".join(s.label for s in Section if s in d.sections) or "None"),
            ("Redaction", d.redaction),
            ("Password protected", yes_no(d.protected)),
            ("Printed by", f"{d.printed_by}, {format_local(d.printed_at)}"),
            (
                "Audit anchor",
                f"{d.anchor} — the store's audit chain when this summary was built; the "
                "printing itself is the audit entry that names this anchor.",
            ),
        ]
        if d.root_fingerprint:
            rows.append(
                (
                    "Root of trust",
                    f"{d.root_fingerprint} — the store whose signed records this summary "
                    "was built from; compare these words by phone with its administrator.",
                )
            )
        story: list[Flowable] = [
            self.para("Case summary", "Title"),
            self.para(
                f"{d.marking}: this summary leaves the encrypted store. Keep it secure, share it "
                "only with those who need it for the purpose it was printed for, and destroy "
                "it securely when no longer needed.",
                "Note",
            ),
            Spacer(1, 3 * mm),
        ]
        table = self.facts(rows)
        if table is not None:
            story.append(table)
        if d.counts:
            story.append(self.para("Summary counts", "Heading2"))
            story.append(self.some_facts(d.counts))
        return story

    # -- chronology ----------------------------------------------------------------------------

    def chronology(self) -> list[Flowable]:
        story: list[Flowable] = [self.para("Chronology", "Heading1")]
        if not self.doc.chronology:
            return [*story, self.para("No records in the period covered.", "Body")]
        rows = [
            [
                row.ref,
                _two_line(row.occurred_at),
                _two_line(row.recorded_at) + ("\n(late entry)" if row.late else ""),
                row.kind.label.replace(" ", "\n", 1),
                row.summary,
                row.author,
            ]
            for row in self.doc.chronology
        ]
        header = ["Ref", "Occurred", "Recorded", "Record", "Summary", "By"]
        story.append(self.grid(header, rows, self.CHRONOLOGY_WIDTHS))
        story.append(
            self.para(
                "Times are local. A late entry was recorded more than 24 hours after it "
                "happened. Ref is the start of the record's identifier.",
                "Note",
            )
        )
        return story

    # -- sharing decisions ---------------------------------------------------------------------

    def sharing_decision(self, record: PrintedRecord, number: int, total: int) -> list[Flowable]:
        d = record.content
        assert isinstance(d, SharingDecisionDraft)
        kind = d.kind.label if d.kind else "Sharing decision"
        title = f"{number} of {total}. {kind} — {_when(d.occurred_at)} (ref {record.ref})"
        story: list[Flowable] = [CondPageBreak(40 * mm)] if number > 1 else []
        story.append(self.para(title, "Heading2"))
        story += self.declared(record)
        story += self.attached(record)
        return story

    # -- any declared record -------------------------------------------------------------

    def declared(self, record: PrintedRecord) -> list[Flowable]:
        """The record's printed fields, as its declaration (``domain.fields``) says: the
        "When" line, then a row per field, or per ``print_row`` its fields share; a field
        is printed when it applies or holds an answer (the details pane's rule)."""
        d = record.content
        story: list[Flowable] = []
        rows: list[tuple[str, Text]] = [("When", self._when(record))]
        shared: dict[str, list[tuple[str, str]]] = {}  # print_row -> its labelled parts
        order: list[str | tuple[str, Text]] = []

        def flush() -> None:
            for item in order:
                if isinstance(item, str):
                    rows.append((item, self._labelled(record, shared[item])))
                else:
                    rows.append(item)
            order.clear()
            shared.clear()
            table = self.facts(rows)
            if table is not None:
                story.append(table)
            rows.clear()

        for f in form_of(d).fields(Place.PRINT):
            if f.print_row == WHEN or f.custom == "ground_references" or not f.is_shown(d):
                continue  # the "When" line has those; references print with their ground
            if f.custom == "criteria":
                flush()
                story.append(self.para("The seven criteria", "Heading3"))
                assert isinstance(d, SharingDecisionDraft)  # only sharing decisions have them
                story.append(self._criteria(d))
                continue
            value = self._printed(record, f)
            if f.print_row:
                if f.print_row not in shared:
                    shared[f.print_row] = []
                    order.append(f.print_row)
                text = value if isinstance(value, str) else ""
                shared[f.print_row].append((f.short_for(d), text))
            else:
                order.append((f.short_for(d), value))
        flush()
        return story

    def _printed(self, record: PrintedRecord, f: Field) -> Text:
        """One field's value for the printout."""
        d = record.content
        if f.custom == "recipients":
            parties = [
                (", ".join(p for p in (r.name, r.role, r.organisation) if p) or NOT_RECORDED)
                + "; type of organisation: "
                + (r.organisation_type.label if r.organisation_type else NOT_RECORDED.lower())
                for r in getattr(d, f.name)
            ]
            return self.lines(parties) or NOT_RECORDED
        if f.custom == "grounds":
            assert isinstance(d, SharingDecisionDraft)  # only sharing decisions have them
            return self._grounds(d)
        if f.custom in ("consent_choice", "consent_ends"):
            if record.relied_on:
                return (
                    f"{record.relied_on} (ref {record.relied_on_ref})"
                    if f.custom == "consent_choice"
                    else record.relied_on
                )
            return f"ref {record.relied_on_ref}" if record.relied_on_ref else NOT_RECORDED
        text = words(f.value(d)) or NOT_RECORDED
        return self.redactable(record, text) if f.redactable and not f.print_row else text

    def _when(self, record: PrintedRecord) -> Text:
        occurred = getattr(record.content, "occurred_at", None) or record.occurred_at
        runs = [
            Run("Occurred:", bold=True),
            Run(f" {_when(occurred)}; "),
            Run("recorded:", bold=True),
            Run(f" {_when(record.recorded_at)} by {record.author}"),
        ]
        if record.late:
            reason = getattr(record.content, "late_entry_reason", "")
            runs += [
                Run("\n"),
                Run("Late entry", bold=True),
                Run(" (recorded more than 24 hours later)" + (f": {reason}" if reason else "")),
            ]
        return runs

    def _labelled(self, record: PrintedRecord, parts: list[tuple[str, str]]) -> Text:
        """Several short labelled answers in one cell; empty answers are left out."""
        runs: list[Run] = []
        for label, value in parts:
            if not value:
                continue
            if runs:
                runs.append(Run("\n"))
            runs.append(Run(f"{label}:", bold=True))
            runs.append(Run(" "))
            if record.redacted is not None and value == record.redacted:
                runs.append(self._redacted(value))
            else:
                runs.append(Run(value))
        return runs or "—"

    def _grounds(self, d: SharingDecisionDraft) -> Text:
        if not d.grounds:
            return NOT_RECORDED
        runs: list[Run] = []
        for ground in d.grounds:
            if runs:
                runs.append(Run("\n"))
            runs.append(Run(ground.label, bold=True))
            reference = d.ground_references.get(ground.value, "")
            if reference:
                runs.append(Run(f" ({reference})"))
            runs.append(Run(f"\nLegal basis: {ground.legal_basis}"))
        return runs

    def _criteria(self, d: SharingDecisionDraft) -> Grid:
        rows = []
        for criterion in Criterion:
            item = d.criteria.get(criterion)
            confirmed = item.confirmed if item is not None else False
            rationale = item.rationale if item is not None else ""
            rows.append(
                [criterion.label, "Confirmed" if confirmed else "Not confirmed", rationale or "—"]
            )
        return self.grid(["Criterion", "Confirmed", "Rationale"], rows, self.CRITERIA_WIDTHS)

    # -- consent decisions ------------------------------------------------------------------

    def consent_decision(self, record: PrintedRecord) -> list[Flowable]:
        d = record.content
        assert isinstance(d, ConsentDecisionDraft)
        outcome = d.outcome.label if d.outcome else "Consent decision"
        status = f" — {record.status}" if record.status else ""
        title = f"{outcome}{status} (ref {record.ref})"
        story: list[Flowable] = [CondPageBreak(30 * mm), self.para(title, "Heading2")]
        story += self.declared(record)
        story += self.attached(record)
        return story

    def other_record(self, record: PrintedRecord) -> list[Flowable]:
        """A record of any other kind printed in full (e.g. advice), from its declaration."""
        title = (
            f"{kind_of(record.content).title(record.content)} — {_when(record.occurred_at)} "
            f"(ref {record.ref})"
        )
        story: list[Flowable] = [CondPageBreak(30 * mm), self.para(title, "Heading2")]
        story += self.declared(record)
        story += self.attached(record)
        return story

    # -- amendments and reviews ---------------------------------------------------------

    @staticmethod
    def _attached_fields(item: AttachedRecord) -> tuple[Field, Field, list[Field]]:
        """An amendment's or review's printed fields, as declared (``domain.fields``): its
        pick-list (the reason, the outcome), its text (the correction, the comment), and
        the rest (whether the recipients were told)."""
        printed = list(form_of(item.content).fields(Place.PRINT))
        choice = next(f for f in printed if f.choices is not None)
        text = next(f for f in printed if f is not choice and f.choices is None)
        return choice, text, [f for f in printed if f not in (choice, text)]

    def _attached_text(self, item: AttachedRecord) -> Text:
        c = item.content
        _choice, main, rest = self._attached_fields(item)
        if main.redactable and item.redacted is not None:
            runs = [self._redacted(item.redacted)]
        else:
            runs = [Run(words(main.value(c)) or "—")]
        for f in rest:
            if f.is_shown(c):
                value = words(f.value(c)) or NOT_RECORDED
                runs += [Run("\n"), Run(f"{f.short_for(c)}:", bold=True), Run(f" {value}")]
        return runs

    def _attached_label(self, item: AttachedRecord) -> str:
        choice, _text, _rest = self._attached_fields(item)
        value = choice.value(item.content)
        return value.label if value is not None else kind_of(item.content).kind.label

    def attached(self, record: PrintedRecord) -> list[Flowable]:
        story: list[Flowable] = []
        for title, items in (
            ("Amendments to this record", record.amendments),
            ("Reviews of this record", record.reviews),
        ):
            if not items:
                continue
            choice, main, _rest = self._attached_fields(items[0])
            rows = [
                [
                    _two_line(item.recorded_at),
                    item.author,
                    self._attached_label(item),
                    self._attached_text(item),
                ]
                for item in items
            ]
            story.append(self.para(title, "Heading3"))
            content = items[0].content
            headings = ["Recorded", "By", choice.short_for(content), main.short_for(content)]
            story.append(self.grid(headings, rows, self.ATTACHED_WIDTHS))
        return story

    def detached(self) -> list[Flowable]:
        rows = [
            [
                item.target_ref,
                _two_line(item.recorded_at),
                item.author,
                f"{kind_of(item.content).kind.label}: {self._attached_label(item)}",
                self._attached_text(item),
            ]
            for item in self.doc.detached
        ]
        return [
            self.para("Amendments and reviews of records not printed in full", "Heading1"),
            self.grid(["Of ref", "Recorded", "By", "Kind", "Text"], rows, self.DETACHED_WIDTHS),
        ]

    # -- signatures ------------------------------------------------------------------------

    def signatures(self) -> list[Flowable]:
        blocks: list[Flowable] = [self.para("Signatures", "Heading1")]
        widths = self._widths(self.SIGNATURE_WIDTHS)
        cell = self._style("Cell")
        pad = 2 * SIGNATURE_PADDING
        for block in self.doc.signatures:
            filled = {"Name": block.name, "Role": block.role}
            title = self.typesetter.block(block.label, sum(widths) - pad, self._style("CellBold"))
            rows: list[list[Flowable | str]] = [[title, ""]]
            for label in ("Name", "Role", "Signature", "Date"):
                value = filled.get(label)
                rows.append(
                    [
                        self.typesetter.block(label, widths[0] - pad, cell),
                        self.typesetter.block(value, widths[1] - pad, cell) if value else "",
                    ]
                )
            style = TableStyle(
                [
                    ("SPAN", (0, 0), (-1, 0)),
                    ("LINEBELOW", (1, 1), (1, -1), 0.6, "#333333"),
                    ("TOPPADDING", (0, 1), (-1, -1), 9),
                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ]
            )
            blocks.append(
                KeepTogether(
                    [
                        Table(rows, colWidths=widths, style=style),
                        Spacer(1, 6 * mm),
                    ]
                )
            )
        return [KeepTogether(blocks[:2]), *blocks[2:]]

    # -- the whole document -------------------------------------------------------------

    def story(self) -> list[Flowable]:
        """Every flowable of the document, in order."""
        return self.opening() + self.records()

    def opening(self) -> list[Flowable]:
        """The front page and the chronology (what a reader sees first)."""
        story = self.front()
        if Section.CHRONOLOGY in self.doc.sections:
            story += self.chronology()
        self._step()
        return story

    def _step(self) -> None:
        d = self.doc
        work = max(len(d.sharing) + len(d.consents) + len(d.others) + 1, 1)
        self._done += 1
        self._meter.check()
        self._meter.report(_BUILD_SHARE * self._done / work)

    def records(self) -> list[Flowable]:
        """The records in full, then amendments and reviews of others, and signatures."""
        d = self.doc
        step = self._step
        story: list[Flowable] = []
        if Section.SHARING in d.sections:
            story.append(CondPageBreak(70 * mm))
            story.append(self.para("Sharing decisions", "Heading1"))
            if not d.sharing:
                story.append(self.para("No sharing decisions in the period covered.", "Body"))
            for number, record in enumerate(d.sharing, start=1):
                story += self.sharing_decision(record, number, len(d.sharing))
                step()
        if Section.CONSENT in d.sections:
            story.append(CondPageBreak(60 * mm))
            story.append(self.para("Consent decisions", "Heading1"))
            if not d.consents:
                story.append(self.para("No consent decisions in the period covered.", "Body"))
            for record in d.consents:
                story += self.consent_decision(record)
                step()
        if Section.OTHERS in d.sections:
            for kind, found in KINDS.items():
                if not found.printable or kind in FULL_SECTIONS:
                    continue
                printed = [r for r in d.others if isinstance(r.content, found.draft)]
                story.append(CondPageBreak(60 * mm))
                story.append(self.para(found.plural, "Heading1"))
                if not printed:
                    story.append(
                        self.para(f"No {found.plural.lower()} in the period covered.", "Body")
                    )
                for record in printed:
                    story += self.other_record(record)
                    step()
        if d.detached:
            story += self.detached()
        if d.signatures:
            story += self.signatures()
        return story

    def render(self, first_pages: FirstPages | None = None) -> bytes:
        """The PDF, in memory.

        With ``first_pages``, a PDF of the first FIRST_PAGES pages (numbered "Page X of
        …": the total is not known yet) is handed to it as soon as they are laid out,
        before the rest of the story is even built. They come from the opening alone
        (the front page and the chronology): if it fills them, they are the same pages
        as the whole document's; if not, the document is short and nothing is handed
        over before the whole.
        """
        self._meter.check()
        story = self.opening()
        if first_pages is not None:
            early = _ProgressMeter(None, self._meter.check_cancelled)
            if self._layout(list(story), early, stop_after=FIRST_PAGES) is None:
                first_pages(self._partial)
                self._partial = b""
            _forget_layout(story)
        story += self.records()
        data = self._layout(story, self._meter)
        assert data is not None  # laid out to its end
        self._meter.report(1.0)
        return data

    def _layout(
        self, story: list[Flowable], meter: _ProgressMeter, *, stop_after: int | None = None
    ) -> bytes | None:
        """Lay out ``story``: the PDF, or None once ``stop_after`` pages are laid out
        (the PDF of those pages is then in ``self._partial``)."""
        buffer = io.BytesIO()
        decoration = PageDecoration(
            marking=self.doc.marking,
            title=f"Case summary · case reference {self.doc.case.case_reference}",
            printed=f"Printed by {self.doc.printed_by}, {format_local(self.doc.printed_at)}",
            anchor=f"Audit anchor {self.doc.anchor}",
        )
        template = _SummaryDocTemplate(
            buffer,
            meter,
            total=len(story),
            pagesize=PAGE_SIZE,
            leftMargin=MARGIN_LEFT,
            rightMargin=MARGIN_RIGHT,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            # Document information carries no personal data (no name, no reference).
            title="Case summary",
            author="InfoShare Desktop",
            subject=self.doc.marking,
            creator="InfoShare Desktop",
            # reportlab's own starting font would put an unembedded Helvetica, which no
            # text uses, in every page's resources.
            initialFontName=REGULAR,
        )
        frame = Frame(
            MARGIN_LEFT,
            MARGIN_BOTTOM,
            self.BODY_WIDTH,
            FRAME_HEIGHT,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        template.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=decoration.draw)])
        try:
            template.build(
                story, canvasmaker=functools.partial(NumberedCanvas, stop_after=stop_after)
            )
        except EnoughPages:
            template.canv.save()  # the pages so far, their total not known
            self._partial = buffer.getvalue()
            return None
        except SummaryCancelled:
            raise
        except Exception as exc:  # reportlab raises plain exceptions for layout failures
            raise ReportError(
                "The case summary could not be laid out. Please report this problem; "
                "the store is unaffected."
            ) from exc
        return buffer.getvalue()


def _forget_layout(flowables: Iterable[Flowable]) -> None:
    """Clear what a layout leaves on the flowables, so those of a layout stopped
    part-way lay out again exactly as the first time: reportlab marks a flowable it
    moved to the next page (a second move means it fits no page), and turns off
    keep-with-next on a heading once it has grouped it with what follows."""
    for flowable in flowables:
        flowable.__dict__.pop("_postponed", None)
        flowable.__dict__.pop("keepWithNext", None)  # ours come from their style
        _forget_layout(getattr(flowable, "_content", ()))


def render_case_summary(
    document: SummaryDocument,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    first_pages: FirstPages | None = None,
) -> bytes:
    """Lay out ``document`` and return the PDF bytes (nothing is written to disk); with
    ``first_pages``, hand it the first pages first (see CaseSummaryReport.render)."""
    report = CaseSummaryReport(document, progress=progress, cancelled=cancelled)
    return report.render(first_pages)
