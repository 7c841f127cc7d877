"""User accounts: list (scoped), create, deactivate, reset two-factor."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from childsafe.orgs.access import scope_queryset, staff_required, user_has_perm
from childsafe.orgs.forms import UserCreateForm
from childsafe.orgs.models import User
from childsafe.orgs.roles import Perm
from childsafe.orgs.services import OrgError, user_create, user_reset_two_factor, user_set_active


def _get_user_for_admin(request: HttpRequest, user_id: int) -> User:
    try:
        return scope_queryset(User.objects.all(), request.user).get(pk=user_id)  # type: ignore[arg-type]
    except User.DoesNotExist:
        raise Http404 from None


@staff_required(Perm.USER_VIEW)
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    users = scope_queryset(
        User.objects.select_related("organisation").order_by("username"),
        request.user,  # type: ignore[arg-type]
    )
    can_manage = user_has_perm(request.user, Perm.USER_MANAGE)
    return render(request, "orgs/user_list.html", {"users": users, "can_manage": can_manage})


@staff_required(Perm.USER_MANAGE)
@require_http_methods(["GET", "POST"])
def user_create_view(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = user_create(
            username=data["username"],
            role=data["role"],
            organisation=data["organisation"],
            full_name=data["full_name"],
            email=data["email"],
            password=data["password"],
            actor=request.user,
        )
        messages.success(request, _("Account %(name)s created.") % {"name": user.username})
        return redirect("orgs-user-detail", user_id=user.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "orgs/user_create.html", {"form": form}, status=status)


@staff_required(Perm.USER_MANAGE)
@require_GET
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    target = _get_user_for_admin(request, user_id)
    has_device = TOTPDevice.objects.filter(user=target, confirmed=True).exists()
    return render(request, "orgs/user_detail.html", {"target": target, "has_device": has_device})


@staff_required(Perm.USER_MANAGE)
@require_POST
def user_toggle_active(request: HttpRequest, user_id: int) -> HttpResponse:
    target = _get_user_for_admin(request, user_id)
    try:
        user_set_active(target, is_active=not target.is_active, actor=request.user)
    except OrgError:
        messages.error(request, _("You cannot deactivate your own account."))
        return redirect("orgs-user-detail", user_id=target.pk)
    return redirect("orgs-user-detail", user_id=target.pk)


@staff_required(Perm.USER_MANAGE)
@require_POST
def user_reset_2fa(request: HttpRequest, user_id: int) -> HttpResponse:
    target = _get_user_for_admin(request, user_id)
    user_reset_two_factor(target, actor=request.user)
    messages.success(request, _("Two-factor login reset: the user enrols again at next login."))
    return redirect("orgs-user-detail", user_id=target.pk)
