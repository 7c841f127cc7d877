"""A school's compiled policy as Response Policy Zones and an Unbound configuration,
for schools and ISPs that run their own resolver (docs/school-filter.md).

One zone per tier (``tier_zone``), made from the ``childsafe-policy/1`` document:

- the school's deny list: blocked (the name and every name below it);
- the school's allow list: ``rpz-passthru.``, except names at or below an authority
  name;
- SafeSearch: the tier's search engine hosts as a CNAME to the provider's safe host
  (the same hosts as the filter service, ``childsafe.dnsfilter.policy``);
- the categories that rules block for the tier **at the time of generation**.

The authority list is *not* in the tier zones: it is the shared zone
``/feeds/authority.rpz`` (or the zone server), listed first in the resolver's
configuration. A resolver applies the first zone in its configured order that matches
(RPZ; Unbound does so), so no passthru of a tier zone can undo an authority block.

Inside one zone the most specific trigger wins (an exact name before a wildcard, a
longer wildcard before a shorter one), so the document's order (school lists, then
SafeSearch, then categories) is written as: category names at or below a school list
name are left out (the list decides them), SafeSearch hosts at or below a list name
too, and a category name that is itself a SafeSearch host keeps only its wildcard.

Schedules: a zone cannot change with the time of day. A scheduled rule is in the zone
when it applies at generation time (the document's timezone), and a tier with
scheduled rules gets a short SOA refresh (``SCHEDULED_REFRESH_SECS``), so a resolver
fetching by URL follows the timetable within a minute or two. The serial is the Unix
time of generation; the feed's ETag names the content, not the serial.

Blocked answers follow the school's ``block`` mode: NXDOMAIN (``CNAME .``), or in
``blockpage`` mode A/AAAA records of the block page (other types: NODATA).
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from childsafe.blocklist.models import Tier
from childsafe.blocklist.rpz import (
    NS_NAME,
    RPZ_TTL_SECS,
    SOA_EXPIRE_SECS,
    SOA_MINIMUM_SECS,
    SOA_MNAME,
    SOA_REFRESH_SECS,
    SOA_RETRY_SECS,
    SOA_RNAME,
    rpz_domains,
    rpz_max_domain_chars,
    valid_domains,
)
from childsafe.dnsfilter.policy import (
    BING_HOSTS,
    BING_SAFE,
    DUCKDUCKGO_HOSTS,
    DUCKDUCKGO_SAFE,
    GOOGLE_HOSTS,
    GOOGLE_SAFE,
    YOUTUBE_HOSTS,
    YOUTUBE_SAFE,
)

SCHEDULED_REFRESH_SECS = 60
ZONE_SUFFIX = "policy.childsafe"
PASSTHRU = "rpz-passthru."


def tier_origin(school_id: int, tier: str) -> str:
    """``primary.school12.policy.childsafe``: the tier zone's name (no trailing dot)."""
    return f"{tier.replace('_', '-')}.school{school_id}.{ZONE_SUFFIX}"


def safesearch_hosts(engines: Mapping[str, Any]) -> dict[str, str]:
    """host -> the provider's SafeSearch host, for one tier's ``safesearch`` settings."""
    hosts: dict[str, str] = {}
    if engines.get("google"):
        hosts.update(dict.fromkeys(GOOGLE_HOSTS, GOOGLE_SAFE))
    if engines.get("youtube") in YOUTUBE_SAFE:
        hosts.update(dict.fromkeys(YOUTUBE_HOSTS, YOUTUBE_SAFE[engines["youtube"]]))
    if engines.get("bing"):
        hosts.update(dict.fromkeys(BING_HOSTS, BING_SAFE))
    if engines.get("duckduckgo"):
        hosts.update(dict.fromkeys(DUCKDUCKGO_HOSTS, DUCKDUCKGO_SAFE))
    return hosts


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _applies(schedule: Iterable[Mapping[str, Any]], local: datetime) -> bool:
    day, minute = local.weekday(), local.hour * 60 + local.minute
    return any(
        day in window["days"] and _minutes(window["start"]) <= minute < _minutes(window["end"])
        for window in schedule
    )


def active_categories(document: Mapping[str, Any], tier: str, now: datetime) -> list[str]:
    """The categories that rules block for ``tier`` at ``now`` (aware), sorted."""
    local = now.astimezone(ZoneInfo(document["timezone"]))
    return sorted(
        {
            rule["category"]
            for rule in document["rules"]
            if rule["tier"] == tier
            and (not rule.get("schedule") or _applies(rule["schedule"], local))
        }
    )


