"""The compiled ``childsafe-policy/1`` document (docs/school-filter.md)."""

from __future__ import annotations

import hashlib
import json

import pytest

from childsafe.blocklist.models import CategoryList, SchoolFilterSettings, TierRule
from childsafe.blocklist.policy import services
from childsafe.blocklist.policy.compile import (
    canonical_json,
    category_digest,
    policy_compile,
    policy_render,
)

pytestmark = pytest.mark.django_db

LESSONS = [{"days": [0, 1, 2, 3, 4], "start": "07:00", "end": "11:30"}]


@pytest.fixture
def policy(personas, orgs, add):
    officer, admin = personas["education_officer"], personas["school_it_admin"]
    add("bad.example")
    add("https://url.example/page")  # a URL entry: not in the DNS policy
    for category, name, text in [
        ("adult", "Adult A", "a1.example\na2.example\n"),
        ("adult", "Adult B", "0.0.0.0 a2.example\n0.0.0.0 a3.example\n"),
        ("games", "Games", "||game.example^\n"),
        ("dating", "Dating", "date.example\n"),
    ]:
        services.list_import(
            actor=officer, category=category, name=name, source="s", licence="l", text=text
        )

    def rule(tier, category, blocked=True, school=None, schedule=None):
        services.tier_rule_set(
            actor=officer,
            school=school,
            tier=tier,
            category=category,
            is_blocked=blocked,
            schedule=schedule,
        )

    for tier in ("primary", "lower_secondary", "upper_secondary"):
        rule(tier, "adult")
    rule("primary", "games")
    rule("lower_secondary", "games", schedule=LESSONS)
    rule("staff", "dating")
    # The school overrides: games all day for lower secondary, dating not for staff.
    rule("lower_secondary", "games", school=orgs.school)
    rule("staff", "dating", blocked=False, school=orgs.school)
    services.school_network_add(orgs.school, actor=admin, cidr="10.10.0.0/16", tier="staff")
    services.school_network_add(orgs.school, actor=admin, cidr="10.10.1.0/24", tier="primary")
    services.school_deny_add(orgs.school, actor=admin, domain="tiktok.example")
    allowed = services.school_allow_request(
        orgs.school, actor=admin, domain="edu.game.example", reason="lesson"
    )
    services.school_allow_decide(allowed, actor=officer, approve=True, reason="ok")
    services.school_allow_request(orgs.school, actor=admin, domain="wait.example", reason="x")
    return orgs.school


def test_it_compiles_the_documented_shape(policy):
    doc = policy_compile(policy)
    assert doc["format"] == "childsafe-policy/1"
    assert doc["school"] == {"id": policy.pk, "code": "thcs-le-loi", "name": "Trường THCS Lê Lợi"}
    assert doc["timezone"] == "Asia/Ho_Chi_Minh"
    assert doc["block"] == {"mode": "nxdomain"}
    assert doc["networks"] == [
        {"cidr": "10.10.1.0/24", "tier": "primary"},
        {"cidr": "10.10.0.0/16", "tier": "staff"},
    ]
    assert doc["default_tier"] == "primary"
    assert doc["authority"] == ["bad.example"]
    assert doc["allow"] == ["edu.game.example"]  # the pending request is not in force
    assert doc["deny"] == ["tiktok.example"]
    assert doc["generated_at"].endswith("+07:00")


def test_school_rules_override_province_defaults(policy):
    doc = policy_compile(policy)
    assert doc["rules"] == [
        {"tier": "primary", "category": "adult"},
        {"tier": "primary", "category": "games"},
        {"tier": "lower_secondary", "category": "adult"},
        {"tier": "lower_secondary", "category": "games"},
        {"tier": "upper_secondary", "category": "adult"},
    ]


def test_province_schedules_pass_through(policy):
    TierRule.objects.filter(school=policy, tier="lower_secondary").delete()
    rules = policy_compile(policy)["rules"]
    assert {"tier": "lower_secondary", "category": "games", "schedule": LESSONS} in rules


def test_categories_are_the_union_of_their_active_lists_when_a_rule_uses_them(policy):
    categories = policy_compile(policy)["categories"]
    assert categories == {
        "adult": ["a1.example", "a2.example", "a3.example"],
        "games": ["game.example"],
    }  # dating: no rule blocks it at this school


def test_safesearch_is_strict_for_primary_moderate_above_and_off_for_staff(policy):
    safesearch = policy_compile(policy)["safesearch"]
    assert safesearch["primary"] == {
        "google": True,
        "bing": True,
        "duckduckgo": True,
        "youtube": "strict",
    }
    assert safesearch["lower_secondary"]["youtube"] == "moderate"
    assert safesearch["upper_secondary"]["youtube"] == "moderate"
    assert "staff" not in safesearch


def test_the_version_is_the_hash_of_the_content_and_follows_changes(policy, personas):
    doc = policy_compile(policy)
    content = {k: v for k, v in doc.items() if k not in ("version", "generated_at")}
    # Each category's domains stand for themselves by their list versions' sha256.
    digests = {}
    for code, domains in content["categories"].items():
        versions = CategoryList.objects.filter(category=code, active_version__isnull=False)
        shas = sorted((v.active_version_id, v.active_version.sha256) for v in versions)
        assert domains == sorted(domains)
        digests[code] = category_digest(tuple(shas))
    content["categories"] = digests
    assert doc["version"] == hashlib.sha256(canonical_json(content)).hexdigest()
    assert policy_compile(policy)["version"] == doc["version"]
    services.school_deny_add(policy, actor=personas["school_it_admin"], domain="more.example")
    assert policy_compile(policy)["version"] != doc["version"]


def test_a_new_list_version_changes_the_version(policy, personas):
    before = policy_compile(policy)
    services.list_import(
        category="adult",
        name="Second adult list",
        source="test",
        licence="CC0",
        text="other-adult.example\n",
        actor=personas["education_officer"],
    )
    after = policy_compile(policy)
    assert after["version"] != before["version"]
    assert "other-adult.example" in after["categories"]["adult"]


def test_the_rendered_body_is_the_compiled_document(policy):
    version, body = policy_render(policy)
    rendered = json.loads(body)
    compiled = policy_compile(policy)
    assert rendered.pop("generated_at") and compiled.pop("generated_at")
    assert rendered == compiled
    assert version == compiled["version"]


def test_blockpage_mode_carries_its_addresses(policy):
    SchoolFilterSettings.objects.create(
        school=policy,
        block_mode="blockpage",
        block_ipv4="203.0.113.10",
        block_ipv6="2001:db8::10",
        default_tier="staff",
    )
    doc = policy_compile(policy)
    assert doc["block"] == {"mode": "blockpage", "ipv4": "203.0.113.10", "ipv6": "2001:db8::10"}
    assert doc["default_tier"] == "staff"
    json.dumps(doc)
