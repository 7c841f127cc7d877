"""GET /takedown/providers/<id>/: scopes, contacts and open orders of one provider."""

from __future__ import annotations


def test_it_shows_scopes_contacts_and_open_orders(issued, orgs, officer, contact, staff_client):
    response = staff_client(officer).get(f"/takedown/providers/{orgs.provider.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "hostvn.vn" in page and "14.160.0.0/16" in page
    assert contact.email in page
    assert issued.reference in page
    assert f"/takedown/providers/{orgs.provider.pk}/scopes/" in page  # the add form


def test_the_coordinator_reads_without_the_forms(orgs, contact, personas, staff_client):
    response = staff_client(personas["province_coordinator"]).get(
        f"/takedown/providers/{orgs.provider.pk}/"
    )
    assert response.status_code == 200
    assert "/scopes/" not in response.content.decode()


def test_an_organisation_that_is_not_a_provider_is_a_404(orgs, officer, staff_client):
    assert staff_client(officer).get(f"/takedown/providers/{orgs.police.pk}/").status_code == 404


def test_the_provider_contact_gets_403(orgs, contact, staff_client):
    assert staff_client(contact).get(f"/takedown/providers/{orgs.provider.pk}/").status_code == 403


def test_post_is_refused(orgs, officer, staff_client):
    assert (
        staff_client(officer).post(f"/takedown/providers/{orgs.provider.pk}/").status_code == 405
    )


def test_logged_out_goes_to_login(client, orgs):
    url = f"/takedown/providers/{orgs.provider.pk}/"
    assert client.get(url)["Location"] == f"/login/?next={url}"
