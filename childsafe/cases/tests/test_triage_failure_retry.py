"""POST /cases/queue/failed/<id>/retry/: try a skipped report again."""

from __future__ import annotations

from childsafe.cases.models import TriageFailure
from childsafe.cases.tests.factories import make_report


def make_failure():
    return TriageFailure.objects.create(report=make_report(), attempts=3, error="ValueError")


def test_it_clears_the_failure(orgs, personas, staff_client):
    failure = make_failure()
    url = f"/cases/queue/failed/{failure.pk}/retry/"
    response = staff_client(personas["province_coordinator"]).post(url)
    assert response["Location"] == "/cases/queue/failed/"
    assert not TriageFailure.objects.exists()


def test_an_unknown_failure_is_a_404(orgs, personas, staff_client):
    response = staff_client(personas["province_coordinator"]).post("/cases/queue/failed/99/retry/")
    assert response.status_code == 404


def test_agencies_are_refused(orgs, personas, staff_client):
    failure = make_failure()
    url = f"/cases/queue/failed/{failure.pk}/retry/"
    assert staff_client(personas["police_investigator"]).post(url).status_code == 403
    assert TriageFailure.objects.exists()


def test_get_is_refused(orgs, personas, staff_client):
    failure = make_failure()
    url = f"/cases/queue/failed/{failure.pk}/retry/"
    assert staff_client(personas["province_coordinator"]).get(url).status_code == 405


def test_logged_out_goes_to_login(client, orgs):
    failure = make_failure()
    url = f"/cases/queue/failed/{failure.pk}/retry/"
    assert client.post(url)["Location"] == f"/login/?next={url}"
