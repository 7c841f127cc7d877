"""The removal checker, against real HTTP servers on 127.0.0.1.

A resolver maps the made-up names of the targets to 127.0.0.1, so the checker connects to
the local server as it would to a platform. Time is frozen with time_machine (the
fetch's own time limit runs on the monotonic clock, which time_machine leaves alone).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from urllib.parse import urlsplit

import pytest
import time_machine

from childsafe.audit.models import AuditEvent
from childsafe.cases.management.commands import worker
from childsafe.lib.fetch import FetchResult, HttpFetcher
from childsafe.lib.tests.test_fetch import LOCAL, LocalServer, Route
from childsafe.orgs.roles import Role
from childsafe.takedown import verify
from childsafe.takedown.models import (
    CheckOutcome,
    OrderAction,
    OrderEvent,
    OrderEventKind,
    OrderStatus,
    OrderTarget,
    TakedownOrder,
    TargetKind,
    TargetState,
    VerificationCheck,
)
from childsafe.takedown.verify import (
    checker_fetcher,
    classify,
    target_claim,
    target_claim_next,
    target_url,
    verify_next,
)
from childsafe.testing import make_user

ISSUED = dt.datetime(2025, 3, 10, 2, 0, tzinfo=dt.UTC)  # 09:00 in Vietnam


@pytest.fixture(autouse=True)
def checker_settings(settings):
    settings.CHILDSAFE_CHECKER_ALLOW_PRIVATE = True
    settings.CHILDSAFE_CHECKER_TIMEOUT_SECS = 5
    settings.CHILDSAFE_CHECKER_MAX_KB = 64
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def server():
    with LocalServer() as running:
        yield running


@pytest.fixture
def clock():
    with time_machine.travel(ISSUED, tick=False) as traveller:
        yield traveller


@pytest.fixture
def mail_contact(orgs):
    return make_user(
        "vnpt-mail_contact", Role.PROVIDER_CONTACT, orgs.provider, email="abuse@vnpt.example"
    )


def make_order(orgs, personas, urls, *, status=OrderStatus.ISSUED, action=OrderAction.REMOVE):
    n = TakedownOrder.objects.count() + 1
    order = TakedownOrder.objects.create(
        reference=f"GO-2025-{n:06d}",
        issuer=orgs.ict,
        provider=orgs.provider,
        action=action,
        reason="csam",
        legal_basis="Decree 147/2024",
        deadline_hours=24,
        status=status,
        created_by=personas["ict_officer"],
        issued_at=ISSUED,
        due_at=ISSUED + dt.timedelta(hours=24),
    )
    for url in urls:
        order.targets.create(kind=TargetKind.URL, value=url, host=urlsplit(url).hostname)
    return order


def check(**kwargs):
    """One step with the checker's own fetcher and the test resolver."""
    return verify_next(fetcher=checker_fetcher(resolver=LOCAL), **kwargs)


def later(clock, **delta):
    clock.shift(dt.timedelta(**delta))


# --- Present, gone, verified, back ----------------------------------------------------


def test_present_then_gone_verifies_the_order(orgs, personas, server, clock):
    url = server.url("bad.example", "/post/1")
    order = make_order(orgs, personas, [url])
    server.routes["/post/1"] = Route(200, b"<p>the content</p>")

    first = check()
    assert first.outcome == CheckOutcome.PRESENT
    assert first.http_status == 200
    assert first.content_sha256 == hashlib.sha256(b"<p>the content</p>").hexdigest()
    target = OrderTarget.objects.get()
    assert target.state == TargetState.PRESENT
    assert target.first_sha256 == first.content_sha256
    assert target.last_checked_at == ISSUED
    assert target.next_check_at == ISSUED + dt.timedelta(minutes=15)
    assert check() is None  # not due again yet

    del server.routes["/post/1"]
    later(clock, minutes=15)
    second = check()
    assert second.outcome == CheckOutcome.GONE
    assert second.http_status == 404
    order.refresh_from_db()
    target.refresh_from_db()
    gone_at = ISSUED + dt.timedelta(minutes=15)
    assert target.state == TargetState.GONE
    assert target.gone_at == gone_at
    assert order.status == OrderStatus.VERIFIED
    assert order.removed_at == gone_at
    assert list(order.events.values_list("kind", "target_id")) == [
        (OrderEventKind.TARGET_GONE, target.pk),
        (OrderEventKind.VERIFIED, None),
    ]
    audit = AuditEvent.objects.get(action="takedown.order_verify")
    assert audit.object_id == str(order.pk)
    assert "bad.example" not in str(audit.detail)
    # Watched daily after removal.
    assert target.next_check_at == gone_at + dt.timedelta(days=1)
    assert [s.path for s in server.requests] == ["/post/1", "/post/1"]


