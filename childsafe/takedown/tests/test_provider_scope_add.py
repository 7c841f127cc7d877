"""POST /takedown/providers/<id>/scopes/: add a domain or network to a provider."""

from __future__ import annotations

from childsafe.takedown.models import ProviderScope


def test_it_adds_a_domain(orgs, officer, staff_client):
    response = staff_client(officer).post(
        f"/takedown/providers/{orgs.provider.pk}/scopes/",
        {"kind": "domain", "value": "Ví-Dụ.vn", "note": "hosting"},
    )
    assert response.status_code == 302
    assert ProviderScope.objects.get().value == "xn--v-d-rma6749a.vn"


def test_a_public_suffix_is_a_400(orgs, officer, staff_client):
    response = staff_client(officer).post(
        f"/en/takedown/providers/{orgs.provider.pk}/scopes/",
        {"kind": "domain", "value": "*.com.vn"},
    )
    assert response.status_code == 400
    assert "public suffix" in response.content.decode()
    assert not ProviderScope.objects.exists()


def test_a_duplicate_is_a_400(orgs, officer, contact, staff_client):
    response = staff_client(officer).post(
        f"/takedown/providers/{orgs.provider.pk}/scopes/", {"kind": "domain", "value": "hostvn.vn"}
    )
    assert response.status_code == 400
    assert ProviderScope.objects.filter(value="hostvn.vn").count() == 1


def test_a_missing_value_is_a_400(orgs, officer, staff_client):
    response = staff_client(officer).post(
        f"/takedown/providers/{orgs.provider.pk}/scopes/", {"kind": "network"}
    )
    assert response.status_code == 400


def test_an_organisation_that_is_not_a_provider_is_a_404(orgs, officer, staff_client):
    response = staff_client(officer).post(
        f"/takedown/providers/{orgs.police.pk}/scopes/", {"kind": "domain", "value": "ca.vn"}
    )
    assert response.status_code == 404


def test_the_coordinator_gets_403(orgs, personas, staff_client):
    response = staff_client(personas["province_coordinator"]).post(
        f"/takedown/providers/{orgs.provider.pk}/scopes/", {"kind": "domain", "value": "a.vn"}
    )
    assert response.status_code == 403


def test_get_is_refused(orgs, officer, staff_client):
    url = f"/takedown/providers/{orgs.provider.pk}/scopes/"
    assert staff_client(officer).get(url).status_code == 405


def test_logged_out_goes_to_login(client, orgs):
    url = f"/takedown/providers/{orgs.provider.pk}/scopes/"
    assert client.post(url)["Location"] == f"/login/?next={url}"
