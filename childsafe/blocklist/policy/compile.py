"""A school's policy compiled into the ``childsafe-policy/1`` document
(docs/school-filter.md), which the filter service loads.

``policy_compile(school)`` returns the document as a dict; ``policy_render(school)``
the UTF-8 JSON body and its version (the feed's strong ETag). ``version`` is the
sha256 of the canonical JSON (sorted keys, no spaces, UTF-8) of the document without
``version`` and ``generated_at``, each category's domains standing for themselves by
the sha256 of the list versions they come from (``category_digest``): it changes
exactly when the content does, and a box's poll hashes no list of a million names.

Rules: the province defaults (``TierRule`` without a school) overridden, tier by
category, by the school's own rules; only blocking rules are listed, with their
schedule when they have one. Categories: the domains of the active versions of every
list in each category that some rule blocks (others are left out: the filter needs
them not). ``query_log`` only while the school's per-device query log period is in
force (``query_log_active``). Fast path for big lists: a version never changes, so its
decompressed domains, and the JSON text of each category's domains, are kept in memory
by version ids; the blobs are read and the names encoded only on a miss. A 1M-name
category costs a poll about 0.26 s without this, mostly in two JSON encodings.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import timezone

from childsafe.blocklist.models import (
    AuthorityEntry,
    BlockMode,
    CategoryList,
    CategoryListVersion,
    EntryKind,
    SchoolFilterSettings,
    SchoolListEntry,
    SchoolListKind,
    SchoolListStatus,
    SchoolNetwork,
    Tier,
    TierRule,
)
from childsafe.blocklist.policy.services import (
    SCHOOL_LOOSENABLE,
    query_log_active,
    rule_blocks_at_least,
    unpack_domains,
)
from childsafe.orgs.models import Organisation

FORMAT = "childsafe-policy/1"
_TIER_ORDER = {tier: i for i, tier in enumerate(Tier.values)}
# YouTube strict for primary pupils, moderate above; staff: no rewriting.
SAFESEARCH: dict[str, dict[str, Any]] = {
    Tier.PRIMARY: {"google": True, "bing": True, "duckduckgo": True, "youtube": "strict"},
    Tier.LOWER_SECONDARY: {
        "google": True,
        "bing": True,
        "duckduckgo": True,
        "youtube": "moderate",
    },
    Tier.UPPER_SECONDARY: {
        "google": True,
        "bing": True,
        "duckduckgo": True,
        "youtube": "moderate",
    },
}


@functools.lru_cache(maxsize=32)
def _version_domains(version_id: int, sha256: str) -> tuple[str, ...]:
    blob = CategoryListVersion.objects.values_list("domains_blob", flat=True).get(pk=version_id)
    return tuple(unpack_domains(blob))


def _rules(school: Organisation) -> list[dict[str, Any]]:
    """The effective rules: the school's own over the province defaults, except a rule
    the school set itself (not ``may_loosen``) for a category it may not loosen that
    blocks less than the default does now (the default became stricter since)."""
    effective: dict[tuple[str, str], TierRule] = {}
    for rule in TierRule.objects.filter(school__isnull=True):
        effective[rule.tier, rule.category] = rule
    for rule in TierRule.objects.filter(school=school):
        default = effective.get((rule.tier, rule.category))
        if (
            rule.may_loosen
            or rule.category in SCHOOL_LOOSENABLE
            or rule_blocks_at_least(rule.is_blocked, rule.schedule, default)
        ):
            effective[rule.tier, rule.category] = rule
    rules = []
    for (tier, category), rule in sorted(
        effective.items(), key=lambda item: (_TIER_ORDER[item[0][0]], item[0][1])
    ):
        if not rule.is_blocked:
            continue
        one: dict[str, Any] = {"tier": tier, "category": category}
        if rule.schedule:
            one["schedule"] = rule.schedule
        rules.append(one)
    return rules


Versions = tuple[tuple[int, str], ...]  # (list version id, its sha256), sorted


def _category_versions(codes: set[str]) -> dict[str, Versions]:
    """Per category, the active versions of its lists."""
    rows = CategoryList.objects.filter(
        category__in=codes, active_version__isnull=False
    ).values_list("category", "active_version_id", "active_version__sha256")
    found: dict[str, list[tuple[int, str]]] = {code: [] for code in codes}
    for category, version_id, sha256 in rows:
        found[category].append((version_id, sha256))
    return {code: tuple(sorted(found[code])) for code in sorted(found)}


@functools.lru_cache(maxsize=16)
def _category_domains(versions: Versions) -> tuple[str, ...]:
    parts = [_version_domains(version_id, sha256) for version_id, sha256 in versions]
    if len(parts) == 1:
        return parts[0]
    return tuple(sorted(set().union(*parts)))


@functools.lru_cache(maxsize=16)  # a 1M-name category is about 20 MB of JSON
def _category_json(versions: Versions) -> str:
    return json.dumps(_category_domains(versions), separators=(",", ":"), ensure_ascii=False)


def category_digest(versions: Versions) -> str:
    """What stands for a category's domains in the version hash."""
    return hashlib.sha256(" ".join(sha256 for _id, sha256 in versions).encode()).hexdigest()


