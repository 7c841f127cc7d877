"""Administrative units: the one adapter over ``vietnam-provinces``, and the pre-2025 snapshot.

The installed package holds the current (two-tier, from 1 July 2025) units
only. The pre-2025 units the project needs, Quảng Nam's districts and communes,
live in ``orgs/data/quang_nam_2022.json``, with their 2025 successors in
``orgs/data/quang_nam_2022_successors.json``; both files' headers say where
they came from. Nothing else in the project imports ``vietnam_provinces``.

Codes are the official ones, zero-padded as the General Statistics Office
writes them: provinces 2 digits, districts 3, communes and wards 5. Loading is
idempotent: a unit is matched on (era, code), created when missing, updated when
its data changed, and left alone otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import vietnam_provinces
from django.db import transaction
from vietnam_provinces import Province, ProvinceCode, Ward

from childsafe.orgs.models import AdminUnit, UnitEra, UnitLevel

DATA_DIR = Path(__file__).resolve().parent / "data"
QUANG_NAM_SNAPSHOT = DATA_DIR / "quang_nam_2022.json"
QUANG_NAM_SUCCESSORS = DATA_DIR / "quang_nam_2022_successors.json"

CURRENT_SOURCE = f"vietnam-provinces {vietnam_provinces.__version__}"
REFORM_DAY = dt.date(2025, 7, 1)
LAST_PRE_REFORM_DAY = REFORM_DAY - dt.timedelta(days=1)
DA_NANG = 48
QUANG_NAM = 49

_CODE_WIDTH = {UnitLevel.PROVINCE: 2, UnitLevel.DISTRICT: 3, UnitLevel.COMMUNE: 5}


class UnitsError(Exception):
    """A unit load that cannot go ahead (unknown province, missing successors)."""


@dataclass
class LoadResult:
    """How many units a load created, updated and found already up to date."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def add(self, other: LoadResult) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged


def unit_code(code: int, level: str) -> str:
    """The official code as stored: ``48`` for a province, ``00004`` for a ward."""
    return f"{int(code):0{_CODE_WIDTH[UnitLevel(level)]}d}"


def current_province_codes() -> list[int]:
    """Codes of the 34 provinces and cities in the installed package."""
    return sorted(int(p.code) for p in Province.iter_all())


def current_province_name(province_code: int) -> str:
    try:
        return Province.from_code(ProvinceCode(province_code)).name
    except ValueError:
        raise UnitsError(_unknown_province_message(province_code)) from None


def _unknown_province_message(province_code: int) -> str:
    codes = ", ".join(str(c) for c in current_province_codes())
    return f"unknown province code {province_code}; the 2025 province codes are {codes}"


def _upsert(era: str, rows: list[dict[str, Any]]) -> tuple[dict[str, AdminUnit], LoadResult]:
    """Create or update ``rows`` (field values keyed by name, ``code`` included) of one era."""
    codes = [row["code"] for row in rows]
    existing = {u.code: u for u in AdminUnit.objects.filter(era=era, code__in=codes)}
    result = LoadResult()
    to_create: list[AdminUnit] = []
    to_update: list[AdminUnit] = []
    changed_fields: set[str] = set()
    for row in rows:
        unit = existing.get(row["code"])
        if unit is None:
            to_create.append(AdminUnit(era=era, **row))
            continue
        changed = {name for name, value in row.items() if getattr(unit, name) != value}
        if changed:
            for name in changed:
                setattr(unit, name, row[name])
            to_update.append(unit)
            changed_fields |= changed
        else:
            result.unchanged += 1
    AdminUnit.objects.bulk_create(to_create)
    if to_update:
        AdminUnit.objects.bulk_update(to_update, sorted(changed_fields))
    result.created, result.updated = len(to_create), len(to_update)
    units = {u.code: u for u in AdminUnit.objects.filter(era=era, code__in=codes)}
    return units, result


