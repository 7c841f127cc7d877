"""GET /cases/<id>/evidence/<id>/preview.png: the blurred, grey preview, made on the server."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from PIL import Image

from childsafe.audit.models import AuditEvent
from childsafe.cases.tests.factories import make_case
from childsafe.orgs.models import Function
from childsafe.reports.models import EvidenceView
from childsafe.reports.tests.conftest import add_evidence
from childsafe.testing import PDF_BYTES, image_bytes

ORIGINAL = image_bytes("JPEG", (64, 48))


@pytest.fixture
def case(orgs):
    return make_case(owner=orgs.dolisa, tasks=[(orgs.district_police, Function.CRIME_REPORTS)])


@pytest.fixture
def picture(case):
    return add_evidence(case.case_reports.get().report, ORIGINAL, "image/jpeg")


def url(case, file):
    return f"/cases/{case.pk}/evidence/{file.pk}/preview.png"


def test_it_answers_a_grey_png_never_the_original(case, picture, personas, staff_client):
    response = staff_client(personas["police_investigator"]).get(url(case, picture))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content != ORIGINAL
    assert Image.open(io.BytesIO(response.content)).mode == "L"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["Content-Disposition"].startswith("inline;")
    assert not EvidenceView.objects.exists()  # a blurred preview is no exposure
    picture.refresh_from_db()
    assert picture.viewed_by_person_at is None
    event = AuditEvent.objects.get(action="evidence.preview")
    assert event.object_id == str(picture.pk)


def test_a_pdf_is_404(case, personas, staff_client):
    pdf = add_evidence(case.case_reports.get().report, PDF_BYTES, "application/pdf")
    response = staff_client(personas["police_investigator"]).get(url(case, pdf))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/plain")
    assert PDF_BYTES not in response.content


def test_post_is_not_allowed(case, picture, personas, staff_client):
    response = staff_client(personas["police_investigator"]).post(url(case, picture))
    assert response.status_code == 405


def test_logged_out_goes_to_login(case, picture):
    response = Client().get(url(case, picture))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_another_agency_gets_404(case, picture, personas, staff_client):
    assert staff_client(personas["ict_officer"]).get(url(case, picture)).status_code == 404


def test_roles_without_evidence_view_are_refused(case, picture, personas, staff_client):
    assert staff_client(personas["hotline_operator"]).get(url(case, picture)).status_code == 403
