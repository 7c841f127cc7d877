"""The school filter's demo data (``childsafe demo``): province rules, one small list per
category, the demo school's networks and lists, and three days of made-up counts from
its box, so that ``/filter/`` and its figures show something.

Every name is on ``.example``; the counts are drawn from a seeded generator. Loaded once:
it does nothing when the province already has rules.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from childsafe.blocklist.models import (
    CategoryList,
    FilterBoxStatus,
    FilterCategory,
    FilterStats,
    FilterTopDomain,
    Tier,
    TierRule,
)
from childsafe.blocklist.policy import services
from childsafe.blocklist.policy.compile import policy_render
from childsafe.orgs.models import Organisation, User
from childsafe.orgs.roles import Role

SCHOOL = "thcs-nguyen-du-db"
STUDENTS = (Tier.PRIMARY, Tier.LOWER_SECONDARY, Tier.UPPER_SECONDARY)
LESSONS = [
    {"days": [0, 1, 2, 3, 4], "start": "07:00", "end": "11:30"},
    {"days": [0, 1, 2, 3, 4], "start": "13:30", "end": "17:00"},
]
HARMFUL = (
    FilterCategory.ADULT,
    FilterCategory.GAMBLING,
    FilterCategory.VIOLENCE,
    FilterCategory.SELF_HARM,
    FilterCategory.DRUGS,
    FilterCategory.WEAPONS,
    FilterCategory.DATING,
    FilterCategory.PROXY_VPN,
    FilterCategory.MALWARE,
)
LIST_NAMES = {
    FilterCategory.ADULT: ["nguoi-lon.example", "phim-18.example"],
    FilterCategory.GAMBLING: ["ca-cuoc.example", "casino-online.example"],
    FilterCategory.VIOLENCE: ["bao-luc.example"],
    FilterCategory.SELF_HARM: ["thu-thach-nguy-hiem.example"],
    FilterCategory.DRUGS: ["ma-tuy.example"],
    FilterCategory.WEAPONS: ["vu-khi.example"],
    FilterCategory.DATING: ["hen-ho.example"],
    FilterCategory.PROXY_VPN: ["vpn-mien-phi.example", "vuot-tuong-lua.example"],
    FilterCategory.MALWARE: ["lua-dao.example", "trung-thuong.example"],
    FilterCategory.GAMES: ["game-online.example", "game-giao-duc.example"],
    FilterCategory.SOCIAL: ["mang-xa-hoi.example"],
}


def demo_filter_load() -> dict[str, int]:
    if TierRule.objects.filter(school__isnull=True).exists():
        return {"filter_rules": 0}
    officer = User.objects.get(username=Role.EDUCATION_OFFICER)
    admin = User.objects.get(username=Role.SCHOOL_IT_ADMIN)
    school = Organisation.objects.get(code=SCHOOL)
    rules = 0
    for tier in STUDENTS:
        for category in HARMFUL:
            services.tier_rule_set(
                actor=officer, school=None, tier=tier, category=category, is_blocked=True
            )
            rules += 1
        for category in (FilterCategory.GAMES, FilterCategory.SOCIAL):
            always = tier == Tier.PRIMARY
            services.tier_rule_set(
                actor=officer,
                school=None,
                tier=tier,
                category=category,
                is_blocked=True,
                schedule=None if always else LESSONS,
            )
            rules += 1
    services.tier_rule_set(
        actor=officer, school=None, tier=Tier.STAFF, category="malware", is_blocked=True
    )
    for category, names in LIST_NAMES.items():
        if not CategoryList.objects.filter(category=category).exists():
            services.list_import(
                actor=officer,
                category=category,
                name=f"Demo: {FilterCategory(category).label}",
                source="ChildSafe demo (made-up names)",
                licence="CC0-1.0",
                text="\n".join(names) + "\n",
            )
    services.school_network_add(school, actor=admin, cidr="10.20.0.0/16", tier="lower_secondary")
    services.school_network_add(school, actor=admin, cidr="10.10.0.0/24", tier="staff")
    services.school_settings_set(
        school,
        actor=admin,
        block_mode="nxdomain",
        block_ipv4=None,
        block_ipv6=None,
        default_tier="lower_secondary",
    )
    services.school_deny_add(
        school, actor=admin, domain="tin-don-nham.example", reason="Tin đồn về học sinh"
    )
    services.school_allow_request(
        school,
        actor=admin,
        domain="game-giao-duc.example",
        reason="Trò chơi học toán dùng trong tiết Tin học",
    )
    _box_counts(school)
    return {"filter_rules": rules + 1}


def _box_counts(school: Organisation) -> None:
    """Three days of hourly counts and top blocked names, as the box would upload them."""
    rng = random.Random(2126)  # noqa: S311  (made-up counts, not secrets)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    rows, top = [], []
    for hours_ago in range(1, 72):
        hour = now - dt.timedelta(hours=hours_ago)
        local_hour = timezone.localtime(hour).hour
        busy = 7 <= local_hour < 17
        for tier, outcome, base in (
            ("lower_secondary", "forward", 900),
            ("lower_secondary", "safesearch", 40),
            ("lower_secondary", "games", 30),
            ("lower_secondary", "social", 25),
            ("lower_secondary", "adult", 4),
            ("lower_secondary", "proxy_vpn", 3),
            ("staff", "forward", 300),
            ("staff", "malware", 1),
        ):
            count = rng.randint(base // 2, base) if busy else rng.randint(0, base // 20)
            if count:
                rows.append(
                    FilterStats(school=school, hour=hour, tier=tier, outcome=outcome, count=count)
                )
    for days_ago in range(3):
        day = (now - dt.timedelta(days=days_ago)).date()
        for domain, base in (
            ("game-online.example", 200),
            ("mang-xa-hoi.example", 150),
            ("vpn-mien-phi.example", 20),
            ("nguoi-lon.example", 8),
        ):
            top.append(
                FilterTopDomain(
                    school=school, day=day, domain=domain, count=rng.randint(base // 2, base)
                )
            )
    FilterStats.objects.bulk_create(rows)
    FilterTopDomain.objects.bulk_create(top)
    version, _body = policy_render(school)
    FilterBoxStatus.objects.update_or_create(
        school=school,
        defaults={
            "last_policy_fetch_at": now - dt.timedelta(minutes=4),
            "policy_version": version[:80],
            "last_stats_at": now - dt.timedelta(minutes=9),
        },
    )