def test_an_order_is_verified_only_when_every_target_is_gone(orgs, personas, server, clock):
    a, b = server.url("bad.example", "/a"), server.url("bad.example", "/b")
    order = make_order(orgs, personas, [a, b])
    server.routes["/b"] = Route(200, b"still here")
    check()
    check()
    order.refresh_from_db()
    assert order.status == OrderStatus.ISSUED
    assert OrderEvent.objects.filter(kind=OrderEventKind.TARGET_GONE).count() == 1

    del server.routes["/b"]
    later(clock, minutes=15)
    check()  # /a: still gone, no second event
    later(clock, minutes=1)
    check()  # /b: gone now
    order.refresh_from_db()
    assert order.status == OrderStatus.VERIFIED
    assert order.removed_at == ISSUED + dt.timedelta(minutes=16)
    assert OrderEvent.objects.filter(kind=OrderEventKind.TARGET_GONE).count() == 2
    assert OrderTarget.objects.get(value=a).gone_at == ISSUED


def test_content_that_comes_back_reopens_the_order_and_tells_the_provider(
    orgs, personas, mail_contact, server, clock, mailoutbox, django_capture_on_commit_callbacks
):
    url = server.url("bad.example", "/post/2")
    order = make_order(orgs, personas, [url])
    check()  # 404 at once: verified
    order.refresh_from_db()
    assert order.status == OrderStatus.VERIFIED

    server.routes["/post/2"] = Route(200, b"back again")
    later(clock, days=1)
    with django_capture_on_commit_callbacks(execute=True):
        result = check()
    now = ISSUED + dt.timedelta(days=1)
    assert result.outcome == CheckOutcome.PRESENT
    order.refresh_from_db()
    target = order.targets.get()
    assert order.status == OrderStatus.REOPENED
    assert order.due_at == now + dt.timedelta(hours=24)
    assert order.removed_at is None
    assert target.state == TargetState.PRESENT
    assert target.came_back_at == now
    assert target.gone_at is None
    assert target.next_check_at == now + dt.timedelta(minutes=15)
    assert order.events.last().kind == OrderEventKind.CAME_BACK
    audit = AuditEvent.objects.get(action="takedown.order_reopen")
    assert audit.detail["target_id"] == target.pk
    assert audit.actor_label == "system:checker"

    [mail] = mailoutbox
    assert mail.to == ["abuse@vnpt.example"]
    assert order.reference in mail.subject
    assert "bad.example" in mail.body
    assert "12/03/2025 09:00" in mail.body  # the new deadline, Vietnam time
    assert "/post/2" not in mail.body and "/post/2" not in mail.subject

    # Gone again: verified again, with the new removal time.
    del server.routes["/post/2"]
    later(clock, minutes=15)
    check()
    order.refresh_from_db()
    assert order.status == OrderStatus.VERIFIED
    assert order.removed_at == now + dt.timedelta(minutes=15)


def test_a_target_back_on_an_open_order_is_noted_without_reopening(
    orgs, personas, mail_contact, server, clock, mailoutbox, django_capture_on_commit_callbacks
):
    a, b = server.url("bad.example", "/a"), server.url("bad.example", "/b")
    order = make_order(orgs, personas, [a, b], status=OrderStatus.ACKNOWLEDGED)
    server.routes["/b"] = Route(200, b"b")
    check()
    check()
    server.routes["/a"] = Route(200, b"a")
    later(clock, minutes=15)
    with django_capture_on_commit_callbacks(execute=True):
        check()
    order.refresh_from_db()
    assert order.status == OrderStatus.ACKNOWLEDGED
    assert order.events.filter(kind=OrderEventKind.CAME_BACK).count() == 1
    assert mailoutbox == []


