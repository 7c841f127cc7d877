"""GET /provider/orders/: a provider's own orders, open ones first."""

from __future__ import annotations

from childsafe.takedown import services


def test_it_lists_own_orders_open_first(draft, issue, contact, staff_client):
    done = issue(draft(targets=["https://hostvn.vn/1"]))
    services.provider_done(done, actor=contact)
    open_order = issue(draft(targets=["https://hostvn.vn/2"]))
    waiting = draft(targets=["https://hostvn.vn/3"])
    response = staff_client(contact).get("/provider/orders/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index(open_order.reference) < page.index(done.reference)
    assert waiting.reference not in page  # a draft never reaches the provider


def test_another_providers_orders_are_not_shown(draft, issue, other_contact, staff_client):
    order = issue(draft())
    page = staff_client(other_contact).get("/provider/orders/").content.decode()
    assert order.reference not in page


def test_officers_get_403(officer, staff_client):
    assert staff_client(officer).get("/provider/orders/").status_code == 403


def test_post_is_refused(contact, staff_client):
    assert staff_client(contact).post("/provider/orders/").status_code == 405


def test_logged_out_goes_to_login(client):
    assert client.get("/provider/orders/")["Location"] == "/login/?next=/provider/orders/"
