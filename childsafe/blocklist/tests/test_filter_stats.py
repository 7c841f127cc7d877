"""POST /feeds/school/<id>/stats (the school filter's counts) and the box status the
policy feed and the upload keep; one end-to-end run of the filter's sync against the
live server."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from childsafe.blocklist.feeds import MAX_STATS_HOURS
from childsafe.blocklist.models import FilterBoxStatus, FilterStats, FilterTopDomain
from childsafe.orgs.models import Organisation, OrgKind
from childsafe.orgs.roles import Role
from childsafe.orgs.services import api_token_create
from childsafe.testing import START, make_user

pytestmark = pytest.mark.django_db


def url(school: Organisation) -> str:
    return f"/feeds/school/{school.pk}/stats"


def this_hour(hours_ago: int = 0) -> dt.datetime:
    now = timezone.now().astimezone(dt.UTC)
    return now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=hours_ago)


def row(hour: dt.datetime, tier: str = "primary", outcome: str = "adult", count: int = 1):
    return {"hour": hour.isoformat(), "tier": tier, "outcome": outcome, "count": count}


def post(client: Any, school: Organisation, headers: dict[str, str], body: dict[str, Any]):
    return client.post(url(school), body, content_type="application/json", headers=headers)


def stored() -> set[tuple[dt.datetime, str, str, int]]:
    return set(FilterStats.objects.values_list("hour", "tier", "outcome", "count"))


def test_the_school_it_admin_uploads_counts_and_the_box_status_records_it(orgs, client, bearer):
    h = this_hour(1)
    today = h.date()
    body = {
        "hours": [row(h, count=5), row(h, "staff", "forward", 40)],
        "top_blocked": [
            {"day": today.isoformat(), "domain": "adult.example", "count": 5},
        ],
    }
    response = post(client, orgs.school, bearer("school_it_admin"), body)
    assert response.status_code == 200, response.content
    assert response.json() == {"hours": 1, "days": 1}
    assert stored() == {(h, "primary", "adult", 5), (h, "staff", "forward", 40)}
    assert list(FilterTopDomain.objects.values_list("day", "domain", "count")) == [
        (today, "adult.example", 5)
    ]
    status = FilterBoxStatus.objects.get(school=orgs.school)
    assert status.last_stats_at is not None
    assert status.last_policy_fetch_at is None


def test_an_upload_replaces_the_hours_and_days_it_sends(orgs, client, bearer):
    headers = bearer("school_it_admin")
    old, now = this_hour(2), this_hour(1)
    day = now.date()
    first = {
        "hours": [row(old, count=3), row(now, count=1), row(now, "primary", "games", 2)],
        "top_blocked": [
            {"day": day.isoformat(), "domain": "a.example", "count": 1},
            {"day": day.isoformat(), "domain": "b.example", "count": 1},
        ],
    }
    assert post(client, orgs.school, headers, first).status_code == 200
    again = {
        "hours": [row(now, count=7)],
        "top_blocked": [{"day": day.isoformat(), "domain": "a.example", "count": 9}],
    }
    assert post(client, orgs.school, headers, again).status_code == 200
    assert post(client, orgs.school, headers, again).status_code == 200  # a retry
    assert stored() == {(old, "primary", "adult", 3), (now, "primary", "adult", 7)}
    assert list(FilterTopDomain.objects.values_list("domain", "count")) == [("a.example", 9)]


def test_only_the_own_school_and_the_permission(orgs, client, bearer, token):
    other = Organisation.objects.create(
        code="th-other",
        name="Trường TH Khác",
        kind=OrgKind.SCHOOL,
        parent=orgs.education,
        effective_from=START,
        school_level="primary",
    )
    admin = make_user("otherit", Role.SCHOOL_IT_ADMIN, other)
    _token, raw = api_token_create(admin, name="filter", actor=admin)
    body = {"hours": [row(this_hour())]}
    assert post(client, orgs.school, {"Authorization": f"Bearer {raw}"}, body).status_code == 404
    assert post(client, other, {"Authorization": f"Bearer {raw}"}, body).status_code == 200
    assert post(client, orgs.school, bearer("provider_contact"), body).status_code == 403
    assert post(client, orgs.school, {}, body).status_code == 401
    assert post(client, orgs.ict, bearer("ict_officer"), body).status_code == 404  # no school
    # An education officer reads every school's policy, but only the school's own filter
    # writes its counts.
    refused = post(client, orgs.school, bearer("education_officer"), body)
    assert refused.status_code == 403
    assert "bộ lọc của chính trường" in refused.json()["detail"]  # Vietnamese: the default
    assert FilterStats.objects.get().school == other
    # The token may come in the query, as for the policy feed.
    response = client.post(
        url(orgs.school) + f"?token={token('school_it_admin')}",
        body,
        content_type="application/json",
    )
    assert response.status_code == 200


def bad_bodies() -> dict[str, dict[str, Any]]:
    h = this_hour(1)
    day = h.date().isoformat()
    return {
        "not on the hour": {"hours": [row(h + dt.timedelta(minutes=5))]},
        "no time zone": {"hours": [dict(row(h), hour=h.replace(tzinfo=None).isoformat())]},
        "in the future": {"hours": [row(this_hour() + dt.timedelta(hours=5))]},
        "too old": {"hours": [row(this_hour(24 * 40))]},
        "unknown tier": {"hours": [row(h, tier="teachers")]},
        "bad outcome": {"hours": [row(h, outcome="Adult; drop")]},
        "negative count": {"hours": [row(h, count=-1)]},
        "sent twice": {"hours": [row(h), row(h)]},
        "an extra field": {"hours": [dict(row(h), client="10.0.0.5")]},
        "too many hours": {"hours": [row(h)] * (MAX_STATS_HOURS + 1)},
        "a bad domain": {"top_blocked": [{"day": day, "domain": "Bad Domain", "count": 1}]},
        "too many names a day": {
            "top_blocked": [
                {"day": day, "domain": f"n{i}.example", "count": 1} for i in range(101)
            ]
        },
        "hours not a list": {"hours": {"hour": h.isoformat()}},
    }


@pytest.mark.parametrize("case", list(bad_bodies()))
def test_invalid_uploads_are_refused_whole(orgs, client, bearer, case):
    body = bad_bodies()[case]
    response = post(client, orgs.school, bearer("school_it_admin"), body)
    assert response.status_code == 422, response.content
    assert not FilterStats.objects.exists()
    assert not FilterTopDomain.objects.exists()
    assert not FilterBoxStatus.objects.exists()


def test_the_policy_download_records_the_time_and_version(orgs, client, bearer):
    headers = bearer("school_it_admin")
    policy_url = f"/feeds/school/{orgs.school.pk}/policy.json"
    response = client.get(policy_url, headers=headers)
    status = FilterBoxStatus.objects.get(school=orgs.school)
    assert status.policy_version == response.json()["version"]
    first = status.last_policy_fetch_at
    assert first is not None
    again = client.get(policy_url, headers={**headers, "If-None-Match": response["ETag"]})
    assert again.status_code == 304
    status.refresh_from_db()
    assert status.last_policy_fetch_at >= first
    assert status.policy_version == response.json()["version"]


@pytest.mark.django_db(transaction=True)
def test_the_filter_syncs_with_the_live_server(orgs, personas, live_server, tmp_path: Path):
    from childsafe.dnsfilter.server import Filter
    from childsafe.dnsfilter.sync import POLICY_FILE, Link, PolicySync, StatsUpload
    from childsafe.dnsfilter.upstream import Resolver

    admin = personas["school_it_admin"]
    _token, raw = api_token_create(admin, name="filter box", actor=admin)
    link = Link(live_server.url, raw, orgs.school.pk, timeout=10)
    flt = Filter(Resolver([("127.0.0.1", 9)]))
    sync = PolicySync(flt, link, tmp_path)
    assert sync.sync_once() == "updated"
    assert flt.policy is not None and flt.policy.school_id == orgs.school.pk
    assert (tmp_path / POLICY_FILE).exists()
    assert sync.sync_once() == "unchanged"
    status = FilterBoxStatus.objects.get(school=orgs.school)
    assert status.policy_version == flt.policy.version
    flt.counters[(int(timezone.now().timestamp() // 3600), "primary", "adult")] = 3
    flt.top_blocked.add(int(timezone.now().timestamp() // 86400), "adult.example")
    stats = StatsUpload(flt, link)
    payload = stats.collect()
    assert payload is not None
    assert stats.upload(payload, int(timezone.now().timestamp() // 3600))
    assert FilterStats.objects.get().count == 3
    assert FilterTopDomain.objects.get().domain == "adult.example"
    status.refresh_from_db()
    assert status.last_stats_at is not None
