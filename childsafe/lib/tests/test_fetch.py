"""The safe HTTP fetch, against real HTTP servers on 127.0.0.1 (port 0).

``LocalServer`` is shared with the checker's tests (``takedown/tests/test_verify.py``):
each test sets its routes, and a resolver maps made-up names to 127.0.0.1.
"""

from __future__ import annotations

import gzip
import hashlib
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import given
from hypothesis import strategies as st

from childsafe.lib.fetch import (
    USER_AGENT,
    HttpFetcher,
    NameNotFound,
    Resolver,
    is_public_address,
    same_site_host,
    system_resolver,
)

# --- A local HTTP server --------------------------------------------------------------


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_secs: float = 0.0
    # Send the body in pieces, this long apart (a slow drip).
    drip_secs: float = 0.0


@dataclass
class Seen:
    path: str
    host: str
    user_agent: str
    accept_encoding: str


class LocalServer:
    """``http.server`` in a thread on 127.0.0.1, answering ``routes`` (404 otherwise)."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self.stopping = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                self.close_connection = True  # one request per connection, as the fetcher
                server.requests.append(
                    Seen(
                        self.path,
                        self.headers.get("Host", ""),
                        self.headers.get("User-Agent", ""),
                        self.headers.get("Accept-Encoding", ""),
                    )
                )
                route = server.routes.get(self.path.split("?", 1)[0], Route(404, b"not here"))
                if route.delay_secs and server.stopping.wait(route.delay_secs):
                    return
                try:
                    self.send_response(route.status)
                    for name, value in route.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(route.body)))
                    self.end_headers()
                    if route.drip_secs:
                        for i in range(0, len(route.body), 10):
                            self.wfile.write(route.body[i : i + 10])
                            self.wfile.flush()
                            if server.stopping.wait(route.drip_secs):
                                return
                    else:
                        self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading: the size or time limit at work

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> LocalServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"


def resolver_for(names: dict[str, list[str]]) -> Resolver:
    """A resolver that knows ``names`` only; any other name does not exist."""

    def resolve(host: str) -> list[str]:
        if host not in names:
            raise NameNotFound(host)
        return names[host]

    return resolve


LOCAL = resolver_for(
    {
        "bad.example": ["127.0.0.1"],
        "www.bad.example": ["127.0.0.1"],
        "other.example": ["127.0.0.1"],
    }
)


@pytest.fixture
def server():
    with LocalServer() as running:
        yield running


def fetcher(**kwargs) -> HttpFetcher:
    kwargs.setdefault("allow_private", True)
    kwargs.setdefault("resolver", LOCAL)
    kwargs.setdefault("time_limit_secs", 5.0)
    return HttpFetcher(**kwargs)


# --- Answers --------------------------------------------------------------------------


def test_it_hashes_the_body_and_keeps_nothing_else(server):
    server.routes["/post/1"] = Route(200, b"<html>the page</html>")
    result = fetcher().fetch(server.url("bad.example", "/post/1"))
    assert result.status == 200
    assert result.error == ""
    assert result.sha256 == hashlib.sha256(b"<html>the page</html>").hexdigest()
    assert result.bytes_read == len(b"<html>the page</html>")
    assert not result.truncated
    assert not hasattr(result, "body") and not hasattr(result, "content")


def test_it_connects_to_the_checked_address_with_the_name_in_the_host_header(server):
    server.routes["/p"] = Route(200, b"x")
    fetcher().fetch(server.url("bad.example", "/p?a=1"))
    [seen] = server.requests
    assert seen.path == "/p?a=1"
    assert seen.host == f"bad.example:{server.port}"
    assert seen.user_agent == USER_AGENT and "ChildSafe" in seen.user_agent
    assert seen.accept_encoding == "identity"


def test_it_reports_a_404(server):
    result = fetcher().fetch(server.url("bad.example", "/gone"))
    assert result.status == 404
    assert result.error == ""


def test_a_compressed_body_is_hashed_as_sent_never_inflated(server):
    packed = gzip.compress(b"a" * 100_000)
    server.routes["/z"] = Route(200, packed, {"Content-Encoding": "gzip"})
    result = fetcher(max_bytes=50_000).fetch(server.url("bad.example", "/z"))
    assert result.sha256 == hashlib.sha256(packed).hexdigest()
    assert result.bytes_read == len(packed)
    assert not result.truncated


# --- Redirects ------------------------------------------------------------------------


def test_it_follows_a_redirect_on_the_same_host(server):
    server.routes["/a"] = Route(301, headers={"Location": "/b"})
    server.routes["/b"] = Route(200, b"moved here")
    result = fetcher().fetch(server.url("bad.example", "/a"))
    assert result.status == 200
    assert result.url == server.url("bad.example", "/b")
    assert result.trail == (server.url("bad.example", "/b"),)
    assert result.redirect_to == server.url("bad.example", "/b")
    assert result.sha256 == hashlib.sha256(b"moved here").hexdigest()


def test_www_counts_as_the_same_host(server):
    server.routes["/a"] = Route(302, headers={"Location": server.url("www.bad.example", "/a2")})
    server.routes["/a2"] = Route(200, b"ok")
    result = fetcher().fetch(server.url("bad.example", "/a"))
    assert result.status == 200
    assert [s.host for s in server.requests] == [
        f"bad.example:{server.port}",
        f"www.bad.example:{server.port}",
    ]


def test_a_redirect_to_another_host_is_recorded_and_not_followed(server):
    with LocalServer() as other:
        other.routes["/landing"] = Route(200, b"elsewhere")
        server.routes["/a"] = Route(
            302, headers={"Location": other.url("other.example", "/landing")}
        )
        result = fetcher().fetch(server.url("bad.example", "/a"))
        assert other.requests == []
    assert result.status == 302
    assert result.error == "other-host"
    assert result.redirect_to == other.url("other.example", "/landing")
    assert result.sha256 == ""


def test_it_stops_after_five_redirects(server):
    for i in range(10):
        server.routes[f"/r{i}"] = Route(302, headers={"Location": f"/r{i + 1}"})
    result = fetcher().fetch(server.url("bad.example", "/r0"))
    assert result.error == "too-many-redirects"
    assert len(result.trail) == 5
    assert len(server.requests) == 6
    assert result.redirect_to == server.url("bad.example", "/r6")


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Location": "ftp://bad.example/x"},
        {"Location": "http://[zz/"},
        {"Location": "http://a b/"},
    ],
    ids=["no-location", "other-scheme", "garbage", "space"],
)
def test_a_broken_redirect_is_an_error(server, headers):
    server.routes["/a"] = Route(302, headers=headers)
    result = fetcher().fetch(server.url("bad.example", "/a"))
    assert result.error == "bad-redirect"
    assert len(server.requests) == 1


# --- Limits ---------------------------------------------------------------------------


def test_it_stops_reading_at_the_size_limit(server):
    body = bytes(range(256)) * 2000  # 512,000 bytes
    server.routes["/big"] = Route(200, body)
    result = fetcher(max_bytes=100_000).fetch(server.url("bad.example", "/big"))
    assert result.status == 200
    assert result.truncated
    assert result.bytes_read == 100_000
    assert result.sha256 == hashlib.sha256(body[:100_000]).hexdigest()


def test_a_body_of_exactly_the_limit_is_not_cut(server):
    server.routes["/fit"] = Route(200, b"x" * 1000)
    result = fetcher(max_bytes=1000).fetch(server.url("bad.example", "/fit"))
    assert not result.truncated
    assert result.bytes_read == 1000


def test_a_server_slower_than_the_time_limit_times_out(server):
    server.routes["/slow"] = Route(200, b"late", delay_secs=3)
    started = time.monotonic()
    result = fetcher(time_limit_secs=0.3).fetch(server.url("bad.example", "/slow"))
    assert result.error == "timeout"
    assert result.status is None
    assert time.monotonic() - started < 2


def test_the_time_limit_covers_a_slowly_dripping_body(server):
    server.routes["/drip"] = Route(200, b"y" * 200, drip_secs=0.1)
    started = time.monotonic()
    result = fetcher(time_limit_secs=0.5).fetch(server.url("bad.example", "/drip"))
    assert result.error == "timeout"
    assert time.monotonic() - started < 1.5


# --- Where it may connect -------------------------------------------------------------


def test_private_addresses_are_refused_before_connecting(server):
    server.routes["/p"] = Route(200, b"x")
    result = fetcher(allow_private=False).fetch(server.url("bad.example", "/p"))
    assert result.error == "private-address"
    assert server.requests == []


def test_one_private_address_in_the_answer_refuses_the_lot():
    resolver = resolver_for({"mixed.example": ["93.184.215.14", "10.1.2.3"]})
    result = HttpFetcher(resolver=resolver).fetch("http://mixed.example/")
    assert result.error == "private-address"


def test_a_same_host_redirect_is_checked_again(server):
    # The www name resolves to a private address: refused although the first was allowed.
    server.routes["/a"] = Route(302, headers={"Location": server.url("www.bad.example", "/b")})
    calls: list[str] = []

    def resolve(host: str) -> list[str]:
        calls.append(host)
        return ["127.0.0.1"] if host == "bad.example" else ["10.0.0.1"]

    guarded = HttpFetcher(resolver=resolve, allow_private=False)
    guarded_first = HttpFetcher(resolver=resolve, allow_private=True)
    assert guarded.fetch(server.url("bad.example", "/a")).error == "private-address"
    result = guarded_first.fetch(server.url("bad.example", "/a"))
    assert calls[-2:] == ["bad.example", "www.bad.example"]
    assert result.error == "connect"  # 10.0.0.1 is not there; nothing else is tried


@pytest.mark.parametrize(
    ("error", "word"),
    [(NameNotFound("x"), "nxdomain"), (NameNotFound("x", no_address=True), "no-address")],
)
def test_a_name_that_does_not_resolve_says_so(error, word):
    def resolve(host: str) -> list[str]:
        raise error

    assert HttpFetcher(resolver=resolve).fetch("http://gone.example/").error == word


def test_a_resolver_failure_is_a_dns_error():
    def resolve(host: str) -> list[str]:
        raise OSError("resolver not answering")

    assert HttpFetcher(resolver=resolve).fetch("http://slow-dns.example/").error == "dns"


def test_an_empty_answer_has_no_address():
    assert HttpFetcher(resolver=lambda host: []).fetch("http://x.example/").error == "no-address"


@pytest.mark.parametrize(
    "url", ["ftp://bad.example/x", "not a url", "http://", "javascript:alert(1)", ""]
)
def test_only_web_addresses_are_fetched(url):
    assert HttpFetcher(resolver=LOCAL).fetch(url).error == "bad-url"


def test_a_closed_port_is_a_connection_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = fetcher().fetch(f"http://bad.example:{port}/")
    assert result.error == "connect"
    assert result.status is None


def test_it_tries_the_next_address_when_one_refuses(server):
    server.routes["/p"] = Route(200, b"x")
    resolver = resolver_for({"bad.example": ["127.0.0.2", "127.0.0.1"]})
    result = fetcher(resolver=resolver).fetch(server.url("bad.example", "/p"))
    assert result.status == 200


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.251", False),
        ("240.0.0.1", False),
        ("255.255.255.255", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("not an address", False),
    ],
)
def test_public_addresses_are_global_unicast_ones(address, public):
    assert is_public_address(address) is public


# --- Host names and the system resolver ------------------------------------------------


@given(st.from_regex(r"[a-z0-9]{1,10}(\.[a-z0-9]{1,10}){1,3}", fullmatch=True))
def test_a_host_and_its_www_name_are_the_same_site(host):
    assert same_site_host(host, f"www.{host}")
    assert same_site_host(f"WWW.{host}.", host)
    assert not same_site_host(host, f"evil{host}")
    assert not same_site_host(host, f"{host}.evil.example")


def test_the_system_resolver_answers_addresses(monkeypatch):
    answers = [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 0)),
        (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("2606:2800::1", 0, 0, 0)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 0)),
    ]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: answers)
    assert system_resolver("example.com") == ["93.184.215.14", "2606:2800::1"]


@pytest.mark.parametrize(
    ("errno", "no_address"), [(socket.EAI_NONAME, False), (socket.EAI_NODATA, True)]
)
def test_the_system_resolver_tells_a_missing_name(monkeypatch, errno, no_address):
    def fail(*args, **kwargs):
        raise socket.gaierror(errno, "nope")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(NameNotFound) as raised:
        system_resolver("gone.example")
    assert raised.value.no_address is no_address


def test_the_system_resolver_passes_other_failures_on(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_AGAIN, "try again")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(OSError):
        system_resolver("example.com")
