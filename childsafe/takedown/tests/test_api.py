"""The provider API: /api/v1/provider/orders and the ack, done and refuse calls.

Two providers with their own tokens: each sees and answers only its own orders.
"""

from __future__ import annotations

import pytest

from childsafe.takedown import services
from childsafe.takedown.models import OrderStatus

BASE = "/api/v1/provider/orders"


def post(client, url, headers, body=None):
    """POST as an API client does: JSON when there is a body, no content type without."""
    if body is None:
        return client.generic("POST", url, headers=headers)
    return client.post(url, body, content_type="application/json", headers=headers)


@pytest.fixture
def orders(draft, issue, other_provider):
    """Two issued orders to VNPT (one answered done), one draft to VNPT, one to Viettel."""
    mine = issue(draft(targets=["https://hostvn.vn/1"]))
    done = issue(draft(targets=["https://hostvn.vn/2"]))
    draft(targets=["https://hostvn.vn/3"])
    theirs = issue(draft(targets=["https://socialnet.com/x"]))
    return mine, done, theirs


def test_a_provider_lists_its_open_orders(orders, contact, client, token_of):
    mine, done, theirs = orders
    services.provider_done(done, actor=contact)
    response = client.get(BASE, headers=token_of(contact))
    assert response.status_code == 200
    body = response.json()
    assert [o["reference"] for o in body] == [mine.reference]
    assert body[0]["targets"][0]["value"] == "https://hostvn.vn/1"
    assert body[0]["status"] == "issued"
    assert body[0]["issuer"] == "Sở Thông tin và Truyền thông"
    assert "case" not in body[0] and "created_by" not in body[0]


def test_status_all_and_one_status(orders, contact, client, token_of):
    mine, done, theirs = orders
    services.provider_done(done, actor=contact)
    headers = token_of(contact)
    everything = client.get(f"{BASE}?status=all", headers=headers).json()
    assert {o["reference"] for o in everything} == {mine.reference, done.reference}
    only_done = client.get(f"{BASE}?status=done", headers=headers).json()
    assert [o["reference"] for o in only_done] == [done.reference]


def test_a_draft_is_not_a_status_to_ask_for(orders, contact, client, token_of):
    response = client.get(f"{BASE}?status=draft", headers=token_of(contact))
    assert response.status_code == 422
    assert "detail" in response.json()


def test_the_list_is_capped(orders, contact, client, token_of):
    headers = token_of(contact)
    assert len(client.get(f"{BASE}?status=all&limit=1", headers=headers).json()) == 1
    assert len(client.get(f"{BASE}?status=all&limit=1&offset=1", headers=headers).json()) == 1
    assert client.get(f"{BASE}?status=all&offset=5", headers=headers).json() == []


def test_each_token_sees_only_its_own_provider(orders, contact, other_contact, client, token_of):
    mine, done, theirs = orders
    listed = client.get(f"{BASE}?status=all", headers=token_of(other_contact)).json()
    assert [o["reference"] for o in listed] == [theirs.reference]
    assert client.get(f"{BASE}/{mine.pk}", headers=token_of(other_contact)).status_code == 404
    assert client.get(f"{BASE}/{theirs.pk}", headers=token_of(contact)).status_code == 404
    assert client.get(f"{BASE}/{mine.pk}", headers=token_of(contact)).status_code == 200


def test_ack_is_idempotent(orders, contact, client, token_of):
    mine = orders[0]
    headers = token_of(contact)
    first = post(client, f"{BASE}/{mine.pk}/ack", headers)
    second = post(client, f"{BASE}/{mine.pk}/ack", headers)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert first.json()["status"] == "acknowledged"
    assert mine.events.filter(kind="acknowledged").count() == 1


