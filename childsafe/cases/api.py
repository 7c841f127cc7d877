"""API handlers of the cases app."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["cases"])
