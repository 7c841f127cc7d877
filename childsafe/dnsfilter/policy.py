"""A school's compiled policy (``childsafe-policy/1``) in memory, and the decision for one query.

Pure and Django-free. ``load_policy`` validates the whole document before anything is
built, so a corrupt or partial document raises ``PolicyError`` and the caller keeps the
policy it has. A ``Policy`` is immutable: the transport swaps the reference whole.

The domain lists (authority, allow, deny, every category) live in one ``DomainTable``,
canonical name -> bit mask (``AUTHORITY``, ``ALLOW``, ``DENY``, then one bit per
category), two flat arrays of 12 bytes a slot (24 MB for 1M names, where a dict of
strings takes 105 MB): a name is looked up by walking its suffixes label by label, one
probe per label, whatever the number of lists. ``decide`` follows docs/school-filter.md exactly:

1. tier: the longest ``networks`` prefix holding the client, else ``default_tier``;
2. authority: the name or a parent listed -> block, nothing overrides it;
3. school lists: the deepest listed parent in ``allow`` / ``deny`` decides, a tie blocks;
4. SafeSearch: a search engine's host and the tier enforces it -> CNAME to its safe host;
5. categories: the name or a parent in a category a rule blocks for the tier now;
6. otherwise forward.
"""

from __future__ import annotations

import ctypes
import ipaddress
import json
import re
import sys
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FORMAT = "childsafe-policy/1"
TIERS = ("primary", "lower_secondary", "upper_secondary", "staff")
CATEGORIES = (
    "adult",
    "gambling",
    "violence",
    "self_harm",
    "drugs",
    "weapons",
    "dating",
    "proxy_vpn",
    "malware",
    "games",
    "social",
)

AUTHORITY = 1
ALLOW = 2
DENY = 4
CATEGORY_SHIFT = 3  # category i has the bit 1 << (CATEGORY_SHIFT + i)
MAX_BITS = 64  # the masks' width: at most 61 categories

BLOCK, ALLOWED, SAFESEARCH, FORWARD = "block", "allow", "safesearch", "forward"

# The providers' documented SafeSearch hosts, and the names that get rewritten to them.
GOOGLE_SAFE = "forcesafesearch.google.com"
YOUTUBE_SAFE = {"strict": "restrict.youtube.com", "moderate": "restrictmoderate.youtube.com"}
BING_SAFE = "strict.bing.com"
DUCKDUCKGO_SAFE = "safe.duckduckgo.com"
GOOGLE_DOMAINS = (
    "google.com",
    "google.com.vn",
    "google.vn",
    "google.co.uk",
    "google.com.au",
    "google.co.jp",
    "google.co.kr",
    "google.fr",
    "google.de",
    "google.com.sg",
    "google.co.th",
)
GOOGLE_HOSTS = tuple(h for d in GOOGLE_DOMAINS for h in (d, "www." + d))
YOUTUBE_HOSTS = (
    "youtube.com",
    "www.youtube.com",
    "m.youtube.com",
    "youtubei.googleapis.com",
    "youtube.googleapis.com",
    "www.youtube-nocookie.com",
)
BING_HOSTS = ("bing.com", "www.bing.com")
DUCKDUCKGO_HOSTS = ("duckduckgo.com", "www.duckduckgo.com", "start.duckduckgo.com")

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_RESERVED = frozenset({"authority", "allow", "deny", "safesearch"})
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")
# From this many names on, a load hands the memory its parsing freed back to the system.
TRIM_AFTER_NAMES = 100_000


class PolicyError(ValueError):
    """The document is not a valid ``childsafe-policy/1`` document."""


class Verdict(NamedTuple):
    action: str  # "block", "allow", "safesearch" or "forward"
    reason: str  # "authority", "deny", a category code, "allow", "safesearch", ""
    target: str = ""  # safesearch: the provider's safe host
    tier: str = ""


@dataclass(frozen=True, slots=True)
class Window:
    days: frozenset[int]
    start: int  # minutes after local midnight, inclusive
    end: int  # exclusive