def has_schedule(document: Mapping[str, Any], tier: str) -> bool:
    return any(rule["tier"] == tier and rule.get("schedule") for rule in document["rules"])


def _under(name: str, roots: set[str]) -> bool:
    """Whether ``name`` or one of its parents is in ``roots``."""
    if not roots:
        return False
    while True:
        if name in roots:
            return True
        _, dot, name = name.partition(".")
        if not dot:
            return False


def _block_rdata(block: Mapping[str, Any]) -> list[tuple[str, str]]:
    if block.get("mode") == "blockpage" and (block.get("ipv4") or block.get("ipv6")):
        rdata = []
        if block.get("ipv4"):
            rdata.append(("A", str(ipaddress.IPv4Address(block["ipv4"]))))
        if block.get("ipv6"):
            rdata.append(("AAAA", str(ipaddress.IPv6Address(block["ipv6"]))))
        return rdata
    return [("CNAME", ".")]


@dataclass(frozen=True)
class TierZone:
    origin: str
    etag: str  # weak: the content without the serial
    text: str


def tier_zone_etag(document: Mapping[str, Any], tier: str, now: datetime) -> str:
    """The feed's ETag: the document's version, the tier and what applies at ``now``."""
    key = f"{document['version']}|{tier}|{','.join(active_categories(document, tier, now))}"
    return f'W/"{hashlib.sha256(key.encode()).hexdigest()[:32]}"'


def tier_zone(document: Mapping[str, Any], tier: str, *, now: datetime) -> TierZone:
    """The Response Policy Zone of ``tier`` at ``now``, from a compiled document."""
    if tier not in Tier.values:
        raise ValueError(f"unknown tier {tier!r}")
    origin = tier_origin(document["school"]["id"], tier)
    max_chars = rpz_max_domain_chars(origin)
    authority = set(document["authority"])
    deny = valid_domains(document["deny"], max_chars=max_chars)
    allow = [
        name
        for name in valid_domains(document["allow"], max_chars=max_chars)
        if name not in deny and not _under(name, authority)
    ]
    listed = set(deny) | set(document["allow"])
    safesearch = {
        host: target
        for host, target in sorted(safesearch_hosts(document["safesearch"].get(tier, {})).items())
        if not _under(host, listed)
    }
    categories = active_categories(document, tier, now)
    category_names = rpz_domains(
        (
            name
            for code in categories
            for name in document["categories"].get(code, ())
            if not _under(name, listed)
        ),
        origin=origin,
    )
    block = _block_rdata(document["block"])
    refresh = SCHEDULED_REFRESH_SECS if has_schedule(document, tier) else SOA_REFRESH_SECS
    serial = max(int(now.timestamp()), 1)
    blocked_with = "NXDOMAIN" if block[0][0] == "CNAME" else "the block page's address"
    parts = [
        f"; ChildSafe policy of school {document['school']['id']} for tier {tier}, "
        f"as a Response Policy Zone.\n"
        f"; Policy version {document['version']}, generated {now.isoformat()}.\n"
        f"; Categories blocked now: {', '.join(categories) or 'none'}. "
        f"Blocked names answer {blocked_with}.\n"
        "; The authority list is a zone of its own, to list first: see docs/school-filter.md.\n"
        f"$ORIGIN {origin}.\n"
        f"$TTL {RPZ_TTL_SECS}\n"
        f"@ SOA {SOA_MNAME} {SOA_RNAME} {serial} {refresh} {SOA_RETRY_SECS} "
        f"{SOA_EXPIRE_SECS} {SOA_MINIMUM_SECS}\n"
        f"@ NS {NS_NAME}\n",
    ]

    def section(title: str, names: Iterable[str], rdata: list[tuple[str, str]]) -> None:
        lines = [
            f"{owner} {rtype} {value}\n"
            for name in names
            for owner in (name, f"*.{name}")
            for rtype, value in rdata
        ]
        if lines:
            parts.append(f"; {title}\n")
            parts.append("".join(lines))

    section("The school's deny list", deny, block)
    section("The school's allow list", allow, [("CNAME", PASSTHRU)])
    if safesearch:
        parts.append("; SafeSearch\n")
        parts.append("".join(f"{host} CNAME {target}.\n" for host, target in safesearch.items()))
    # A category name that is a SafeSearch host keeps its wildcard only.
    exact = [name for name in category_names if name not in safesearch]
    wildcard_only = [name for name in category_names if name in safesearch]
    section("Categories", exact, block)
    if wildcard_only:
        parts.append(
            "".join(
                f"*.{name} {rtype} {value}\n" for name in wildcard_only for rtype, value in block
            )
        )
    return TierZone(origin=origin, etag=tier_zone_etag(document, tier, now), text="".join(parts))


