"""POST /cases/<id>/tasks/<task_id>/transfer/: hand a task to another organisation."""

from __future__ import annotations


def url_for(case, function="crime_reports"):
    return f"/cases/{case.pk}/tasks/{case.agency_tasks.get(function=function).pk}/transfer/"


def test_it_proposes_the_task_to_the_other_organisation(police_case, orgs, personas, staff_client):
    response = staff_client(personas["police_investigator"]).post(
        url_for(police_case), {"organisation": orgs.police.pk}
    )
    assert response.status_code == 302
    old = police_case.agency_tasks.get(organisation=orgs.district_police)
    new = police_case.agency_tasks.get(organisation=orgs.police)
    assert (old.status, new.status, new.transferred_from) == ("transferred", "proposed", old)


def test_the_receiver_must_accept(police_case, orgs, personas, staff_client):
    staff_client(personas["police_investigator"]).post(
        url_for(police_case), {"organisation": orgs.facility.pk}
    )
    new = police_case.agency_tasks.get(organisation=orgs.facility)
    url = f"/cases/{police_case.pk}/tasks/{new.pk}/accept/"
    assert staff_client(personas["social_worker"]).post(url).status_code == 302
    new.refresh_from_db()
    assert new.status == "accepted"


def test_no_organisation_is_a_400(police_case, personas, staff_client):
    response = staff_client(personas["police_investigator"]).post(url_for(police_case), {})
    assert response.status_code == 400


def test_schools_and_providers_cannot_receive(police_case, orgs, personas, staff_client):
    client = staff_client(personas["police_investigator"])
    for org in (orgs.school, orgs.provider):
        response = client.post(url_for(police_case), {"organisation": org.pk})
        assert response.status_code == 400


def test_transferring_to_oneself_is_a_400(police_case, orgs, personas, staff_client):
    response = staff_client(personas["police_investigator"]).post(
        url_for(police_case), {"organisation": orgs.district_police.pk}
    )
    assert response.status_code == 400


def test_another_agency_gets_404(shared_case, orgs, personas, staff_client):
    response = staff_client(personas["education_officer"]).post(
        url_for(shared_case), {"organisation": orgs.education.pk}
    )
    assert response.status_code == 404


def test_get_is_refused(police_case, personas, staff_client):
    assert (
        staff_client(personas["police_investigator"]).get(url_for(police_case)).status_code == 405
    )


def test_logged_out_goes_to_login(client, police_case):
    url = url_for(police_case)
    assert client.post(url)["Location"] == f"/login/?next={url}"
