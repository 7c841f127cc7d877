"""POST /cases/<id>/evidence/<id>/unblur/: the deliberate, audited look at the original."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from childsafe.audit.models import AuditEvent
from childsafe.cases.tests.factories import make_case
from childsafe.orgs.models import Function
from childsafe.reports.models import EvidenceView
from childsafe.reports.tests.conftest import add_evidence
from childsafe.testing import PDF_BYTES, image_bytes

ORIGINAL = image_bytes("PNG", (32, 32))


@pytest.fixture
def case(orgs):
    return make_case(
        owner=orgs.dolisa,
        tasks=[(orgs.district_police, Function.CRIME_REPORTS), (orgs.ict, Function.TAKEDOWN)],
    )


@pytest.fixture
def picture(case):
    return add_evidence(case.case_reports.get().report, ORIGINAL)


def url(case, file):
    return f"/cases/{case.pk}/evidence/{file.pk}/unblur/"


def test_it_answers_the_original_inline_and_records_the_view(
    case, picture, personas, staff_client
):
    police = personas["police_investigator"]
    response = staff_client(police).post(url(case, picture), {"confirm": "on"})
    assert response.status_code == 200
    assert response.content == ORIGINAL
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Security-Policy"] == "default-src 'none'"
    view = EvidenceView.objects.get()
    assert (view.file, view.user, view.is_blurred) == (picture, police, False)
    picture.refresh_from_db()
    assert picture.viewed_by_person_at is not None
    assert AuditEvent.objects.filter(action="evidence.unblur", object_id=str(picture.pk)).exists()


def test_a_pdf_is_only_ever_a_download(case, personas, staff_client):
    pdf = add_evidence(case.case_reports.get().report, PDF_BYTES, "application/pdf")
    response = staff_client(personas["ict_officer"]).post(url(case, pdf), {"confirm": "on"})
    assert response.status_code == 200
    assert response.content == PDF_BYTES
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith('.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"


def test_without_the_confirmation_it_is_a_400(case, picture, personas, staff_client):
    response = staff_client(personas["police_investigator"]).post(url(case, picture), {})
    assert response.status_code == 400
    assert ORIGINAL not in response.content
    assert response["Content-Type"].startswith("text/html")
    assert not EvidenceView.objects.exists()
    assert not AuditEvent.objects.filter(action="evidence.unblur").exists()


def test_past_the_daily_limit_it_is_a_403_with_a_clear_message(
    case, picture, personas, staff_client, settings
):
    settings.EXPOSURE_MINUTES_PER_VIEW = 2
    settings.EXPOSURE_LIMIT_MINUTES = 2
    client = staff_client(personas["police_investigator"])
    assert client.post(url(case, picture), {"confirm": "on"}).status_code == 200
    with translation.override("en"):
        response = client.post("/en" + url(case, picture), {"confirm": "on"})
    assert response.status_code == 403
    assert ORIGINAL not in response.content
    assert "limit" in response.content.decode() and "tomorrow" in response.content.decode()
    assert EvidenceView.objects.count() == 1
    # The evidence page says so too, and offers no unblur button.
    page = client.get(f"/cases/{case.pk}/evidence/{picture.pk}/").content.decode()
    assert 'name="confirm"' not in page


def test_the_page_warns_past_the_warning_threshold(
    case, picture, personas, staff_client, settings
):
    settings.EXPOSURE_WARN_MINUTES = 2
    client = staff_client(personas["police_investigator"])
    page = client.get(f"/cases/{case.pk}/evidence/{picture.pk}/").content.decode()
    assert 'class="warning"' not in page
    client.post(url(case, picture), {"confirm": "on"})
    page = client.get(f"/cases/{case.pk}/evidence/{picture.pk}/").content.decode()
    assert 'class="warning"' in page


def test_get_is_not_allowed(case, picture, personas, staff_client):
    assert staff_client(personas["police_investigator"]).get(url(case, picture)).status_code == 405


def test_logged_out_goes_to_login(case, picture):
    response = Client().post(url(case, picture), {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert not EvidenceView.objects.exists()


def test_another_agency_gets_404(orgs, personas, staff_client):
    police_only = make_case(
        owner=orgs.dolisa, tasks=[(orgs.district_police, Function.CRIME_REPORTS)]
    )
    file = add_evidence(police_only.case_reports.get().report, ORIGINAL)
    response = staff_client(personas["ict_officer"]).post(
        url(police_only, file), {"confirm": "on"}
    )
    assert response.status_code == 404
    assert not EvidenceView.objects.exists()


def test_roles_without_evidence_view_are_refused(case, picture, personas, staff_client):
    response = staff_client(personas["province_coordinator"]).post(
        url(case, picture), {"confirm": "on"}
    )
    assert response.status_code == 403
    assert not EvidenceView.objects.exists()
