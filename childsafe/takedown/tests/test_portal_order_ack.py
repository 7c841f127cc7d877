"""POST /provider/orders/<id>/ack/: the provider acknowledges the order."""

from __future__ import annotations

from childsafe.takedown import services
from childsafe.takedown.models import OrderStatus


def test_it_acknowledges_and_a_repeat_is_harmless(issued, contact, staff_client):
    client = staff_client(contact)
    url = f"/provider/orders/{issued.pk}/ack/"
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    issued.refresh_from_db()
    assert issued.status == OrderStatus.ACKNOWLEDGED
    assert issued.events.filter(kind="acknowledged").count() == 1


def test_a_refused_order_is_a_409(issued, contact, staff_client):
    services.provider_refuse(issued, actor=contact, reason="Không.")
    response = staff_client(contact).post(f"/en/provider/orders/{issued.pk}/ack/")
    assert response.status_code == 409
    assert "cannot be acknowledged" in response.content.decode()


def test_another_provider_gets_404(issued, other_contact, staff_client, caplog):
    caplog.set_level("INFO", logger="childsafe.takedown.access")
    response = staff_client(other_contact).post(f"/provider/orders/{issued.pk}/ack/")
    assert response.status_code == 404
    assert f"order {issued.pk} is not in the scope of user {other_contact.pk}" in caplog.text
    issued.refresh_from_db()
    assert issued.status == OrderStatus.ISSUED


def test_officers_get_403(issued, officer, staff_client):
    assert staff_client(officer).post(f"/provider/orders/{issued.pk}/ack/").status_code == 403


def test_get_is_refused(issued, contact, staff_client):
    assert staff_client(contact).get(f"/provider/orders/{issued.pk}/ack/").status_code == 405


def test_logged_out_goes_to_login(client, issued):
    url = f"/provider/orders/{issued.pk}/ack/"
    assert client.post(url)["Location"] == f"/login/?next={url}"
