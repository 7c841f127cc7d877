"""Whether each school's filter box is up to date, for the central overview.

Compiling every school's policy to compare versions would read every big category
list per school, so the overview does not: a box is *behind* when its last policy
download came before the last change that touches its policy. The feed records every
download (200 and 304) in ``FilterBoxStatus``, so a download after a change got it.
The changes are read from the audit trail (the services write one event per change)
and the authority zone's ``updated_at``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone

from childsafe.audit.models import AuditEvent
from childsafe.blocklist.models import FilterBoxStatus, Zone
from childsafe.blocklist.zones import AUTHORITY_ZONE
from childsafe.orgs.models import Organisation

LATE_AFTER = dt.timedelta(hours=1)
# Changes to every school's policy.
PROVINCE_ACTIONS = ("filter.list_import", "filter.list_rollback")
# Changes to one school's policy (``detail["school"]``; a rule without one is a default).
SCHOOL_ACTIONS = (
    "filter.rule_set",
    "filter.rule_remove",
    "filter.network_add",
    "filter.network_remove",
    "filter.deny_add",
    "filter.allow_approve",
    "filter.entry_remove",
    "filter.settings_set",
    "filter.query_log_enable",
    "filter.query_log_end",
)


@dataclass(frozen=True)
class BoxRow:
    school: Organisation
    policy_version: str
    fetched_at: dt.datetime | None
    stats_at: dt.datetime | None
    changed_at: dt.datetime | None
    is_fetch_late: bool
    is_stats_late: bool
    is_behind: bool


def _latest(*times: dt.datetime | None) -> dt.datetime | None:
    known = [t for t in times if t is not None]
    return max(known) if known else None


def province_changed_at() -> dt.datetime | None:
    """The last change to every school's policy: lists, default rules, authority list."""
    events = AuditEvent.objects.filter(action__in=PROVINCE_ACTIONS).aggregate(at=Max("at"))["at"]
    defaults = AuditEvent.objects.filter(action="filter.rule_set", detail__school=None).aggregate(
        at=Max("at")
    )["at"]
    zone = Zone.objects.filter(name=AUTHORITY_ZONE).values_list("updated_at", flat=True).first()
    return _latest(events, defaults, zone)


def school_changed_at(school_ids: list[int]) -> dict[int, dt.datetime]:
    if not school_ids:
        return {}
    rows = (
        AuditEvent.objects.filter(action__in=SCHOOL_ACTIONS, detail__school__in=school_ids)
        .values("detail__school")
        .annotate(at=Max("at"))
        .values_list("detail__school", "at")
    )
    return {int(school): at for school, at in rows if school is not None}


def box_rows(schools: Iterable[Organisation], now: dt.datetime | None = None) -> list[BoxRow]:
    now = now or timezone.now()
    schools = list(schools)
    ids = [school.pk for school in schools]
    statuses = {s.school_id: s for s in FilterBoxStatus.objects.filter(school_id__in=ids)}
    province = province_changed_at()
    per_school = school_changed_at(ids)
    rows = []
    for school in schools:
        status = statuses.get(school.pk)
        fetched = status.last_policy_fetch_at if status else None
        stats = status.last_stats_at if status else None
        changed = _latest(province, per_school.get(school.pk))
        rows.append(
            BoxRow(
                school=school,
                policy_version=status.policy_version if status else "",
                fetched_at=fetched,
                stats_at=stats,
                changed_at=changed,
                is_fetch_late=fetched is None or now - fetched > LATE_AFTER,
                is_stats_late=stats is None or now - stats > LATE_AFTER,
                is_behind=fetched is not None and changed is not None and fetched < changed,
            )
        )
    return rows
