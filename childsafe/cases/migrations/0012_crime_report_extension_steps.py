"""Ship a new version of the crime-report clock whose extensions follow art. 147(2).

Criminal Procedure Code 2015 art. 147: a denunciation or crime report is resolved within
20 days of receipt (k. 1); for a complex matter the time limit may run to at most
2 months (k. 2, counted from receipt, not 2 months on top); if that is still not
enough, the head of the procuracy may extend it once by at most 2 months (k. 2).
The version shipped in 0004 allowed two extensions of 2 months each past the due time,
looser than the law. This version lists the two extensions as steps; there is no third.

A new version, not an edit of the old row: a clock keeps the rule version in force when
it started (its due times and past extensions were computed under it, and the page must
show the rule they were computed under). So clocks already running keep the 2018
version; clocks started from ``FROM`` on get this one. Any version still open-ended
before ``FROM`` ends the day before. Idempotent: a version with the same code and start
date, and its steps, are kept as they are.
"""

import datetime as dt

from django.db import migrations

CODE = "crime_report"
FROM = dt.date(2026, 12, 1)
RULE = {
    "name": "Giải quyết tố giác, tin báo về tội phạm",
    "legal_basis": "Bộ luật Tố tụng hình sự 2015, Điều 147-149",
    "function": "crime_reports",
    "period_value": 20,
    "period_unit": "days",
    # Kept coherent with the steps for readers of the row; the steps govern.
    "max_extensions": 2,
    "extension_value": 2,
    "extension_unit": "months",
    "resume_value": 1,
    "resume_unit": "months",
    "effective_to": None,
}
STEPS = [
    {
        "number": 1,
        "limit_value": 2,
        "limit_unit": "months",
        "counted_from": "start",
        "decided_by": "Thủ trưởng Cơ quan điều tra (cơ quan có thẩm quyền giải quyết)",
        "legal_basis": "Bộ luật Tố tụng hình sự 2015, Điều 147 khoản 2 (vụ việc phức tạp)",
    },
    {
        "number": 2,
        "limit_value": 2,
        "limit_unit": "months",
        "counted_from": "due",
        "decided_by": "Viện trưởng Viện kiểm sát cùng cấp hoặc có thẩm quyền",
        "legal_basis": "Bộ luật Tố tụng hình sự 2015, Điều 147 khoản 2 (gia hạn một lần)",
    },
]


def add_version(apps, schema_editor):
    ClockRule = apps.get_model("cases", "ClockRule")
    ClockExtensionStep = apps.get_model("cases", "ClockExtensionStep")
    ClockRule.objects.filter(
        code=CODE, effective_from__lt=FROM, effective_to__isnull=True
    ).update(effective_to=FROM - dt.timedelta(days=1))
    rule, _created = ClockRule.objects.get_or_create(
        code=CODE, effective_from=FROM, defaults=RULE
    )
    for step in STEPS:
        values = dict(step)
        ClockExtensionStep.objects.get_or_create(
            rule=rule, number=values.pop("number"), defaults=values
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_clock_extension_steps")]

    operations = [migrations.RunPython(add_version, migrations.RunPython.noop)]
