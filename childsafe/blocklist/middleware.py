"""The block page host: every request for ``CHILDSAFE_BLOCK_PAGE_HOST`` gets the block page.

In the RPZ's CNAME mode, resolvers answer blocked names with a CNAME to that host, so
browsers asking for a blocked site reach it. A reverse proxy's catch-all virtual host
forwards those requests to the web app with ``Host`` set to the block page host (the
browser asked for the blocked name, which ``ALLOWED_HOSTS`` does not list) and may pass
the blocked name in ``X-Forwarded-Host``. The host must be in ``ALLOWED_HOSTS``, like
any other: a request for it otherwise gets Django's 400.

Placed right after WhiteNoise, so the block page's stylesheet is served on that host too.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from childsafe.blocklist.views import block_host_page


def _requested_host(request: HttpRequest) -> str:
    host = request.META.get("HTTP_HOST", "").lower()
    if host.startswith("["):
        return host  # an IPv6 literal is never the block page host
    return host.rsplit(":", 1)[0].rstrip(".")


class BlockPageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        block_host = settings.CHILDSAFE_BLOCK_PAGE_HOST.lower().rstrip(".")
        if block_host and _requested_host(request) == block_host:
            request.get_host()  # DisallowedHost (400) unless ALLOWED_HOSTS lists it
            return block_host_page(request)
        return self.get_response(request)
