"""POST /takedown/orders/<id>/approve/: a second officer issues the order."""

from __future__ import annotations

from django.core import mail

from childsafe.orgs.roles import Role
from childsafe.takedown.models import OrderStatus
from childsafe.testing import make_user


def test_a_second_officer_issues_it(
    draft, officer2, staff_client, django_capture_on_commit_callbacks
):
    order = draft()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client(officer2).post(f"/takedown/orders/{order.pk}/approve/")
    assert response.status_code == 302
    assert response["Location"] == f"/takedown/orders/{order.pk}/"
    order.refresh_from_db()
    assert order.status == OrderStatus.ISSUED
    assert order.approved_by == officer2
    assert len(mail.outbox) == 2


def test_the_author_gets_403_and_the_order_stays_a_draft(draft, officer, staff_client):
    order = draft()
    response = staff_client(officer).post(f"/en/takedown/orders/{order.pk}/approve/")
    assert response.status_code == 403
    assert "four eyes" in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT


def test_approving_an_issued_order_is_a_409(issued, officer2, staff_client):
    response = staff_client(officer2).post(f"/takedown/orders/{issued.pk}/approve/")
    assert response.status_code == 409


def test_another_agency_gets_404(draft, orgs, staff_client):
    order = draft()
    stranger = make_user("ict-edu", Role.ICT_OFFICER, orgs.education)
    assert staff_client(stranger).post(f"/takedown/orders/{order.pk}/approve/").status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT


def test_roles_without_approval_get_403(draft, personas, staff_client):
    order = draft()
    client = staff_client(personas["province_coordinator"])
    assert client.post(f"/takedown/orders/{order.pk}/approve/").status_code == 403


def test_get_is_refused(draft, officer2, staff_client):
    order = draft()
    assert staff_client(officer2).get(f"/takedown/orders/{order.pk}/approve/").status_code == 405


def test_logged_out_goes_to_login(client, draft):
    url = f"/takedown/orders/{draft().pk}/approve/"
    assert client.post(url)["Location"] == f"/login/?next={url}"
