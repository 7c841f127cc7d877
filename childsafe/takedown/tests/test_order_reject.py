"""POST /takedown/orders/<id>/reject/: decline a draft, with a reason."""

from __future__ import annotations

from childsafe.orgs.roles import Role
from childsafe.takedown.models import OrderStatus
from childsafe.testing import make_user


def test_it_declines_the_draft(draft, officer2, staff_client):
    order = draft()
    response = staff_client(officer2).post(
        f"/takedown/orders/{order.pk}/reject/", {"reason": "Sai nhà cung cấp."}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.REJECTED


def test_a_missing_reason_is_a_400(draft, officer2, staff_client):
    order = draft()
    response = staff_client(officer2).post(f"/takedown/orders/{order.pk}/reject/", {})
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT


def test_an_issued_order_is_a_409(issued, officer2, staff_client):
    response = staff_client(officer2).post(
        f"/takedown/orders/{issued.pk}/reject/", {"reason": "late"}
    )
    assert response.status_code == 409


def test_another_agency_gets_404(draft, orgs, staff_client):
    order = draft()
    stranger = make_user("ict-edu", Role.ICT_OFFICER, orgs.education)
    response = staff_client(stranger).post(f"/takedown/orders/{order.pk}/reject/", {"reason": "x"})
    assert response.status_code == 404


def test_get_is_refused(draft, officer2, staff_client):
    assert staff_client(officer2).get(f"/takedown/orders/{draft().pk}/reject/").status_code == 405


def test_logged_out_goes_to_login(client, draft):
    url = f"/takedown/orders/{draft().pk}/reject/"
    assert client.post(url)["Location"] == f"/login/?next={url}"
