"""Rate limits per client address, counted in Django's cache.

Fixed windows: ``ratelimit_hit("report-submit", address, limit=20)`` counts one hit
in the current hour and says whether it is within the limit and, if not, how many
seconds remain until the window turns. A burst across a window boundary may pass up
to twice the limit; concurrent hits on the database cache may be undercounted a
little. Both are fine for what this is for: one address must not be able to flood
the service.

Counters are keyed by a keyed hash of the address (the cache never holds an IP
address), and IPv6 addresses count per /64 network, the block one subscriber gets.
If the cache itself fails, the hit is allowed and the error logged: a broken
counter must not stop a child's report.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpRequest

logger = logging.getLogger(__name__)

HOUR_SECS = 3600


@dataclass(frozen=True)
class RateLimit:
    allowed: bool
    count: int
    retry_after_secs: int


def client_address(request: HttpRequest) -> str:
    """The caller's address; behind ``TRUSTED_PROXY_COUNT`` proxies, from X-Forwarded-For.

    Each proxy appends the address it received the request from, so with N trusted
    proxies the client is the N-th entry from the right; entries further left were
    written by the client and cannot be trusted.
    """
    address = request.META.get("REMOTE_ADDR", "")
    proxies = int(settings.TRUSTED_PROXY_COUNT)
    if proxies > 0:
        forwarded = [
            a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
        ]
        if forwarded:
            address = forwarded[-proxies] if len(forwarded) >= proxies else forwarded[0]
    return address


def address_bucket(address: str) -> str:
    """What one address counts as: itself (IPv4), its /64 network (IPv6)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if ip.version == 6:
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


def address_key(address: str) -> str:
    """A keyed hash of the address's bucket: counts and groups callers without naming them."""
    return hmac.new(
        settings.SECRET_KEY.encode(), address_bucket(address).encode(), hashlib.sha256
    ).hexdigest()[:32]


def ratelimit_hit(
    scope: str,
    address: str,
    *,
    limit: int,
    window_secs: int = HOUR_SECS,
    now: float | None = None,
) -> RateLimit:
    """Count one hit for ``address`` in ``scope``; a ``limit`` of 0 or less means no limit."""
    moment = time.time() if now is None else now
    window = int(moment // window_secs)
    retry_after = window_secs - int(moment % window_secs)
    if limit <= 0:
        return RateLimit(True, 0, 0)
    key = f"ratelimit:{scope}:{address_key(address)}:{window}"
    try:
        count = int(cache.get(key) or 0) + 1
        cache.set(key, count, timeout=retry_after + 5)
    except DatabaseError:
        logger.exception("rate-limit counter unavailable; allowing the request")
        return RateLimit(True, 0, 0)
    return RateLimit(count <= limit, count, retry_after if count > limit else 0)
