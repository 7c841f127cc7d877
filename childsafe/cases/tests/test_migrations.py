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


retention = importlib.import_module("childsafe.cases.migrations.0010_default_retention_rules")


def test_the_retention_defaults_are_installed_once(db):
    from childsafe.cases.models import RetentionRule

    RetentionRule.objects.filter(category="scam").update(keep_days=90)
    retention.add_rules(apps, None)
    days = dict(RetentionRule.objects.values_list("category", "keep_days"))
    assert days == {**retention.DEFAULT_DAYS, "scam": 90}  # the province's choice stays
