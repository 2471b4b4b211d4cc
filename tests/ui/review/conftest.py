"""Fixtures for the review screens: a practitioner, a supervisor and a team lead on one
store, a case, and windows with the review pages installed."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from infoshare_desktop.domain import (
    ConsentStatus,
    Ground,
    NotSoughtReason,
    PublicInterestCircumstance,
    SharingDecisionDraft,
)
from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.services import accounts, cases
from infoshare_desktop.ui.main_window import MainWindow
from infoshare_desktop.ui.review import ReviewPages, install_review_pages
from tests.domain.factories import complete_case, complete_sharing_decision

PASSWORD = "harbour lantern meadow"  # fictional
AUTHOR, SUPERVISOR, LEAD = "ann.author", "sid.supervisor", "tia.lead"
NAMES = {AUTHOR: "Ann Author", SUPERVISOR: "Sid Supervisor", LEAD: "Tia Lead"}


def without_consent(**changes: object) -> SharingDecisionDraft:
    """A complete sharing decision made without consent (it enters review when saved)."""
    return complete_sharing_decision(
        consent_status=ConsentStatus.NOT_SOUGHT,
        consent_from=None,
        not_sought_reasons=[NotSoughtReason.RISK_TO_CHILD],
        grounds=[Ground.SIGNIFICANT_HARM],
        public_interest=[PublicInterestCircumstance.REASONABLE_CAUSE_TO_BELIEVE],
        significant_harm_concern=True,
        **changes,
    )


@dataclass
class Team:
    author: object
    supervisor: object
    lead: object
    case_id: str


@pytest.fixture
def team(admin_store, data_paths):
    stores = {}
    for name, roles in (
        (AUTHOR, {Role.PRACTITIONER}),
        (SUPERVISOR, {Role.SUPERVISOR, Role.PRACTITIONER}),
        (LEAD, {Role.TEAM_LEAD}),
    ):
        code = accounts.add_user(admin_store, username=name, display_name=NAMES[name], roles=roles)
        stores[name] = accounts.sign_in(
            data_paths, username=name, password=code, new_password=PASSWORD
        )
    case_id = cases.create_case(stores[AUTHOR], draft=complete_case())
    yield Team(stores[AUTHOR], stores[SUPERVISOR], stores[LEAD], case_id)
    for store in stores.values():
        store.close()


@pytest.fixture
def open_window(qtbot):
    """``open_window(store)``: a shown MainWindow with the review pages installed (and
    their counts in the navigation)."""
    windows: list[MainWindow] = []

    def make(store) -> tuple[MainWindow, ReviewPages]:
        window = MainWindow(store)
        qtbot.addWidget(window)
        pages = install_review_pages(window, window.session)
        # The navigation counts are read just after the window first paints.
        counted = [p.count_changed for p in (pages.queue, pages.returned) if p is not None]
        with qtbot.waitSignals(counted, timeout=30_000):
            window.show()
        windows.append(window)
        return window, pages

    yield make
    for window in windows:
        window.close()


def nav_text(window: MainWindow, name: str) -> str:
    """The navigation entry's text for page ``name`` (it carries the count)."""
    return window.navigation.item(window.page_names().index(name)).text()
