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
  Each download (200 or 304) records the time and version in ``FilterBoxStatus``.
- ``GET /feeds/school/<id>/<tier>.rpz`` (or ``policy.rpz?tier=<tier>``): the same
  policy as one Response Policy Zone per tier (``policy/rpz.py``; the authority list is not in it: load
  ``/feeds/authority.rpz`` first), for Unbound (``childsafe unbound-config``) and other
  resolvers; same permission and scope; weak ETag (the serial is the generation time).
- ``POST /feeds/school/<id>/stats``: the school filter's counts (queries per hour,
  tier and outcome; the most blocked names per day), same token and scope; each hour
  and day sent replaces what was stored for it (retries are harmless). Counts only: no
  client address, no per-device log.

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

import datetime as dt
import hashlib
import json
from typing import Any, Literal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import HttpError, ValidationError
from pydantic import BaseModel, ConfigDict

from childsafe.blocklist.models import (
    AuthorityEntry,
    FilterBoxStatus,
    FilterStats,
    FilterTopDomain,
    Tier,
)
from childsafe.blocklist.policy.access import get_school_for_user
from childsafe.blocklist.policy.compile import policy_compile, policy_render_lazy
from childsafe.blocklist.policy.rpz import tier_zone, tier_zone_etag
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
    version, body = policy_render_lazy(school)
    etag = f'"{version}"'
    FilterBoxStatus.objects.update_or_create(
        school=school,
        defaults={"last_policy_fetch_at": timezone.now(), "policy_version": version[:80]},
    )
    if _not_modified(request, etag):
        return _answer(etag, None, JSON_CONTENT_TYPE)
    response = HttpResponse(body(), content_type="application/json; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


# -- The school filter's counts ---------------------------------------------------------

MAX_STATS_HOURS = 20_000  # a week of hours x tiers x outcomes, with room
MAX_TOP_DOMAINS = 1_000
MAX_TOP_PER_DAY = 100
STATS_MAX_AGE = dt.timedelta(days=31)
STATS_MAX_AHEAD = dt.timedelta(hours=2)  # the box's clock may be a little ahead
TierCode = Literal["primary", "lower_secondary", "upper_secondary", "staff"]


class HourCount(BaseModel):
    # Plain pydantic items (not ``Schema``): thousands per upload, see api.EntryIn.
    model_config = ConfigDict(extra="forbid")

    hour: dt.datetime = Field(description="The start of the hour, with its time zone.")
    tier: TierCode
    outcome: str = Field(
        pattern=r"^[a-z][a-z0-9_]{0,31}$",
        description="forward, allow, safesearch, authority, deny or a category code.",
    )
    count: int = Field(ge=0, le=10**12)


class DayDomain(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: dt.date = Field(description="The UTC day.")
    domain: str = Field(min_length=1, max_length=253, pattern=r"^[a-z0-9_.-]+$")
    count: int = Field(ge=0, le=10**12)


class StatsIn(Schema):
    hours: list[HourCount] = Field(default_factory=list, max_length=MAX_STATS_HOURS)
    top_blocked: list[DayDomain] = Field(default_factory=list, max_length=MAX_TOP_DOMAINS)


class StatsOut(Schema):
    hours: int = Field(description="The hours replaced.")
    days: int = Field(description="The days whose top blocked names were replaced.")


def _stats_errors(body: StatsIn, now: dt.datetime) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    seen: set[tuple[dt.datetime, str, str]] = set()
    for i, row in enumerate(body.hours):
        where = ["body", "body", "hours", i, "hour"]
        hour = row.hour
        if hour.tzinfo is None:
            errors.append({"loc": where, "msg": "needs a time zone", "type": "value_error"})
        elif hour.minute or hour.second or hour.microsecond:
            errors.append({"loc": where, "msg": "not the start of an hour", "type": "value_error"})
        elif not now - STATS_MAX_AGE <= hour <= now + STATS_MAX_AHEAD:
            errors.append({"loc": where, "msg": "too old or in the future", "type": "value_error"})
        elif (hour, row.tier, row.outcome) in seen:
            errors.append({"loc": where, "msg": "sent twice", "type": "value_error"})
        else:
            seen.add((hour, row.tier, row.outcome))
    per_day: dict[dt.date, set[str]] = {}
    for i, item in enumerate(body.top_blocked):
        where = ["body", "body", "top_blocked", i, "day"]
        names = per_day.setdefault(item.day, set())
        if not (now - STATS_MAX_AGE).date() <= item.day <= (now + STATS_MAX_AHEAD).date():
            errors.append({"loc": where, "msg": "too old or in the future", "type": "value_error"})
        elif item.domain in names:
            errors.append({"loc": where, "msg": "sent twice", "type": "value_error"})
        elif len(names) >= MAX_TOP_PER_DAY:
            errors.append(
                {"loc": where, "msg": f"over {MAX_TOP_PER_DAY} a day", "type": "value_error"}
            )
        else:
            names.add(item.domain)
    return errors[:20]


@feeds_api.post(
    "/school/{school_id}/stats",
    auth=FeedTokenAuth(Perm.FILTER_POLICY_READ),
    response=StatsOut,
)
def school_stats(request: HttpRequest, school_id: int, body: StatsIn) -> StatsOut:
    """Only the school's own filter reports its counts: a token of the school's IT
    admin. Officers who may read every school's policy may not write its figures."""
    school = get_school_for_user(request.user, school_id)
    if getattr(request.user, "organisation_id", None) != school.pk:
        raise HttpError(403, _("Only the school's own filter reports its counts."))
    now = timezone.now()
    errors = _stats_errors(body, now)
    if errors:
        raise ValidationError(errors)
    hours = {row.hour for row in body.hours}
    days = {item.day for item in body.top_blocked}
    with transaction.atomic():
        if hours:
            FilterStats.objects.filter(school=school, hour__in=hours).delete()
            FilterStats.objects.bulk_create(
                [
                    FilterStats(
                        school=school,
                        hour=row.hour,
                        tier=row.tier,
                        outcome=row.outcome,
                        count=row.count,
                    )
                    for row in body.hours
                ],
                batch_size=2000,
            )
        if days:
            FilterTopDomain.objects.filter(school=school, day__in=days).delete()
            FilterTopDomain.objects.bulk_create(
                [
                    FilterTopDomain(school=school, day=i.day, domain=i.domain, count=i.count)
                    for i in body.top_blocked
                ],
                batch_size=2000,
            )
        FilterBoxStatus.objects.update_or_create(school=school, defaults={"last_stats_at": now})
    return StatsOut(hours=len(hours), days=len(days))


@feeds_api.get("/school/{school_id}/policy.rpz", auth=FeedTokenAuth(Perm.FILTER_POLICY_READ))
def school_policy_rpz_by_query(
    request: HttpRequest, school_id: int, tier: str = ""
) -> HttpResponse:
    """``policy.rpz?tier=<tier>``: the same zone as ``<tier>.rpz`` (one zone per tier)."""
    school = get_school_for_user(request.user, school_id)
    if tier not in Tier.values:
        raise HttpError(
            400,
            _("Name the tier of the zone: ?tier= one of %(tiers)s.")
            % {"tiers": ", ".join(Tier.values)},
        )
    return _tier_zone_answer(request, school, tier)


@feeds_api.get("/school/{school_id}/{tier}.rpz", auth=FeedTokenAuth(Perm.FILTER_POLICY_READ))
def school_policy_rpz(request: HttpRequest, school_id: int, tier: str) -> HttpResponse:
    school = get_school_for_user(request.user, school_id)
    if tier not in Tier.values:
        raise Http404
    return _tier_zone_answer(request, school, tier)


def _tier_zone_answer(request: HttpRequest, school: Any, tier: str) -> HttpResponse:
    now = timezone.now()
    document = policy_compile(school, now=now)
    etag = tier_zone_etag(document, tier, now)
    if _not_modified(request, etag):
        return _answer(etag, None, RPZ_CONTENT_TYPE)
    return _answer(etag, tier_zone(document, tier, now=now).text, RPZ_CONTENT_TYPE)