def _networks(school: Organisation) -> list[dict[str, str]]:
    rows = SchoolNetwork.objects.filter(school=school).values_list("cidr", "tier")
    networks = sorted(
        ((ipaddress.ip_network(cidr), tier) for cidr, tier in rows),
        key=lambda item: (item[0].version, -item[0].prefixlen, item[0].network_address),
    )
    return [{"cidr": str(network), "tier": tier} for network, tier in networks]


def _block(filter_settings: SchoolFilterSettings | None) -> dict[str, str]:
    if filter_settings is None or filter_settings.block_mode != BlockMode.BLOCKPAGE:
        return {"mode": BlockMode.NXDOMAIN.value}
    block: dict[str, str] = {"mode": BlockMode.BLOCKPAGE.value}
    if filter_settings.block_ipv4:
        block["ipv4"] = filter_settings.block_ipv4
    if filter_settings.block_ipv6:
        block["ipv6"] = filter_settings.block_ipv6
    return block


def _school_list(school: Organisation, kind: str) -> list[str]:
    return sorted(
        SchoolListEntry.objects.filter(
            school=school, kind=kind, status=SchoolListStatus.APPROVED
        ).values_list("domain", flat=True)
    )


def canonical_json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def policy_compile(school: Organisation, *, now: Any = None) -> dict[str, Any]:
    head, categories = _compile(school, now)
    return {
        **head,
        "categories": {code: list(_category_domains(v)) for code, v in categories.items()},
    }


def _compile(school: Organisation, now: Any) -> tuple[dict[str, Any], dict[str, Versions]]:
    """The document without its categories (``version`` and ``generated_at`` in), and
    the list versions of each category it blocks."""
    filter_settings = SchoolFilterSettings.objects.filter(school=school).first()
    rules = _rules(school)
    authority = sorted(
        set(
            AuthorityEntry.objects.active(now)
            .filter(kind=EntryKind.DOMAIN)
            .values_list("host", flat=True)
        )
    )
    content: dict[str, Any] = {
        "format": FORMAT,
        "school": {"id": school.pk, "code": school.code, "name": school.name},
        "timezone": settings.TIME_ZONE,
        "block": _block(filter_settings),
        "networks": _networks(school),
        "default_tier": filter_settings.default_tier if filter_settings else Tier.PRIMARY.value,
        "authority": authority,
        "rules": rules,
        "allow": _school_list(school, SchoolListKind.ALLOW),
        "deny": _school_list(school, SchoolListKind.DENY),
        "safesearch": {tier: dict(values) for tier, values in SAFESEARCH.items()},
    }
    period = query_log_active(school, now)
    if period is not None:  # only while the school's logging period is in force
        content["query_log"] = {
            "until": timezone.localtime(period.ends_at).isoformat(timespec="seconds"),
            "period_id": period.pk,
        }
    categories = _category_versions({rule["category"] for rule in rules})
    digests = {code: category_digest(versions) for code, versions in categories.items()}
    version = hashlib.sha256(canonical_json({**content, "categories": digests})).hexdigest()
    generated_at = timezone.localtime(now or timezone.now()).isoformat(timespec="seconds")
    return {**content, "version": version, "generated_at": generated_at}, categories


def policy_render(school: Organisation) -> tuple[str, bytes]:
    """(version, UTF-8 JSON body) of the school's compiled policy."""
    version, body = policy_render_lazy(school)
    return version, body()


def policy_render_lazy(school: Organisation) -> tuple[str, Callable[[], bytes]]:
    """(version, a function making the body): a poll answered 304 encodes nothing.
    The categories' JSON comes from ``_category_json`` (encoded once per list version)."""
    head, categories = _compile(school, None)

    def body() -> bytes:
        encoded = ",".join(
            f"{json.dumps(code)}:{_category_json(versions)}"
            for code, versions in categories.items()
        )
        rest = json.dumps(head, separators=(",", ":"), ensure_ascii=False)
        return ('{"categories":{' + encoded + "}," + rest[1:]).encode()

    return head["version"], body
