"""Fixtures for every app's tests: the personas (``childsafe.testing``) and, for the
end-to-end tests in headless Chromium, ``browser``, ``new_page``, ``page`` and
``requested_urls``."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from childsafe.testing import orgs, personas, staff_client  # noqa: F401  (fixtures)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests hash many passwords. Production keeps argon2
    (checked in core/tests/test_healthz.py). The live server of the browser tests runs
    in the test process, so it uses this hasher too."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- No network but loopback ------------------------------------------------------------


class OffLoopbackError(OSError):
    """A test tried to reach an address other than this machine."""


def _is_loopback(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if host in (None, "", "localhost"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True, scope="session")
def _loopback_only() -> Iterator[None]:
    """Tests talk to this machine only (PostgreSQL, local HTTP and DNS servers, Unbound):
    a connection, a datagram or a name lookup for anything else raises
    ``OffLoopbackError`` in the test process, so a forgotten fake fails loudly instead
    of sending traffic out. Child processes (Unbound, Chromium) are configured to stay
    on loopback by their own tests."""
    real = {
        "connect": socket.socket.connect,
        "connect_ex": socket.socket.connect_ex,
        "sendto": socket.socket.sendto,
        "getaddrinfo": socket.getaddrinfo,
    }

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            raise OffLoopbackError(f"tests may not reach {address[0]!r}: loopback only")

    def connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        return real["connect"](self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return real["connect_ex"](self, address)

    def sendto(self: socket.socket, data: Any, *args: Any) -> int:
        check(self, args[-1])
        return real["sendto"](self, data, *args)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_loopback(host):
            raise socket.gaierror(socket.EAI_NONAME, f"tests may not look up {host!r}")
        return real["getaddrinfo"](host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.socket.sendto = sendto  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        socket.socket.connect = real["connect"]  # type: ignore[method-assign]
        socket.socket.connect_ex = real["connect_ex"]  # type: ignore[method-assign]
        socket.socket.sendto = real["sendto"]  # type: ignore[method-assign]
        socket.getaddrinfo = real["getaddrinfo"]


# --- Browser tests ---------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
# Keep Chromium quiet: no update, sync or QUIC traffic, nothing but our pages.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LOOPBACK_HOSTS = {"127.0.0.1", "localhost"}


def off_loopback(urls: list[str]) -> list[str]:
    """The URLs among ``urls`` whose host is not this machine."""
    return [url for url in urls if urlsplit(url).hostname not in LOOPBACK_HOSTS]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, through Playwright's sync API.

    Skipped when Chromium is missing on a laptop; under CI (``CI=true``) a
    missing Chromium fails, since ``make test`` installs it with
    ``scripts/system-deps.sh``.
    """
    if not os.access(CHROMIUM, os.X_OK):
        reason = f"{CHROMIUM} is missing (scripts/system-deps.sh installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI=true, so the browser tests must run")
        pytest.skip(reason)

    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as mp:
        # While Playwright's sync API runs, it marks its event loop as running in
        # this (the main) thread between calls. Django's guard then refuses every
        # ORM call made here (the test's own set-up and pytest-django's flush
        # after each test) as "from an async context". Nothing here is async: the
        # loop only drives Playwright, and the live server answers in a thread of
        # its own. So lift the guard, for this module's browser only.
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()


@pytest.fixture
def requested_urls() -> list[str]:
    """Every URL the pages of the test asked for, in order."""
    return []


@pytest.fixture
def new_page(
    browser: Browser, live_server: Any, requested_urls: list[str]
) -> Iterator[Callable[..., Page]]:
    """Open a page on the live server in a fresh browser context (own cookies).

    Keyword arguments go to ``browser.new_context`` (``viewport=…``). Every
    request is recorded in ``requested_urls``; a test fails if a page asked
    for anything beyond loopback.
    """
    contexts = []

    def open_page(**options: Any) -> Page:
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(10_000)
        context.on("request", lambda request: requested_urls.append(request.url))
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
    outside = off_loopback(requested_urls)
    assert not outside, f"pages asked for something beyond loopback: {outside}"


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()
