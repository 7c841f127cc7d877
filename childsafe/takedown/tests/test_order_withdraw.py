"""POST /takedown/orders/<id>/withdraw/: lift an issued order with the decision."""

from __future__ import annotations

from childsafe.orgs.roles import Role
from childsafe.takedown.models import OrderStatus
from childsafe.testing import make_user


def test_it_withdraws_the_order(issued, officer, staff_client):
    response = staff_client(officer).post(
        f"/takedown/orders/{issued.pk}/withdraw/", {"decision": "Quyết định 5/QĐ hủy."}
    )
    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.status == OrderStatus.WITHDRAWN


def test_a_missing_decision_is_a_400(issued, officer, staff_client):
    response = staff_client(officer).post(f"/takedown/orders/{issued.pk}/withdraw/", {})
    assert response.status_code == 400
    issued.refresh_from_db()
    assert issued.status == OrderStatus.ISSUED


def test_a_draft_is_a_409(draft, officer2, staff_client):
    order = draft()
    response = staff_client(officer2).post(
        f"/takedown/orders/{order.pk}/withdraw/", {"decision": "x"}
    )
    assert response.status_code == 409


def test_another_agency_gets_404(issued, orgs, staff_client):
    stranger = make_user("ict-edu", Role.ICT_OFFICER, orgs.education)
    response = staff_client(stranger).post(
        f"/takedown/orders/{issued.pk}/withdraw/", {"decision": "x"}
    )
    assert response.status_code == 404


def test_get_is_refused(issued, officer, staff_client):
    assert staff_client(officer).get(f"/takedown/orders/{issued.pk}/withdraw/").status_code == 405


def test_logged_out_goes_to_login(client, issued):
    url = f"/takedown/orders/{issued.pk}/withdraw/"
    assert client.post(url)["Location"] == f"/login/?next={url}"
