"""POST /cases/<id>/consents/<id>/withdraw/: a person withdrew their consent."""

from __future__ import annotations

import pytest
from django.test import Client

from childsafe.audit.models import AuditEvent
from childsafe.cases.tests.factories import make_case
from childsafe.orgs.models import Function
from childsafe.reports.models import ConsentRecord


@pytest.fixture
def case(orgs):
    return make_case(owner=orgs.dolisa, tasks=[(orgs.district_police, Function.CRIME_REPORTS)])


@pytest.fixture
def consent(case):
    return ConsentRecord.objects.create(
        report=case.case_reports.get().report, given_by="parent", scope="process"
    )


def url(case, consent):
    return f"/cases/{case.pk}/consents/{consent.pk}/withdraw/"


def test_it_records_the_withdrawal_and_flags_the_report(case, consent, personas, staff_client):
    client = staff_client(personas["hotline_operator"])
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'action="{url(case, consent)}"' in page
    response = client.post(url(case, consent), {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    consent.refresh_from_db()
    assert consent.withdrawn_by == personas["hotline_operator"]
    assert AuditEvent.objects.filter(action="report.consent_withdraw").count() == 1
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'action="{url(case, consent)}"' not in page
    assert 'class="error" role="alert"' in page  # the processing flag


def test_without_the_confirmation_it_is_a_400(case, consent, personas, staff_client):
    response = staff_client(personas["police_investigator"]).post(url(case, consent), {})
    assert response.status_code == 400
    consent.refresh_from_db()
    assert not consent.is_withdrawn


def test_withdrawing_twice_is_a_400(case, consent, personas, staff_client):
    client = staff_client(personas["police_investigator"])
    client.post(url(case, consent), {"confirm": "on"})
    assert client.post(url(case, consent), {"confirm": "on"}).status_code == 400
    assert AuditEvent.objects.filter(action="report.consent_withdraw").count() == 1


def test_get_is_not_allowed(case, consent, personas, staff_client):
    response = staff_client(personas["police_investigator"]).get(url(case, consent))
    assert response.status_code == 405


def test_logged_out_goes_to_login(case, consent):
    response = Client().post(url(case, consent), {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_another_agency_gets_404(case, consent, personas, staff_client):
    response = staff_client(personas["ict_officer"]).post(url(case, consent), {"confirm": "on"})
    assert response.status_code == 404
    consent.refresh_from_db()
    assert not consent.is_withdrawn


def test_a_consent_of_another_case_is_404(case, orgs, personas, staff_client):
    other = make_case(owner=orgs.ict)
    foreign = ConsentRecord.objects.create(
        report=other.case_reports.get().report, given_by="parent", scope="process"
    )
    response = staff_client(personas["police_investigator"]).post(
        f"/cases/{case.pk}/consents/{foreign.pk}/withdraw/", {"confirm": "on"}
    )
    assert response.status_code == 404
