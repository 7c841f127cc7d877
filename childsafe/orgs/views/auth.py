"""Login with password, then TOTP two-factor for roles that need it."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from childsafe.audit.services import audit_record
from childsafe.orgs.access import login_only, public
from childsafe.orgs.forms import OtpForm


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Shown by django-axes when too many logins failed."""
    return render(request, "orgs/login_locked.html", status=429)


@public
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = AuthenticationForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        login(request, user)
        if user.needs_two_factor:  # type: ignore[attr-defined]
            request.session["after_2fa"] = _next_url(request)
            return redirect("orgs-2fa")
        return redirect(_next_url(request))
    status = 400 if request.method == "POST" else 200
    return render(
        request, "orgs/login.html", {"form": form, "next": _next_url(request)}, status=status
    )


@public
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("core-home")


@login_only
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Verify a TOTP code; a user without a confirmed device enrols first."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device, _created = TOTPDevice.objects.get_or_create(
            user=user, confirmed=False, defaults={"name": "authenticator"}
        )
    form = OtpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        assert device is not None
        if device.verify_is_allowed()[0] and device.verify_token(
            form.cleaned_data["code"].strip()
        ):
            with transaction.atomic():
                if enrolling:
                    device.confirmed = True
                    device.save(update_fields=["confirmed"])
                    audit_record("auth.2fa_enrolled", actor=user, obj=user, request=request)
                otp_login(request, device)
                audit_record("auth.2fa_verified", actor=user, obj=user, request=request)
            return redirect(request.session.pop("after_2fa", settings.LOGIN_REDIRECT_URL))
        form.add_error("code", _("This code is not valid. Wait for the next code and try again."))
    context: dict[str, Any] = {"form": form, "enrolling": enrolling}
    if enrolling:
        assert device is not None
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4)
        context["secret"] = device.config_url.split("secret=")[1].split("&")[0]
    status = 400 if request.method == "POST" else 200
    return render(request, "orgs/two_factor.html", context, status=status)