def units_load_current(province_code: int = DA_NANG) -> LoadResult:
    """Load one province's 2025 units (the province and its communes and wards)."""
    try:
        province = Province.from_code(ProvinceCode(province_code))
    except ValueError:
        raise UnitsError(_unknown_province_message(province_code)) from None
    common = {"valid_from": REFORM_DAY, "valid_to": None, "source": CURRENT_SOURCE}
    province_unit_code = unit_code(province.code, UnitLevel.PROVINCE)
    province_row = {
        "code": province_unit_code,
        "name": province.name,
        "level": UnitLevel.PROVINCE,
        "parent_id": None,
        **common,
    }
    with transaction.atomic():
        units, result = _upsert(UnitEra.FROM_2025, [province_row])
        parent = units[province_unit_code]
        ward_rows = [
            {
                "code": unit_code(ward.code, UnitLevel.COMMUNE),
                "name": ward.name,
                "level": UnitLevel.COMMUNE,
                "parent_id": parent.pk,
                **common,
            }
            for ward in Ward.iter_by_province(province.code)
        ]
        _units, wards_result = _upsert(UnitEra.FROM_2025, ward_rows)
        result.add(wards_result)
    return result


@cache
def _read_json(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def quang_nam_snapshot() -> dict[str, Any]:
    """The pre-2025 Quảng Nam units: ``header``, ``province``, ``districts``, ``communes``."""
    return _read_json(QUANG_NAM_SNAPSHOT)


def quang_nam_successors() -> dict[str, Any]:
    """The 2025 successors of the Quảng Nam communes: ``header``, ``communes``, ``unmapped``."""
    return _read_json(QUANG_NAM_SUCCESSORS)


def units_load_quang_nam_2022() -> LoadResult:
    """Load Quảng Nam's pre-2025 province, districts and communes, linked to their successors.

    Needs the 2025 units of Đà Nẵng (48) loaded first. The province and its
    districts are succeeded by Đà Nẵng city; each commune by the 2025 commune
    or ward the conversion table names, or by the city when it names none.
    """
    snapshot = quang_nam_snapshot()
    successors = quang_nam_successors()
    header = snapshot["header"]
    source = (
        f"{header['source_package']} {header['source_version']} "
        f"({header['source_file']}), snapshot orgs/data/{QUANG_NAM_SNAPSHOT.name}"
    )
    common = {"valid_from": None, "valid_to": LAST_PRE_REFORM_DAY, "source": source}
    new_province_code = unit_code(successors["province"]["new"], UnitLevel.PROVINCE)
    with transaction.atomic():
        new_province = AdminUnit.objects.filter(
            era=UnitEra.FROM_2025, code=new_province_code
        ).first()
        if new_province is None:
            raise UnitsError(
                f"load the 2025 units of province {new_province_code} first: "
                f"childsafe load-units --province {int(new_province_code)}"
            )
        new_ids = dict(
            AdminUnit.objects.filter(era=UnitEra.FROM_2025, parent=new_province).values_list(
                "code", "pk"
            )
        )
        commune_successor: dict[str, int] = {}
        for entry in successors["communes"]:
            new_code = unit_code(entry["new"], UnitLevel.COMMUNE)
            if new_code not in new_ids:
                raise UnitsError(
                    f"successor {new_code} ({entry['new_name']}) of commune {entry['old']} "
                    f"is not among the 2025 units of province {new_province_code}"
                )
            commune_successor[unit_code(entry["old"], UnitLevel.COMMUNE)] = new_ids[new_code]

        old_province_code = unit_code(snapshot["province"]["code"], UnitLevel.PROVINCE)
        province_row = {
            "code": old_province_code,
            "name": snapshot["province"]["name"],
            "level": UnitLevel.PROVINCE,
            "parent_id": None,
            "successor_id": new_province.pk,
            **common,
        }
        units, result = _upsert(UnitEra.PRE_2025, [province_row])
        province_id = units[old_province_code].pk

        district_rows = [
            {
                "code": unit_code(d["code"], UnitLevel.DISTRICT),
                "name": d["name"],
                "level": UnitLevel.DISTRICT,
                "parent_id": province_id,
                "successor_id": new_province.pk,
                **common,
            }
            for d in snapshot["districts"]
        ]
        districts, districts_result = _upsert(UnitEra.PRE_2025, district_rows)
        result.add(districts_result)

        commune_rows = []
        for c in snapshot["communes"]:
            code = unit_code(c["code"], UnitLevel.COMMUNE)
            commune_rows.append(
                {
                    "code": code,
                    "name": c["name"],
                    "level": UnitLevel.COMMUNE,
                    "parent_id": districts[unit_code(c["district_code"], UnitLevel.DISTRICT)].pk,
                    "successor_id": commune_successor.get(code, new_province.pk),
                    **common,
                }
            )
        _communes, communes_result = _upsert(UnitEra.PRE_2025, commune_rows)
        result.add(communes_result)
    return result
