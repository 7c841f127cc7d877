"""GET /cases/<id>/: the case file page."""

from __future__ import annotations

import datetime as dt

import time_machine

from childsafe.audit.models import AuditEvent
from childsafe.cases.services import note_add
from childsafe.cases.tests.factories import make_case, make_report, sha256_of
from childsafe.orgs.models import Function


def test_it_shows_the_case_with_reports_and_tasks(police_case, personas, staff_client):
    response = staff_client(personas["police_investigator"]).get(f"/cases/{police_case.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert police_case.reference in page
    assert "<code>https://example.com/groomer</code>" in page
    assert 'href="https://example.com/groomer"' not in page  # reported URLs are inert text
    assert "Zalo" in page
    assert f"/cases/{police_case.pk}/tasks/" in page  # the police may accept their task
    event = AuditEvent.objects.get(action="case.view")
    assert event.object_id == str(police_case.pk)


def test_personal_data_is_masked(orgs, personas, staff_client):
    report = make_report(
        child_name="Nguyễn Thị Hoa",
        child_school="THCS Lê Lợi",
        reporter_name="Trần Văn Bình",
        reporter_contact="0905123456",
        is_anonymous=False,
        reporter_relation="parent",
        files=[sha256_of("img")],
    )
    case = make_case(owner=orgs.dolisa, report=report)
    page = staff_client(personas["hotline_operator"]).get(f"/cases/{case.pk}/").content.decode()
    for secret in ("Nguyễn Thị Hoa", "THCS Lê Lợi", "Trần Văn Bình", "0905123456"):
        assert secret not in page
    assert sha256_of("img") in page


def test_internal_notes_of_another_agency_are_not_shown(shared_case, personas, staff_client):
    note_add(
        shared_case, text="police only", is_shared=False, actor=personas["police_investigator"]
    )
    note_add(
        shared_case, text="for everyone", is_shared=True, actor=personas["police_investigator"]
    )
    page = staff_client(personas["ict_officer"]).get(f"/cases/{shared_case.pk}/").content.decode()
    assert "for everyone" in page
    assert "police only" not in page


def test_agencies_see_no_triage_forms(shared_case, personas, staff_client):
    page = staff_client(personas["ict_officer"]).get(f"/cases/{shared_case.pk}/").content.decode()
    assert f"/cases/{shared_case.pk}/close/" not in page
    page = (
        staff_client(personas["hotline_operator"])
        .get(f"/cases/{shared_case.pk}/")
        .content.decode()
    )
    assert f"/cases/{shared_case.pk}/close/" in page


def test_another_agency_gets_404(police_case, personas, staff_client):
    response = staff_client(personas["education_officer"]).get(f"/cases/{police_case.pk}/")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="case.view").exists()


def test_a_rejected_task_no_longer_opens_the_case(orgs, personas, staff_client):
    case = make_case(owner=orgs.dolisa, tasks=[(orgs.ict, Function.TAKEDOWN, "rejected")])
    assert staff_client(personas["ict_officer"]).get(f"/cases/{case.pk}/").status_code == 404


def test_roles_without_case_view_are_refused(police_case, personas, staff_client):
    for role in ("school_it_admin", "provider_contact", "auditor"):
        response = staff_client(personas[role]).get(f"/cases/{police_case.pk}/")
        assert response.status_code == 403, role


def test_post_is_refused(police_case, personas, staff_client):
    response = staff_client(personas["police_investigator"]).post(f"/cases/{police_case.pk}/")
    assert response.status_code == 405


def test_logged_out_goes_to_login(client, police_case):
    response = client.get(f"/cases/{police_case.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/cases/{police_case.pk}/"


def test_it_is_translated_to_english(police_case, personas, staff_client):
    response = staff_client(personas["police_investigator"]).get(f"/en/cases/{police_case.pk}/")
    assert response.status_code == 200
    assert "Timeline" in response.content.decode()


def test_it_shows_the_time_limit_and_the_overdue_state(police_case, personas, staff_client):
    clock = police_case.clocks.get()
    client = staff_client(personas["police_investigator"])
    page = client.get(f"/en/cases/{police_case.pk}/").content.decode()
    assert clock.rule.legal_basis in page
    assert "left" in page
    with time_machine.travel(clock.due_at + dt.timedelta(days=2), tick=False):
        # A fresh login: the session of 20 days ago has expired.
        client = staff_client(personas["police_investigator"])
        page = client.get(f"/en/cases/{police_case.pk}/").content.decode()
    assert "overdue by 2\xa0days" in page
