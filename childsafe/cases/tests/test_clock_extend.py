"""POST /cases/<id>/clocks/<clock_id>/extend/: the agency records an approved extension."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from childsafe.cases.tests.factories import make_case, page_says
from childsafe.orgs.models import Function

APPROVAL = {"approved_by": "Thủ trưởng CQCSĐT", "legal_basis": "BLTTHS 2015, Điều 147 khoản 2"}
VN = dt.timezone(dt.timedelta(hours=7))
RECEIVED = dt.datetime(2027, 3, 2, 9, 0, tzinfo=VN)
TWO_MONTHS = dt.datetime(2027, 5, 2, 9, 0, tzinfo=VN)


@pytest.fixture
def police_case(orgs):
    """A crime report received by the district police under the 2026 rule version."""
    with time_machine.travel(RECEIVED, tick=False):
        return make_case(owner=orgs.dolisa, tasks=[(orgs.district_police, Function.CRIME_REPORTS)])


def url_for(case):
    return f"/cases/{case.pk}/clocks/{case.clocks.get().pk}/extend/"


def local(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_the_agency_extends_its_clock(police_case, personas, staff_client):
    clock = police_case.clocks.get()
    new_due = clock.due_at + dt.timedelta(days=30)
    response = staff_client(personas["police_investigator"]).post(
        url_for(police_case), {**APPROVAL, "due_at": local(new_due)}
    )
    assert response.status_code == 302
    clock.refresh_from_db()
    assert (clock.due_at, clock.extensions) == (new_due, 1)


def test_the_form_shows_how_far_the_extension_may_reach(police_case, personas, staff_client):
    response = staff_client(personas["police_investigator"]).get(f"/cases/{police_case.pk}/")
    page = response.content.decode()
    clock = police_case.clocks.get()
    assert f'id="clock-{clock.pk}-extension-limit"' in page
    assert 'max="2027-05-02T09:00"' in page
    assert "02/05/2027" in page  # the latest due time, as the page writes dates
    assert "Thủ trưởng Cơ quan điều tra" in page  # who decides the first extension


def test_the_form_shows_the_procuracy_for_the_second(police_case, personas, staff_client):
    client = staff_client(personas["police_investigator"])
    client.post(url_for(police_case), {**APPROVAL, "due_at": local(TWO_MONTHS)})
    page = client.get(f"/cases/{police_case.pk}/").content.decode()
    assert 'max="2027-07-02T09:00"' in page
    assert "Viện kiểm sát" in page


def test_past_two_months_from_receipt_is_a_400(police_case, personas, staff_client):
    too_late = TWO_MONTHS + dt.timedelta(minutes=1)
    response = staff_client(personas["police_investigator"]).post(
        url_for(police_case), {**APPROVAL, "due_at": local(too_late)}
    )
    assert response.status_code == 400
    assert "02/05/2027 09:00" in response.content.decode()
    clock = police_case.clocks.get()
    assert clock.extensions == 0
    assert not clock.events.filter(kind="extended").exists()


def test_a_third_extension_is_a_400(police_case, personas, staff_client):
    client = staff_client(personas["police_investigator"])
    client.post(url_for(police_case), {**APPROVAL, "due_at": local(TWO_MONTHS)})
    later = dt.datetime(2027, 7, 2, 9, 0, tzinfo=VN)
    assert client.post(url_for(police_case), {**APPROVAL, "due_at": local(later)}).status_code == (
        302
    )
    page = client.get(f"/cases/{police_case.pk}/").content.decode()
    assert "extension-limit" not in page  # no third extension is offered
    response = client.post(
        url_for(police_case), {**APPROVAL, "due_at": local(later + dt.timedelta(days=1))}
    )
    assert response.status_code == 400
    assert page_says(response, "The rule allows no more extensions of this time limit.")
    assert police_case.clocks.get().extensions == 2


def test_a_missing_approver_is_a_400(police_case, personas, staff_client):
    clock = police_case.clocks.get()
    response = staff_client(personas["police_investigator"]).post(
        url_for(police_case),
        {"legal_basis": "x", "due_at": local(clock.due_at + dt.timedelta(days=3))},
    )
    assert response.status_code == 400


def test_a_date_that_is_no_date_is_a_400(police_case, personas, staff_client):
    response = staff_client(personas["police_investigator"]).post(
        url_for(police_case), {**APPROVAL, "due_at": "next tuesday"}
    )
    assert response.status_code == 400
    assert police_case.clocks.get().extensions == 0


def test_another_organisation_on_the_case_gets_404(police_case, personas, staff_client):
    # The hotline sees the case but the clock times the police's task.
    clock = police_case.clocks.get()
    response = staff_client(personas["hotline_operator"]).post(
        url_for(police_case), {**APPROVAL, "due_at": local(clock.due_at + dt.timedelta(days=3))}
    )
    assert response.status_code == 404


def test_another_agency_gets_404(police_case, personas, staff_client):
    response = staff_client(personas["education_officer"]).post(url_for(police_case), APPROVAL)
    assert response.status_code == 404


def test_get_is_refused(police_case, personas, staff_client):
    assert (
        staff_client(personas["police_investigator"]).get(url_for(police_case)).status_code == 405
    )


def test_logged_out_goes_to_login(client, police_case):
    url = url_for(police_case)
    assert client.post(url)["Location"] == f"/login/?next={url}"
