"""The data migration that ships the default routing rules."""

from __future__ import annotations

import importlib

from django.apps import apps

from childsafe.cases.models import RoutingRule

shipped = importlib.import_module("childsafe.cases.migrations.0002_default_routing_rules")


def test_the_default_rules_are_installed(db):
    rules = {(r.category, r.function, r.requires_url) for r in RoutingRule.objects.all()}
    assert ("csam", "crime_reports", False) in rules
    assert ("csam", "takedown", True) in rules
    assert ("privacy_exposure", "takedown", True) in rules
    assert ("cyberbullying", "counselling", False) in rules
    assert len(rules) == len(shipped.DEFAULT_RULES)


def test_running_it_again_changes_nothing(db):
    RoutingRule.objects.filter(category="scam").update(is_active=False)
    before = sorted(RoutingRule.objects.values_list("pk", "category", "function", "is_active"))
    shipped.add_rules(apps, None)
    after = sorted(RoutingRule.objects.values_list("pk", "category", "function", "is_active"))
    assert after == before  # nor does it switch the coordinator's choices back on
