"""The JSON API at /api/v1/ (django-ninja; OpenAPI 3 at /api/v1/openapi.json).

Handlers are as thin as views: authentication and permission come from
``childsafe.orgs.access.TokenAuth(perm)``; scoped objects come from ``childsafe.orgs.access``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from childsafe.audit.api import router as audit_router
from childsafe.blocklist.api import router as blocklist_router
from childsafe.cases.api import router as cases_router
from childsafe.orgs.api import router as orgs_router
from childsafe.reports.api import router as reports_router
from childsafe.takedown.api import router as takedown_router

api = NinjaAPI(
    title="ChildSafe API",
    version="1",
    description="Reports, cases, takedown orders and programme data for the child online "
    "safety programme. Authenticate with `Authorization: Bearer <token>`.",
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> Any:
    errors = [
        {
            "field": ".".join(
                str(p) for p in e.get("loc", []) if p not in ("body", "query", "path")
            ),
            "message": e.get("msg", ""),
        }
        for e in exc.errors
    ]
    return api.create_response(
        request, {"detail": _("The request is not valid."), "errors": errors}, status=422
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> Any:
    return api.create_response(
        request, {"detail": _("A valid API token is required.")}, status=401
    )


api.add_router("/", orgs_router)
api.add_router("/audit", audit_router)
api.add_router("/", reports_router)
api.add_router("/", cases_router)
api.add_router("/provider", takedown_router)
api.add_router("/blocklist", blocklist_router)
