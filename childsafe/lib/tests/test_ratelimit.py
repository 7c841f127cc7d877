from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import DatabaseError
from django.test import RequestFactory

from childsafe.lib.ratelimit import address_bucket, client_address, ratelimit_hit

pytestmark = pytest.mark.django_db

NOW = 1_800_000_000.0  # 15 January 2027, 08:00 UTC: the start of an hour


def test_it_allows_up_to_the_limit_then_refuses():
    results = [ratelimit_hit("t", "203.0.113.5", limit=3, now=NOW + i) for i in range(4)]
    assert [r.allowed for r in results] == [True, True, True, False]
    assert [r.count for r in results] == [1, 2, 3, 4]
    assert results[-1].retry_after_secs == 3600 - 3


def test_a_new_window_starts_afresh():
    for i in range(3):
        ratelimit_hit("t", "203.0.113.5", limit=2, now=NOW + i)
    assert ratelimit_hit("t", "203.0.113.5", limit=2, now=NOW + 3600).allowed


def test_addresses_and_scopes_count_apart():
    ratelimit_hit("t", "203.0.113.5", limit=1, now=NOW)
    assert ratelimit_hit("t", "203.0.113.6", limit=1, now=NOW).allowed
    assert ratelimit_hit("other", "203.0.113.5", limit=1, now=NOW).allowed
    assert not ratelimit_hit("t", "203.0.113.5", limit=1, now=NOW).allowed


def test_ipv6_addresses_count_per_64_network():
    assert address_bucket("2001:db8:1:2::7") == "2001:db8:1:2::/64"
    ratelimit_hit("t", "2001:db8:1:2::7", limit=1, now=NOW)
    assert not ratelimit_hit("t", "2001:db8:1:2:ffff::1", limit=1, now=NOW).allowed
    assert ratelimit_hit("t", "2001:db8:1:3::7", limit=1, now=NOW).allowed


def test_the_cache_never_holds_the_address():
    ratelimit_hit("t", "203.0.113.5", limit=5, now=NOW)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM childsafe_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert keys
    assert not any("203.0.113" in key for key in keys)


def test_a_limit_of_zero_means_no_limit():
    assert all(ratelimit_hit("t", "203.0.113.5", limit=0, now=NOW).allowed for _ in range(50))


def test_a_broken_cache_lets_the_request_through(monkeypatch):
    def broken(*args, **kwargs):
        raise DatabaseError("no such table: childsafe_cache")

    monkeypatch.setattr(cache, "get", broken)
    assert ratelimit_hit("t", "203.0.113.5", limit=1, now=NOW).allowed


def test_the_client_address_is_the_connection_without_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert client_address(request) == "10.0.0.1"


def test_behind_one_proxy_the_client_is_the_last_forwarded_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client made up the first entry; nginx appended the real one.
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.7"
    )
    assert client_address(request) == "198.51.100.7"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request) == "1.1.1.1"
