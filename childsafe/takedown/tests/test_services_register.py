"""The provider register: addressing an order from a host, adding and removing scopes."""

from __future__ import annotations

import datetime as dt

import pytest

from childsafe.audit.models import AuditEvent
from childsafe.takedown import services
from childsafe.takedown.models import ProviderScope


@pytest.fixture
def scopes(contact, other_provider):
    """VNPT answers for hostvn.vn; Viettel for socialnet.com and for one subdomain of
    hostvn.vn that it hosts."""
    ProviderScope.objects.create(provider=other_provider, kind="domain", value="cdn.hostvn.vn")


def test_a_host_goes_to_the_provider_of_its_domain(scopes, orgs):
    assert services.provider_for_host("hostvn.vn") == orgs.provider
    assert services.provider_for_host("www.shop.hostvn.vn") == orgs.provider


def test_the_longest_matching_domain_wins(scopes, other_provider):
    assert services.provider_for_host("cdn.hostvn.vn") == other_provider
    assert services.provider_for_host("img.cdn.hostvn.vn") == other_provider


def test_a_name_that_only_ends_like_a_scope_does_not_match(scopes):
    assert services.provider_for_host("nothostvn.vn") is None
    assert services.provider_for_host("unknown.example") is None


def test_an_ip_address_goes_to_the_narrowest_network(scopes, orgs, other_provider):
    ProviderScope.objects.create(provider=other_provider, kind="network", value="14.160.32.0/24")
    assert services.provider_for_host("14.160.1.1") == orgs.provider
    assert services.provider_for_host("14.160.32.9") == other_provider
    assert services.provider_for_host("8.8.8.8") is None


def test_a_provider_that_has_ended_answers_for_nothing(scopes, other_provider):
    other_provider.effective_to = dt.date(2023, 1, 1)
    other_provider.save(update_fields=["effective_to"])
    assert services.provider_for_host("socialnet.com") is None


def test_it_adds_a_domain_in_punycode(orgs, officer):
    scope = services.provider_scope_add(
        orgs.provider, kind="domain", value=" *.Ví-Dụ.VN. ", actor=officer
    )
    assert scope.value == "xn--v-d-rma6749a.vn"
    assert AuditEvent.objects.filter(action="takedown.scope_add").count() == 1


def test_it_adds_a_network_in_canonical_form(orgs, officer):
    scope = services.provider_scope_add(
        orgs.provider, kind="network", value="2001:0DB9:0::/32", actor=officer
    )
    assert scope.value == "2001:db9::/32"


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("domain", "com.vn"),
        ("domain", "*.vn"),
        ("domain", "https://hostvn.vn/"),
        ("domain", "14.160.0.1"),
        ("domain", ""),
        ("network", "14.160.0.1/16"),  # host bits set: a typing slip
        ("network", "0.0.0.0/0"),
        ("network", "10.0.0.0/8"),
        ("network", "not a network"),
        ("other", "hostvn.vn"),
    ],
)
def test_it_refuses_bad_scopes(orgs, officer, kind, value):
    with pytest.raises(services.OrderError) as exc:
        services.provider_scope_add(orgs.provider, kind=kind, value=value, actor=officer)
    assert exc.value.http_status == 400
    assert not ProviderScope.objects.exists()


def test_a_domain_already_in_the_register_is_refused_naming_its_provider(
    orgs, officer, other_provider
):
    with pytest.raises(services.OrderError, match="Viettel"):
        services.provider_scope_add(
            orgs.provider, kind="domain", value="SocialNet.com", actor=officer
        )
    assert ProviderScope.objects.count() == 1


def test_only_a_service_provider_has_scopes(orgs, officer):
    with pytest.raises(services.OrderError):
        services.provider_scope_add(orgs.police, kind="domain", value="police.vn", actor=officer)


def test_it_removes_a_scope_with_an_audit_event(orgs, officer, contact):
    scope = ProviderScope.objects.get(value="hostvn.vn")
    services.provider_scope_remove(scope, actor=officer)
    assert not ProviderScope.objects.filter(value="hostvn.vn").exists()
    assert AuditEvent.objects.filter(action="takedown.scope_remove").count() == 1
