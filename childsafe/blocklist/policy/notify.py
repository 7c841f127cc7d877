"""DNS NOTIFY to the schools' filter boxes: "your policy changed, download it now".

A box downloads its compiled policy every ``--sync-secs`` (five minutes by default). A
school may register its box's NOTIFY address (``SchoolFilterSettings.box_notify``, an
IPv4 or IPv6 literal and a port, set with ``school_settings_set``); the worker job
``filter-notify`` (``filter_notify_due``) then sends that box one NOTIFY after each
change to the school's policy, and a box started with ``--notify-from`` downloads at
once (``childsafe.dnsfilter.notify``). Without it the schedule still brings the change.

- **Changes** are those the central overview uses (``boxes``): province-wide (category
  lists, default rules, the authority zone) and the school's own (audit events), plus
  the moments a query-log period of the school began or ended (the document gains or
  loses ``query_log`` then, with no event).
- **Once per change.** ``box_notified_change_at`` holds the time of the last change a
  NOTIFY went out for. A step claims one school whose latest change is newer with a
  conditional update (so several workers never notify twice); every box claimed in a
  pass gets one UDP NOTIFY for ``school<id>.policy.childsafe`` at once, and the pass
  waits at most ``NOTIFY_TIMEOUT_SECS`` for all the answers (a province-wide change
  costs the worker one wait, however many boxes are off). No retries: a lost NOTIFY costs one polling interval, never a storm of
  packets to an unreachable box. Failures are logged (school id, address, what went
  wrong), nothing else.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import select
import socket
import time

import dns.exception
import dns.name
import dns.query
import dns.rcode
from django.utils import timezone
from django.utils.translation import gettext as _

from childsafe.blocklist.models import QueryLogPeriod, SchoolFilterSettings
from childsafe.blocklist.policy.boxes import province_changed_at, school_changed_at
from childsafe.blocklist.policy.rpz import ZONE_SUFFIX
from childsafe.blocklist.zoneserver.wire import notify_message

log = logging.getLogger(__name__)
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

NOTIFY_TIMEOUT_SECS = 2.0
DEFAULT_PORT = 53


class BoxAddressError(ValueError):
    """Not an ``address:port`` the worker can send a NOTIFY to; the message says why."""


def box_address_parse(text: str) -> tuple[str, int]:
    """``203.0.113.5:53``, ``[2001:db8::5]:5353``, or a bare address (port 53): an IP
    literal (no host names: the worker must not depend on DNS to reach a box) and a port
    from 1 to 65535. Raises ``BoxAddressError`` with a translated message."""
    text = text.strip()
    host, port = text, str(DEFAULT_PORT)
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise BoxAddressError(_("Write an IPv6 address with its port as [2001:db8::5]:53."))
        port = rest[1:]
    elif text.count(":") == 1:
        host, port = text.split(":")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise BoxAddressError(
            _(
                "Give the box's IP address (IPv4 or IPv6, not a name) and port, e.g. 203.0.113.5:53."
            )
        ) from None
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise BoxAddressError(_("The port must be a number from 1 to 65535."))
    return str(address), int(port)


def box_address_text(host: str, port: int) -> str:
    """The stored form: ``203.0.113.5:53`` or ``[2001:db8::5]:53``."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def school_zone(school_id: int) -> str:
    """The name a school's NOTIFY carries: ``school12.policy.childsafe.``."""
    return f"school{school_id}.{ZONE_SUFFIX}."


def _latest(*times: dt.datetime | None) -> dt.datetime | None:
    known = [t for t in times if t is not None]
    return max(known) if known else None


def query_log_changed_at(school_ids: list[int], now: dt.datetime) -> dict[int, dt.datetime]:
    """Per school, the last moment before ``now`` a query-log period began or ended."""
    latest: dict[int, dt.datetime] = {}
    periods = QueryLogPeriod.objects.filter(school_id__in=school_ids, starts_at__lte=now)
    for period in periods.only("school_id", "starts_at", "ends_at", "ended_early_at"):
        for at in (period.starts_at, period.over_at):
            if at <= now and (period.school_id not in latest or at > latest[period.school_id]):
                latest[period.school_id] = at
    return latest


