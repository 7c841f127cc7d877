"""A user's own API tokens."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from childsafe.orgs.access import staff_required
from childsafe.orgs.forms import ApiTokenForm
from childsafe.orgs.models import ApiToken
from childsafe.orgs.roles import Perm
from childsafe.orgs.services import api_token_create, api_token_revoke


@staff_required(Perm.API_TOKEN_MANAGE)
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        _token, new_secret = api_token_create(
            request.user,
            name=form.cleaned_data["name"],
            actor=request.user,  # type: ignore[arg-type]
        )
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    status = 400 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "orgs/token_list.html",
        {"form": form, "tokens": tokens, "new_secret": new_secret},
        status=status,
    )


@staff_required(Perm.API_TOKEN_MANAGE)
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = ApiToken.objects.filter(user=request.user, pk=token_id).first()
    if token is None:
        raise Http404
    api_token_revoke(token, actor=request.user)
    return redirect("orgs-token-list")
