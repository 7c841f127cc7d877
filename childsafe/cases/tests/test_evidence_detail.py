"""GET /cases/<id>/evidence/<id>/: evidence metadata first, with a blurred preview."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from childsafe.cases.models import ContentAssessment
from childsafe.cases.tests.factories import make_case
from childsafe.orgs.models import Function
from childsafe.reports.models import EvidenceView
from childsafe.reports.tests.conftest import add_evidence
from childsafe.testing import PDF_BYTES


@pytest.fixture
def case(orgs):
    return make_case(owner=orgs.dolisa, tasks=[(orgs.district_police, Function.CRIME_REPORTS)])


@pytest.fixture
def picture(case):
    return add_evidence(case.case_reports.get().report)


def url(case, file):
    return f"/cases/{case.pk}/evidence/{file.pk}/"


def test_it_shows_metadata_and_a_blurred_preview(case, picture, personas, staff_client):
    response = staff_client(personas["police_investigator"]).get(url(case, picture))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert picture.sha256 in page and "image/png" in page
    assert f'src="/cases/{case.pk}/evidence/{picture.pk}/preview.png"' in page
    assert f'action="/cases/{case.pk}/evidence/{picture.pk}/unblur/"' in page
    assert 'name="confirm"' in page


def test_the_case_page_links_the_file_for_evidence_roles_only(
    case, picture, orgs, personas, staff_client
):
    link = f'href="{url(case, picture)}"'
    police = staff_client(personas["police_investigator"]).get(f"/cases/{case.pk}/")
    assert link in police.content.decode()
    hotline = staff_client(personas["hotline_operator"]).get(f"/cases/{case.pk}/")
    assert picture.sha256 in hotline.content.decode()
    assert link not in hotline.content.decode()


def test_it_says_whether_a_person_viewed_it_and_the_earlier_classification(
    case, picture, personas, staff_client
):
    police = personas["police_investigator"]
    page = staff_client(police).get(url(case, picture)).content.decode()
    assert 'id="assessment">' in page
    EvidenceView.objects.create(file=picture, user=police, exposure_mins=2)
    picture.viewed_by_person_at = timezone.now()
    picture.save(update_fields=["viewed_by_person_at"])
    ContentAssessment.objects.create(
        item_kind="file",
        key=picture.sha256,
        assessment="baseline",
        category="csam",
        assessed_by=police,
    )
    page = staff_client(police).get(url(case, picture)).content.decode()
    viewed = page.split('id="viewed">', 1)[1].split("</dd>", 1)[0]
    assert "(1 " in viewed
    assessment = page.split('id="assessment">', 1)[1].split("</dd>", 1)[0]
    assert str(ContentAssessment.objects.get().get_assessment_display()) in assessment


def test_a_pdf_has_no_preview_but_a_download_step(case, personas, staff_client):
    pdf = add_evidence(case.case_reports.get().report, PDF_BYTES, "application/pdf")
    page = staff_client(personas["police_investigator"]).get(url(case, pdf)).content.decode()
    assert "preview.png" not in page
    assert f'action="/cases/{case.pk}/evidence/{pdf.pk}/unblur/"' in page


def test_a_bad_file_id_is_404(case, picture, personas, staff_client):
    response = staff_client(personas["police_investigator"]).get(
        f"/cases/{case.pk}/evidence/{picture.pk + 100}/"
    )
    assert response.status_code == 404


def test_post_is_not_allowed(case, picture, personas, staff_client):
    response = staff_client(personas["police_investigator"]).post(url(case, picture))
    assert response.status_code == 405


def test_logged_out_goes_to_login(case, picture):
    response = Client().get(url(case, picture))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_another_agency_gets_404(case, picture, personas, staff_client):
    # The ICT officer may view evidence, but not on a case of the police alone.
    assert staff_client(personas["ict_officer"]).get(url(case, picture)).status_code == 404


@pytest.mark.parametrize(
    "role", ["hotline_operator", "social_worker", "education_officer", "province_coordinator"]
)
def test_roles_without_evidence_view_are_refused(case, picture, personas, staff_client, role):
    assert staff_client(personas[role]).get(url(case, picture)).status_code == 403
