"""POST /provider/orders/<id>/refuse/: the provider refuses, with its reason."""

from __future__ import annotations

from childsafe.takedown.models import OrderStatus


def test_it_records_the_refusal(issued, contact, staff_client):
    response = staff_client(contact).post(
        f"/provider/orders/{issued.pk}/refuse/", {"reason": "Không thuộc phạm vi quản lý."}
    )
    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.status == OrderStatus.REFUSED
    assert issued.refusal_reason == "Không thuộc phạm vi quản lý."


def test_a_missing_reason_is_a_400(issued, contact, staff_client):
    response = staff_client(contact).post(f"/provider/orders/{issued.pk}/refuse/", {"reason": ""})
    assert response.status_code == 400
    issued.refresh_from_db()
    assert issued.status == OrderStatus.ISSUED


def test_refusing_a_done_order_is_a_409(issued, contact, staff_client):
    client = staff_client(contact)
    client.post(f"/provider/orders/{issued.pk}/done/")
    response = client.post(f"/provider/orders/{issued.pk}/refuse/", {"reason": "x"})
    assert response.status_code == 409


def test_another_provider_gets_404(issued, other_contact, staff_client):
    response = staff_client(other_contact).post(
        f"/provider/orders/{issued.pk}/refuse/", {"reason": "x"}
    )
    assert response.status_code == 404


def test_get_is_refused(issued, contact, staff_client):
    assert staff_client(contact).get(f"/provider/orders/{issued.pk}/refuse/").status_code == 405


def test_logged_out_goes_to_login(client, issued):
    url = f"/provider/orders/{issued.pk}/refuse/"
    assert client.post(url)["Location"] == f"/login/?next={url}"