def test_done_takes_an_optional_note_and_is_idempotent(orders, contact, client, token_of):
    mine, done, _theirs = orders
    headers = token_of(contact)
    response = post(client, f"{BASE}/{mine.pk}/done", headers, {"note": "Removed."})
    assert response.status_code == 200
    assert response.json()["status"] == "done"
    again = post(client, f"{BASE}/{mine.pk}/done", headers)
    assert again.status_code == 200
    assert mine.events.filter(kind="done").count() == 1
    assert mine.events.get(kind="done").text == "Removed."
    assert post(client, f"{BASE}/{done.pk}/done", headers).status_code == 200


def test_refuse_needs_a_reason(orders, contact, client, token_of):
    mine = orders[0]
    headers = token_of(contact)
    assert post(client, f"{BASE}/{mine.pk}/refuse", headers).status_code == 422
    blank = post(client, f"{BASE}/{mine.pk}/refuse", headers, {"reason": "  "})
    assert blank.status_code == 422
    mine.refresh_from_db()
    assert mine.status == OrderStatus.ISSUED


def test_refuse_records_the_reason_once(orders, contact, client, token_of):
    mine = orders[0]
    headers = token_of(contact)
    for _ in range(2):
        response = post(
            client, f"{BASE}/{mine.pk}/refuse", headers, {"reason": "Not hosted by us."}
        )
        assert response.status_code == 200
    assert response.json()["refusal_reason"] == "Not hosted by us."
    assert mine.events.filter(kind="refused").count() == 1


def test_the_wrong_state_is_a_409_with_a_detail(orders, contact, client, token_of):
    mine = orders[0]
    headers = token_of(contact)
    post(client, f"{BASE}/{mine.pk}/done", headers)
    english = {**headers, "Accept-Language": "en"}
    response = post(client, f"{BASE}/{mine.pk}/refuse", english, {"reason": "x"})
    assert response.status_code == 409
    assert "cannot be refused" in response.json()["detail"]


def test_answering_another_providers_order_is_a_404(orders, other_contact, client, token_of):
    mine = orders[0]
    headers = token_of(other_contact)
    for action in ("ack", "done"):
        assert post(client, f"{BASE}/{mine.pk}/{action}", headers).status_code == 404
    response = post(client, f"{BASE}/{mine.pk}/refuse", headers, {"reason": "x"})
    assert response.status_code == 404
    assert "detail" in response.json()
    mine.refresh_from_db()
    assert mine.status == OrderStatus.ISSUED


def test_a_draft_is_a_404(draft, contact, client, token_of):
    order = draft()
    assert client.get(f"{BASE}/{order.pk}", headers=token_of(contact)).status_code == 404
    assert post(client, f"{BASE}/{order.pk}/ack", token_of(contact)).status_code == 404


def test_unknown_fields_are_refused(orders, contact, client, token_of):
    response = post(
        client,
        f"{BASE}/{orders[0].pk}/done",
        token_of(contact),
        {"note": "x", "status": "verified"},
    )
    assert response.status_code == 422


def test_officers_tokens_get_403(orders, officer, client, token_of):
    assert client.get(BASE, headers=token_of(officer)).status_code == 403


def test_no_token_is_a_401(client):
    response = client.get(BASE)
    assert response.status_code == 401
    assert "detail" in response.json()


def test_a_provider_contact_makes_a_token_on_the_tokens_page_and_uses_it(
    orders, contact, staff_client, client
):
    page = staff_client(contact).post("/account/tokens/", {"name": "ticketing"})
    assert page.status_code == 200
    raw = page.context["new_secret"]
    response = client.get(BASE, headers={"Authorization": f"Bearer {raw}"})
    assert [o["reference"] for o in response.json()] == [orders[0].reference, orders[1].reference]


def test_a_body_that_is_not_json_is_a_400_with_a_detail(orders, contact, client, token_of):
    response = client.post(
        f"{BASE}/{orders[0].pk}/done",
        "note=x",
        content_type="application/x-www-form-urlencoded",
        headers=token_of(contact),
    )
    assert response.status_code == 400
    assert "detail" in response.json()
