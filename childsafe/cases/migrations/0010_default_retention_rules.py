"""Ship default retention periods (data, editable; to be confirmed by the province).

Decree 13/2023 art. 20 and Law 91/2025 ask to delete personal data when the purpose ends
or retention expires, without fixing periods for case files. Defaults: 5 years after
closure for crimes (child sexual abuse material, grooming, sextortion), where a matter
may be reopened; 2 years otherwise. Idempotent: a category that has a rule keeps it.
"""

from django.db import migrations

CRIME_DAYS = 5 * 365 + 1
OTHER_DAYS = 2 * 365
DEFAULT_DAYS = {
    "csam": CRIME_DAYS,
    "grooming": CRIME_DAYS,
    "sextortion": CRIME_DAYS,
    "cyberbullying": OTHER_DAYS,
    "harmful_content": OTHER_DAYS,
    "privacy_exposure": OTHER_DAYS,
    "scam": OTHER_DAYS,
    "other": OTHER_DAYS,
}


def add_rules(apps, schema_editor):
    RetentionRule = apps.get_model("cases", "RetentionRule")
    for category, days in DEFAULT_DAYS.items():
        RetentionRule.objects.get_or_create(category=category, defaults={"keep_days": days})


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_retention_and_legal_hold")]

    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
