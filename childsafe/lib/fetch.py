"""A small, careful HTTP fetch: what the removal checker uses to look at a web address.

``HttpFetcher().fetch(url)`` makes one GET (plus same-host redirects) and answers a
``FetchResult``: the status, where a redirect pointed, and the SHA-256 of the body. The
body itself is never kept. What it guards against:

- **Where it connects.** The host name is resolved first (by a pluggable resolver:
  ``host -> [IP strings]``, ``socket.getaddrinfo`` by default) and every address is
  checked: private, loopback, link-local, multicast, reserved and other non-global
  addresses are refused (error ``private-address``) unless ``allow_private`` is set (tests,
  a lab network). The request then goes *to the checked address*, with the name in the
  ``Host`` header (and, for HTTPS, as the TLS server name, against which the certificate
  is verified), so a second DNS answer cannot swap the address (DNS rebinding).
- **Where it goes.** Only ``http`` and ``https``. Redirects are not followed by httpx: we
  follow them ourselves while they stay on the same host (at most ``max_redirects``).
  "Same host" ignores case and a leading ``www.``, as stored URLs have their ``www.``
  dropped (``lib.urls``) while sites often add it. A redirect to another host ends the
  trail without contacting it (error ``other-host``, ``redirect_to`` says where it
  pointed).
- **How long and how much.** One time limit covers the whole fetch, redirects included
  (name resolution aside: ``getaddrinfo`` has the system resolver's own timeouts). The
  body is streamed and reading stops at ``max_bytes``: the hash covers what was read and
  ``truncated`` says it was cut. ``Accept-Encoding: identity`` is sent and the raw bytes
  are hashed, so a compressed body is never inflated (no decompression bombs).
- No proxy from the environment, no cookies kept, a ``User-Agent`` naming ChildSafe.

Errors never raise: they come back in ``FetchResult.error`` as a short machine-made word
(``nxdomain``, ``no-address``, ``dns``, ``private-address``, ``bad-url``, ``timeout``,
``connect``, ``protocol``, ``other-host``, ``bad-redirect``, ``too-many-redirects``).
What a result *means* (gone, present) is for the caller to decide.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import httpx

log = logging.getLogger(__name__)

USER_AGENT = "ChildSafe-Checker/1.0 (removal verification; +https://github.com/childsafe)"
DEFAULT_TIME_LIMIT_SECS = 10.0
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

Resolver = Callable[[str], list[str]]
_HOST_NAME = re.compile(
    r"[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62}))*\.?", re.I
)


class NameNotFound(LookupError):
    """The name does not exist (NXDOMAIN), or has no address at all."""

    def __init__(self, host: str, *, no_address: bool = False) -> None:
        super().__init__(host)
        self.no_address = no_address


def system_resolver(host: str) -> list[str]:
    """The addresses of ``host`` from the system resolver, in its order, no duplicates.

    Raises ``NameNotFound`` when the name does not exist or has no address, ``OSError``
    on any other failure (a resolver that does not answer).
    """
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        if exc.errno == socket.EAI_NONAME:
            raise NameNotFound(host) from None
        if exc.errno == getattr(socket, "EAI_NODATA", None):
            raise NameNotFound(host, no_address=True) from None
        raise
    found: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in found:
            found.append(address)
    return found


def is_public_address(text: str) -> bool:
    """Whether ``text`` is a globally routable unicast address (IPv4-mapped IPv6 unwrapped)."""
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def is_web_url(url: httpx.URL) -> bool:
    """An ``http`` or ``https`` URL whose host is a host name or an IP address."""
    if url.scheme not in ("http", "https"):
        return False
    host = url.raw_host.decode("ascii", "replace")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return _HOST_NAME.fullmatch(host) is not None
    return True


def same_site_host(a: str, b: str) -> bool:
    """Whether two host names are the same, ignoring case, a final dot and ``www.``."""

    def bare(host: str) -> str:
        host = host.lower().rstrip(".")
        while host.startswith("www."):
            host = host[4:]
        return host

    return bare(a) == bare(b)


@dataclass(frozen=True)
class FetchResult:
    """What one fetch saw. ``url`` is the last address asked (a redirect's, if followed)."""

    url: str
    status: int | None = None
    # The last redirect seen: followed (same host), or not (``error == "other-host"``).
    redirect_to: str = ""
    # Every redirect target followed, in order.
    trail: tuple[str, ...] = field(default_factory=tuple)
    sha256: str = ""
    bytes_read: int = 0
    truncated: bool = False
    error: str = ""


class Fetcher(Protocol):
    """Anything that can fetch a URL the way ``HttpFetcher`` does (tests plug in others)."""

    def fetch(self, url: str) -> FetchResult: ...


class _Stop(Exception):
    """Ends a fetch early with an error word."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class HttpFetcher:
    """The real fetcher, on httpx. See the module docstring for what it guards against."""

    def __init__(
        self,
        *,
        time_limit_secs: float = DEFAULT_TIME_LIMIT_SECS,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        allow_private: bool = False,
        resolver: Resolver | None = None,
        user_agent: str = USER_AGENT,
        verify_tls: bool = True,
    ) -> None:
        self.time_limit_secs = time_limit_secs
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.allow_private = allow_private
        self.resolver = resolver or system_resolver
        self.user_agent = user_agent
        # Made once: building a TLS context costs more than a local fetch.
        self._tls = httpx.create_ssl_context(verify=verify_tls, trust_env=False)

    def fetch(self, url: str) -> FetchResult:
        deadline = time.monotonic() + self.time_limit_secs
        trail: list[str] = []
        current = url
        try:
            first_host = self._parse(url).raw_host.decode("ascii")
        except _Stop as stop:
            return FetchResult(url=url, error=stop.error)
        while True:
            status: int | None = None
            try:
                parsed = self._parse(current)
                addresses = self._addresses(parsed.raw_host.decode("ascii"))
                status, location, digest, read, truncated = self._get(parsed, addresses, deadline)
                if location is None:
                    return FetchResult(
                        url=current,
                        status=status,
                        redirect_to=trail[-1] if trail else "",
                        trail=tuple(trail),
                        sha256=digest,
                        bytes_read=read,
                        truncated=truncated,
                    )
                # A redirect: follow it only on the same host, only so many times.
                target = self._redirect_target(parsed, location)
                if not same_site_host(target.raw_host.decode("ascii"), first_host):
                    error = "other-host"
                elif len(trail) >= self.max_redirects:
                    error = "too-many-redirects"
                else:
                    error = ""
                if error:
                    return FetchResult(
                        url=current,
                        status=status,
                        redirect_to=str(target)[:2048],
                        trail=tuple(trail),
                        error=error,
                    )
            except _Stop as stop:
                return FetchResult(
                    url=current,
                    status=status,
                    redirect_to=trail[-1] if trail else "",
                    trail=tuple(trail),
                    error=stop.error,
                )
            current = str(target)
            trail.append(current[:2048])

    # --- steps ---------------------------------------------------------------------

    @staticmethod
    def _parse(url: str) -> httpx.URL:
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, UnicodeError, TypeError):
            raise _Stop("bad-url") from None
        if not is_web_url(parsed):
            raise _Stop("bad-url")
        return parsed

    @staticmethod
    def _redirect_target(base: httpx.URL, location: str) -> httpx.URL:
        try:
            target = base.join(location)
        except (httpx.InvalidURL, UnicodeError, ValueError):
            raise _Stop("bad-redirect") from None
        if not is_web_url(target):
            raise _Stop("bad-redirect")
        return target

    def _addresses(self, host: str) -> list[str]:
        try:
            addresses = list(self.resolver(host))
        except NameNotFound as exc:
            raise _Stop("no-address" if exc.no_address else "nxdomain") from None
        except (OSError, UnicodeError):
            raise _Stop("dns") from None
        if not addresses:
            raise _Stop("no-address")
        # One non-public answer refuses the lot: a mixed answer is how rebinding starts.
        if not self.allow_private and not all(is_public_address(a) for a in addresses):
            raise _Stop("private-address")
        return addresses

    def _get(
        self, url: httpx.URL, addresses: list[str], deadline: float
    ) -> tuple[int, str | None, str, int, bool]:
        """GET ``url`` from the first address that accepts a connection.

        Answers (status, redirect location or None, sha256, bytes read, truncated).
        """
        host = url.raw_host.decode("ascii")
        headers = {
            "Host": url.netloc.decode("ascii"),
            "User-Agent": self.user_agent,
            "Accept": "*/*",
            "Accept-Encoding": "identity",
        }
        extensions = {"sni_hostname": host} if url.scheme == "https" else {}
        last_error = "connect"
        for address in addresses:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Stop("timeout")
            try:
                # A new client per request: no connection made for one name (and its TLS
                # server name) is ever reused for another.
                with (
                    httpx.Client(
                        trust_env=False,
                        follow_redirects=False,
                        verify=self._tls,
                        timeout=httpx.Timeout(remaining),
                    ) as client,
                    client.stream(
                        "GET",
                        url.copy_with(host=address.split("%", 1)[0]),
                        headers=headers,
                        extensions=extensions,
                    ) as response,
                ):
                    return self._read(response, deadline)
            except httpx.ConnectTimeout:
                raise _Stop("timeout") from None
            except httpx.ConnectError:
                last_error = "connect"  # try the next address
            except httpx.TimeoutException:
                raise _Stop("timeout") from None
            except (httpx.HTTPError, OSError, ValueError):
                raise _Stop("protocol") from None
        raise _Stop(last_error)

    def _read(
        self, response: httpx.Response, deadline: float
    ) -> tuple[int, str | None, str, int, bool]:
        status = response.status_code
        if status in REDIRECT_STATUSES:
            location = response.headers.get("location", "").strip()
            if not location:
                raise _Stop("bad-redirect")
            return status, location, "", 0, False
        digest = hashlib.sha256()
        read = 0
        truncated = False
        for chunk in response.iter_raw():
            if time.monotonic() > deadline:
                raise _Stop("timeout")
            if read + len(chunk) > self.max_bytes:
                # Hash up to the limit and stop reading: the rest is never downloaded.
                digest.update(chunk[: self.max_bytes - read])
                read = self.max_bytes
                truncated = True
                break
            digest.update(chunk)
            read += len(chunk)
        return status, None, digest.hexdigest(), read, truncated
