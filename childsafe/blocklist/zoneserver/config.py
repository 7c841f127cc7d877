"""The zone server's options as values: addresses, TSIG keys and networks.

Every parser raises ``ValueError`` with a message fit for the command line; none of
them echoes a secret.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import dns.name
import dns.tsig

Address = tuple[str, int]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

LOOPBACK: tuple[Network, ...] = (
    ipaddress.ip_network("127.0.0.0/8"),
    ipaddress.ip_network("::1/128"),
)
# The algorithms dnspython signs with that RFC 8945 still recommends or allows.
TSIG_ALGORITHMS = {
    "hmac-sha256": dns.tsig.HMAC_SHA256,
    "hmac-sha384": dns.tsig.HMAC_SHA384,
    "hmac-sha512": dns.tsig.HMAC_SHA512,
    "hmac-sha224": dns.tsig.HMAC_SHA224,
    "hmac-sha1": dns.tsig.HMAC_SHA1,
}
_BIND_KEY = re.compile(
    r'key\s+"?(?P<name>[^"\s{]+)"?\s*\{(?P<body>[^}]*)\}\s*;', re.IGNORECASE | re.DOTALL
)
_BIND_FIELD = re.compile(r'(algorithm|secret)\s+"?([^";\s]+)"?\s*;', re.IGNORECASE)


def parse_address(text: str, *, default_port: int = 53) -> Address:
    """``127.0.0.1:5353``, ``[::1]:5353`` or a bare address (``default_port``)."""
    raw = text.strip()
    host, port = raw, str(default_port)
    if raw.startswith("["):
        host, sep, rest = raw[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError(f"not an address: {text!r}")
        port = rest[1:] or port
    elif raw.count(":") == 1:
        host, port = raw.split(":")
    try:
        ipaddress.ip_address(host)
        number = int(port)
    except ValueError:
        raise ValueError(f"not an IP address and port: {text!r}") from None
    if not 0 <= number <= 65535:
        raise ValueError(f"port out of range: {text!r}")
    return host, number


def parse_networks(items: Iterable[str]) -> tuple[Network, ...]:
    """CIDR networks (``10.0.0.0/8``) or single addresses, comma- or item-separated."""
    networks = []
    for item in items:
        for part in item.split(","):
            if part.strip():
                try:
                    networks.append(ipaddress.ip_network(part.strip(), strict=False))
                except ValueError:
                    raise ValueError(f"not a network: {part.strip()!r}") from None
    return tuple(networks)


def parse_tsig_key(text: str) -> dns.tsig.Key:
    """``NAME:ALGORITHM:BASE64SECRET`` (``xfr-key:hmac-sha256:c2VjcmV0...``)."""
    parts = text.strip().split(":")
    if len(parts) != 3 or not all(parts):
        raise ValueError("a TSIG key is NAME:ALGORITHM:BASE64SECRET")
    return _make_key(*parts)


def parse_tsig_keys(text: str) -> list[dns.tsig.Key]:
    """Keys from text: ``NAME:ALGORITHM:SECRET`` items separated by commas or lines
    (``#`` starts a comment), or BIND's ``key "name" { algorithm ...; secret "..."; };``
    clauses as ``tsig-keygen`` writes them."""
    keys = []
    for match in _BIND_KEY.finditer(text):
        found = {k.lower(): v for k, v in _BIND_FIELD.findall(match.group("body"))}
        if "algorithm" not in found or "secret" not in found:
            raise ValueError(f"key {match.group('name')!r} needs an algorithm and a secret")
        keys.append(_make_key(match.group("name"), found["algorithm"], found["secret"]))
    rest = _BIND_KEY.sub("", text)
    for line in rest.splitlines():
        line = line.split("#", 1)[0]
        keys.extend(parse_tsig_key(item) for item in line.split(",") if item.strip())
    return keys


def _make_key(name: str, algorithm: str, secret: str) -> dns.tsig.Key:
    alg = TSIG_ALGORITHMS.get(algorithm.strip().lower().rstrip("."))
    if alg is None:
        raise ValueError(
            f"unsupported TSIG algorithm {algorithm!r}: use one of {', '.join(TSIG_ALGORITHMS)}"
        )
    try:
        raw = base64.b64decode(secret.strip(), validate=True)
        key_name = dns.name.from_text(name.strip())
    except (binascii.Error, ValueError, dns.exception.DNSException):
        raise ValueError(f"TSIG key {name!r}: the name or the base64 secret is invalid") from None
    if len(raw) < 16:
        raise ValueError(f"TSIG key {name!r}: the secret is shorter than 16 bytes")
    return dns.tsig.Key(key_name, raw, alg)


@dataclass(frozen=True)
class ServerOptions:
    """What ``childsafe zoneserver`` was asked to do."""

    listen: tuple[Address, ...]
    notify: tuple[Address, ...] = ()
    keys: tuple[dns.tsig.Key, ...] = ()
    # Who may transfer the zone (and, with keys, only when the request is signed).
    allow_transfer: tuple[Network, ...] = LOOPBACK
    # Whose NOTIFY makes the server look at the database at once (the web app's).
    allow_notify: tuple[Network, ...] = LOOPBACK
    poll_secs: float = 0.15
    # Transfer messages are filled up to this many octets (TCP allows 65535).
    message_octets: int = 65_000
    max_tcp_clients: int = 200
    tcp_idle_secs: float = 30.0
    keyring: dict[dns.name.Name, dns.tsig.Key] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "keyring", {key.name: key for key in self.keys})


def allowed(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks)
