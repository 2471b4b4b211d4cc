"""Reading findings against the rule catalogue: which declared message made a finding."""

from __future__ import annotations

import functools
import re
import string

from infoshare_desktop.domain.rules import RULES, Finding, Message


@functools.cache
def _pattern(template: str) -> re.Pattern[str]:
    """The template as a regular expression: its literal text exactly, each ``{value}``
    as some text (at least one character)."""
    parts = []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name is not None:
            parts.append(".+?")
    return re.compile("".join(parts), re.DOTALL)


def _made_by(message: Message, finding: Finding) -> bool:
    return finding.field in message.fields and bool(
        _pattern(message.text).fullmatch(finding.message)
    )


def message_of(finding: Finding) -> str | None:
    """The key of the catalogue message that made ``finding``, or None if none could."""
    rule = RULES.get(finding.rule_id)
    if rule is None:
        return None
    for key, message in rule.messages.items():
        if _made_by(message, finding):
            return key
    return None


def assert_in_catalogue(finding: Finding) -> None:
    """``finding`` is one the catalogue declares: a known rule, with the rule's severity and
    citation, pointing at one of the fields and worded as one of the messages."""
    rule = RULES.get(finding.rule_id)
    assert rule is not None, f"{finding.rule_id} is not in the catalogue"
    assert finding.severity is rule.severity, finding
    assert finding.citation == rule.citation.label, finding
    assert finding.field in rule.fields, finding
    assert message_of(finding) is not None, f"no message of {rule.rule_id} reads {finding}"