def test_a_reopened_order_without_contacts_is_still_reopened(
    orgs, personas, server, clock, mailoutbox, django_capture_on_commit_callbacks
):
    order = make_order(orgs, personas, [server.url("bad.example", "/c")], status=OrderStatus.DONE)
    check()
    server.routes["/c"] = Route(200, b"c")
    later(clock, days=1)
    with django_capture_on_commit_callbacks(execute=True):
        check()
    order.refresh_from_db()
    assert order.status == OrderStatus.REOPENED
    assert mailoutbox == []


# --- What counts as gone --------------------------------------------------------------


def test_a_redirect_to_another_host_counts_as_gone_and_is_not_followed(
    orgs, personas, server, clock
):
    with LocalServer() as other:
        login = other.url("other.example", "/login")
        server.routes["/post/3"] = Route(302, headers={"Location": login})
        order = make_order(orgs, personas, [server.url("bad.example", "/post/3")])
        result = check()
        assert other.requests == []
    assert result.outcome == CheckOutcome.GONE
    assert result.error == "other-host"
    assert result.redirect_to == login
    assert result.http_status == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.VERIFIED


def test_a_redirect_to_the_site_root_counts_as_gone(orgs, personas, server, clock):
    server.routes["/post/4"] = Route(301, headers={"Location": "/"})
    server.routes["/"] = Route(200, b"home page")
    make_order(orgs, personas, [server.url("bad.example", "/post/4")])
    result = check()
    assert (result.outcome, result.error) == (CheckOutcome.GONE, "root-redirect")
    assert result.redirect_to == server.url("bad.example", "/")


def test_a_redirect_to_another_page_of_the_site_is_followed(orgs, personas, server, clock):
    server.routes["/post/5"] = Route(301, headers={"Location": "/p/5"})
    server.routes["/p/5"] = Route(200, b"same content, new address")
    make_order(orgs, personas, [server.url("bad.example", "/post/5")])
    result = check()
    assert result.outcome == CheckOutcome.PRESENT
    assert result.http_status == 200
    assert result.redirect_to == server.url("bad.example", "/p/5")


def test_a_name_that_no_longer_exists_counts_as_gone(orgs, personas, clock):
    order = make_order(orgs, personas, ["http://vanished.example/x"])
    result = check()
    assert (result.outcome, result.error) == (CheckOutcome.GONE, "nxdomain")
    order.refresh_from_db()
    assert order.status == OrderStatus.VERIFIED


@pytest.mark.parametrize("status", [410, 451])
def test_gone_statuses(orgs, personas, server, clock, status):
    server.routes["/x"] = Route(status)
    make_order(orgs, personas, [server.url("bad.example", "/x")])
    assert check().outcome == CheckOutcome.GONE


# --- Errors are never gone ------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 503, 429, 403, 401])
def test_server_errors_and_refusals_are_errors(orgs, personas, server, clock, status):
    server.routes["/x"] = Route(status)
    order = make_order(orgs, personas, [server.url("bad.example", "/x")])
    result = check()
    assert (result.outcome, result.error) == (CheckOutcome.ERROR, f"http-{status}")
    assert order.targets.get().state == TargetState.UNREACHABLE


def test_a_server_slower_than_the_time_limit_is_an_error_and_backs_off(
    orgs, personas, server, clock, settings
):
    settings.CHILDSAFE_CHECKER_TIMEOUT_SECS = 0.3
    server.routes["/slow"] = Route(200, b"late", delay_secs=3)
    order = make_order(orgs, personas, [server.url("bad.example", "/slow")])
    result = check()
    assert (result.outcome, result.error) == (CheckOutcome.ERROR, "timeout")
    target = order.targets.get()
    assert target.state == TargetState.UNREACHABLE
    assert target.gone_at is None
    assert target.next_check_at == ISSUED + dt.timedelta(minutes=15)
    later(clock, minutes=15)
    check()
    target.refresh_from_db()
    assert target.next_check_at == ISSUED + dt.timedelta(minutes=15 + 30)
    order.refresh_from_db()
    assert order.status == OrderStatus.ISSUED