@dataclass(frozen=True, slots=True)
class Policy:
    version: str
    school_id: int | None
    timezone: ZoneInfo
    block_mode: str  # "nxdomain" or "blockpage"
    block_ipv4: str | None
    block_ipv6: str | None
    default_tier: str
    # Per family: (prefix length, {network address as int: tier}), longest first.
    networks4: tuple[tuple[int, dict[int, str]], ...]
    networks6: tuple[tuple[int, dict[int, str]], ...]
    index: DomainTable  # canonical name -> AUTHORITY | ALLOW | DENY | category bits
    categories: tuple[str, ...]  # bit order: categories[i] is 1 << (CATEGORY_SHIFT + i)
    # Per tier: the categories blocked at all times (a mask), and the scheduled ones.
    always: dict[str, int]
    scheduled: dict[str, tuple[tuple[int, tuple[Window, ...]], ...]]
    safesearch: dict[str, dict[str, str]]  # tier -> host -> safe host
    sizes: dict[str, int]
    # tier -> reason -> the verdict, made once (the hot path allocates none).
    verdicts: dict[str, dict[str, Verdict]]
    # The optional ``query_log``: the period's end (epoch seconds) and id; None: no log.
    query_log_until: float | None = None
    query_log_period: int | None = None

    # -- Parts of the decision -------------------------------------------------------

    def tier_for(self, client: str | ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
        try:
            address = ipaddress.ip_address(client)
        except ValueError:
            return self.default_tier
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if isinstance(address, ipaddress.IPv4Address):
            networks, bits = self.networks4, 32
        else:
            networks, bits = self.networks6, 128
        value = int(address)
        for prefix, table in networks:
            tier = table.get(value >> (bits - prefix) << (bits - prefix))
            if tier is not None:
                return tier
        return self.default_tier

    def active_mask(self, tier: str, now: datetime) -> int:
        """The category bits that rules block for ``tier`` at ``now`` (aware datetime)."""
        mask = self.always.get(tier, 0)
        scheduled = self.scheduled.get(tier)
        if scheduled:
            local = now.astimezone(self.timezone)
            day, minute = local.weekday(), local.hour * 60 + local.minute
            for bit, windows in scheduled:
                for w in windows:
                    if day in w.days and w.start <= minute < w.end:
                        mask |= bit
                        break
        return mask

    def decide(
        self,
        name: str,
        client: str | ipaddress.IPv4Address | ipaddress.IPv6Address,
        now: datetime,
    ) -> Verdict:
        """The verdict for a query of ``name`` from ``client`` at ``now``."""
        tier = self.tier_for(client)
        return self.decide_for(canonical(name), tier, self.active_mask(tier, now))

    def decide_for(self, name: str, tier: str, active: int) -> Verdict:
        """The decision for a canonical ``name``, a tier and its rules' ``active`` mask
        (the transport's hot path: it keeps the tier and mask per client and minute)."""
        lookup = self.index.get
        verdicts = self.verdicts[tier]
        seen = 0
        allow_at = deny_at = -1
        depth = 0
        start = 0
        while True:
            bits = lookup(name[start:] if start else name)
            if bits:
                if bits & AUTHORITY:
                    return verdicts["authority"]
                if bits & ALLOW and allow_at < 0:
                    allow_at = depth
                if bits & DENY and deny_at < 0:
                    deny_at = depth
                seen |= bits
            dot = name.find(".", start)
            if dot < 0:
                break
            start = dot + 1
            depth += 1
        # ``depth`` counts from the full name: the smaller, the deeper (more specific).
        if deny_at >= 0 and (allow_at < 0 or deny_at <= allow_at):
            return verdicts["deny"]
        if allow_at >= 0:
            return verdicts["allow"]
        hosts = self.safesearch.get(tier)
        if hosts:
            target = hosts.get(name)
            if target is not None:
                return verdicts[target]
        blocked = (seen >> CATEGORY_SHIFT) & (active >> CATEGORY_SHIFT)
        if blocked:
            i = (blocked & -blocked).bit_length() - 1
            return verdicts[self.categories[i]]
        return verdicts[""]


class DomainTable:
    """Canonical names -> bit masks, for millions of names in little memory.

    An open-addressing hash table of two flat arrays: each slot holds the name's 64-bit
    ``hash()`` (0: empty) and its mask; the names themselves are not kept. A dict of 1M
    ``str`` keys costs about 105 MB, this 24 MB (2M slots, 8 + 4 bytes each). Names
    are told apart by their 64-bit hash alone: two names with the same hash share a
    mask. Python's string hash is SipHash with a key drawn at each start
    (``PYTHONHASHSEED`` unset), so nobody can aim a name at a listed one, and a chance
    collision of an unlisted name with one of n listed ones has odds n / 2**64 per
    lookup (5e-14 for a million). Linear probing, at most half full."""

    __slots__ = ("_hashes", "_masks", "_slots", "count")

    def __init__(self, expected: int, bits: int) -> None:
        slots = 16
        while slots < 2 * expected:
            slots *= 2
        self._slots = slots - 1  # the probe mask
        self._hashes = array("q", bytes(8 * slots))
        self._masks = array("I" if bits <= 32 else "Q", bytes((4 if bits <= 32 else 8) * slots))
        self.count = 0

    def __len__(self) -> int:
        return self.count

    def add(self, name: str, bit: int) -> None:
        h = hash(name) or 1
        hashes, slots = self._hashes, self._slots
        i = h & slots
        while True:
            found = hashes[i]
            if found == h:
                self._masks[i] |= bit
                return
            if found == 0:
                hashes[i] = h
                self._masks[i] = bit
                self.count += 1
                return
            i = (i + 1) & slots

    def get(self, name: str) -> int:
        """The name's mask; 0 when it is not listed."""
        h = hash(name) or 1
        hashes, slots = self._hashes, self._slots
        i = h & slots
        while True:
            found = hashes[i]
            if found == h:
                return self._masks[i]
            if found == 0:
                return 0
            i = (i + 1) & slots


def canonical(name: str) -> str:
    return name.lower().rstrip(".")


# -- Loading ---------------------------------------------------------------------------


def load_policy(document: bytes | str | Mapping[str, Any]) -> Policy:
    """Validate a ``childsafe-policy/1`` document (JSON text or parsed) into a Policy.

    A large document's parse leaves holes in the C heap (the text, the parsed lists,
    the index's smaller tables before it grew) that ``free`` keeps for later: once the
    policy is built and the parsed document dropped, ``release_free_memory`` returns
    them (for 1M names, about 30 MB of resident memory)."""
    if isinstance(document, bytes | str):
        try:
            data = json.loads(document)
        except (ValueError, UnicodeDecodeError) as exc:
            raise PolicyError(f"not JSON: {exc}") from exc
        del document  # the caller may still hold it; this frame no longer needs it
        policy = _build(data)
        del data
    else:
        policy = _build(document)
    if len(policy.index) >= TRIM_AFTER_NAMES:
        release_free_memory()
    return policy


def release_free_memory() -> bool:
    """Return the free pages of the C heap to the system (glibc's ``malloc_trim``);
    False where there is no glibc. Takes a few milliseconds for a large heap."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


def _malloc_trim() -> Any:
    global _TRIM
    if _TRIM is False:
        _TRIM = None
        if sys.platform.startswith("linux"):
            try:
                _TRIM = ctypes.CDLL(None).malloc_trim  # the C library already loaded
                _TRIM.argtypes = [ctypes.c_size_t]
                _TRIM.restype = ctypes.c_int
            except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
                _TRIM = None
    return _TRIM


_TRIM: Any = False  # glibc's malloc_trim once looked up; None where there is none


def _build(data: Any) -> Policy:
    if not isinstance(data, Mapping):
        raise PolicyError("the document is not a JSON object")
    if data.get("format") != FORMAT:
        raise PolicyError(f"format is {data.get('format')!r}, expected {FORMAT!r}")
    version = data.get("version")
    if not isinstance(version, str) or not version:
        raise PolicyError("version: missing")
    school = data.get("school")
    school_id = school.get("id") if isinstance(school, Mapping) else None
    if school_id is not None and not isinstance(school_id, int):
        raise PolicyError("school.id: not an integer")
    try:
        tz = ZoneInfo(_str(data, "timezone"))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise PolicyError(f"timezone: {exc}") from exc

    block = data.get("block")
    if not isinstance(block, Mapping) or block.get("mode") not in ("nxdomain", "blockpage"):
        raise PolicyError("block.mode: 'nxdomain' or 'blockpage'")
    ipv4 = ipv6 = None
    if block["mode"] == "blockpage":
        ipv4 = _address(block.get("ipv4"), 4, "block.ipv4")
        if block.get("ipv6") is not None:
            ipv6 = _address(block.get("ipv6"), 6, "block.ipv6")
        if ipv4 is None:
            raise PolicyError("block.ipv4: required in blockpage mode")

    default_tier = _tier(data.get("default_tier"), "default_tier")
    networks: dict[int, dict[int, dict[int, str]]] = {4: {}, 6: {}}
    for i, item in enumerate(_list(data, "networks")):
        if not isinstance(item, Mapping):
            raise PolicyError(f"networks[{i}]: not an object")
        try:
            net = ipaddress.ip_network(str(item.get("cidr")), strict=False)
        except ValueError as exc:
            raise PolicyError(f"networks[{i}].cidr: {exc}") from exc
        table = networks[net.version].setdefault(net.prefixlen, {})
        table[int(net.network_address)] = _tier(item.get("tier"), f"networks[{i}].tier")

    cats = data.get("categories", {})
    if not isinstance(cats, Mapping):
        raise PolicyError("categories: not an object")
    codes = tuple(CATEGORIES) + tuple(sorted(c for c in cats if c not in CATEGORIES))
    for code in codes:
        if not isinstance(code, str) or not _CODE.match(code) or code in _RESERVED:
            raise PolicyError(f"categories: not a category code: {str(code)[:40]!r}")
    if CATEGORY_SHIFT + len(codes) > MAX_BITS:
        raise PolicyError(f"categories: more than {MAX_BITS - CATEGORY_SHIFT}")
    lists: list[tuple[str, int, list[Any]]] = [
        (key, bit, _list(data, key))
        for key, bit in (("authority", AUTHORITY), ("allow", ALLOW), ("deny", DENY))
    ]
    for i, code in enumerate(codes):
        if code in cats:
            domains = cats[code]
            if not isinstance(domains, list):
                raise PolicyError(f"categories.{code}: not a list")
            lists.append((f"categories.{code}", 1 << (CATEGORY_SHIFT + i), domains))
    index = DomainTable(sum(len(domains) for _, _, domains in lists), CATEGORY_SHIFT + len(codes))
    sizes: dict[str, int] = {}
    for where, bit, domains in lists:
        sizes[where.removeprefix("categories.")] = _add(index, domains, bit, where)

    always: dict[str, int] = {}
    scheduled: dict[str, list[tuple[int, tuple[Window, ...]]]] = {}
    for i, rule in enumerate(_list(data, "rules")):
        where = f"rules[{i}]"
        if not isinstance(rule, Mapping):
            raise PolicyError(f"{where}: not an object")
        tier = _tier(rule.get("tier"), f"{where}.tier")
        code = rule.get("category")
        if code not in codes:
            raise PolicyError(f"{where}.category: unknown category {code!r}")
        bit = 1 << (CATEGORY_SHIFT + codes.index(code))
        if rule.get("schedule") is None:
            always[tier] = always.get(tier, 0) | bit
        else:
            windows = _windows(rule["schedule"], f"{where}.schedule")
            scheduled.setdefault(tier, []).append((bit, windows))

    safesearch: dict[str, dict[str, str]] = {}
    ss = data.get("safesearch", {})
    if not isinstance(ss, Mapping):
        raise PolicyError("safesearch: not an object")
    for tier, engines in ss.items():
        _tier(tier, "safesearch")
        if not isinstance(engines, Mapping):
            raise PolicyError(f"safesearch.{tier}: not an object")
        safesearch[tier] = _safesearch_hosts(engines, f"safesearch.{tier}")

    def by_prefix(family: int) -> tuple[tuple[int, dict[int, str]], ...]:
        return tuple(sorted(networks[family].items(), reverse=True))

    verdicts: dict[str, dict[str, Verdict]] = {}
    for tier in TIERS:
        made = verdicts[tier] = {
            "authority": Verdict(BLOCK, "authority", "", tier),
            "deny": Verdict(BLOCK, "deny", "", tier),
            "allow": Verdict(ALLOWED, "allow", "", tier),
            "": Verdict(FORWARD, "", "", tier),
        }
        made.update((code, Verdict(BLOCK, code, "", tier)) for code in codes)
        for target in set(safesearch.get(tier, {}).values()):
            made[target] = Verdict(SAFESEARCH, "safesearch", target, tier)

    return Policy(
        version=version,
        school_id=school_id,
        timezone=tz,
        block_mode=block["mode"],
        block_ipv4=ipv4,
        block_ipv6=ipv6,
        default_tier=default_tier,
        networks4=by_prefix(4),
        networks6=by_prefix(6),
        index=index,
        categories=codes,
        always=always,
        scheduled={t: tuple(w) for t, w in scheduled.items()},
        safesearch={t: h for t, h in safesearch.items() if h},
        sizes=sizes,
        verdicts=verdicts,
        **_query_log(data.get("query_log")),
    )


def _query_log(value: Any) -> dict[str, Any]:
    """The optional ``{"until": ISO datetime with offset, "period_id": N}``."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise PolicyError("query_log: not an object")
    period = value.get("period_id")
    if not isinstance(period, int) or isinstance(period, bool):
        raise PolicyError("query_log.period_id: not an integer")
    try:
        until = datetime.fromisoformat(str(value.get("until")))
    except ValueError as exc:
        raise PolicyError(f"query_log.until: {exc}") from exc
    if until.tzinfo is None:
        raise PolicyError("query_log.until: no UTC offset")
    return {"query_log_until": until.timestamp(), "query_log_period": period}


def load_policy_file(path: str) -> Policy:
    with open(path, "rb") as f:
        return load_policy(f.read())


def _str(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise PolicyError(f"{key}: missing or not a string")
    return value


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise PolicyError(f"{key}: not a list")
    return value


def _tier(value: Any, where: str) -> str:
    if value not in TIERS:
        raise PolicyError(f"{where}: unknown tier {value!r}")
    return str(value)


def _address(value: Any, version: int, where: str) -> str:
    try:
        address = ipaddress.ip_address(str(value))
    except ValueError as exc:
        raise PolicyError(f"{where}: {exc}") from exc
    if address.version != version:
        raise PolicyError(f"{where}: not an IPv{version} address")
    return str(address)


def _add(index: DomainTable, domains: Iterable[Any], bit: int, where: str) -> int:
    """Add ``bit`` to each domain's mask."""
    count = 0
    add = index.add
    for domain in domains:
        if (
            not isinstance(domain, str)
            or not 0 < len(domain) < 254
            or not domain.isascii()
            or domain != domain.lower()
            or domain.endswith(".")
            or ".." in domain
            or domain.startswith(".")
        ):
            raise PolicyError(f"{where}: not a canonical domain: {str(domain)[:80]!r}")
        add(domain, bit)
        count += 1
    return count


def _windows(value: Any, where: str) -> tuple[Window, ...]:
    if not isinstance(value, list):
        raise PolicyError(f"{where}: not a list")
    windows = []
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise PolicyError(f"{where}[{i}]: not an object")
        days = item.get("days")
        if (
            not isinstance(days, list)
            or not days
            or any(not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= 6 for d in days)
        ):
            raise PolicyError(f"{where}[{i}].days: a list of 0 (Monday) to 6 (Sunday)")
        start = _minutes(item.get("start"), f"{where}[{i}].start")
        end = _minutes(item.get("end"), f"{where}[{i}].end")
        if start >= end:
            raise PolicyError(f"{where}[{i}]: start is not before end")
        windows.append(Window(frozenset(days), start, end))
    return tuple(windows)


def _minutes(value: Any, where: str) -> int:
    if not isinstance(value, str) or not _TIME.match(value):
        raise PolicyError(f"{where}: not HH:MM")
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def _safesearch_hosts(engines: Mapping[str, Any], where: str) -> dict[str, str]:
    hosts: dict[str, str] = {}
    for engine, setting in engines.items():
        if engine == "youtube":
            if setting in (False, None):
                continue
            if setting not in YOUTUBE_SAFE:
                raise PolicyError(f"{where}.youtube: 'strict', 'moderate' or false")
            hosts.update(dict.fromkeys(YOUTUBE_HOSTS, YOUTUBE_SAFE[setting]))
            continue
        if not isinstance(setting, bool):
            raise PolicyError(f"{where}.{engine}: not true or false")
        if engine == "google":
            target, names = GOOGLE_SAFE, GOOGLE_HOSTS
        elif engine == "bing":
            target, names = BING_SAFE, BING_HOSTS
        elif engine == "duckduckgo":
            target, names = DUCKDUCKGO_SAFE, DUCKDUCKGO_HOSTS
        else:
            raise PolicyError(f"{where}: unknown search engine {engine!r}")
        if setting:
            hosts.update(dict.fromkeys(names, target))
    return hosts
