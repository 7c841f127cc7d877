"""GET /takedown/orders/: the orders of the officer's organisation, with filters."""

from __future__ import annotations

import datetime as dt

import time_machine

from childsafe.orgs.roles import Role
from childsafe.testing import make_user

HCM = dt.timezone(dt.timedelta(hours=7))
ISSUED_AT = dt.datetime(2026, 3, 4, 12, 0, tzinfo=HCM)


def test_it_lists_orders_with_the_time_left(draft, issue, officer, staff_client):
    with time_machine.travel(ISSUED_AT, tick=False):
        order = issue(draft(deadline_hours=24))
        waiting = draft()
    with time_machine.travel(ISSUED_AT + dt.timedelta(hours=3), tick=False):
        response = staff_client(officer).get("/en/takedown/orders/")
    assert response.status_code == 200
    page = response.content.decode()
    assert order.reference in page and waiting.reference in page
    assert "21\xa0hours left" in page or "21 hours left" in page


def test_overdue_orders_say_so_and_filter(draft, issue, officer, staff_client):
    with time_machine.travel(ISSUED_AT, tick=False):
        late = issue(draft(deadline_hours=2))
        on_time = issue(draft(deadline_hours=48))
    with time_machine.travel(ISSUED_AT + dt.timedelta(hours=5), tick=False):
        response = staff_client(officer).get("/en/takedown/orders/?status=overdue")
    page = response.content.decode()
    assert late.reference in page and on_time.reference not in page
    assert "overdue by 3" in page


def test_it_filters_by_status_and_provider(draft, issue, officer, staff_client, other_provider):
    issued = issue(draft())
    waiting = draft(targets=["https://socialnet.com/x"])
    client = staff_client(officer)
    page = client.get("/takedown/orders/?status=draft").content.decode()
    assert waiting.reference in page and issued.reference not in page
    page = client.get(f"/takedown/orders/?provider={other_provider.pk}").content.decode()
    assert waiting.reference in page and issued.reference not in page
    page = client.get("/takedown/orders/?status=open").content.decode()
    assert issued.reference in page and waiting.reference not in page


def test_a_bad_filter_is_a_400(officer, staff_client):
    assert staff_client(officer).get("/takedown/orders/?status=bogus").status_code == 400


def test_the_coordinator_sees_every_order(draft, personas, staff_client):
    order = draft()
    page = staff_client(personas["province_coordinator"]).get("/takedown/orders/")
    assert order.reference in page.content.decode()


def test_another_agency_sees_none_of_them(draft, orgs, staff_client):
    order = draft()
    stranger = make_user("ict-edu", Role.ICT_OFFICER, orgs.education)
    page = staff_client(stranger).get("/takedown/orders/").content.decode()
    assert order.reference not in page


def test_roles_without_the_permission_get_403(personas, staff_client):
    assert (
        staff_client(personas["police_investigator"]).get("/takedown/orders/").status_code == 403
    )


def test_post_is_refused(officer, staff_client):
    assert staff_client(officer).post("/takedown/orders/").status_code == 405


def test_logged_out_goes_to_login(client):
    assert client.get("/takedown/orders/")["Location"] == "/login/?next=/takedown/orders/"
