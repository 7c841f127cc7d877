"""POST /cases/<id>/reports/<id>/reveal/: hidden personal data, shown for a reason."""

from __future__ import annotations

import pytest
from django.test import Client

from childsafe.audit.models import AuditEvent
from childsafe.cases.tests.factories import make_case
from childsafe.orgs.models import Function

SECRETS = {
    "child_name": "Nguyễn Thị Hoa",
    "child_school": "THCS Lê Lợi",
    "reporter_name": "Trần Văn Bình",
    "reporter_contact": "0905123456",
}
REASON = "Công an cần gọi lại cho người báo tin"


@pytest.fixture
def case(orgs):
    return make_case(
        owner=orgs.dolisa,
        tasks=[(orgs.district_police, Function.CRIME_REPORTS)],
        is_anonymous=False,
        reporter_relation="parent",
        **SECRETS,
    )


def url(case):
    return f"/cases/{case.pk}/reports/{case.case_reports.get().report_id}/reveal/"


def test_it_shows_the_chosen_values_once_and_audits_the_reason(case, personas, staff_client):
    response = staff_client(personas["police_investigator"]).post(
        url(case), {"show": ["child_name", "reporter_contact"], "reason": REASON}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert SECRETS["child_name"] in page and SECRETS["reporter_contact"] in page
    assert SECRETS["child_school"] not in page and SECRETS["reporter_name"] not in page
    event = AuditEvent.objects.get(action="report.reveal")
    assert event.actor == personas["police_investigator"]
    assert event.detail == {"fields": ["child_name", "reporter_contact"], "reason": REASON}


def test_the_case_page_masks_the_values_and_offers_the_form(case, personas, staff_client):
    page = staff_client(personas["police_investigator"]).get(f"/cases/{case.pk}/").content.decode()
    for secret in SECRETS.values():
        assert secret not in page
    assert f'action="{url(case)}"' in page
    assert 'name="reason"' in page


def test_a_short_reason_is_a_400_and_shows_nothing(case, personas, staff_client):
    response = staff_client(personas["police_investigator"]).post(
        url(case), {"show": ["child_name"], "reason": "cần"}
    )
    assert response.status_code == 400
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert SECRETS["child_name"] not in page
    assert 'class="error"' in page
    assert not AuditEvent.objects.filter(action="report.reveal").exists()


def test_choosing_nothing_is_a_400(case, personas, staff_client):
    response = staff_client(personas["police_investigator"]).post(url(case), {"reason": REASON})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="report.reveal").exists()


def test_get_is_not_allowed(case, personas, staff_client):
    assert staff_client(personas["police_investigator"]).get(url(case)).status_code == 405


def test_logged_out_goes_to_login(case):
    response = Client().post(url(case), {"show": ["child_name"], "reason": REASON})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_another_agency_gets_404(case, personas, staff_client):
    response = staff_client(personas["education_officer"]).post(
        url(case), {"show": ["child_name"], "reason": REASON}
    )
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="report.reveal").exists()


def test_a_report_of_another_case_is_404(case, orgs, personas, staff_client):
    other = make_case(owner=orgs.dolisa, child_name="Lê Văn C")
    response = staff_client(personas["police_investigator"]).post(
        f"/cases/{case.pk}/reports/{other.case_reports.get().report_id}/reveal/",
        {"show": ["child_name"], "reason": REASON},
    )
    assert response.status_code == 404


def test_roles_without_case_view_are_refused(case, personas, staff_client):
    response = staff_client(personas["auditor"]).post(
        url(case), {"show": ["child_name"], "reason": REASON}
    )
    assert response.status_code == 403
