"""POST /provider/orders/<id>/done/: the provider reports the order carried out."""

from __future__ import annotations

from childsafe.takedown.models import OrderStatus


def test_it_marks_the_order_done_with_a_note(issued, contact, staff_client):
    response = staff_client(contact).post(
        f"/provider/orders/{issued.pk}/done/", {"note": "Đã gỡ lúc 10:00."}
    )
    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.status == OrderStatus.DONE
    assert issued.events.get(kind="done").text == "Đã gỡ lúc 10:00."


def test_a_note_too_long_is_a_400(issued, contact, staff_client):
    response = staff_client(contact).post(
        f"/provider/orders/{issued.pk}/done/", {"note": "x" * 2001}
    )
    assert response.status_code == 400
    issued.refresh_from_db()
    assert issued.status == OrderStatus.ISSUED


def test_a_withdrawn_order_is_a_409(issued, contact, officer, staff_client):
    from childsafe.takedown import services

    services.order_withdraw(issued, actor=officer, decision="Lifted.")
    assert staff_client(contact).post(f"/provider/orders/{issued.pk}/done/").status_code == 409


def test_another_provider_gets_404(issued, other_contact, staff_client):
    assert (
        staff_client(other_contact).post(f"/provider/orders/{issued.pk}/done/").status_code == 404
    )


def test_get_is_refused(issued, contact, staff_client):
    assert staff_client(contact).get(f"/provider/orders/{issued.pk}/done/").status_code == 405


def test_logged_out_goes_to_login(client, issued):
    url = f"/provider/orders/{issued.pk}/done/"
    assert client.post(url)["Location"] == f"/login/?next={url}"
