"""GET and POST /takedown/orders/new/: draft an order, on its own or from a case."""

from __future__ import annotations

from childsafe.cases.tests.factories import make_case, page_says
from childsafe.orgs.models import Function
from childsafe.takedown.models import OrderStatus, TakedownOrder

FORM = {
    "targets": "https://hostvn.vn/a\nhttps://hostvn.vn/b\n",
    "action": "remove",
    "reason": "csam",
    "legal_basis": "Nghị định 147/2024/NĐ-CP",
}


def test_the_form_offers_the_legal_basis_in_force(officer, staff_client):
    response = staff_client(officer).get("/takedown/orders/new/")
    assert response.status_code == 200
    assert "Nghị định 147/2024/NĐ-CP" in response.content.decode()


def test_it_drafts_and_goes_to_the_order(officer, contact, staff_client):
    response = staff_client(officer).post("/takedown/orders/new/", FORM)
    order = TakedownOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/takedown/orders/{order.pk}/"
    assert order.status == OrderStatus.DRAFT
    assert order.targets.count() == 2


def test_a_case_prefills_its_addresses(orgs, officer, contact, staff_client):
    case = make_case(
        owner=orgs.dolisa,
        category="cyberbullying",
        tasks=[(orgs.ict, Function.TAKEDOWN)],
        urls=["https://hostvn.vn/post?fbclid=abc", "http://14.160.1.1/x"],
    )
    response = staff_client(officer).get(f"/takedown/orders/new/?case={case.pk}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "http://hostvn.vn/post" in page or "https://hostvn.vn/post" in page
    assert "14.160.1.1" not in page  # IP-literal addresses cannot be ordered
    assert 'value="cyberbullying" selected' in page
    response = staff_client(officer).post(
        "/takedown/orders/new/", {**FORM, "case": case.pk, "targets": "https://hostvn.vn/post"}
    )
    assert response.status_code == 302
    assert TakedownOrder.objects.get().case == case


def test_a_case_the_officer_does_not_see_is_a_404(orgs, officer, contact, staff_client):
    case = make_case(owner=orgs.dolisa)  # no task for the ICT department
    client = staff_client(officer)
    assert client.get(f"/takedown/orders/new/?case={case.pk}").status_code == 404
    assert client.post("/takedown/orders/new/", {**FORM, "case": case.pk}).status_code == 404
    assert client.get("/takedown/orders/new/?case=abc").status_code == 404
    assert not TakedownOrder.objects.exists()


def test_a_bad_target_is_a_400_with_the_reason(officer, contact, staff_client):
    response = staff_client(officer).post(
        "/en/takedown/orders/new/", {**FORM, "action": "block", "targets": "*.com.vn"}
    )
    assert response.status_code == 400
    assert "public suffix" in response.content.decode()
    assert not TakedownOrder.objects.exists()


def test_duplicates_are_a_400_naming_them(officer, contact, staff_client):
    response = staff_client(officer).post(
        "/en/takedown/orders/new/",
        {**FORM, "targets": "https://hostvn.vn/a\nhttps://www.hostvn.vn/a"},
    )
    assert response.status_code == 400
    assert page_says(response, "These targets are given more than once: %(targets)s") or (
        "https://hostvn.vn/a" in response.content.decode()
    )


def test_a_missing_field_is_a_400(officer, contact, staff_client):
    response = staff_client(officer).post("/takedown/orders/new/", {**FORM, "legal_basis": ""})
    assert response.status_code == 400
    assert not TakedownOrder.objects.exists()


def test_an_unknown_host_asks_for_the_provider(officer, contact, staff_client):
    response = staff_client(officer).post(
        "/en/takedown/orders/new/", {**FORM, "targets": "https://elsewhere.example/a"}
    )
    assert response.status_code == 400
    assert "choose the provider" in response.content.decode()


def test_roles_that_may_not_draft_get_403(personas, staff_client):
    client = staff_client(personas["province_coordinator"])
    assert client.get("/takedown/orders/new/").status_code == 403
    assert client.post("/takedown/orders/new/", FORM).status_code == 403


def test_other_methods_are_refused(officer, staff_client):
    assert staff_client(officer).put("/takedown/orders/new/").status_code == 405


def test_logged_out_goes_to_login(client):
    response = client.post("/takedown/orders/new/", FORM)
    assert response["Location"] == "/login/?next=/takedown/orders/new/"
