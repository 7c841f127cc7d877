"""A school's policy as one Response Policy Zone per tier: the zone text, and
GET /feeds/school/<id>/<tier>.rpz (tokens, scope, ETag and 304, named-checkzone)."""

from __future__ import annotations

import datetime as dt
import subprocess
from zoneinfo import ZoneInfo

import pytest
import time_machine

from childsafe.blocklist.models import SchoolFilterSettings, TierRule
from childsafe.blocklist.policy import services
from childsafe.blocklist.policy.compile import policy_compile
from childsafe.blocklist.policy.rpz import active_categories, tier_origin, tier_zone
from childsafe.orgs.models import Organisation, OrgKind
from childsafe.orgs.roles import Role
from childsafe.orgs.services import api_token_create
from childsafe.testing import START, make_user

pytestmark = pytest.mark.django_db

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_LESSON = dt.datetime(2026, 11, 30, 8, 0, tzinfo=HANOI)
SUNDAY = dt.datetime(2026, 11, 29, 8, 0, tzinfo=HANOI)
LESSONS = [{"days": [0, 1, 2, 3, 4], "start": "07:00", "end": "11:30"}]


def make_policy(personas, school, add):
    """The school policy of the RPZ and Unbound tests."""
    officer, admin = personas["education_officer"], personas["school_it_admin"]
    for category, text in [
        ("adult", "adult.example\n"),
        ("games", "game.example\nplay.edu.example\n"),
        ("social", "social.example\nwww.youtube.com\n"),
    ]:
        services.list_import(
            actor=officer, category=category, name=category, source="s", licence="l", text=text
        )
    TierRule.objects.all().delete()
    for tier, category, schedule in [
        ("primary", "adult", None),
        ("primary", "games", None),
        ("primary", "social", None),
        ("lower_secondary", "adult", None),
        ("lower_secondary", "games", None),
        ("upper_secondary", "adult", None),
        ("upper_secondary", "games", LESSONS),
    ]:
        services.tier_rule_set(
            actor=officer,
            school=None,
            tier=tier,
            category=category,
            is_blocked=True,
            schedule=schedule,
        )
    services.school_deny_add(school, actor=admin, domain="deny.example")
    for domain in ("edu.example", "learn.game.example", "x.bad.example"):
        request = services.school_allow_request(school, actor=admin, domain=domain, reason="r")
        services.school_allow_decide(request, actor=officer, approve=True, reason="ok")
    # Added after the allow of x.bad.example was approved: the authority wins.
    add("bad.example")
    add("evil.edu.example")
    return school


@pytest.fixture
def policy(personas, orgs, add):
    return make_policy(personas, orgs.school, add)


def records(text: str) -> set[str]:
    return {line for line in text.splitlines() if line and not line.startswith((";", "$", "@"))}


def zone(school, tier, now=MONDAY_LESSON):
    return tier_zone(policy_compile(school, now=now), tier, now=now)


def test_a_tier_zone_blocks_its_categories_and_the_deny_list(policy):
    made = zone(policy, "primary")
    assert made.origin == f"primary.school{policy.pk}.policy.childsafe"
    assert {
        "adult.example CNAME .",
        "*.adult.example CNAME .",
        "game.example CNAME .",
        "*.game.example CNAME .",
        "social.example CNAME .",
        "deny.example CNAME .",
        "*.deny.example CNAME .",
    } <= records(made.text)


def test_the_allow_list_passes_through_and_wins_over_categories_below_it(policy):
    lines = records(zone(policy, "primary").text)
    assert {
        "edu.example CNAME rpz-passthru.",
        "*.edu.example CNAME rpz-passthru.",
        "learn.game.example CNAME rpz-passthru.",
        "*.learn.game.example CNAME rpz-passthru.",
    } <= lines
    assert not any("play.edu.example" in line for line in lines)  # the allow decides it


def test_authority_names_are_left_to_the_authority_zone_and_never_passed_through(policy):
    text = zone(policy, "primary").text
    assert "bad.example" not in text.replace("x.bad.example", "")
    assert "x.bad.example" not in text
    assert "evil.edu.example" not in text


def test_categories_follow_the_tier(policy):
    assert "social.example" not in zone(policy, "lower_secondary").text
    assert "game.example CNAME ." in records(zone(policy, "lower_secondary").text)
    staff = records(zone(policy, "staff").text)
    assert not any(line.endswith("CNAME .") for line in staff if "deny.example" not in line)


def test_safesearch_is_strict_for_primary_moderate_above_and_absent_for_staff(policy):
    primary = records(zone(policy, "primary").text)
    assert "www.google.com CNAME forcesafesearch.google.com." in primary
    assert "youtube.com CNAME restrict.youtube.com." in primary
    assert "www.bing.com CNAME strict.bing.com." in primary
    assert "duckduckgo.com CNAME safe.duckduckgo.com." in primary
    assert "www.duckduckgo.com CNAME safe.duckduckgo.com." in primary
    # www.youtube.com is also in a blocked category: SafeSearch first, its subdomains blocked.
    assert "www.youtube.com CNAME restrict.youtube.com." in primary
    assert "www.youtube.com CNAME ." not in primary
    assert "*.www.youtube.com CNAME ." in primary
    upper = records(zone(policy, "upper_secondary").text)
    assert "www.youtube.com CNAME restrictmoderate.youtube.com." in upper
    assert "forcesafesearch" not in zone(policy, "staff").text


