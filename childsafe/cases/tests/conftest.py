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
