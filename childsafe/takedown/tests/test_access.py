"""Who sees which order and provider (``childsafe.takedown.access``)."""

from __future__ import annotations

import pytest
from django.http import Http404

from childsafe.orgs.models import Organisation, OrgKind
from childsafe.orgs.roles import Role
from childsafe.takedown import access, services
from childsafe.takedown.models import ProviderScope
from childsafe.testing import START, make_user


def test_officers_see_orders_of_their_organisation_and_units_below(draft, orgs, officer, personas):
    order = draft()
    unit = Organisation.objects.create(
        code="ict-unit",
        name="Phòng CNTT",
        kind=OrgKind.DEPARTMENT,
        parent=orgs.ict,
        effective_from=START,
    )
    unit_officer = make_user("ict-unit", Role.ICT_OFFICER, unit)
    assert access.get_order_for_user(officer, order.pk) == order
    with pytest.raises(Http404):
        access.get_order_for_user(unit_officer, order.pk)
    assert list(access.orders_for_user(personas["province_coordinator"])) == [order]


def test_a_superior_unit_may_approve_a_units_order(orgs, contact, officer):
    unit = Organisation.objects.create(
        code="ict-unit",
        name="Phòng CNTT",
        kind=OrgKind.DEPARTMENT,
        parent=orgs.ict,
        effective_from=START,
    )
    unit_officer = make_user("ict-unit", Role.ICT_OFFICER, unit)
    order = services.order_draft(
        actor=unit_officer,
        targets=["https://hostvn.vn/a"],
        action="remove",
        reason="csam",
        legal_basis="x",
    )
    assert access.get_order_for_user(officer, order.pk) == order
    services.order_approve(order, actor=officer)


def test_providers_see_their_issued_orders_only(draft, issue, contact, other_contact):
    waiting = draft()
    issued = issue(draft())
    assert list(access.orders_for_user(contact)) == [issued]
    assert list(access.orders_for_user(other_contact)) == []
    with pytest.raises(Http404):
        access.get_order_for_user(contact, waiting.pk)


def test_a_rejected_draft_never_reaches_the_provider(draft, officer2, contact):
    order = services.order_reject(draft(), actor=officer2, reason="no")
    assert list(access.orders_for_user(contact)) == []
    assert order.status == "rejected"


def test_other_roles_see_no_order(issued, personas):
    for role in ("police_investigator", "hotline_operator", "auditor", "system_admin"):
        assert not access.orders_for_user(personas[role]).exists()


def test_providers_are_for_roles_that_see_orders(orgs, personas):
    assert access.get_provider_for_user(personas["ict_officer"], orgs.provider.pk) == orgs.provider
    with pytest.raises(Http404):
        access.get_provider_for_user(personas["provider_contact"], orgs.provider.pk)
    with pytest.raises(Http404):
        access.get_provider_for_user(personas["ict_officer"], orgs.ict.pk)


def test_scopes_are_for_those_who_keep_the_register(orgs, personas, contact):
    scope = ProviderScope.objects.get(value="hostvn.vn")
    assert access.get_scope_for_user(personas["ict_officer"], orgs.provider, scope.pk) == scope
    with pytest.raises(Http404):
        access.get_scope_for_user(personas["province_coordinator"], orgs.provider, scope.pk)
