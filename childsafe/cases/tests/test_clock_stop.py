"""POST /cases/<id>/clocks/<clock_id>/stop/: a hand-started time limit is met."""

from __future__ import annotations

import pytest

from childsafe.cases.services import clock_start


@pytest.fixture
def breach_clock(police_case, personas):
    return clock_start(police_case, rule_code="data_breach", actor=personas["hotline_operator"])


def url_for(clock):
    return f"/cases/{clock.case_id}/clocks/{clock.pk}/stop/"


def test_a_triage_role_ends_a_breach_clock(breach_clock, personas, staff_client):
    response = staff_client(personas["hotline_operator"]).post(url_for(breach_clock))
    assert response.status_code == 302
    breach_clock.refresh_from_db()
    assert breach_clock.state == "stopped"


def test_a_clock_its_task_started_is_a_400(police_case, personas, staff_client):
    clock = police_case.clocks.get()
    response = staff_client(personas["police_investigator"]).post(url_for(clock))
    assert response.status_code == 400
    clock.refresh_from_db()
    assert clock.state == "running"


def test_ending_twice_is_a_400(breach_clock, personas, staff_client):
    client = staff_client(personas["hotline_operator"])
    client.post(url_for(breach_clock))
    assert client.post(url_for(breach_clock)).status_code == 400


def test_an_agency_on_the_case_gets_404_for_a_clock_not_its_own(
    breach_clock, personas, staff_client
):
    assert (
        staff_client(personas["police_investigator"]).post(url_for(breach_clock)).status_code
        == 404
    )


def test_another_agency_gets_404(breach_clock, personas, staff_client):
    assert (
        staff_client(personas["education_officer"]).post(url_for(breach_clock)).status_code == 404
    )


def test_get_is_refused(breach_clock, personas, staff_client):
    assert staff_client(personas["hotline_operator"]).get(url_for(breach_clock)).status_code == 405


def test_logged_out_goes_to_login(client, breach_clock):
    url = url_for(breach_clock)
    assert client.post(url)["Location"] == f"/login/?next={url}"
