"""The policy document and the decision for one query (pure: no sockets)."""

from __future__ import annotations

import json
import platform
import sys
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from childsafe.dnsfilter import policy as policy_module
from childsafe.dnsfilter.policy import (
    Policy,
    PolicyError,
    Verdict,
    load_policy,
    release_free_memory,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_MORNING = datetime(2026, 11, 30, 9, 0, tzinfo=HCM)  # a Monday
MONDAY_LUNCH = datetime(2026, 11, 30, 12, 0, tzinfo=HCM)
SATURDAY = datetime(2026, 12, 5, 9, 0, tzinfo=HCM)


@pytest.fixture
def policy(document: dict[str, Any]) -> Policy:
    return load_policy(json.dumps(document).encode())


def decide(policy: Policy, name: str, client: str = "10.10.1.5", now: datetime = MONDAY_MORNING):
    return policy.decide(name, client, now)


def test_tier_is_the_longest_prefix_else_the_default(policy: Policy) -> None:
    assert policy.tier_for("10.10.1.5") == "primary"
    assert policy.tier_for("10.10.2.5") == "staff"
    assert policy.tier_for("10.20.0.1") == "lower_secondary"
    assert policy.tier_for("fd00:10::1") == "staff"
    assert policy.tier_for("::ffff:10.10.2.5") == "staff"
    assert policy.tier_for("192.0.2.1") == "primary"
    assert policy.tier_for("not an address") == "primary"


@pytest.mark.parametrize(
    "code,name",
    [
        ("adult", "adult.example"),
        ("gambling", "www.casino.example"),
        ("violence", "gore.example"),
        ("self_harm", "a.b.harm.example"),
        ("drugs", "drugs.example"),
        ("weapons", "guns.example"),
        ("dating", "dating.example"),
        ("proxy_vpn", "vpn.example"),
        ("malware", "malware.example"),
        ("games", "games.example"),
        ("social", "social.example"),
    ],
)
def test_each_category_blocked_for_primary(policy: Policy, code: str, name: str) -> None:
    assert decide(policy, name) == Verdict("block", code, "", "primary")


def test_tiers_block_their_own_categories(policy: Policy) -> None:
    staff, upper, lower = "10.10.2.5", "10.30.0.9", "10.20.0.9"
    assert decide(policy, "adult.example", staff).action == "forward"
    assert decide(policy, "malware.example", staff) == Verdict("block", "malware", "", "staff")
    assert decide(policy, "adult.example", upper).reason == "adult"
    assert decide(policy, "casino.example", upper).action == "forward"
    assert decide(policy, "adult.example", lower).reason == "adult"
    assert decide(policy, "social.example", lower).action == "forward"
    assert decide(policy, "unlisted.example").action == "forward"
    assert decide(policy, "example").action == "forward"
    assert decide(policy, "notadult.example").action == "forward"  # a suffix, not a parent


def test_schedules_follow_local_time(policy: Policy) -> None:
    lower = "10.20.0.9"
    assert decide(policy, "games.example", lower, MONDAY_MORNING).reason == "games"
    assert decide(policy, "games.example", lower, MONDAY_LUNCH).action == "forward"
    assert decide(policy, "games.example", lower, SATURDAY).action == "forward"
    # 07:00 inclusive, 11:30 exclusive, local time (UTC+7) whatever the clock's zone.
    at = datetime(2026, 11, 30, 0, 0, tzinfo=ZoneInfo("UTC"))  # 07:00 in Hanoi
    assert decide(policy, "games.example", lower, at).reason == "games"
    at = datetime(2026, 11, 30, 4, 30, tzinfo=ZoneInfo("UTC"))  # 11:30
    assert decide(policy, "games.example", lower, at).action == "forward"
    at = datetime(2026, 11, 30, 4, 29, tzinfo=ZoneInfo("UTC"))
    assert decide(policy, "games.example", lower, at).reason == "games"


def test_authority_always_wins(policy: Policy) -> None:
    assert decide(policy, "bad.example").reason == "authority"
    # Allowed by the school, still blocked: the authority list cannot be overridden.
    assert decide(policy, "ok.bad.example").reason == "authority"
    assert decide(policy, "bad.example", "10.10.2.5").reason == "authority"  # staff too
    assert decide(policy, "x.CSAM.example.").reason == "authority"


def test_allow_and_deny_the_deepest_wins(policy: Policy) -> None:
    assert decide(policy, "ok.games.example") == Verdict("allow", "allow", "", "primary")
    assert decide(policy, "a.ok.games.example").action == "allow"
    assert decide(policy, "x.ok.games.example").reason == "deny"  # deeper deny
    assert decide(policy, "deny.example", "10.10.2.5").reason == "deny"
    # Same depth in both: blocked.
    assert decide(policy, "mixed.example").reason == "deny"
    # A deeper category entry does not beat the school's allow... but a deny at the
    # same depth as the allow does (above); the allow skips categories below it.
    assert decide(policy, "sub.mixed.example").reason == "deny"


def test_allow_skips_categories_and_safesearch(document: dict[str, Any]) -> None:
    document["allow"] = ["adult.example", "www.google.com"]
    document["deny"] = []
    policy = load_policy(document)
    assert decide(policy, "www.adult.example").action == "allow"
    assert decide(policy, "www.google.com").action == "allow"


def test_safesearch_per_tier(policy: Policy) -> None:
    assert decide(policy, "www.google.com") == Verdict(
        "safesearch", "safesearch", "forcesafesearch.google.com", "primary"
    )
    assert decide(policy, "google.com.vn").target == "forcesafesearch.google.com"
    assert decide(policy, "www.youtube.com").target == "restrict.youtube.com"
    assert decide(policy, "m.youtube.com", "10.30.0.9").target == "restrictmoderate.youtube.com"
    assert decide(policy, "www.bing.com").target == "strict.bing.com"
    assert decide(policy, "duckduckgo.com").target == "safe.duckduckgo.com"
    assert decide(policy, "www.google.com", "10.10.2.5").action == "forward"  # staff
    assert decide(policy, "mail.google.com").action == "forward"


def test_blockpage_mode(document: dict[str, Any]) -> None:
    document["block"] = {"mode": "blockpage", "ipv4": "203.0.113.10", "ipv6": "2001:db8::10"}
    policy = load_policy(document)
    assert (policy.block_mode, policy.block_ipv4, policy.block_ipv6) == (
        "blockpage",
        "203.0.113.10",
        "2001:db8::10",
    )


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(format="childsafe-policy/2"),
        lambda d: d.pop("version"),
        lambda d: d.update(timezone="Mars/Olympus"),
        lambda d: d.update(block={"mode": "blockpage"}),
        lambda d: d.update(block={"mode": "blockpage", "ipv4": "2001:db8::1"}),
        lambda d: d.update(block={"mode": "sinkhole"}),
        lambda d: d.update(default_tier="kindergarten"),
        lambda d: d["networks"].append({"cidr": "10.0.0.0/33", "tier": "staff"}),
        lambda d: d.update(authority="bad.example"),
        lambda d: d["authority"].append("Upper.example"),
        lambda d: d["deny"].append("trailing.example."),
        lambda d: d["allow"].append(42),
        lambda d: d["categories"]["adult"].append("a..example"),
        lambda d: d["rules"].append({"tier": "staff", "category": "knitting"}),
        lambda d: d["rules"].append(
            {
                "tier": "staff",
                "category": "games",
                "schedule": [{"days": [7], "start": "07:00", "end": "08:00"}],
            }
        ),
        lambda d: d["rules"].append(
            {
                "tier": "staff",
                "category": "games",
                "schedule": [{"days": [1], "start": "09:00", "end": "08:00"}],
            }
        ),
        lambda d: d["rules"].append(
            {
                "tier": "staff",
                "category": "games",
                "schedule": [{"days": [1], "start": "9am", "end": "10:00"}],
            }
        ),
        lambda d: d["safesearch"]["primary"].update(youtube="loose"),
        lambda d: d["categories"].update(deny=["x.example"]),
        lambda d: d["categories"].update({"Bad Code": []}),
        lambda d: d["safesearch"].update(staff={"altavista": True}),
    ],
)
def test_invalid_documents_raise(document: dict[str, Any], change: Any) -> None:
    change(document)
    with pytest.raises(PolicyError):
        load_policy(document)


