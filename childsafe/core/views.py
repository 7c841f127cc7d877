"""Home page, dashboard and health check."""

from __future__ import annotations

from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from childsafe import __version__
from childsafe.orgs.access import organisations_for_user, public, staff_required
from childsafe.orgs.models import OrgKind
from childsafe.orgs.roles import Perm


@public
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@public
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        db = {"status": "ok", "vendor": connection.vendor}
        status = 200
    except DatabaseError as exc:
        db = {"status": "error", "vendor": connection.vendor, "error": type(exc).__name__}
        status = 503
    return JsonResponse(
        {"status": "ok" if status == 200 else "error", "version": __version__, "database": db},
        status=status,
    )


@staff_required(Perm.DASHBOARD_VIEW)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    orgs = organisations_for_user(request.user).active_on(today)  # type: ignore[arg-type]
    counts = {kind: 0 for kind in OrgKind.values}
    for kind in orgs.values_list("kind", flat=True):
        counts[kind] += 1
    by_kind = [(OrgKind(kind).label, n) for kind, n in counts.items() if n]
    return render(
        request,
        "core/dashboard.html",
        {"org_total": sum(counts.values()), "by_kind": by_kind, "today": today},
    )
