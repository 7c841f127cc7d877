"""NOTIFY from the central server: "your school's policy changed, download it now".

The box follows its policy over HTTP (``sync.PolicySync``) every ``--sync-secs``; a DNS
NOTIFY (RFC 1996) lets the central worker (job ``filter-notify``) cut that wait to about
a second. ``NotifyHandler`` is assigned to ``Filter.on_notify``: the filter hands it
every packet with QR clear and opcode NOTIFY (after the per-client rate limit), on the
event loop's thread, and sends what it returns.

- A NOTIFY is accepted only from ``--notify-from`` networks
  (``CHILDSAFE_DNSFILTER_NOTIFY_FROM``; default none: every NOTIFY is REFUSED). The
  zone name is not checked: the NOTIFY carries nothing but "look now", and what the box
  then downloads is checked as always (token, school, whole document).
- Answers: the same id, QR and AA set, opcode NOTIFY, the question echoed. NOERROR for
  an accepted one; REFUSED for a source outside ``--notify-from`` (and for a NOTIFY
  signed with TSIG: the box holds no keys, the source network is its check); FORMERR
  for a packet dnspython cannot parse (header only), for not exactly one question, or
  for a question type other than SOA.
- An accepted NOTIFY sets the ``asyncio.Event`` that ``PolicySync.run`` waits on (the
  one SIGHUP sets). An event is on or off, so many NOTIFYs while a download is in flight
  give one more download, not many.
- Problems (malformed, refused) are logged once a minute per client and kind, never
  with the packet's content.

Django-free, like the rest of the packet path.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import struct
from collections.abc import Iterable

import dns.exception
import dns.flags
import dns.message
import dns.opcode
import dns.rcode
import dns.rdatatype

from childsafe.dnsfilter.server import Throttle

log = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_HEADER = struct.Struct("!HHHHHH")
_NOTIFY_FLAGS = dns.flags.QR | dns.flags.AA | dns.opcode.to_flags(dns.opcode.NOTIFY)


def parse_networks(values: Iterable[str]) -> list[Network]:
    """``10.0.0.0/8``, ``2001:db8::/32`` or a bare address (one host); ValueError else."""
    networks = []
    for value in values:
        text = value.strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text))
        except ValueError:
            raise ValueError(f"not a network (CIDR): {text!r}") from None
    return networks


def is_allowed(client: str, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(client.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks)


class NotifyHandler:
    """``Filter.on_notify``: answer a NOTIFY and, when accepted, set ``wake``."""

    def __init__(
        self,
        networks: Iterable[Network],
        wake: asyncio.Event,
        *,
        throttle: Throttle | None = None,
    ) -> None:
        self.networks = tuple(networks)
        self.wake = wake
        self.throttle = throttle or Throttle()
        self.accepted = 0
        self.refused = 0
        self.malformed = 0

    def __call__(self, data: bytes, client: str) -> bytes | None:
        if len(data) < 12:
            return None  # not even a header: nothing to answer
        (qid,) = struct.unpack_from("!H", data)
        try:
            message = dns.message.from_wire(data)
        except dns.message.UnknownTSIGKey:  # signed: the box holds no TSIG keys
            self.refused += 1
            self._problem(client, "signed NOTIFY")
            return _HEADER.pack(qid, _NOTIFY_FLAGS | dns.rcode.REFUSED, 0, 0, 0, 0)
        except (dns.exception.DNSException, ValueError, UnicodeError):
            self.malformed += 1
            self._problem(client, "malformed NOTIFY")
            return _HEADER.pack(qid, _NOTIFY_FLAGS | dns.rcode.FORMERR, 0, 0, 0, 0)
        if not is_allowed(client, self.networks):
            self.refused += 1
            self._problem(client, "NOTIFY from outside --notify-from")
            return self._answer(message, dns.rcode.REFUSED)
        question = message.question
        if len(question) != 1 or question[0].rdtype != dns.rdatatype.SOA:
            self.malformed += 1
            self._problem(client, "NOTIFY without one SOA question")
            return self._answer(message, dns.rcode.FORMERR)
        self.accepted += 1
        if not self.wake.is_set():
            log.info("dnsfilter: NOTIFY from %s: downloading the policy now", client)
        self.wake.set()
        return self._answer(message, dns.rcode.NOERROR)

    def _answer(self, message: dns.message.Message, rcode: dns.rcode.Rcode) -> bytes:
        response = dns.message.make_response(message)
        response.flags = _NOTIFY_FLAGS
        response.set_rcode(rcode)
        return response.to_wire()

    def _problem(self, client: str, kind: str) -> None:
        if self.throttle((client, kind)):
            log.warning("dnsfilter: %s from %s", kind, client)
