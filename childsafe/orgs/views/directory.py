"""Organisations, focal points and user accounts."""

from __future__ import annotations

import csv

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from childsafe.audit.services import audit_record
from childsafe.orgs.access import (
    focal_points_for_user,
    get_focal_point_for_user,
    get_organisation_for_user,
    organisations_for_user,
    staff_required,
)
from childsafe.orgs.models import Function, OrgKind
from childsafe.orgs.roles import Perm
from childsafe.orgs.services import function_resolve, org_successors_on


@staff_required(Perm.ORG_VIEW)
@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    orgs = organisations_for_user(request.user)  # type: ignore[arg-type]
    kind = request.GET.get("kind", "")
    if kind in OrgKind.values:
        orgs = orgs.filter(kind=kind)
    if request.GET.get("ended") != "1":
        orgs = orgs.active_on(today)
    holders = [(f.label, function_resolve(f.value, on=today)) for f in Function]
    return render(
        request,
        "orgs/organisation_list.html",
        {"orgs": orgs, "kinds": OrgKind.choices, "kind": kind, "holders": holders},
    )


@staff_required(Perm.ORG_VIEW)
@require_GET
def organisation_detail(request: HttpRequest, org_id: int) -> HttpResponse:
    org = get_organisation_for_user(request.user, org_id)  # type: ignore[arg-type]
    today = timezone.localdate()
    context = {
        "org": org,
        "children": org.children.all(),
        "assignments": org.function_assignments.select_related("territory"),
        "successions_out": org.successions_out.select_related("successor"),
        "successions_in": org.successions_in.select_related("predecessor"),
        "current": org_successors_on(org, today),
        "today": today,
    }
    return render(request, "orgs/organisation_detail.html", context)


@staff_required(Perm.FOCAL_POINT_VIEW)
@require_GET
def focal_point_list(request: HttpRequest) -> HttpResponse:
    points = focal_points_for_user(request.user)  # type: ignore[arg-type]
    return render(request, "orgs/focal_point_list.html", {"points": points})


@staff_required(Perm.FOCAL_POINT_VIEW)
@require_GET
def focal_point_detail(request: HttpRequest, focal_point_id: int) -> HttpResponse:
    fp = get_focal_point_for_user(request.user, focal_point_id, request=request)  # type: ignore[arg-type]
    return render(request, "orgs/focal_point_detail.html", {"fp": fp})


@staff_required(Perm.FOCAL_POINT_EXPORT)
@require_GET
def focal_point_export(request: HttpRequest) -> HttpResponse:
    """CSV of focal-point contacts (name, unit, title, phone, e-mail), as the ministry asks."""
    points = list(focal_points_for_user(request.user))  # type: ignore[arg-type]
    with transaction.atomic():
        audit_record(
            "focal_point.export",
            actor=request.user,
            object_type="orgs.focalpoint",
            detail={"rows": len(points)},
            request=request,
        )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="focal-points.csv"'
    response.write("\ufeff")  # so spreadsheet programs read UTF-8
    writer = csv.writer(response)
    writer.writerow([_("Full name"), _("Unit"), _("Title"), _("Phone"), _("E-mail")])
    for fp in points:
        writer.writerow([fp.full_name, fp.organisation.name, fp.title, fp.phone, fp.email])
    return response
