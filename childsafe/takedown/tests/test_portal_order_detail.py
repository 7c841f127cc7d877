"""GET /provider/orders/<id>/: what the provider must do, with the answer forms."""

from __future__ import annotations

from childsafe.cases.tests.factories import make_case


def test_the_provider_sees_targets_and_forms_but_not_the_case(
    draft, issue, orgs, contact, staff_client
):
    case = make_case(owner=orgs.dolisa)
    order = issue(draft(case=case))
    response = staff_client(contact).get(f"/en/provider/orders/{order.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "https://hostvn.vn/bad/page" in page
    for action in ("ack", "done", "refuse"):
        assert f"/provider/orders/{order.pk}/{action}/" in page
    assert case.reference not in page
    assert "Drafted" not in page  # the timeline starts at issue
    assert "Trần Duyệt" not in page  # officers' names stay inside


def test_a_draft_is_a_404_for_the_provider(draft, contact, staff_client):
    assert staff_client(contact).get(f"/provider/orders/{draft().pk}/").status_code == 404


def test_another_provider_gets_404(issued, other_contact, staff_client):
    assert staff_client(other_contact).get(f"/provider/orders/{issued.pk}/").status_code == 404


def test_officers_get_403(issued, officer, staff_client):
    assert staff_client(officer).get(f"/provider/orders/{issued.pk}/").status_code == 403


def test_post_is_refused(issued, contact, staff_client):
    assert staff_client(contact).post(f"/provider/orders/{issued.pk}/").status_code == 405


def test_logged_out_goes_to_login(client, issued):
    url = f"/provider/orders/{issued.pk}/"
    assert client.get(url)["Location"] == f"/login/?next={url}"
