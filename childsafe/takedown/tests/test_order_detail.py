"""GET /takedown/orders/<id>/: the order, its targets, timeline and the decisions."""

from __future__ import annotations

from childsafe.orgs.roles import Role
from childsafe.testing import make_user


def test_the_approver_sees_the_approve_form(draft, officer2, staff_client):
    order = draft()
    response = staff_client(officer2).get(f"/en/takedown/orders/{order.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert f"/takedown/orders/{order.pk}/approve/" in page
    assert f"/takedown/orders/{order.pk}/reject/" in page
    assert "https://hostvn.vn/bad/page" in page
    assert 'href="https://hostvn.vn' not in page  # targets are inert text


def test_the_author_is_told_someone_else_must_approve(draft, officer, staff_client):
    order = draft()
    page = staff_client(officer).get(f"/en/takedown/orders/{order.pk}/").content.decode()
    assert f"/takedown/orders/{order.pk}/approve/" not in page
    assert "another officer must approve it" in page


def test_an_issued_order_shows_its_timeline_and_withdraw_form(issued, officer, staff_client):
    page = staff_client(officer).get(f"/en/takedown/orders/{issued.pk}/").content.decode()
    assert "Approved and issued" in page and "Sent by e-mail" in page
    assert f"/takedown/orders/{issued.pk}/withdraw/" in page
    assert f"/takedown/orders/{issued.pk}/approve/" not in page


def test_the_coordinator_reads_but_cannot_decide(issued, personas, staff_client):
    response = staff_client(personas["province_coordinator"]).get(f"/takedown/orders/{issued.pk}/")
    assert response.status_code == 200
    assert "/withdraw/" not in response.content.decode()


def test_another_agency_gets_404(issued, orgs, staff_client):
    stranger = make_user("ict-edu", Role.ICT_OFFICER, orgs.education)
    assert staff_client(stranger).get(f"/takedown/orders/{issued.pk}/").status_code == 404


def test_a_missing_order_is_a_404(officer, staff_client):
    assert staff_client(officer).get("/takedown/orders/999999/").status_code == 404


def test_the_provider_contact_gets_403(issued, contact, staff_client):
    assert staff_client(contact).get(f"/takedown/orders/{issued.pk}/").status_code == 403


def test_post_is_refused(issued, officer, staff_client):
    assert staff_client(officer).post(f"/takedown/orders/{issued.pk}/").status_code == 405


def test_logged_out_goes_to_login(client, issued):
    url = f"/takedown/orders/{issued.pk}/"
    assert client.get(url)["Location"] == f"/login/?next={url}"
