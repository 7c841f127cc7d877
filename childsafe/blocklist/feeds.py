"""The blocklist feeds at ``/feeds/``: RPZ, hosts, plain and JSON forms of the
authority list, for providers, schools and resolvers, authenticated by token.

- ``GET /feeds/authority.rpz``: the Response Policy Zone (``text/dns``, RFC 4027), to
  load as a zone file (Unbound: ``rpz: zonefile:`` or ``url:``; BIND: a zone file).
  Resolvers that can transfer zones should use the zone server instead.
- ``GET /feeds/authority.hosts``: ``0.0.0.0 name`` lines (``text/plain``). A hosts file
  cannot hold wildcards: each name blocks itself alone.
- ``GET /feeds/authority.txt``: one domain per line (``text/plain``), for filters that
  read domain lists (AdGuard Home, Blocky, Pi-hole).
- ``GET /feeds/authority.json``: the active entries, domains and web addresses, with
  their reason codes, for filters that read URLs; no notes (free text) and no case data.
- ``GET /feeds/school/<id>/policy.json``: a school's compiled filtering policy
  (``childsafe-policy/1``, docs/school-filter.md), ETag its ``version``;
  ``filter_policy.read``: a school IT admin's token fetches their own school only.

The DNS feeds carry domain entries only; web addresses are in the JSON feed alone.

Authentication: ``Authorization: Bearer <token>``, or ``?token=<token>`` for tools that
cannot send headers (a resolver's zone download, a cron ``curl``). A token in a URL
reaches web server logs and proxies: give such tools a token of their own, with the
``feed.read`` permission only (a school IT admin's or a provider contact's), and revoke
it if a log leaks.

Caching: each answer carries an ETag and ``Cache-Control: no-cache``; a poll with
``If-None-Match`` answers 304 without a body while nothing changed. The DNS feeds' ETag
is the zone's serial and answer mode (strong: one serial, the same bytes). Between an
entry's expiry and the worker's next pass (seconds), the content may already leave the
expired name out under the old serial; the pass bumps the serial. The JSON feed's ETag
is weak (its ``generated_at`` changes at every download) and follows every change of
the list, web addresses included.

Downloads are not written to the audit trail: a hundred resolvers polling every minute
would bury the chain. The token's last use is recorded (``ApiToken.last_used_at``) and
the web server's access log has each request.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import parse_etags
from ninja import NinjaAPI

from childsafe.blocklist.models import AuthorityEntry
from childsafe.blocklist.policy.access import get_school_for_user
from childsafe.blocklist.policy.compile import policy_render
from childsafe.blocklist.rpz import render_hosts, render_rpz, render_txt
from childsafe.blocklist.zones import AUTHORITY_ZONE, rpz_mode, zone_serial, zone_snapshot
from childsafe.orgs.access import TokenAuth
from childsafe.orgs.roles import Perm

feeds_api = NinjaAPI(
    title="ChildSafe feeds",
    urls_namespace="feeds",
    docs_url=None,
    openapi_url=None,
)

RPZ_CONTENT_TYPE = "text/dns"
TEXT_CONTENT_TYPE = "text/plain; charset=utf-8"
JSON_CONTENT_TYPE = "application/json"
TOKEN_PARAM = "token"


class FeedTokenAuth(TokenAuth):
    """``TokenAuth`` that also takes the token from ``?token=`` when no
    ``Authorization`` header is sent (see the module's note on logs)."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.headers.get(self.header):
            token = request.GET.get(TOKEN_PARAM, "")
            return self.authenticate(request, token) if token else None
        return super().__call__(request)


def _dns_etag(serial: int, mode: str) -> str:
    return f'"{AUTHORITY_ZONE}-{max(serial, 1)}-{mode}"'


def _not_modified(request: HttpRequest, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (weak comparison, RFC 9110)."""
    header = request.headers.get("If-None-Match", "")
    if not header:
        return False
    tags = parse_etags(header)
    bare = etag.removeprefix("W/")
    return "*" in tags or any(tag.removeprefix("W/") == bare for tag in tags)


def _answer(etag: str, body: str | None, content_type: str) -> HttpResponse:
    response = (
        HttpResponse(status=304) if body is None else HttpResponse(body, content_type=content_type)
    )
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


def _dns_feed(request: HttpRequest, write: Any, content_type: str) -> HttpResponse:
    mode = rpz_mode()
    etag = _dns_etag(zone_serial(AUTHORITY_ZONE), mode)
    if _not_modified(request, etag):
        return _answer(etag, None, content_type)
    snapshot = zone_snapshot(AUTHORITY_ZONE)  # may start a new serial if the mode changed
    serial = max(snapshot.serial, 1)
    body = write(snapshot.domains, serial, mode)
    return _answer(_dns_etag(serial, mode), body, content_type)


FEED_AUTH = FeedTokenAuth(Perm.FEED_READ)


@feeds_api.get("/authority.rpz", auth=FEED_AUTH)
def authority_rpz(request: HttpRequest) -> HttpResponse:
    origin = settings.CHILDSAFE_RPZ_ORIGIN
    return _dns_feed(
        request,
        lambda domains, serial, mode: render_rpz(domains, serial=serial, origin=origin, mode=mode),
        RPZ_CONTENT_TYPE,
    )


@feeds_api.get("/authority.hosts", auth=FEED_AUTH)
def authority_hosts(request: HttpRequest) -> HttpResponse:
    return _dns_feed(
        request,
        lambda domains, serial, mode: render_hosts(domains, serial=serial),
        TEXT_CONTENT_TYPE,
    )


@feeds_api.get("/authority.txt", auth=FEED_AUTH)
def authority_txt(request: HttpRequest) -> HttpResponse:
    return _dns_feed(request, lambda domains, serial, mode: render_txt(domains), TEXT_CONTENT_TYPE)


def _json_etag(now: Any) -> str:
    """A version of the whole list: additions raise the highest id, lifts the latest
    lift time, expiries lower the number of active entries."""
    active = Q(lifted_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))
    version = AuthorityEntry.objects.aggregate(
        active=Count("pk", filter=active),
        last_id=Max("pk"),
        last_lift=Max("lifted_at"),
    )
    serial = zone_serial(AUTHORITY_ZONE)
    text = f"{serial}|{version['active']}|{version['last_id']}|{version['last_lift']}"
    return f'W/"{hashlib.sha256(text.encode()).hexdigest()[:24]}"'


@feeds_api.get("/authority.json", auth=FEED_AUTH)
def authority_json(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    etag = _json_etag(now)
    if _not_modified(request, etag):
        return _answer(etag, None, JSON_CONTENT_TYPE)
    rows = (
        AuthorityEntry.objects.active(now)
        .order_by("kind", "value", "pk")
        .values_list("kind", "value", "reason", "added_at", "expires_at")
    )
    entries = [
        {
            "kind": kind,
            "value": value,
            "reason": reason,
            "added_at": added_at.isoformat(),
            "expires_at": expires_at.isoformat() if expires_at else None,
        }
        for kind, value, reason, added_at, expires_at in rows.iterator(chunk_size=5000)
    ]
    body = json.dumps(
        {
            "serial": max(zone_serial(AUTHORITY_ZONE), 1),
            "generated_at": now.isoformat(),
            "entries": entries,
        },
        separators=(",", ":"),
    )
    return _answer(etag, body, JSON_CONTENT_TYPE)


@feeds_api.get("/school/{school_id}/policy.json", auth=FeedTokenAuth(Perm.FILTER_POLICY_READ))
def school_policy(request: HttpRequest, school_id: int) -> HttpResponse:
    school = get_school_for_user(request.user, school_id)
    version, body = policy_render(school)
    etag = f'"{version}"'
    if _not_modified(request, etag):
        return _answer(etag, None, JSON_CONTENT_TYPE)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response
