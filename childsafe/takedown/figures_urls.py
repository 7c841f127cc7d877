"""Pages of the takedown figures: time to acknowledge and to removal, per provider and
month, with charts and exports."""

from __future__ import annotations

urlpatterns: list = []