def test_errors_back_off_up_to_six_hours(orgs, personas, clock):
    class Down:
        def fetch(self, url):
            return FetchResult(url=url, error="connect")

    order = make_order(orgs, personas, ["http://bad.example/x"])
    gaps = []
    for _ in range(7):
        verify_next(fetcher=Down())
        target = order.targets.get()
        gaps.append(target.next_check_at - target.last_checked_at)
        clock.move_to(target.next_check_at)
    assert [g.total_seconds() / 60 for g in gaps] == [15, 30, 60, 120, 240, 360, 360]


def test_an_error_after_gone_keeps_the_target_gone_since(orgs, personas, server, clock):
    a, b = server.url("bad.example", "/a"), server.url("bad.example", "/b")
    order = make_order(orgs, personas, [a, b])
    server.routes["/b"] = Route(200, b"b")
    check()
    check()
    server.routes["/a"] = Route(503)
    later(clock, minutes=15)
    check()
    target = OrderTarget.objects.get(value=a)
    assert target.state == TargetState.UNREACHABLE
    assert target.gone_at == ISSUED
    del server.routes["/b"]
    check()
    order.refresh_from_db()
    assert order.status == OrderStatus.VERIFIED
    assert order.removed_at == ISSUED + dt.timedelta(minutes=15)


def test_the_size_limit_cuts_the_body_and_it_still_counts_as_present(
    orgs, personas, server, clock, settings
):
    settings.CHILDSAFE_CHECKER_MAX_KB = 1
    body = b"0123456789abcdef" * 1000
    server.routes["/big"] = Route(200, body)
    make_order(orgs, personas, [server.url("bad.example", "/big")])
    result = check()
    assert (result.outcome, result.error) == (CheckOutcome.PRESENT, "too-large")
    assert result.content_sha256 == hashlib.sha256(body[:1024]).hexdigest()


def test_private_addresses_are_refused_unless_allowed(orgs, personas, server, clock, settings):
    settings.CHILDSAFE_CHECKER_ALLOW_PRIVATE = False
    server.routes["/p"] = Route(200, b"x")
    order = make_order(orgs, personas, [server.url("bad.example", "/p")])
    result = check()
    assert (result.outcome, result.error) == (CheckOutcome.ERROR, "private-address")
    assert server.requests == []
    assert order.targets.get().gone_at is None


def test_the_default_fetcher_follows_the_settings(settings):
    settings.CHILDSAFE_CHECKER_ALLOW_PRIVATE = False
    settings.CHILDSAFE_CHECKER_TIMEOUT_SECS = 7
    settings.CHILDSAFE_CHECKER_MAX_KB = 3
    fetcher = checker_fetcher()
    assert isinstance(fetcher, HttpFetcher)
    assert (fetcher.allow_private, fetcher.time_limit_secs, fetcher.max_bytes) == (
        False,
        7.0,
        3072,
    )


# --- Which targets, when --------------------------------------------------------------


class Recorder:
    """A fetcher that answers 200 without the network and remembers what it was asked."""

    def __init__(self):
        self.urls = []

    def fetch(self, url):
        self.urls.append(url)
        return FetchResult(url=url, status=200, sha256="ab" * 32)


@pytest.mark.parametrize(
    "status",
    [
        OrderStatus.DRAFT,
        OrderStatus.REJECTED,
        OrderStatus.WITHDRAWN,
        OrderStatus.REFUSED,
        OrderStatus.VERIFIED,
    ],
)
def test_orders_not_being_checked_are_left_alone(orgs, personas, clock, status):
    make_order(orgs, personas, ["http://bad.example/x"], status=status)
    fetcher = Recorder()
    assert verify_next(fetcher=fetcher) is None
    assert fetcher.urls == []


