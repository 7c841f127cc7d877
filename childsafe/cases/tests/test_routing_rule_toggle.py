"""POST /cases/routing/<id>/active/: switch a routing rule off and on."""

from __future__ import annotations

from childsafe.cases.models import RoutingRule


def test_it_switches_the_rule(personas, staff_client, db):
    rule = RoutingRule.objects.first()
    client = staff_client(personas["province_coordinator"])
    response = client.post(f"/cases/routing/{rule.pk}/active/")
    assert response.status_code == 302
    rule.refresh_from_db()
    assert not rule.is_active
    client.post(f"/cases/routing/{rule.pk}/active/")
    rule.refresh_from_db()
    assert rule.is_active


def test_a_missing_rule_gets_404(personas, staff_client):
    response = staff_client(personas["province_coordinator"]).post("/cases/routing/999999/active/")
    assert response.status_code == 404


def test_other_roles_are_refused(personas, staff_client, db):
    rule = RoutingRule.objects.first()
    response = staff_client(personas["hotline_operator"]).post(f"/cases/routing/{rule.pk}/active/")
    assert response.status_code == 403


def test_get_is_refused(personas, staff_client, db):
    rule = RoutingRule.objects.first()
    response = staff_client(personas["province_coordinator"]).get(
        f"/cases/routing/{rule.pk}/active/"
    )
    assert response.status_code == 405


def test_logged_out_goes_to_login(client, db):
    rule = RoutingRule.objects.first()
    url = f"/cases/routing/{rule.pk}/active/"
    assert client.post(url)["Location"] == f"/login/?next={url}"
