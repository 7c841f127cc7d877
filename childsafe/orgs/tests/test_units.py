import datetime as dt

import pytest
from vietnam_provinces import ProvinceCode, Ward

from childsafe.orgs.models import AdminUnit, UnitEra, UnitLevel
from childsafe.orgs.units import (
    CURRENT_SOURCE,
    UnitsError,
    current_province_codes,
    quang_nam_snapshot,
    quang_nam_successors,
    unit_code,
    units_load_current,
    units_load_quang_nam_2022,
)

# vietnam-provinces 2025.10.1 lists 94 communes and wards in Đà Nẵng city; the
# snapshot holds Quảng Nam's 17 districts and 234 communes.
DA_NANG_UNITS = 1 + 94
QUANG_NAM_UNITS = 1 + 17 + 234


def unit(era, code):
    return AdminUnit.objects.select_related("parent", "successor").get(era=era, code=code)


def test_unit_codes_are_zero_padded_as_the_statistics_office_writes_them():
    assert unit_code(1, UnitLevel.PROVINCE) == "01"
    assert unit_code(48, UnitLevel.PROVINCE) == "48"
    assert unit_code(502, UnitLevel.DISTRICT) == "502"
    assert unit_code(4, UnitLevel.COMMUNE) == "00004"


def test_the_package_holds_the_34_provinces_of_2025():
    codes = current_province_codes()
    assert len(codes) == 34
    assert 48 in codes
    assert 49 not in codes


@pytest.mark.django_db
def test_it_loads_da_nang_city_and_its_communes():
    result = units_load_current()

    assert (result.created, result.updated, result.unchanged) == (DA_NANG_UNITS, 0, 0)
    city = unit(UnitEra.FROM_2025, "48")
    assert city.name == "Thành phố Đà Nẵng"
    assert city.level == UnitLevel.PROVINCE
    assert city.parent is None
    assert city.valid_from == dt.date(2025, 7, 1)
    assert city.valid_to is None
    assert city.source == CURRENT_SOURCE == "vietnam-provinces 2025.10.1"
    wards = AdminUnit.objects.filter(era=UnitEra.FROM_2025, level=UnitLevel.COMMUNE)
    assert wards.count() == DA_NANG_UNITS - 1
    assert set(wards.values_list("parent_id", flat=True)) == {city.pk}
    assert all(len(code) == 5 for code in wards.values_list("code", flat=True))
    assert unit(UnitEra.FROM_2025, "20341").name == "Phường Tam Kỳ"


@pytest.mark.django_db
def test_loading_again_changes_nothing():
    units_load_current()
    result = units_load_current()

    assert (result.created, result.updated, result.unchanged) == (0, 0, DA_NANG_UNITS)
    assert AdminUnit.objects.count() == DA_NANG_UNITS


@pytest.mark.django_db
def test_loading_again_restores_a_changed_unit():
    units_load_current()
    AdminUnit.objects.filter(era=UnitEra.FROM_2025, code="20341").update(name="Tam Kỳ (sửa)")

    result = units_load_current()

    assert (result.created, result.updated) == (0, 1)
    assert unit(UnitEra.FROM_2025, "20341").name == "Phường Tam Kỳ"


@pytest.mark.django_db
def test_it_loads_another_province_without_code_clashes():
    units_load_current(48)
    units_load_current(1)

    hanoi = unit(UnitEra.FROM_2025, "01")
    assert hanoi.name == "Thành phố Hà Nội"
    ward = unit(UnitEra.FROM_2025, "00004")
    assert ward.parent == hanoi
    expected = 1 + len(list(Ward.iter_by_province(ProvinceCode(1))))
    assert AdminUnit.objects.filter(era=UnitEra.FROM_2025).count() == DA_NANG_UNITS + expected


@pytest.mark.django_db
def test_an_unknown_province_code_is_refused():
    with pytest.raises(UnitsError, match="unknown province code 49"):
        units_load_current(49)  # Quảng Nam's code, gone since 2025
    assert not AdminUnit.objects.exists()


@pytest.mark.django_db
def test_the_quang_nam_snapshot_needs_da_nang_first():
    with pytest.raises(UnitsError, match="province 48 first"):
        units_load_quang_nam_2022()
    assert not AdminUnit.objects.exists()


