"""API handlers for the caller, organisations and function holders."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, When
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from childsafe.orgs.access import TokenAuth, get_organisation_for_user, organisations_for_user
from childsafe.orgs.models import AdminUnit, Function, UnitEra
from childsafe.orgs.roles import Perm
from childsafe.orgs.services import function_resolve

router = Router(tags=["organisations"])


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    organisation_id: int | None


class OrganisationOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    school_level: str
    provider_kind: str
    parent_id: int | None
    effective_from: dt.date | None
    effective_to: dt.date | None


class FunctionHolderOut(Schema):
    function: Function
    on: dt.date
    organisation: OrganisationOut | None


@router.get("/me", response=MeOut, auth=TokenAuth(Perm.DASHBOARD_VIEW))
def me(request: HttpRequest) -> object:
    return request.user


@router.get("/organisations", response=list[OrganisationOut], auth=TokenAuth(Perm.ORG_VIEW))
def organisation_list(request: HttpRequest, kind: str | None = None) -> object:
    qs = organisations_for_user(request.user)  # type: ignore[arg-type]
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs)


@router.get("/organisations/{org_id}", response=OrganisationOut, auth=TokenAuth(Perm.ORG_VIEW))
def organisation_detail(request: HttpRequest, org_id: int) -> object:
    return get_organisation_for_user(request.user, org_id)  # type: ignore[arg-type]


@router.get(
    "/functions/{function}/holder", response=FunctionHolderOut, auth=TokenAuth(Perm.ORG_VIEW)
)
def function_holder(
    request: HttpRequest, function: Function, on: dt.date | None = None, unit: str | None = None
) -> object:
    day = on or timezone.localdate()
    territory = None
    if unit:
        # Current units first: a code may exist in both eras.
        territory = (
            AdminUnit.objects.filter(code=unit)
            .order_by(Case(When(era=UnitEra.FROM_2025, then=0), default=1))
            .first()
        )
    return {
        "function": function,
        "on": day,
        "organisation": function_resolve(function, on=day, territory=territory),
    }
