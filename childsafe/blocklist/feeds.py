"""The blocklist feeds at ``/feeds/``: RPZ, hosts, plain and JSON forms of the
authority list, for providers, schools and resolvers, authenticated by token."""

from __future__ import annotations

from ninja import NinjaAPI

feeds_api = NinjaAPI(
    title="ChildSafe feeds",
    urls_namespace="feeds",
    docs_url=None,
    openapi_url=None,
)
