"""Ship the statutory time limits of issue 3 as versioned rules (data, not code).

Sources (docs/DOMAIN): Criminal Procedure Code 2015 arts. 147-149 (in force 1/1/2018);
Decree 147/2024/NĐ-CP (from 25/12/2024), which replaced Decrees 72/2013 and 27/2018;
Decree 13/2023/NĐ-CP art. 23 (from 1/7/2023), followed by the Personal Data Protection
Law 91/2025/QH15 (from 1/1/2026). Two points are not confirmed and say so in their legal
basis: the 24-hour limit under the old decrees (Decree 27/2018 amending 72/2013, taken
as in force from 15/4/2018) and the 72-hour breach notice under Law 91/2025.

Simplification: the crime-report clock allows two extensions of up to two months each
(the complex-case extension of art. 147(2) and the procuracy's one extension of
art. 147(3)); art. 147 bounds the first to two months in total from receipt, which the
rule does not enforce. Idempotent: a version with the same code and start date is kept.
"""

import datetime as dt

from django.db import migrations

RULES = [
    {
        "code": "crime_report",
        "name": "Giải quyết tố giác, tin báo về tội phạm",
        "legal_basis": "Bộ luật Tố tụng hình sự 2015, Điều 147-149",
        "function": "crime_reports",
        "period_value": 20,
        "period_unit": "days",
        "max_extensions": 2,
        "extension_value": 2,
        "extension_unit": "months",
        "resume_value": 1,
        "resume_unit": "months",
        "effective_from": dt.date(2018, 1, 1),
        "effective_to": None,
    },
    {
        "code": "takedown",
        "name": "Gỡ bỏ, ngăn chặn nội dung vi phạm theo yêu cầu",
        "legal_basis": "Nghị định 72/2013/NĐ-CP, sửa đổi bởi Nghị định 27/2018/NĐ-CP "
        "(thời hạn 24 giờ cần xác nhận)",
        "function": "",
        "period_value": 24,
        "period_unit": "hours",
        "effective_from": dt.date(2018, 4, 15),
        "effective_to": dt.date(2024, 12, 24),
    },
    {
        "code": "takedown",
        "name": "Gỡ bỏ, ngăn chặn nội dung vi phạm theo yêu cầu",
        "legal_basis": "Nghị định 147/2024/NĐ-CP",
        "function": "",
        "period_value": 24,
        "period_unit": "hours",
        "effective_from": dt.date(2024, 12, 25),
        "effective_to": None,
    },
    {
        "code": "data_breach",
        "name": "Thông báo vi phạm dữ liệu cá nhân cho Bộ Công an (Mẫu 03)",
        "legal_basis": "Nghị định 13/2023/NĐ-CP, Điều 23",
        "function": "",
        "period_value": 72,
        "period_unit": "hours",
        "effective_from": dt.date(2023, 7, 1),
        "effective_to": dt.date(2025, 12, 31),
    },
    {
        "code": "data_breach",
        "name": "Thông báo vi phạm dữ liệu cá nhân cho Bộ Công an",
        "legal_basis": "Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15 (thời hạn 72 giờ cần xác nhận)",
        "function": "",
        "period_value": 72,
        "period_unit": "hours",
        "effective_from": dt.date(2026, 1, 1),
        "effective_to": None,
    },
]


def add_rules(apps, schema_editor):
    ClockRule = apps.get_model("cases", "ClockRule")
    for rule in RULES:
        values = dict(rule)
        ClockRule.objects.get_or_create(
            code=values.pop("code"), effective_from=values.pop("effective_from"), defaults=values
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_clocks")]

    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
