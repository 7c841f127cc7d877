"""GET /cases/: the cases the user may see, with search insensitive to diacritics."""

from __future__ import annotations

import datetime as dt

import time_machine

from childsafe.cases.models import CaseStatus
from childsafe.cases.tests.factories import make_case
from childsafe.orgs.models import Function


def refs(response):
    return [c.reference for c in response.context["page"]]


def test_it_lists_the_users_cases(police_case, shared_case, personas, staff_client):
    response = staff_client(personas["education_officer"]).get("/cases/")
    assert response.status_code == 200
    assert refs(response) == [shared_case.reference]


def test_it_orders_by_priority_then_age(orgs, personas, staff_client):
    low = make_case(owner=orgs.dolisa, priority=10)
    high = make_case(owner=orgs.dolisa, priority=90)
    low_later = make_case(owner=orgs.dolisa, priority=10)
    response = staff_client(personas["hotline_operator"]).get("/cases/")
    assert refs(response) == [high.reference, low.reference, low_later.reference]


def test_closed_cases_only_on_request(orgs, personas, staff_client):
    open_case = make_case(owner=orgs.dolisa)
    closed = make_case(owner=orgs.dolisa, status=CaseStatus.CLOSED)
    client = staff_client(personas["hotline_operator"])
    assert refs(client.get("/cases/")) == [open_case.reference]
    assert refs(client.get("/cases/?status=closed")) == [closed.reference]
    assert set(refs(client.get("/cases/?status=all"))) == {open_case.reference, closed.reference}


def test_search_ignores_vietnamese_diacritics(orgs, personas, staff_client):
    # Category "other": its names ("Other", "Khác") hold none of the words searched.
    hit = make_case(
        owner=orgs.dolisa,
        category="other",
        urls=["https://example.vn/bai-viet/xâm-hại-trẻ-em"],
        platform="Nhóm kín Đà Nẵng",
    )
    make_case(
        owner=orgs.dolisa, category="other", urls=["https://other.example/"], platform="Zalo"
    )
    client = staff_client(personas["hotline_operator"])
    assert refs(client.get("/cases/?q=xam+hai")) == [hit.reference]
    assert refs(client.get("/cases/?q=XÂM+HẠI")) == [hit.reference]
    assert refs(client.get("/cases/?q=da+nang")) == [hit.reference]
    assert refs(client.get("/cases/?q=đà+nẵng+kín")) == [hit.reference]
    assert refs(client.get("/cases/?q=hai+zalo")) == []


def test_search_finds_references_and_tracking_codes(police_case, orgs, personas, staff_client):
    make_case(owner=orgs.dolisa)
    client = staff_client(personas["hotline_operator"])
    assert refs(client.get(f"/cases/?q={police_case.reference.lower()}")) == [
        police_case.reference
    ]
    code = police_case.case_reports.get().report.tracking_code
    assert refs(client.get(f"/cases/?q={code}")) == [police_case.reference]


def test_search_does_not_reach_beyond_scope(police_case, personas, staff_client):
    response = staff_client(personas["education_officer"]).get("/cases/?q=groomer")
    assert refs(response) == []


def test_a_bad_filter_is_a_400(personas, staff_client, db):
    response = staff_client(personas["hotline_operator"]).get("/cases/?status=nonsense")
    assert response.status_code == 400


def test_another_agency_sees_none_of_its_cases(orgs, personas, staff_client):
    make_case(owner=orgs.dolisa, tasks=[(orgs.district_police, Function.CRIME_REPORTS)])
    assert refs(staff_client(personas["social_worker"]).get("/cases/")) == []


def test_post_is_refused(personas, staff_client):
    assert staff_client(personas["hotline_operator"]).post("/cases/").status_code == 405


def test_logged_out_goes_to_login(client, db):
    assert client.get("/cases/")["Location"] == "/login/?next=/cases/"


def test_the_list_shows_overdue_cases(police_case, personas, staff_client):
    due = police_case.clocks.get().due_at
    with time_machine.travel(due + dt.timedelta(hours=3), tick=False):
        client = staff_client(personas["police_investigator"])
        page = client.get("/en/cases/").content.decode()
    assert "overdue by 3\xa0hours" in page