def test_blocking_orders_are_never_fetched(orgs, personas, clock):
    order = make_order(orgs, personas, ["http://bad.example/x"], action=OrderAction.BLOCK)
    order.targets.update(next_check_at=ISSUED)
    fetcher = Recorder()
    assert verify_next(fetcher=fetcher) is None
    assert fetcher.urls == []


def test_a_domain_target_is_fetched_at_its_root(orgs, personas, clock):
    order = make_order(orgs, personas, [])
    target = order.targets.create(kind=TargetKind.DOMAIN, value="bad.example", host="bad.example")
    assert target_url(target) == "http://bad.example/"
    fetcher = Recorder()
    verify_next(fetcher=fetcher)
    assert fetcher.urls == ["http://bad.example/"]


def test_the_oldest_due_target_goes_first(orgs, personas, clock):
    order = make_order(orgs, personas, ["http://bad.example/1", "http://bad.example/2"])
    first, second = order.targets.all()
    first.next_check_at = ISSUED - dt.timedelta(minutes=1)
    first.save()
    second.next_check_at = ISSUED - dt.timedelta(minutes=5)
    second.save()
    fetcher = Recorder()
    verify_next(fetcher=fetcher)
    verify_next(fetcher=fetcher)
    assert verify_next(fetcher=fetcher) is None
    assert fetcher.urls == ["http://bad.example/2", "http://bad.example/1"]


def test_a_verified_order_is_watched_daily_for_thirty_days(orgs, personas, server, clock):
    make_order(orgs, personas, [server.url("bad.example", "/gone")])
    check()
    target = OrderTarget.objects.get()
    for day in range(1, 30):
        clock.move_to(target.next_check_at)
        check()
        target.refresh_from_db()
        assert target.next_check_at == ISSUED + dt.timedelta(days=day + 1), day
    clock.move_to(target.next_check_at)
    check()
    target.refresh_from_db()
    assert target.next_check_at is None
    assert VerificationCheck.objects.count() == 31
    later(clock, days=5)
    assert check() is None


def test_a_claimed_target_is_not_handed_out_again_before_its_time(orgs, personas, clock):
    order = make_order(orgs, personas, ["http://bad.example/x"])
    claimed = target_claim_next(now=ISSUED)
    assert claimed is not None
    assert target_claim_next(now=ISSUED) is None
    assert target_claim_next(now=ISSUED + dt.timedelta(minutes=9)) is None
    # A worker that died mid-fetch loses its hold after ten minutes.
    assert target_claim_next(now=ISSUED + dt.timedelta(minutes=10)) == claimed
    # The claim is conditional on the value read: a stale one claims nothing.
    assert not target_claim(claimed.pk, None, now=ISSUED)
    assert not target_claim(claimed.pk, ISSUED, now=ISSUED + dt.timedelta(hours=1))
    assert order.targets.get().next_check_at == ISSUED + dt.timedelta(minutes=20)


def test_a_target_another_worker_took_is_skipped(orgs, personas, clock, monkeypatch):
    order = make_order(orgs, personas, ["http://bad.example/1", "http://bad.example/2"])
    first, second = order.targets.all()
    real_claim = verify.target_claim
    calls = []

    def racing_claim(target_id, seen, *, now):
        calls.append(target_id)
        if len(calls) == 1:
            real_claim(target_id, seen, now=now)  # the other worker wins this one
        return real_claim(target_id, seen, now=now)

    monkeypatch.setattr(verify, "target_claim", racing_claim)
    assert verify.target_claim_next(now=ISSUED) == second
    assert calls == [first.pk, second.pk]


def test_the_worker_runs_the_checker(orgs, personas, server, clock, monkeypatch):
    server.routes["/w"] = Route(200, b"w")
    make_order(orgs, personas, [server.url("bad.example", "/w")])
    monkeypatch.setattr(
        verify, "checker_fetcher", lambda: HttpFetcher(resolver=LOCAL, allow_private=True)
    )
    assert worker.run_jobs()["verification"] == 1
    assert VerificationCheck.objects.get().outcome == CheckOutcome.PRESENT


