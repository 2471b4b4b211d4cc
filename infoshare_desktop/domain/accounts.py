"""Accounts: roles, and the password policy (NIST SP 800-63B style).

At least 8 characters (15 recommended), at most 256, no composition rules, the most
common passwords refused, Unicode normalised to NFC so the same password typed on
another keyboard layout still unlocks.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from functools import cache

from infoshare_desktop.domain.enums import LabelledEnum
from infoshare_desktop.domain.text import SHORT_TEXT, clean_text

MIN_PASSWORD = 8
RECOMMENDED_PASSWORD = 15
MAX_PASSWORD = 256
MAX_USERNAME = 64


class Role(StrEnum):
    PRACTITIONER = "practitioner"
    TEAM_LEAD = "team_lead"
    SUPERVISOR = "supervisor"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return {
            Role.PRACTITIONER: "Practitioner",
            Role.TEAM_LEAD: "Team lead",
            Role.SUPERVISOR: "Supervisor",
            Role.ADMINISTRATOR: "Administrator",
        }[self]


class AccountStatus(LabelledEnum):
    """Whether an account can sign in: active, disabled (for now) or revoked (for good)."""

    ACTIVE = "active", "Active"
    DISABLED = "disabled", "Disabled"
    REVOKED = "revoked", "Revoked"


CASE_ROLES = (Role.PRACTITIONER, Role.TEAM_LEAD, Role.SUPERVISOR)
"""The roles that work on cases (see, record, amend). An administrator sees no case content
unless also given one of these (docs/domain.md, "Who uses it")."""


def normalise_password(password: str) -> str:
    return unicodedata.normalize("NFC", password)


def normalise_username(username: str) -> str:
    """User names compare case-insensitively and without surrounding spaces."""
    return unicodedata.normalize("NFKC", username).strip().casefold()


def clean_display_name(display_name: str | None, *, username: str) -> str:
    """A person's full name as shown and printed, cleaned and limited like every other
    text (InvalidTextError for a damaged character or more than SHORT_TEXT characters);
    line breaks and runs of spaces become one space; empty means the user name."""
    name = clean_text(display_name, field="display_name", label="full name", max_length=SHORT_TEXT)
    return " ".join(name.split()) or username.strip()


def username_problem(username: str) -> str | None:
    """Why a proposed user name cannot be used, or None."""
    name = normalise_username(username)
    if not name:
        return "Enter a user name."
    if len(name) > MAX_USERNAME:
        return f"A user name can have at most {MAX_USERNAME} characters."
    if any(unicodedata.category(c)[0] in "CZ" and c != " " for c in name):
        return "A user name cannot contain control characters or line breaks."
    return None


@cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, username: str = "") -> str | None:
    """Why a proposed password cannot be used, in words for the user; None if it can."""
    pw = normalise_password(password)
    if "\x00" in pw:
        return "A password cannot contain a NUL character."
    if len(pw) < MIN_PASSWORD:
        return (
            f"Use at least {MIN_PASSWORD} characters ({RECOMMENDED_PASSWORD} or more is "
            "better: a short phrase is easy to remember)."
        )
    if len(pw) > MAX_PASSWORD:
        return f"A password can have at most {MAX_PASSWORD} characters."
    folded = pw.casefold()
    if folded in _common_passwords() or len(set(folded)) < 3:
        return "That password is one of the most commonly used; choose another."
    if username and folded == normalise_username(username):
        return "The password cannot be the same as the user name."
    return None
