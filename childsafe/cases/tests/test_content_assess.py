"""POST /cases/<id>/assessments/: classify one file or URL of the case."""

from __future__ import annotations

from childsafe.cases.models import ContentAssessment
from childsafe.cases.tests.factories import make_case, sha256_of

SHA = sha256_of("photo")


def test_it_assesses_a_file(police_case, personas, staff_client):
    police_case.case_reports.get().report.files.create(sha256=SHA, size=1, content_type="x")
    url = f"/cases/{police_case.pk}/assessments/"
    response = staff_client(personas["police_investigator"]).post(
        url, {"item": f"file:{SHA}", "assessment": "baseline", "category": "csam"}
    )
    assert response.status_code == 302
    row = ContentAssessment.objects.get()
    assert (row.item_kind, row.key, row.assessment) == ("file", SHA, "baseline")


def test_it_assesses_a_url(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/assessments/"
    response = staff_client(personas["police_investigator"]).post(
        url,
        {
            "item": "url:https://example.com/groomer",
            "assessment": "not_illegal",
            "category": "grooming",
        },
    )
    assert response.status_code == 302
    assert ContentAssessment.objects.get().url == "https://example.com/groomer"
    page = staff_client(personas["police_investigator"]).get(f"/cases/{police_case.pk}/")
    assert "not_illegal" not in page.content.decode()  # shown by its label
    assert f'action="/cases/{police_case.pk}/assessments/"' not in page.content.decode()


def test_a_missing_assessment_is_a_400(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/assessments/"
    response = staff_client(personas["police_investigator"]).post(
        url, {"item": "url:https://example.com/groomer", "category": "grooming"}
    )
    assert response.status_code == 400
    assert not ContentAssessment.objects.exists()


def test_an_unknown_item_is_a_400(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/assessments/"
    for item in ("url:https://example.com/other", "file:nothex", "blob:x"):
        response = staff_client(personas["police_investigator"]).post(
            url, {"item": item, "assessment": "baseline", "category": "csam"}
        )
        assert response.status_code == 400, item
    assert not ContentAssessment.objects.exists()


def test_assessing_twice_is_a_400(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/assessments/"
    data = {
        "item": "url:https://example.com/groomer",
        "assessment": "baseline",
        "category": "csam",
    }
    client = staff_client(personas["police_investigator"])
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "assessment": "not_illegal"})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert ContentAssessment.objects.get().assessment == "baseline"


def test_roles_without_case_work_are_refused(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/assessments/"
    data = {
        "item": "url:https://example.com/groomer",
        "assessment": "baseline",
        "category": "csam",
    }
    assert staff_client(personas["hotline_operator"]).post(url, data).status_code == 403


def test_another_agency_gets_404(orgs, personas, staff_client):
    case = make_case(owner=orgs.ict, urls=["https://example.com/a"])
    url = f"/cases/{case.pk}/assessments/"
    data = {"item": "url:https://example.com/a", "assessment": "baseline", "category": "csam"}
    assert staff_client(personas["education_officer"]).post(url, data).status_code == 404
    assert not ContentAssessment.objects.exists()


def test_get_is_refused(police_case, personas, staff_client):
    url = f"/cases/{police_case.pk}/assessments/"
    assert staff_client(personas["police_investigator"]).get(url).status_code == 405


def test_logged_out_goes_to_login(client, police_case):
    url = f"/cases/{police_case.pk}/assessments/"
    assert client.post(url)["Location"] == f"/login/?next={url}"