def test_truncated_json_raises(document: dict[str, Any]) -> None:
    text = json.dumps(document).encode()
    with pytest.raises(PolicyError):
        load_policy(text[: len(text) // 2])
    with pytest.raises(PolicyError):
        load_policy(b"[]")
    with pytest.raises(PolicyError):
        load_policy(b"\xff\xfe")


def _count_trims(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []

    def release() -> bool:
        calls.append(1)
        return True

    monkeypatch.setattr(policy_module, "release_free_memory", release)
    return calls


def _many_names(document: dict[str, Any], count: int) -> dict[str, Any]:
    document["categories"]["adult"] = [f"n{i}.many.example" for i in range(count)]
    return document


@pytest.mark.parametrize("as_text", [True, False])
def test_a_large_document_hands_its_freed_memory_back(
    document: dict[str, Any], monkeypatch: pytest.MonkeyPatch, as_text: bool
) -> None:
    calls = _count_trims(monkeypatch)
    monkeypatch.setattr(policy_module, "TRIM_AFTER_NAMES", 1000)
    _many_names(document, 1000)
    loaded = load_policy(json.dumps(document) if as_text else document)
    assert calls == [1]
    assert decide(loaded, "www.n999.many.example") == Verdict("block", "adult", "", "primary")
    assert decide(loaded, "n1000.many.example").action == "forward"


def test_a_small_document_does_not_trim(
    document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_trims(monkeypatch)
    load_policy(json.dumps(document))
    assert calls == []


def test_an_invalid_large_document_raises_before_trimming(
    document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_trims(monkeypatch)
    monkeypatch.setattr(policy_module, "TRIM_AFTER_NAMES", 10)
    _many_names(document, 100)["categories"]["adult"].append("Not.Canonical")
    with pytest.raises(PolicyError):
        load_policy(json.dumps(document))
    assert calls == []


def test_release_free_memory_uses_glibc_where_there_is_one() -> None:
    has_glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert release_free_memory() is has_glibc
    assert release_free_memory() is has_glibc  # looked up once, callable again
