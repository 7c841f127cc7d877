"""Provider API: ``/api/v1/provider/orders`` and the acknowledge, done and refuse
calls. A provider's token sees only the orders addressed to its own company."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["provider orders"])
