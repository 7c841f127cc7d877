"""The permission layer: the only place views and API handlers ask who may do what.

Every view carries one of three decorators, which also label it for the
role-by-endpoint matrix test (``childsafe/core/tests/test_role_matrix.py``):

- ``public``: anyone, logged in or not;
- ``login_only``: any logged-in user, before two-factor login (the 2FA pages);
- ``staff_required(perm)``: logged in, two-factor verified where the role
  needs it, and the role holds ``perm``.

API operations authenticate with ``TokenAuth(perm)``, which the same test reads, or,
for the few operations open to anonymous callers (report submission and status),
``OptionalTokenAuth(perm)``: no token passes as anonymous, a token must be valid.

Scoped objects are loaded with ``get_<thing>_for_user``, which answers 404 for
records that are missing and records outside the user's scope alike.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer

from childsafe.audit.services import audit_record
from childsafe.orgs.models import FocalPoint, Organisation, User
from childsafe.orgs.roles import PROVINCE_WIDE_ROLES, role_has_perm
from childsafe.orgs.services import api_token_authenticate, org_descendant_ids

View = Callable[..., HttpResponse]
ACCESS_ATTR = "childsafe_access"


def public(view: View) -> View:
    setattr(view, ACCESS_ATTR, "public")
    return view


def is_fully_logged_in(user: Any) -> bool:
    """Logged in, and two-factor verified if the role requires it."""
    if not user.is_authenticated or not user.is_active:
        return False
    return not (user.needs_two_factor and not user.is_verified())


def user_has_perm(user: Any, perm: str) -> bool:
    return is_fully_logged_in(user) and role_has_perm(user.role, perm)


def login_only(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    setattr(wrapper, ACCESS_ATTR, "login")
    return wrapper


def staff_required(perm: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user: Any = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.needs_two_factor and not user.is_verified():
                return redirect("orgs-2fa")
            if not role_has_perm(user.role, perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        setattr(wrapper, ACCESS_ATTR, perm)
        return wrapper

    return decorator


class TokenAuth(HttpBearer):
    """API authentication: a bearer token whose user's role must hold ``perm``."""

    def __init__(self, perm: str) -> None:
        super().__init__()
        self.perm = perm

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is None:
            return None
        if not role_has_perm(user.role, self.perm):
            raise HttpError(403, _("Your role may not use this endpoint."))
        request.user = user
        return user


class OptionalTokenAuth(HttpBearer):
    """API authentication for operations anonymous callers may use too.

    Without an ``Authorization`` header the caller passes as ``AnonymousUser``
    (``request.auth``); with one, the token must be valid (else 401) and its user's
    role must hold ``perm`` (else 403), exactly as with ``TokenAuth``.
    """

    def __init__(self, perm: str) -> None:
        super().__init__()
        self.perm = perm

    def __call__(self, request: HttpRequest) -> Any:
        if not request.headers.get(self.header):
            return AnonymousUser()
        user = super().__call__(request)
        if user is None:
            raise AuthenticationError
        return user

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return TokenAuth(self.perm).authenticate(request, token)


def org_scope_ids(user: User) -> set[int] | None:
    """Ids of organisations whose records ``user`` may see; ``None`` means all."""
    if user.role in PROVINCE_WIDE_ROLES:
        return None
    if user.organisation_id is None:
        return set()
    return org_descendant_ids({user.organisation_id})


def scope_queryset(qs: QuerySet[Any], user: User, field: str = "organisation") -> QuerySet[Any]:
    ids = org_scope_ids(user)
    if ids is None:
        return qs
    return qs.filter(**{f"{field}__in": ids})


def organisations_for_user(user: User) -> QuerySet[Organisation]:
    ids = org_scope_ids(user)
    qs = Organisation.objects.select_related("parent", "admin_unit")
    return qs if ids is None else qs.filter(Q(pk__in=ids))


def get_organisation_for_user(user: User, org_id: int) -> Organisation:
    try:
        return organisations_for_user(user).get(pk=org_id)
    except Organisation.DoesNotExist:
        raise Http404 from None


def focal_points_for_user(user: User) -> QuerySet[FocalPoint]:
    return scope_queryset(FocalPoint.objects.select_related("organisation"), user)


def get_focal_point_for_user(
    user: User, focal_point_id: int, *, request: HttpRequest | None = None
) -> FocalPoint:
    """Load a focal point's contact details; every such view is audited."""
    try:
        fp = focal_points_for_user(user).get(pk=focal_point_id)
    except FocalPoint.DoesNotExist:
        raise Http404 from None
    audit_record("focal_point.view", actor=user, obj=fp, request=request)
    return fp
