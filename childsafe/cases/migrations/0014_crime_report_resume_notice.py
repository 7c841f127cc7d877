"""Ship the notice of a resumed crime report as a time limit of its own.

Criminal Procedure Code 2015 art. 149(2): within 3 days of the decision to resume
resolving a denunciation or crime report, the investigating agency sends the decision
to the procuracy and to whoever made the report. Resuming a ``crime_report`` clock
starts this one for the same agency task (``starts_on_resume_of``); it shows on the case
with the other time limits, is escalated like them once overdue, and ends when someone
records that the notice went out. The rule has no function: no task starts it, and it
is not offered for starting by hand.

In force since the Code (1/1/2018): a pure addition, which also applies to clocks
already running under the 2018 version of ``crime_report``. Idempotent.
"""

import datetime as dt

from django.db import migrations

RULE = {
    "code": "crime_report_resume_notice",
    "name": "Gửi quyết định phục hồi giải quyết cho Viện kiểm sát và người tố giác, báo tin",
    "legal_basis": "Bộ luật Tố tụng hình sự 2015, Điều 149 khoản 2",
    "function": "",
    "starts_on_resume_of": "crime_report",
    "period_value": 3,
    "period_unit": "days",
    "effective_from": dt.date(2018, 1, 1),
    "effective_to": None,
}


def add_rule(apps, schema_editor):
    ClockRule = apps.get_model("cases", "ClockRule")
    values = dict(RULE)
    ClockRule.objects.get_or_create(
        code=values.pop("code"), effective_from=values.pop("effective_from"), defaults=values
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0013_suspension_ground_and_resume_notice")]

    operations = [migrations.RunPython(add_rule, migrations.RunPython.noop)]
