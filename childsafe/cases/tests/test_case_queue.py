"""GET /cases/queue/: new cases by priority, then age."""

from __future__ import annotations

from childsafe.cases.models import CaseStatus
from childsafe.cases.tests.factories import make_case
from childsafe.orgs.models import Function


def refs(response):
    return [c.reference for c in response.context["page"]]


def test_it_lists_new_cases_most_urgent_first(orgs, personas, staff_client):
    older_low = make_case(owner=orgs.dolisa, priority=20)
    urgent = make_case(owner=orgs.dolisa, priority=130)
    newer_low = make_case(owner=orgs.dolisa, priority=20)
    make_case(owner=orgs.dolisa, priority=200, status=CaseStatus.TRIAGED)
    response = staff_client(personas["hotline_operator"]).get("/cases/queue/")
    assert response.status_code == 200
    assert refs(response) == [urgent.reference, older_low.reference, newer_low.reference]


def test_the_queue_is_scoped(orgs, personas, staff_client):
    case = make_case(owner=orgs.ict, tasks=[(orgs.ict, Function.TAKEDOWN)])
    assert refs(staff_client(personas["hotline_operator"]).get("/cases/queue/")) == []
    assert refs(staff_client(personas["province_coordinator"]).get("/cases/queue/")) == [
        case.reference
    ]


def test_agencies_have_no_queue(personas, staff_client):
    for role in ("police_investigator", "ict_officer", "social_worker", "education_officer"):
        assert staff_client(personas[role]).get("/cases/queue/").status_code == 403


def test_post_is_refused(personas, staff_client):
    assert staff_client(personas["hotline_operator"]).post("/cases/queue/").status_code == 405


def test_logged_out_goes_to_login(client, db):
    assert client.get("/cases/queue/")["Location"] == "/login/?next=/cases/queue/"