@pytest.mark.django_db
def test_it_loads_quang_nam_districts_and_communes_before_2025():
    units_load_current()

    result = units_load_quang_nam_2022()

    assert (result.created, result.updated, result.unchanged) == (QUANG_NAM_UNITS, 0, 0)
    pre = AdminUnit.objects.filter(era=UnitEra.PRE_2025)
    assert set(pre.values_list("valid_to", flat=True)) == {dt.date(2025, 6, 30)}
    assert all(u.source.startswith("vietnam-provinces 0.6.0") for u in pre)
    province = unit(UnitEra.PRE_2025, "49")
    assert (province.name, province.level, province.parent) == (
        "Tỉnh Quảng Nam",
        UnitLevel.PROVINCE,
        None,
    )
    tam_ky = unit(UnitEra.PRE_2025, "502")
    assert (tam_ky.name, tam_ky.level, tam_ky.parent) == (
        "Thành phố Tam Kỳ",
        UnitLevel.DISTRICT,
        province,
    )
    an_my = unit(UnitEra.PRE_2025, "20341")
    assert (an_my.name, an_my.level, an_my.parent) == ("Phường An Mỹ", UnitLevel.COMMUNE, tam_ky)
    assert pre.filter(level=UnitLevel.DISTRICT).count() == 17
    assert not pre.filter(level=UnitLevel.COMMUNE, parent__level=UnitLevel.PROVINCE).exists()


@pytest.mark.django_db
def test_pre_2025_units_link_to_their_2025_successors():
    units_load_current()
    units_load_quang_nam_2022()
    city = unit(UnitEra.FROM_2025, "48")

    assert unit(UnitEra.PRE_2025, "49").successor == city
    # Districts were abolished: the city is the smallest unit covering each.
    assert unit(UnitEra.PRE_2025, "507").successor == city
    assert unit(UnitEra.PRE_2025, "20341").successor == unit(UnitEra.FROM_2025, "20341")
    assert unit(UnitEra.PRE_2025, "20347").successor.name == "Phường Tam Kỳ"  # An Xuân
    # Numbered 20875 by vietnam-provinces 2026.9.0, 20872 by the installed release.
    assert unit(UnitEra.PRE_2025, "20869").successor.name == "Xã Lãnh Ngọc"  # Tiên Lãnh
    # Absent from the conversion table: the city succeeds it.
    assert unit(UnitEra.PRE_2025, "20674").successor == city
    pre = AdminUnit.objects.filter(era=UnitEra.PRE_2025)
    assert not pre.filter(successor__isnull=True).exists()
    assert not pre.filter(successor__era=UnitEra.PRE_2025).exists()


@pytest.mark.django_db
def test_loading_the_snapshot_again_changes_nothing():
    units_load_current()
    units_load_quang_nam_2022()

    result = units_load_quang_nam_2022()

    assert (result.created, result.updated, result.unchanged) == (0, 0, QUANG_NAM_UNITS)
    assert AdminUnit.objects.count() == DA_NANG_UNITS + QUANG_NAM_UNITS


@pytest.mark.parametrize("data", [quang_nam_snapshot, quang_nam_successors])
def test_the_data_files_say_where_they_came_from(data):
    header = data()["header"]
    assert header["source_package"] == "vietnam-provinces"
    assert header["source_version"] in {"0.6.0", "2026.9.0"}
    assert header["source_file"].startswith("vietnam_provinces/")
    assert dt.date.fromisoformat(header["taken_on"])
    assert "GPL-3.0-or-later" in header["licence"]


def test_every_snapshot_commune_is_mapped_or_explained():
    communes = {c["code"] for c in quang_nam_snapshot()["communes"]}
    successors = quang_nam_successors()
    mapped = {e["old"] for e in successors["communes"]}
    unmapped = {e["old"] for e in successors["unmapped"]}

    assert mapped | unmapped == communes
    assert not mapped & unmapped
    assert all(e["reason"] for e in successors["unmapped"])


def test_every_successor_exists_in_the_installed_package_under_its_name():
    # Guards against an upgrade of vietnam-provinces that renumbers 2025 units.
    wards = {int(w.code): w.name for w in Ward.iter_by_province(ProvinceCode(48))}
    for entry in quang_nam_successors()["communes"]:
        assert wards.get(entry["new"]) == entry["new_name"], entry
