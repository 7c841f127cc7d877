"""Pages of the takedown app: orders for ICT officers, the provider portal, the
provider register."""

from __future__ import annotations

urlpatterns: list = []
