"""``childsafe load-units``: load administrative units into the project's tables."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from childsafe.audit.services import audit_record
from childsafe.orgs.units import (
    DA_NANG,
    LoadResult,
    UnitsError,
    current_province_name,
    units_load_current,
    units_load_quang_nam_2022,
)


class Command(BaseCommand):
    help = (
        "Load one province's 2025 units from vietnam-provinces and, unless --no-legacy-quang-nam, "
        "the pre-2025 Quảng Nam districts and communes with their 2025 successors. "
        "Safe to run again: it only creates or updates what changed."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--province",
            type=int,
            default=DA_NANG,
            help="2025 province code to load (default %(default)s, Đà Nẵng city)",
        )
        parser.add_argument(
            "--legacy-quang-nam",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="also load the pre-2025 Quảng Nam snapshot (needs Đà Nẵng, loaded if missing)",
        )

    def handle(self, *args: Any, province: int, legacy_quang_nam: bool, **options: Any) -> None:
        provinces = [province]
        if legacy_quang_nam and province != DA_NANG:
            provinces.append(DA_NANG)  # the snapshot's successors are Đà Nẵng's units
        loaded: dict[str, dict[str, int]] = {}
        try:
            with transaction.atomic():
                for code in provinces:
                    label = f"{current_province_name(code)} ({code}), 2025 units"
                    loaded[str(code)] = self._report(label, units_load_current(code))
                if legacy_quang_nam:
                    label = "Tỉnh Quảng Nam (49), pre-2025 snapshot"
                    loaded["49-pre2025"] = self._report(label, units_load_quang_nam_2022())
                audit_record(
                    "units.load", actor="load-units", object_type="orgs.adminunit", detail=loaded
                )
        except UnitsError as e:
            raise CommandError(str(e)) from e

    def _report(self, label: str, result: LoadResult) -> dict[str, int]:
        self.stdout.write(
            f"{label}: {result.total} units "
            f"({result.created} created, {result.updated} updated, {result.unchanged} unchanged)"
        )
        return {
            "total": result.total,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
