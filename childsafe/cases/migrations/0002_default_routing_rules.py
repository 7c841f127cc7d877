"""Ship the default routing rules (province-wide); the coordinator edits them afterwards.

Crimes against children go to the police (crime reports), every report that gives URLs
to the ICT department (takedown), and reports where a child was harmed to the social
support facility (counselling). Idempotent: an existing rule with the same category,
function and no territory is left as it is (also when the coordinator deactivated it).
"""

from django.db import migrations

# (category, function, requires_url, priority_boost)
DEFAULT_RULES = [
    ("csam", "crime_reports", False, 0),
    ("csam", "takedown", True, 0),
    ("csam", "counselling", False, 0),
    ("grooming", "crime_reports", False, 0),
    ("grooming", "takedown", True, 0),
    ("grooming", "counselling", False, 0),
    ("sextortion", "crime_reports", False, 0),
    ("sextortion", "takedown", True, 0),
    ("sextortion", "counselling", False, 0),
    ("cyberbullying", "takedown", True, 0),
    ("cyberbullying", "counselling", False, 0),
    ("harmful_content", "takedown", True, 0),
    ("privacy_exposure", "takedown", True, 0),
    ("scam", "crime_reports", False, 0),
    ("scam", "takedown", True, 0),
    ("other", "takedown", True, 0),
]


def add_rules(apps, schema_editor):
    RoutingRule = apps.get_model("cases", "RoutingRule")
    for category, function, requires_url, boost in DEFAULT_RULES:
        RoutingRule.objects.get_or_create(
            category=category,
            function=function,
            territory=None,
            defaults={"requires_url": requires_url, "priority_boost": boost, "is_active": True},
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