def test_a_scheduled_category_is_in_the_zone_only_while_it_applies(policy):
    during = zone(policy, "upper_secondary", MONDAY_LESSON)
    weekend = zone(policy, "upper_secondary", SUNDAY)
    assert "game.example CNAME ." in records(during.text)
    assert "game.example CNAME ." not in records(weekend.text)
    assert during.etag != weekend.etag
    doc = policy_compile(policy)
    assert active_categories(doc, "upper_secondary", MONDAY_LESSON) == ["adult", "games"]
    assert active_categories(
        doc, "upper_secondary", MONDAY_LESSON.replace(hour=11, minute=30)
    ) == ["adult"]


def soa(text: str) -> list[str]:
    return next(line for line in text.splitlines() if line.startswith("@ SOA")).split()


def test_tiers_with_schedules_get_a_short_refresh_and_the_serial_is_the_time(policy):
    assert soa(zone(policy, "upper_secondary").text)[5] == "60"
    assert soa(zone(policy, "staff").text)[5] == "300"
    assert soa(zone(policy, "staff").text)[4] == str(int(MONDAY_LESSON.timestamp()))


def test_blockpage_mode_answers_the_block_page_addresses(policy):
    SchoolFilterSettings.objects.create(
        school=policy, block_mode="blockpage", block_ipv4="203.0.113.10", block_ipv6="2001:db8::10"
    )
    lines = records(zone(policy, "primary").text)
    assert {
        "adult.example A 203.0.113.10",
        "*.adult.example A 203.0.113.10",
        "adult.example AAAA 2001:db8::10",
        "deny.example A 203.0.113.10",
    } <= lines
    assert not any(line.endswith("CNAME .") for line in lines)


# --- The feed --------------------------------------------------------------------------


def url(school, tier="primary"):
    return f"/feeds/school/{school.pk}/{tier}.rpz"


@pytest.mark.parametrize("tier", ["primary", "lower_secondary", "upper_secondary", "staff"])
def test_the_feed_serves_each_tier_and_named_checkzone_accepts_it(
    policy, client, bearer, tmp_path, tier
):
    response = client.get(url(policy, tier), headers=bearer("school_it_admin"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/dns"
    assert response["ETag"].startswith('W/"')
    assert response["Cache-Control"] == "no-cache"
    path = tmp_path / "zone.rpz"
    path.write_bytes(response.content)
    checked = subprocess.run(  # noqa: S603
        ["/usr/bin/named-checkzone", tier_origin(policy.pk, tier), str(path)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_an_unchanged_zone_answers_304_and_a_change_200(policy, personas, client, bearer):
    headers = bearer("ict_officer")
    etag = client.get(url(policy), headers=headers)["ETag"]
    again = client.get(url(policy), headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    services.school_deny_add(policy, actor=personas["school_it_admin"], domain="x.example")
    changed = client.get(url(policy), headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_a_schedule_starting_changes_the_etag(policy, client, bearer):
    headers = bearer("ict_officer")
    with time_machine.travel(MONDAY_LESSON.replace(hour=6, minute=59), tick=False):
        etag = client.get(url(policy, "upper_secondary"), headers=headers)["ETag"]
    with time_machine.travel(MONDAY_LESSON, tick=False):
        response = client.get(
            url(policy, "upper_secondary"), headers={**headers, "If-None-Match": etag}
        )
    assert response.status_code == 200
    assert "game.example CNAME ." in response.content.decode()


def test_an_unknown_tier_is_404(policy, client, bearer):
    assert client.get(url(policy, "teachers"), headers=bearer("ict_officer")).status_code == 404


def test_policy_rpz_names_the_tier_in_the_query(policy, client, bearer):
    headers = bearer("school_it_admin")
    by_path = client.get(url(policy, "staff"), headers=headers)
    by_query = client.get(f"/feeds/school/{policy.pk}/policy.rpz?tier=staff", headers=headers)
    assert by_query.status_code == 200

    def body(response):  # the serial and a comment say when it was made: leave them out
        lines = response.content.decode().splitlines()
        return [line for line in lines if " SOA " not in line and "generated" not in line]

    assert body(by_query) == body(by_path)
    assert by_query["ETag"] == by_path["ETag"]
    for bad in ("", "?tier=", "?tier=teachers"):
        refused = client.get(f"/feeds/school/{policy.pk}/policy.rpz{bad}", headers=headers)
        assert refused.status_code == 400
        assert "lower_secondary" in refused.json()["detail"]


def test_another_schools_it_admin_gets_404(policy, orgs, client):
    other = Organisation.objects.create(
        code="th-other",
        name="Trường TH Khác",
        kind=OrgKind.SCHOOL,
        parent=orgs.education,
        effective_from=START,
        school_level="primary",
    )
    admin = make_user("otherit", Role.SCHOOL_IT_ADMIN, other)
    _token, raw = api_token_create(admin, name="feed", actor=admin)
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get(url(policy), headers=headers).status_code == 404
    assert client.get(url(other), headers=headers).status_code == 200


def test_roles_without_the_permission_are_refused(policy, client, bearer):
    assert client.get(url(policy), headers=bearer("provider_contact")).status_code == 403
    assert client.get(url(policy)).status_code == 401


def test_the_token_may_come_in_the_query(policy, client, token):
    response = client.get(url(policy) + f"?token={token('school_it_admin')}")
    assert response.status_code == 200
