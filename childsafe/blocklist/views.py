"""Pages of the authority list, and the block page.

- ``/blocklist/``: the entries, with filters (``blocklist.view``);
- ``/blocklist/new/``: add an entry by hand (``blocklist.manage``);
- ``/blocklist/<id>/``: one entry, with the form that lifts it;
- ``POST /blocklist/<id>/lift/``: lift it with a decision (``blocklist.manage``);
- the block page, public: at ``/chan/`` (``/en/blocked/``) on the main site, and at any
  path of ``CHILDSAFE_BLOCK_PAGE_HOST`` (``BlockPageMiddleware``), where blocked names
  land when the RPZ answers with a CNAME to it.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from childsafe.blocklist import services
from childsafe.blocklist.access import can_manage_blocklist, entries_for_user, get_entry_for_user
from childsafe.blocklist.forms import EntryFilterForm, EntryForm, EntryStatus, LiftForm
from childsafe.blocklist.models import AuthorityEntry
from childsafe.lib.domains import InvalidDomain, domain_display, normalise_domain
from childsafe.orgs.access import public, staff_required
from childsafe.orgs.roles import Perm

PAGE_SIZE = 50
# What a reverse proxy in front of the block page host sets to the name the browser
# asked for; shown on the page when it is a valid domain, and used for nothing else.
BLOCKED_HOST_HEADER = "X-Forwarded-Host"


def _filtered(form: EntryFilterForm, entries: QuerySet[AuthorityEntry]) -> Any:
    data = form.cleaned_data if form.is_valid() else {}
    now = timezone.now()
    status = data.get("status") or EntryStatus.ACTIVE
    if status == EntryStatus.ACTIVE:
        entries = entries.active(now)  # type: ignore[attr-defined]
    elif status == EntryStatus.LIFTED:
        entries = entries.filter(lifted_at__isnull=False)
    elif status == EntryStatus.EXPIRED:
        entries = entries.filter(lifted_at__isnull=True, expires_at__lte=now)
    if data.get("kind"):
        entries = entries.filter(kind=data["kind"])
    if data.get("source"):
        entries = entries.filter(source=data["source"])
    q = (data.get("q") or "").strip()
    if q:
        terms = {q}
        with contextlib.suppress(UnicodeError):  # names with Vietnamese letters: punycode
            terms.add(q.encode("idna").decode("ascii"))
        match = Q()
        for term in terms:
            match |= Q(value__icontains=term) | Q(source_ref__icontains=term)
        entries = entries.filter(match)
    return entries.order_by("-added_at", "-pk")


@staff_required(Perm.BLOCKLIST_VIEW)
@require_GET
def entry_list(request: HttpRequest) -> HttpResponse:
    form = EntryFilterForm(request.GET)
    entries = _filtered(form, entries_for_user(request.user))
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "blocklist/entry_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_manage": can_manage_blocklist(request.user),
            "now": timezone.now(),
        },
    )


@staff_required(Perm.BLOCKLIST_MANAGE)
@require_http_methods(["GET", "POST"])
def entry_create(request: HttpRequest) -> HttpResponse:
    form = EntryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.entry_add(actor=request.user, **form.cleaned_data)
        except services.BlocklistError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The entry is on the authority list."))
            return redirect("blocklist-entry-detail", entry_id=entry.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "blocklist/entry_create.html", {"form": form}, status=status)


def _detail(
    request: HttpRequest, entry: AuthorityEntry, lift_form: LiftForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "blocklist/entry_detail.html",
        {
            "entry": entry,
            "display": domain_display(entry.host),
            "is_active": entry.is_active(),
            "can_manage": can_manage_blocklist(request.user),
            "lift_form": lift_form,
            "now": timezone.now(),
        },
        status=status,
    )


@staff_required(Perm.BLOCKLIST_VIEW)
@require_GET
def entry_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_entry_for_user(request.user, entry_id)
    return _detail(request, entry, LiftForm())


@staff_required(Perm.BLOCKLIST_MANAGE)
@require_POST
def entry_lift(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_entry_for_user(request.user, entry_id)
    form = LiftForm(request.POST)
    if not form.is_valid():
        return _detail(request, entry, form, status=400)
    try:
        services.entry_lift(entry, actor=request.user, decision=form.cleaned_data["decision"])
    except services.BlocklistError as exc:
        form.add_error("decision" if exc.field == "decision" else None, exc.message)
        return _detail(request, entry, form, status=409 if exc.code == "inactive" else 400)
    messages.success(request, _("The entry is lifted."))
    return redirect("blocklist-entry-detail", entry_id=entry.pk)


# --- The block page ----------------------------------------------------------------------


def _block_context(request: HttpRequest, report_url: str) -> dict[str, Any]:
    return {
        "report_url": report_url,
        "home_url": settings.CHILDSAFE_PUBLIC_URL + "/",
    }


@public
@never_cache
@require_http_methods(["GET", "HEAD"])
def block_page(request: HttpRequest) -> HttpResponse:
    """The block page on the main site: what blocking means and what to do."""
    context = _block_context(request, reverse("reports-report-create"))
    return render(request, "blocklist/block_page.html", context)


@public
@never_cache
def block_host_page(request: HttpRequest) -> HttpResponse:
    """The answer of the block page host to any request: 451 Unavailable For Legal
    Reasons (RFC 7725), in Vietnamese, or in English under ``/en/``. It never shows the
    path or query asked for (they may carry personal data); it shows the blocked name
    when the reverse proxy passes it on and it is a valid domain."""
    language = "en" if request.path_info.startswith("/en/") else settings.LANGUAGE_CODE
    with translation.override(language):
        report_url = settings.CHILDSAFE_PUBLIC_URL + reverse("reports-report-create")
        context = _block_context(request, report_url)
        context["blocked_host"] = _blocked_host(request)
        context["other_language_url"] = "/" if language == "en" else "/en/"
        context["LANGUAGE_CODE"] = language
        response = render(request, "blocklist/block_host_page.html", context, status=451)
    response["Link"] = f'<{settings.CHILDSAFE_PUBLIC_URL}/>; rel="blocked-by"'
    response["Content-Language"] = language
    return response


def _blocked_host(request: HttpRequest) -> str:
    raw = request.headers.get(BLOCKED_HOST_HEADER, "").split(",")[0].strip()
    host = raw.rsplit(":", 1)[0] if raw.count(":") == 1 else raw
    if not host:
        return ""
    try:
        return domain_display(normalise_domain(host))
    except InvalidDomain:
        return ""
