"""Who sees which school's filtering policy: the only way views and the feed load them.

- ``filter_policy.view`` (education officers, the province coordinator): every school;
- ``filter_policy.read`` without it (ICT officers' resolvers, school IT admins' tokens):
  ICT officers every school, a school IT admin their own school only;
- ``filter_school.manage`` (school IT admins): their own school's networks and lists;
- ``filter_policy.manage`` (education officers): the category lists.

Query log periods: a school IT admin enables and ends their own school's; whoever has
``filter_policy.view`` sees every school's, and ``filter_policy.manage`` ends any.

Anything else, missing or not yours, is 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from childsafe.blocklist.models import (
    CategoryList,
    QueryLogPeriod,
    SchoolListEntry,
    SchoolListKind,
    SchoolNetwork,
)
from childsafe.orgs.models import Organisation, OrgKind
from childsafe.orgs.roles import Perm, Role, role_has_perm


def _role(user: Any) -> str:
    return getattr(user, "role", "")


def can_manage_policy(user: Any) -> bool:
    return role_has_perm(_role(user), Perm.FILTER_POLICY_MANAGE)


def schools_for_user(user: Any) -> QuerySet[Organisation]:
    schools = Organisation.objects.filter(kind=OrgKind.SCHOOL).order_by("name", "pk")
    role = _role(user)
    if role_has_perm(role, Perm.FILTER_POLICY_VIEW) or role == Role.ICT_OFFICER:
        return schools
    if role_has_perm(role, Perm.FILTER_SCHOOL_MANAGE):
        org_id = getattr(user, "organisation_id", None)
        return schools.filter(pk=org_id) if org_id is not None else schools.none()
    return schools.none()


def get_school_for_user(user: Any, school_id: int) -> Organisation:
    try:
        return schools_for_user(user).get(pk=school_id)
    except Organisation.DoesNotExist:
        raise Http404 from None


def get_own_school_for_user(user: Any) -> Organisation:
    """The school a school IT admin manages: their organisation, if it is a school."""
    if not role_has_perm(_role(user), Perm.FILTER_SCHOOL_MANAGE):
        raise Http404
    org_id = getattr(user, "organisation_id", None)
    if org_id is None:
        raise Http404
    try:
        return Organisation.objects.get(pk=org_id, kind=OrgKind.SCHOOL)
    except Organisation.DoesNotExist:
        raise Http404 from None


def get_allow_request_for_user(user: Any, entry_id: int) -> SchoolListEntry:
    """An allow request, for someone who decides them."""
    if not can_manage_policy(user):
        raise Http404
    try:
        return SchoolListEntry.objects.select_related("school").get(
            pk=entry_id, kind=SchoolListKind.ALLOW
        )
    except SchoolListEntry.DoesNotExist:
        raise Http404 from None


def get_school_entry_for_user(user: Any, entry_id: int) -> SchoolListEntry:
    school = get_own_school_for_user(user)
    try:
        return SchoolListEntry.objects.get(pk=entry_id, school=school)
    except SchoolListEntry.DoesNotExist:
        raise Http404 from None


def get_school_network_for_user(user: Any, network_id: int) -> SchoolNetwork:
    school = get_own_school_for_user(user)
    try:
        return SchoolNetwork.objects.get(pk=network_id, school=school)
    except SchoolNetwork.DoesNotExist:
        raise Http404 from None


def get_category_list_for_user(user: Any, list_id: int) -> CategoryList:
    """A category list, for someone who manages the province's filtering."""
    if not can_manage_policy(user):
        raise Http404
    try:
        return CategoryList.objects.get(pk=list_id)
    except CategoryList.DoesNotExist:
        raise Http404 from None


def query_log_periods_for_user(user: Any) -> QuerySet[QueryLogPeriod]:
    """Query log periods: every school's for ``filter_policy.view``, a school IT admin's
    own school's, else none."""
    periods = QueryLogPeriod.objects.select_related("school", "enabled_by", "ended_early_by")
    role = _role(user)
    if role_has_perm(role, Perm.FILTER_POLICY_VIEW):
        return periods
    if role_has_perm(role, Perm.FILTER_SCHOOL_MANAGE):
        org_id = getattr(user, "organisation_id", None)
        return periods.filter(school_id=org_id) if org_id is not None else periods.none()
    return periods.none()


def get_school_query_log_period_for_user(user: Any, period_id: int) -> QueryLogPeriod:
    """A period of the school IT admin's own school."""
    school = get_own_school_for_user(user)
    try:
        return QueryLogPeriod.objects.get(pk=period_id, school=school)
    except QueryLogPeriod.DoesNotExist:
        raise Http404 from None


def get_query_log_period_for_user(user: Any, period_id: int) -> QueryLogPeriod:
    """Any school's period, for someone who manages the province's filtering (to end it)."""
    if not can_manage_policy(user):
        raise Http404
    try:
        return QueryLogPeriod.objects.get(pk=period_id)
    except QueryLogPeriod.DoesNotExist:
        raise Http404 from None
