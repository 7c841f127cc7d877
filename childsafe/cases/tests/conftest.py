from __future__ import annotations

import pytest

from childsafe.cases.tests.factories import make_case
from childsafe.orgs.models import Function


@pytest.fixture
def police_case(orgs):
    """A grooming case coordinated by DOLISA, proposed to the district police only."""
    return make_case(
        owner=orgs.dolisa,
        category="grooming",
        tasks=[(orgs.district_police, Function.CRIME_REPORTS)],
        urls=["https://example.com/groomer"],
        platform="Zalo",
    )


@pytest.fixture
def shared_case(orgs):
    """A case every agency persona works on: ICT, district police, facility, education."""
    return make_case(
        owner=orgs.dolisa,
        tasks=[
            (orgs.ict, Function.TAKEDOWN),
            (orgs.district_police, Function.CRIME_REPORTS),
            (orgs.facility, Function.COUNSELLING),
            (orgs.education, Function.TRAINING),
        ],
        urls=["https://example.com/a"],
    )


@pytest.fixture
def counselling_case(orgs):
    """A cyberbullying case coordinated by DOLISA whose counselling task the facility
    accepted, with an ICT takedown task beside it."""
    return make_case(
        owner=orgs.dolisa,
        category="cyberbullying",
        tasks=[
            (orgs.facility, Function.COUNSELLING, "accepted"),
            (orgs.ict, Function.TAKEDOWN),
        ],
    )


@pytest.fixture
def counselling_task(counselling_case):
    return counselling_case.agency_tasks.get(function=Function.COUNSELLING)