def notify_send(
    targets: list[tuple[str, int, int]], *, timeout_secs: float = NOTIFY_TIMEOUT_SECS
) -> dict[int, bool]:
    """One NOTIFY over UDP to each (host, port, school id) at once, then one wait of at
    most ``timeout_secs`` for all the answers: school id -> whether its box said
    NOERROR. Boxes switched off for the night cost the job one timeout, not one each."""
    results = {school: False for _host, _port, school in targets}
    sockets: dict[int, socket.socket] = {}
    waiting: dict[tuple[IPAddress, int, int], tuple[int, str]] = {}
    try:
        for host, port, school in targets:
            address = ipaddress.ip_address(host)
            family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
            sock = sockets.get(family)
            if sock is None:
                sock = sockets[family] = socket.socket(family, socket.SOCK_DGRAM)
                sock.setblocking(False)
            message = notify_message(dns.name.from_text(school_zone(school)))
            shown = box_address_text(host, port)
            try:
                sock.sendto(message.to_wire(), (host, port))
            except OSError as exc:
                _failed(school, shown, exc.__class__.__name__)
                continue
            waiting[address, port, message.id] = (school, shown)
        deadline = time.monotonic() + timeout_secs
        while waiting and (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select(list(sockets.values()), [], [], left)
            for sock in ready:
                try:
                    data, peer = sock.recvfrom(65535)
                    answer = dns.message.from_wire(data)
                    key = (ipaddress.ip_address(peer[0].split("%")[0]), peer[1], answer.id)
                except (OSError, ValueError, dns.exception.DNSException):
                    continue  # an ICMP error, or not an answer: the box's wait goes on
                found = waiting.pop(key, None)
                if found is None:
                    continue
                school, shown = found
                if answer.rcode() == dns.rcode.NOERROR:
                    results[school] = True
                else:
                    log.warning(
                        "school %d's box at %s answered the NOTIFY with %s "
                        "(is --notify-from set?)",
                        school,
                        shown,
                        dns.rcode.to_text(answer.rcode()),
                    )
        for school, shown in waiting.values():
            _failed(school, shown, "Timeout")
    finally:
        for sock in sockets.values():
            sock.close()
    return results


def _failed(school: int, shown: str, why: str) -> None:
    log.warning("filter NOTIFY to school %d's box at %s failed: %s", school, shown, why)


def filter_notify_due(
    now: dt.datetime | None = None, *, timeout_secs: float = NOTIFY_TIMEOUT_SECS
) -> list[SchoolFilterSettings]:
    """Notify every box whose school's policy changed since its last NOTIFY, all at
    once (worker job); the schools' settings notified (none: every box is up to date)."""
    now = now or timezone.now()
    rows = list(
        SchoolFilterSettings.objects.exclude(box_notify="").only(
            "pk", "school_id", "box_notify", "box_notified_change_at"
        )
    )
    if not rows:
        return []
    ids = [row.school_id for row in rows]
    province = province_changed_at()
    per_school = school_changed_at(ids)
    query_log = query_log_changed_at(ids, now)
    claimed: list[SchoolFilterSettings] = []
    targets: list[tuple[str, int, int]] = []
    for row in rows:
        changed = _latest(province, per_school.get(row.school_id), query_log.get(row.school_id))
        if changed is None or (
            row.box_notified_change_at is not None and row.box_notified_change_at >= changed
        ):
            continue
        taken = SchoolFilterSettings.objects.filter(
            pk=row.pk, box_notified_change_at=row.box_notified_change_at
        ).update(box_notified_change_at=changed)
        if taken != 1:
            continue  # another worker took it
        row.box_notified_change_at = changed
        claimed.append(row)
        try:
            host, port = box_address_parse(row.box_notify)
        except BoxAddressError:
            log.warning("school %d's box NOTIFY address is not valid", row.school_id)
            continue
        targets.append((host, port, row.school_id))
    if targets:
        notify_send(targets, timeout_secs=timeout_secs)
    return claimed
