"""The authority list as text: a Response Policy Zone, a hosts file and a plain list.

Pure functions of the blocked domains (canonical form: punycode, lower case, no
trailing dot, as ``lib.domains.normalise_domain`` makes them), written for a million
names: the feeds call them on every full download, and ``bench/feeds.py`` times them.
They build no object per name and do no per-name regular expression: the names are
checked with a few scans of one joined string, and the lines are written with
``str.join``. Only when a scan finds something wrong are the names checked one by one,
to drop the bad ones (a name that would break the zone file would break it for every
resolver).

- ``render_rpz``: the zone file. Each domain in ``lib.domains.minimal_cover`` gets the
  two records of ``zones.rpz_rules`` (the name and its wildcard). For speed all the
  names come first, then all the wildcards; a zone's order carries no meaning.
- ``render_hosts``: ``0.0.0.0 name`` lines. A hosts file cannot hold wildcards, so each
  listed name blocks itself alone: every active domain is listed, subdomains too.
- ``render_txt``: one domain per line, nothing else (no comments), every active domain.

The output is sorted, so one serial always gives the same bytes (the feeds' ETag is
the serial). Domains dropped as invalid are counted in the log, never named.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from itertools import filterfalse, repeat

from childsafe.blocklist.zones import RpzMode, rpz_rules
from childsafe.lib.domains import MAX_DOMAIN_CHARS, covered_domains

log = logging.getLogger(__name__)

RPZ_TTL_SECS = 300
# SOA timers: secondaries refresh every 5 minutes (NOTIFY makes it sooner), retry
# after a minute, and keep serving a zone they cannot refresh for a week.
SOA_REFRESH_SECS = 300
SOA_RETRY_SECS = 60
SOA_EXPIRE_SECS = 7 * 24 * 3600
SOA_MINIMUM_SECS = 60
# Names outside the zone, resolvable without the network (named-checkzone checks them).
SOA_MNAME = "localhost."
SOA_RNAME = "hostmaster.localhost."
NS_NAME = "localhost."

_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_NAME = re.compile(rf"(?:{_LABEL}\.)+{_LABEL}")
_ALLOWED_CHARS = str.maketrans("", "", "abcdefghijklmnopqrstuvwxyz0123456789-_.\n")
# Signs of a bad name in the joined text: an empty label, or a hyphen at a label's edge.
_BAD_SEQUENCES = ("..", "\n.", ".\n", "\n\n", "-.", ".-", "\n-", "-\n")
_MAX_LABEL_CHARS = 63
_MAX_WIRE_OCTETS = 255
# RPZ gives the last label of a record's owner a meaning when it is one of these.
_RPZ_TRIGGER_LABEL = "rpz-"


def rpz_max_domain_chars(origin: str) -> int:
    """The longest domain the zone ``origin`` can block: ``*.<domain>.<origin>.`` must
    fit in 255 octets on the wire."""
    return _MAX_WIRE_OCTETS - len("*.") - len(".") - len(origin.rstrip(".")) - 2


def valid_domains(domains: Iterable[str], *, max_chars: int = MAX_DOMAIN_CHARS) -> list[str]:
    """``domains`` in their order, without duplicates and without the names a zone
    file or a hosts file cannot carry: anything but lower-case ASCII host names of two
    labels or more, names longer than ``max_chars``, and names whose last label starts
    with ``rpz-`` (RPZ reads ``rpz-ip``, ``rpz-nsdname``... as trigger types)."""
    return list(_unique_valid(domains, max_chars))


def _unique_valid(domains: Iterable[str], max_chars: int) -> dict[str, None]:
    """``valid_domains`` as the keys of a dict: ordered, and quick to look names up in."""
    unique = dict.fromkeys(domains)
    if not unique:
        return unique
    text = "\n".join(unique)
    suspicious = (
        "" in unique
        or text.count("\n") != len(unique) - 1  # a line break inside a name
        or bool(text.translate(_ALLOWED_CHARS))
        or any(seq in text for seq in _BAD_SEQUENCES)
        or text[0] in ".-"
        or text[-1] in ".-"
        or _RPZ_TRIGGER_LABEL in text
        or 0 in map(str.count, unique, repeat("."))
    )
    if suspicious:
        bad = [n for n in unique if not _is_valid(n, max_chars)]
    elif max(map(len, unique)) > _MAX_LABEL_CHARS:
        # Only a name longer than a label may hold a label too long, or be too long.
        bad = [n for n in unique if len(n) > _MAX_LABEL_CHARS and not _is_valid(n, max_chars)]
    else:
        bad = []
    if bad:
        log.warning("blocklist text: %d invalid domain(s) left out", len(bad))
        for name in bad:
            del unique[name]
    return unique


def _is_valid(name: str, max_chars: int) -> bool:
    return (
        len(name) <= max_chars
        and _NAME.fullmatch(name) is not None
        and not name.rpartition(".")[2].startswith(_RPZ_TRIGGER_LABEL)
    )


def rpz_domains(domains: Iterable[str], *, origin: str) -> list[str]:
    """The domains the zone ``origin`` writes, sorted: valid, deduplicated, and not
    covered by a blocked parent (``lib.domains.minimal_cover``). Sorting costs little
    when ``domains`` come sorted."""
    unique = _unique_valid(domains, rpz_max_domain_chars(origin))
    covered = covered_domains(unique.keys())
    names = list(filterfalse(covered.__contains__, unique) if covered else unique)
    names.sort()
    return names


def rpz_header(*, serial: int, origin: str, mode: str) -> str:
    origin = origin.rstrip(".")
    what = "NXDOMAIN" if mode == RpzMode.NXDOMAIN else "a CNAME to the block page"
    return (
        f"; ChildSafe authority list as a Response Policy Zone, serial {serial}.\n"
        f"; Each blocked domain and every name below it answer {what}.\n"
        f"$ORIGIN {origin}.\n"
        f"$TTL {RPZ_TTL_SECS}\n"
        f"@ SOA {SOA_MNAME} {SOA_RNAME} {serial} {SOA_REFRESH_SECS} {SOA_RETRY_SECS} "
        f"{SOA_EXPIRE_SECS} {SOA_MINIMUM_SECS}\n"
        f"@ NS {NS_NAME}\n"
    )


def render_rpz(domains: Iterable[str], *, serial: int, origin: str, mode: str) -> str:
    """The zone file of ``domains`` at ``serial`` (at least 1: many secondaries take a
    serial of 0 for no zone at all), in ``mode`` (``zones.RpzMode``)."""
    names = rpz_domains(domains, origin=origin)
    parts = [rpz_header(serial=max(serial, 1), origin=origin, mode=mode)]
    if names:
        # rpz_rules says how one domain is written; write it for all at once by
        # splitting each rule around a placeholder owner and joining the names.
        for owner, rtype, rdata in rpz_rules("\0", mode):
            prefix, _, suffix = owner.partition("\0")
            end = f"{suffix} {rtype} {rdata}\n"
            parts.append(prefix + (end + prefix).join(names) + end)
    return "".join(parts)


def render_hosts(domains: Iterable[str], *, serial: int) -> str:
    """A hosts file: ``0.0.0.0 name`` for every valid domain, sorted."""
    names = sorted(_unique_valid(domains, MAX_DOMAIN_CHARS))
    header = (
        f"# ChildSafe authority list in hosts format, serial {serial}.\n"
        "# A hosts file cannot hold wildcards: each line blocks that name alone, not the\n"
        "# names below it. Use the RPZ or the plain list where your filter can.\n"
    )
    if not names:
        return header
    return header + "0.0.0.0 " + "\n0.0.0.0 ".join(names) + "\n"


def render_txt(domains: Iterable[str]) -> str:
    """Every valid domain, one per line, sorted; nothing else."""
    names = sorted(_unique_valid(domains, MAX_DOMAIN_CHARS))
    return "\n".join(names) + "\n" if names else ""
