"""The tables of docs/domain.md that are generated from the domain, so they cannot drift.

Each generated table sits between ``<!-- generated: NAME -->`` and ``<!-- end: NAME -->``.
``tests/test_docs.py`` fails when a table differs from what the domain declares; rewrite
them with ``make docs`` (``python -m tests.docs_tables``).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from infoshare_desktop.domain.enums import (
    Ground,
    NotSoughtReason,
    OrganisationType,
    PublicInterestCircumstance,
)
from infoshare_desktop.domain.rules import RULES, SHARES, SHARING, Citation, Rule, Scope

DOMAIN_MD = Path(__file__).resolve().parent.parent / "docs" / "domain.md"
_BLOCK = re.compile(
    r"(<!-- generated: (?P<name>[a-z-]+) -->\n)(?P<body>.*?)(<!-- end: (?P=name) -->)", re.S
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _scopes(applies: frozenset[Scope]) -> str:
    parts: list[str] = []
    rest = set(applies)
    if rest >= SHARING:
        parts.append("every sharing decision")
        rest -= SHARING
    elif rest >= SHARES:
        parts.append("shared, shared in part")
        rest -= SHARES
    parts += [scope.label.lower() for scope in Scope if scope in rest]
    text = "; ".join(parts)
    return text[0].upper() + text[1:]


def citation_link(citation: Citation) -> str:
    """A citation as the table shows it: its source's full title without the topic after
    the last colon ("Information sharing: advice for practitioners (DfE 2024)", "Golden
    rule 2"), linked to its section below."""
    name = citation.label.rsplit(": ", 1)[0].replace(" (chapter section 4)", "")
    if citation is Citation.LATER:
        name = "Later guidance and law"
    elif citation is Citation.GOLDEN_RULE_6_ACCURATE:
        name += ", accurate"
    return f"[{name}](#{citation.value})"


def _rule_row(rule: Rule) -> str:
    severity = rule.severity.value
    return (
        f"| `{rule.rule_id}` | {severity} | {_scopes(rule.applies_to)} | "
        f"{_cell(rule.requires)} | {citation_link(rule.citation)} |"
    )


def rules_table() -> list[str]:
    return [
        "| Rule | Severity | Applies to | What satisfies it | Guidance |",
        "|---|---|---|---|---|",
        *(_rule_row(rule) for rule in RULES.values()),
    ]


def _labels(members: Iterable[NotSoughtReason | PublicInterestCircumstance]) -> list[str]:
    return [f"- {member.label}" for member in members]


def grounds_table() -> list[str]:
    return [
        "| Ground (what the practitioner picks) | Legal basis shown for confirmation |",
        "|---|---|",
        *(f"| {_cell(g.label)} | {_cell(g.legal_basis)} |" for g in Ground),
    ]


TABLES: dict[str, Callable[[], list[str]]] = {
    "rules": rules_table,
    "grounds": grounds_table,
    "not-sought": lambda: _labels(NotSoughtReason),
    "public-interest": lambda: _labels(PublicInterestCircumstance),
    "organisation-type": lambda: [
        f"- {t.label}" + (" (under the duty to share)" if t.holds_duty else "")
        for t in OrganisationType
    ],
}


def blocks(text: str) -> dict[str, str]:
    """The generated blocks of ``text`` by name, as written."""
    return {m["name"]: m["body"] for m in _BLOCK.finditer(text)}


def rewrite(text: str) -> str:
    """``text`` with every generated block replaced by what the domain declares now."""

    def fill(match: re.Match[str]) -> str:
        body = "\n".join(TABLES[match["name"]]()) + "\n"
        return match.group(1) + body + match.group(4)

    return _BLOCK.sub(fill, text)


def main() -> int:
    text = DOMAIN_MD.read_text(encoding="utf-8")
    DOMAIN_MD.write_text(rewrite(text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
