"""Pages of persons of interest: police only (``poi.view``, ``poi.manage``).

Every other role gets 403 from the decorator; a person recorded outside the user's
organisation (and the units below it) is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from childsafe.audit.services import audit_record
from childsafe.cases.access import get_poi_for_user, pois_for_user, staff_user
from childsafe.cases.forms import IdentifierForm, PoiForm
from childsafe.cases.models import PoiMatch
from childsafe.cases.services import CaseError, poi_create, poi_identifier_add
from childsafe.orgs.access import staff_required, user_has_perm
from childsafe.orgs.roles import Perm


@staff_required(Perm.POI_VIEW)
@require_http_methods(["GET", "POST"])
def poi_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = PoiForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not user_has_perm(user, Perm.POI_MANAGE):
            raise PermissionDenied
        if form.is_valid():
            person = poi_create(**form.cleaned_data, actor=user)
            messages.success(request, _("Person of interest recorded."))
            return redirect("cases-poi-detail", poi_id=person.pk)
    people = pois_for_user(user).select_related("organisation")
    return render(
        request,
        "cases/poi_list.html",
        {"form": form, "people": people},
        status=400 if request.method == "POST" else 200,
    )


@staff_required(Perm.POI_VIEW)
@require_http_methods(["GET", "POST"])
def poi_detail(request: HttpRequest, poi_id: int) -> HttpResponse:
    user = staff_user(request)
    person = get_poi_for_user(user, poi_id)
    form = IdentifierForm(request.POST if request.method == "POST" else None)
    error = ""
    if request.method == "POST":
        if not user_has_perm(user, Perm.POI_MANAGE):
            raise PermissionDenied
        if form.is_valid():
            try:
                poi_identifier_add(person, **form.cleaned_data, actor=user)
            except CaseError as exc:
                error = str(exc)
            else:
                messages.success(request, _("Identifier added."))
                return redirect("cases-poi-detail", poi_id=person.pk)
    else:
        audit_record("poi.view", actor=user, obj=person, request=request)
    matches = PoiMatch.objects.filter(person=person).select_related("case", "identifier")
    return render(
        request,
        "cases/poi_detail.html",
        {
            "person": person,
            "identifiers": person.identifiers.all(),
            "matches": matches,
            "form": form,
            "error": error,
        },
        status=400 if request.method == "POST" else 200,
    )
