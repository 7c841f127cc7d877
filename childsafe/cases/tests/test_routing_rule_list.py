"""GET/POST /cases/routing/: the coordinator reads and adds routing rules."""

from __future__ import annotations

from childsafe.cases.models import RoutingRule
from childsafe.orgs.models import AdminUnit, UnitEra, UnitLevel


def test_it_lists_the_shipped_rules(personas, staff_client):
    response = staff_client(personas["province_coordinator"]).get("/cases/routing/")
    assert response.status_code == 200
    assert len(response.context["rules"]) == RoutingRule.objects.count() > 0


def test_it_adds_a_rule_for_a_territory(personas, staff_client):
    unit = AdminUnit.objects.create(
        era=UnitEra.FROM_2025,
        code="20194",
        name="Phường Tam Kỳ",
        level=UnitLevel.COMMUNE,
        source="t",
    )
    response = staff_client(personas["province_coordinator"]).post(
        "/cases/routing/",
        {
            "category": "scam",
            "function": "child_protection",
            "territory": "20194",
            "priority_boost": "5",
        },
    )
    assert response.status_code == 302
    rule = RoutingRule.objects.latest("pk")
    assert (rule.category, rule.function, rule.territory, rule.priority_boost) == (
        "scam",
        "child_protection",
        unit,
        5,
    )


def test_an_unknown_territory_is_a_400(personas, staff_client):
    before = RoutingRule.objects.count()
    response = staff_client(personas["province_coordinator"]).post(
        "/cases/routing/",
        {"category": "scam", "function": "takedown", "territory": "99999", "priority_boost": "0"},
    )
    assert response.status_code == 400
    assert RoutingRule.objects.count() == before


def test_other_roles_are_refused(personas, staff_client):
    for role in ("hotline_operator", "police_investigator", "system_admin"):
        assert staff_client(personas[role]).get("/cases/routing/").status_code == 403


def test_put_is_refused(personas, staff_client):
    assert staff_client(personas["province_coordinator"]).put("/cases/routing/").status_code == 405


def test_logged_out_goes_to_login(client, db):
    assert client.get("/cases/routing/")["Location"] == "/login/?next=/cases/routing/"
