"""API handlers of the cases app: case metadata for partner systems (no personal data)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from childsafe.cases.access import cases_for_user, get_case_for_user
from childsafe.cases.models import AgencyTask, Case, CaseStatus
from childsafe.cases.search import filter_folded
from childsafe.orgs.access import TokenAuth
from childsafe.orgs.roles import Perm

router = Router(tags=["cases"])

MAX_LIMIT = 200


class CaseOut(Schema):
    id: int
    reference: str | None
    category: str
    priority: int
    status: str
    owner_id: int | None
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    outcome: str


class AgencyTaskOut(Schema):
    id: int
    organisation_id: int
    organisation_name: str
    function: str
    status: str
    proposed_at: dt.datetime
    accepted_at: dt.datetime | None
    done_at: dt.datetime | None

    @staticmethod
    def resolve_organisation_name(task: AgencyTask) -> str:
        return task.organisation.name


class CaseDetailOut(CaseOut):
    agency_tasks: list[AgencyTaskOut]

    @staticmethod
    def resolve_agency_tasks(case: Case) -> list[AgencyTask]:
        return list(case.agency_tasks.select_related("organisation"))


@router.get("/cases", response=list[CaseOut], auth=TokenAuth(Perm.CASE_VIEW))
def case_list(
    request: HttpRequest,
    status: CaseStatus | None = None,
    q: str = "",
    limit: int = 50,
    offset: int = 0,
) -> object:
    cases = cases_for_user(request.user)  # type: ignore[arg-type]
    if status:
        cases = cases.filter(status=status)
    if q:
        cases = filter_folded(cases, q)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    return list(cases.order_by("-priority", "opened_at", "pk")[offset : offset + limit])


@router.get("/cases/{case_id}", response=CaseDetailOut, auth=TokenAuth(Perm.CASE_VIEW))
def case_detail(request: HttpRequest, case_id: int) -> object:
    return get_case_for_user(request.user, case_id)  # type: ignore[arg-type]
