"""The case page lists the case's orders and offers a new one to officers who draft."""

from __future__ import annotations

import pytest

from childsafe.cases.tests.factories import make_case
from childsafe.orgs.models import Function


@pytest.fixture
def case(orgs):
    return make_case(
        owner=orgs.dolisa,
        tasks=[(orgs.ict, Function.TAKEDOWN)],
        urls=["https://hostvn.vn/post"],
    )


def test_an_officer_sees_the_orders_and_the_link(case, draft, officer, staff_client):
    order = draft(case=case)
    page = staff_client(officer).get(f"/en/cases/{case.pk}/").content.decode()
    assert order.reference in page
    assert f"/takedown/orders/new/?case={case.pk}" in page


def test_the_coordinator_sees_the_orders_without_the_link(case, draft, personas, staff_client):
    order = draft(case=case)
    page = (
        staff_client(personas["province_coordinator"]).get(f"/cases/{case.pk}/").content.decode()
    )
    assert order.reference in page
    assert "/takedown/orders/new/" not in page


def test_agencies_without_orders_see_no_section(orgs, draft, personas, staff_client):
    case = make_case(owner=orgs.dolisa, tasks=[(orgs.ict, Function.TAKEDOWN)])
    order = draft(case=case)
    page = staff_client(personas["hotline_operator"]).get(f"/cases/{case.pk}/").content.decode()
    assert order.reference not in page
    assert 'id="takedown-orders"' not in page
