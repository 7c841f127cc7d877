"""POST /cases/<id>/clocks/<clock_id>/extend/: the agency records an approved extension."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from childsafe.cases.tests.factories import page_says

APPROVAL = {"approved_by": "Viện KSND tỉnh", "legal_basis": "BLTTHS 2015, Điều 147 khoản 3"}


def url_for(case):
    return f"/cases/{case.pk}/clocks/{case.clocks.get().pk}/extend/"


def local(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_the_agency_extends_its_clock(police_case, personas, staff_client):
    clock = police_case.clocks.get()
    new_due = (clock.due_at + dt.timedelta(days=30)).replace(second=0, microsecond=0)
    response = staff_client(personas["police_investigator"]).post(
        url_for(police_case), {**APPROVAL, "due_at": local(new_due)}
    )
    assert response.status_code == 302
    clock.refresh_from_db()
    assert (clock.due_at, clock.extensions) == (new_due, 1)


def test_a_missing_approver_is_a_400(police_case, personas, staff_client):
    clock = police_case.clocks.get()
    response = staff_client(personas["police_investigator"]).post(
        url_for(police_case),
        {"legal_basis": "x", "due_at": local(clock.due_at + dt.timedelta(days=3))},
    )
    assert response.status_code == 400


def test_too_long_an_extension_is_a_400(police_case, personas, staff_client):
    clock = police_case.clocks.get()
    response = staff_client(personas["police_investigator"]).post(
        url_for(police_case), {**APPROVAL, "due_at": local(clock.due_at + dt.timedelta(days=90))}
    )
    assert response.status_code == 400
    assert page_says(response, "The extension is longer than the rule allows.")


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
