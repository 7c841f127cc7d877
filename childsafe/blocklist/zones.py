"""Zones and their journal: what the RPZ feed, the zone server and IXFR read.

A zone's content is a set of blocked domains (punycode, lower case, no trailing dot);
each domain blocks itself and every name below it. ``zone_apply`` records a change in
the journal and bumps the serial, inside the caller's transaction, so a change to the
authority list and its journal entry commit together. Readers take a consistent
snapshot with ``zone_snapshot`` and the steps since a serial with ``zone_changes_since``.

``rpz_rules`` is the one place that says how a blocked domain is written as RPZ
records, for the text feed and the zone server alike.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterable
from dataclasses import dataclass

import dns.name
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from childsafe.blocklist.models import AuthorityEntry, EntryKind, Zone, ZoneChange
from childsafe.blocklist.zoneserver.config import parse_address
from childsafe.blocklist.zoneserver.wire import notify_message

log = logging.getLogger(__name__)

AUTHORITY_ZONE = "authority"


class RpzMode:
    NXDOMAIN = "nxdomain"
    CNAME = "cname"


@dataclass(frozen=True)
class ZoneSnapshot:
    name: str
    serial: int
    domains: frozenset[str]


def zone_domains(name: str) -> frozenset[str]:
    """The domains a zone holds now, read from the records it is made of."""
    if name != AUTHORITY_ZONE:
        raise ValueError(f"unknown zone {name!r}")
    hosts = AuthorityEntry.objects.active().filter(kind=EntryKind.DOMAIN).values_list("host")
    return frozenset(h for (h,) in hosts)


def zone_contains(name: str, domains: set[str]) -> set[str]:
    """Which of ``domains`` the zone holds now (one query per 500 names)."""
    if name != AUTHORITY_ZONE:
        raise ValueError(f"unknown zone {name!r}")
    found: set[str] = set()
    ordered = sorted(domains)
    for i in range(0, len(ordered), 500):
        active = AuthorityEntry.objects.active().filter(
            kind=EntryKind.DOMAIN, host__in=ordered[i : i + 500]
        )
        found.update(active.order_by().values_list("host", flat=True))
    return found


def _zone_for_update(name: str) -> Zone:
    # One SELECT ... FOR UPDATE once the zone exists; a zone just created is locked too,
    # since the caller's transaction inserted it.
    zone, _created = Zone.objects.select_for_update().get_or_create(name=name)
    return zone


def zone_lock(name: str) -> None:
    """Lock zone ``name`` until the caller's transaction ends, so that writers of its
    records take turns (two officers adding the same domain cannot both find it new)."""
    _zone_for_update(name)


def zone_apply(
    name: str,
    *,
    added: Iterable[str] = (),
    removed: Iterable[str] = (),
    reset: bool = False,
    added_inserted: bool = False,
) -> ZoneChange | None:
    """Record that ``added`` domains entered and ``removed`` domains left zone ``name``.

    Call it inside the transaction that changed the zone's records, after the change.
    Domains that did not really enter or leave (a second entry for a domain already
    blocked, say) are left out; a change with nothing left records nothing and keeps
    the serial, unless ``reset`` is set (the way the zone is written changed).
    ``added_inserted`` says that the caller has just inserted an active domain entry
    for each of ``added``, in this transaction: they are in the zone, so they are not
    read back.
    """
    added, removed = set(added), set(removed)
    # No savepoint: a failure here fails the caller's change, which rolls back whole.
    with transaction.atomic(savepoint=False):
        zone = _zone_for_update(name)
        now_in = zone_contains(name, removed if added_inserted else added | removed)
        added_set = added if added_inserted else {d for d in added if d in now_in}
        removed_set = {d for d in removed if d not in now_in}
        if not (added_set or removed_set or reset):
            return None
        zone.serial += 1
        zone.updated_at = timezone.now()
        zone.save(update_fields=["serial", "updated_at"])
        transaction.on_commit(_notify_zone_servers, robust=True)
        return ZoneChange.objects.create(
            zone=zone,
            serial=zone.serial,
            added=sorted(added_set),
            removed=sorted(removed_set),
            reset=reset,
        )


def _notify_zone_servers() -> None:
    """Tell each zone server in ``CHILDSAFE_ZONESERVER_NOTIFY`` that the zone changed:
    one UDP NOTIFY each, not waited for (they poll the serial anyway; this is sooner)."""
    if not settings.CHILDSAFE_ZONESERVER_NOTIFY:
        return
    origin = dns.name.from_text(settings.CHILDSAFE_RPZ_ORIGIN.rstrip(".") + ".")
    wire = notify_message(origin).to_wire()
    for target in settings.CHILDSAFE_ZONESERVER_NOTIFY:
        try:
            host, port = parse_address(target)
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            with socket.socket(family, socket.SOCK_DGRAM) as sock:
                sock.sendto(wire, (host, port))
        except (OSError, ValueError) as exc:
            log.warning("cannot notify the zone server at %s: %s", target, exc)


def zone_snapshot(name: str) -> ZoneSnapshot:
    """The zone's serial and domains, read in one transaction (consistent on PostgreSQL
    under the lock, and on SQLite because writers are serialised)."""
    with transaction.atomic():
        zone = _zone_for_update(name)
        if zone.mode != rpz_mode():
            zone_apply(name, reset=True)
            zone.refresh_from_db()
            zone.mode = rpz_mode()
            zone.save(update_fields=["mode"])
        return ZoneSnapshot(name=name, serial=zone.serial, domains=zone_domains(name))


def zone_serial(name: str) -> int:
    """The current serial, cheaply (the zone server polls it)."""
    serial = Zone.objects.filter(name=name).values_list("serial", flat=True).first()
    return serial or 0


def zone_changes_since(name: str, serial: int) -> list[ZoneChange] | None:
    """The journal steps after ``serial``, oldest first; ``None`` when the journal
    cannot bring a copy at ``serial`` up to date (unknown serial, or a reset since):
    the caller must send the whole zone."""
    current = zone_serial(name)
    if serial > current:
        return None
    if serial == current:
        return []
    changes = list(
        # Up to ``current`` only: a change committed since is for the next call.
        ZoneChange.objects.filter(
            zone__name=name, serial__gt=serial, serial__lte=current
        ).order_by("serial")
    )
    expected = list(range(serial + 1, current + 1))
    if [c.serial for c in changes] != expected or any(c.reset for c in changes):
        return None
    return changes


def rpz_mode() -> str:
    return RpzMode.CNAME if settings.CHILDSAFE_BLOCK_PAGE_HOST else RpzMode.NXDOMAIN


def rpz_rules(domain: str, mode: str | None = None) -> list[tuple[str, str, str]]:
    """The RPZ records, relative to the zone origin, that block ``domain`` and every
    name below it: ``(owner, type, rdata)``. NXDOMAIN is ``CNAME .``; the block page
    mode answers with a CNAME to ``CHILDSAFE_BLOCK_PAGE_HOST``."""
    mode = mode or rpz_mode()
    target = (
        "." if mode == RpzMode.NXDOMAIN else settings.CHILDSAFE_BLOCK_PAGE_HOST.rstrip(".") + "."
    )
    return [(domain, "CNAME", target), (f"*.{domain}", "CNAME", target)]