def test_checks_cannot_be_changed(orgs, personas, clock):
    make_order(orgs, personas, ["http://bad.example/x"])
    result = verify_next(fetcher=Recorder())
    with pytest.raises(Exception, match="append-only"):
        result.save()


# --- classify, the rules in one place ---------------------------------------------------


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (FetchResult("http://a.example/p", status=200, sha256="x"), ("present", "")),
        (FetchResult("http://a.example/p", status=204), ("present", "")),
        (FetchResult("http://a.example/p", status=200, truncated=True), ("present", "too-large")),
        (FetchResult("http://a.example/p", status=404), ("gone", "")),
        (FetchResult("http://a.example/p", status=410), ("gone", "")),
        (FetchResult("http://a.example/p", status=451), ("gone", "")),
        (FetchResult("http://a.example/p", error="nxdomain"), ("gone", "nxdomain")),
        (FetchResult("http://a.example/p", error="no-address"), ("gone", "no-address")),
        (
            FetchResult("http://a.example/p", status=302, error="other-host"),
            ("gone", "other-host"),
        ),
        (
            FetchResult("http://a.example/", status=200, trail=("https://www.a.example/?from=p",)),
            ("gone", "root-redirect"),
        ),
        (
            FetchResult("http://a.example/q", status=200, trail=("https://a.example/q",)),
            ("present", ""),
        ),
        (FetchResult("http://a.example/p", error="timeout"), ("error", "timeout")),
        (FetchResult("http://a.example/p", error="connect"), ("error", "connect")),
        (FetchResult("http://a.example/p", error="dns"), ("error", "dns")),
        (FetchResult("http://a.example/p", error="private-address"), ("error", "private-address")),
        (
            FetchResult("http://a.example/p", status=302, error="too-many-redirects"),
            ("error", "too-many-redirects"),
        ),
        (FetchResult("http://a.example/p", status=500), ("error", "http-500")),
        (FetchResult("http://a.example/p", status=429), ("error", "http-429")),
        (FetchResult("http://a.example/p", status=403), ("error", "http-403")),
        (FetchResult("http://a.example/p", status=304), ("error", "http-304")),
    ],
)
def test_classify(result, expected):
    assert classify(result, "http://a.example/p") == expected


def test_a_domain_target_redirected_to_its_root_is_present():
    result = FetchResult("https://a.example/", status=200, trail=("https://a.example/",))
    assert classify(result, "http://a.example/") == ("present", "")


# --- With the order services ----------------------------------------------------------


class Scripted:
    """A fetcher that answers one HTTP status at a time, without the network."""

    def __init__(self):
        self.status = 200

    def fetch(self, url):
        return FetchResult(
            url=url, status=self.status, sha256="" if self.status != 200 else "cd" * 32
        )


def test_an_order_issued_by_the_services_goes_round_the_checker(
    issued, contact, mailoutbox, django_capture_on_commit_callbacks
):
    from childsafe.takedown import services

    fetcher = Scripted()
    with time_machine.travel(issued.issued_at, tick=False) as traveller:
        assert verify_next(fetcher=fetcher).outcome == CheckOutcome.PRESENT
        traveller.shift(dt.timedelta(minutes=15))
        fetcher.status = 404
        verify_next(fetcher=fetcher)
        issued.refresh_from_db()
        assert issued.status == OrderStatus.VERIFIED

        traveller.shift(dt.timedelta(days=1))
        fetcher.status = 200
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            verify_next(fetcher=fetcher)
        issued.refresh_from_db()
        assert issued.status == OrderStatus.REOPENED
        assert [m.to for m in mailoutbox] == [[contact.email]]
        assert "hostvn.vn" in mailoutbox[0].body and "/bad/page" not in mailoutbox[0].body

        services.provider_done(issued, actor=contact)
        fetcher.status = 410
        verify_next(fetcher=fetcher)  # provider_done asked for a check at once
        issued.refresh_from_db()
        assert issued.status == OrderStatus.VERIFIED
