"""POST /takedown/providers/<id>/scopes/<id>/delete/: remove a scope."""

from __future__ import annotations

from childsafe.takedown.models import ProviderScope


def test_it_removes_the_scope(orgs, officer, contact, staff_client):
    scope = ProviderScope.objects.get(value="hostvn.vn")
    url = f"/takedown/providers/{orgs.provider.pk}/scopes/{scope.pk}/delete/"
    response = staff_client(officer).post(url)
    assert response.status_code == 302
    assert not ProviderScope.objects.filter(pk=scope.pk).exists()


def test_a_scope_of_another_provider_is_a_404(orgs, officer, other_provider, staff_client):
    scope = other_provider.provider_scopes.get()
    url = f"/takedown/providers/{orgs.provider.pk}/scopes/{scope.pk}/delete/"
    assert staff_client(officer).post(url).status_code == 404
    assert ProviderScope.objects.filter(pk=scope.pk).exists()


def test_the_coordinator_gets_403(orgs, contact, personas, staff_client):
    scope = ProviderScope.objects.get(value="hostvn.vn")
    url = f"/takedown/providers/{orgs.provider.pk}/scopes/{scope.pk}/delete/"
    assert staff_client(personas["province_coordinator"]).post(url).status_code == 403


def test_get_is_refused(orgs, officer, contact, staff_client):
    scope = ProviderScope.objects.get(value="hostvn.vn")
    url = f"/takedown/providers/{orgs.provider.pk}/scopes/{scope.pk}/delete/"
    assert staff_client(officer).get(url).status_code == 405
    assert ProviderScope.objects.filter(pk=scope.pk).exists()


def test_logged_out_goes_to_login(client, orgs, contact):
    scope = ProviderScope.objects.get(value="hostvn.vn")
    url = f"/takedown/providers/{orgs.provider.pk}/scopes/{scope.pk}/delete/"
    assert client.post(url)["Location"] == f"/login/?next={url}"
