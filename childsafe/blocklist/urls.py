"""Pages of the blocklist app: the authority list and the block page."""

from __future__ import annotations

urlpatterns: list = []