# -- Unbound -----------------------------------------------------------------------------

TRUST_ANCHOR = "/var/lib/unbound/root.key"  # Debian's unbound package keeps it there


def _quote(value: str) -> str:
    if '"' in value or "\n" in value:
        raise ValueError(f"cannot quote {value!r} in unbound.conf")
    return f'"{value}"'


def unbound_config(
    document: Mapping[str, Any],
    *,
    authority_origin: str,
    feed_url: str = "",
    token: str = "",
    zonefiles: Mapping[str, str] | None = None,
    interfaces: Iterable[str] = (),
    port: int = 53,
    extra_clients: Iterable[str] = (),
    trust_anchor: str | None = TRUST_ANCHOR,
) -> str:
    """A complete ``unbound.conf`` applying the school's policy per client network.

    Each tier is a tag; each school network is tagged with its tier, and the clients
    allowed outside them (loopback, ``extra_clients``) with ``default_tier``; the
    authority zone (every client) comes first, then one zone per tier limited to its tag.
    Zones load from ``zonefiles`` (zone origin -> path) when given, else from the feeds at
    ``feed_url`` with ``token`` in the query string. DNSSEC validation uses
    ``trust_anchor`` (Debian's ``unbound-anchor`` keeps it up to date); ``None``: none."""
    school_id = document["school"]["id"]
    default_tier = document["default_tier"]
    lines = [
        f"# Unbound configuration for ChildSafe school {school_id} "
        f"({document['school']['code']}), policy version {document['version']}.",
        "# Made by `childsafe unbound-config`; docs/school-filter.md explains the zones.",
        "server:",
    ]
    interfaces = list(interfaces)
    if interfaces:
        lines += [f"    interface: {address}" for address in interfaces]
    else:
        lines += [
            "    # The resolver's addresses on the school network (without any, Unbound",
            "    # listens on localhost alone):",
            "    # interface: 192.0.2.53",
            "    # interface: 2001:db8::53",
        ]
    lines += [
        f"    port: {int(port)}",
        f'    module-config: "respip {"validator " if trust_anchor else ""}iterator"',
    ]
    if trust_anchor:
        lines.append(f"    auto-trust-anchor-file: {_quote(trust_anchor)}")
    lines += [
        "    # One tag per tier; a client's tag chooses its tier's zone.",
        f"    define-tag: {_quote(' '.join(Tier.values))}",
        "    # Clients outside the school's networks get the default tier.",
    ]
    listed = {ipaddress.ip_network(item["cidr"], strict=False) for item in document["networks"]}
    defaults = dict.fromkeys(
        ipaddress.ip_network(cidr, strict=False)
        for cidr in ("127.0.0.0/8", "::1/128", *extra_clients)
    )
    for network in defaults:
        if network in listed:
            continue
        lines.append(f"    access-control: {network} allow")
        lines.append(f"    access-control-tag: {network} {_quote(default_tier)}")
    lines.append("    # The school's networks, each with its tier (the longest prefix wins).")
    for item in document["networks"]:
        network = ipaddress.ip_network(item["cidr"], strict=False)
        lines.append(f"    access-control: {network} allow")
        lines.append(f"    access-control-tag: {network} {_quote(item['tier'])}")

    def source(origin: str, path: str) -> str:
        if zonefiles is not None:
            return f"    zonefile: {_quote(zonefiles[origin])}"
        url = feed_url.rstrip("/") + path + (f"?token={token}" if token else "")
        return f"    url: {_quote(url)}"

    lines += [
        "",
        "# The authority list first, for every client: the first zone that matches wins,",
        "# so nothing in a tier zone can undo it.",
        "rpz:",
        f"    name: {_quote(authority_origin.rstrip('.') + '.')}",
        source(authority_origin, "/feeds/authority.rpz"),
        "    rpz-log: yes",
        '    rpz-log-name: "authority"',
    ]
    for tier in Tier.values:
        origin = tier_origin(school_id, tier)
        lines += [
            "",
            "rpz:",
            f"    name: {_quote(origin + '.')}",
            source(origin, f"/feeds/school/{school_id}/{tier}.rpz"),
            f"    tags: {_quote(tier)}",
            "    rpz-log: yes",
            f"    rpz-log-name: {_quote(tier)}",
        ]
    return "\n".join(lines) + "\n"
