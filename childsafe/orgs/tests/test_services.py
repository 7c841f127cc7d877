import datetime as dt

import pytest

from childsafe.audit.models import AuditEvent
from childsafe.orgs.models import (
    AdminUnit,
    Function,
    FunctionAssignment,
    Organisation,
    OrgKind,
    OrgSuccession,
    SuccessionKind,
    UnitEra,
    UnitLevel,
)
from childsafe.orgs.services import (
    OrgError,
    function_resolve,
    org_descendant_ids,
    org_succeed,
    org_successors_on,
)

START = dt.date(2022, 1, 1)
REFORM = dt.date(2025, 7, 1)
BEFORE = dt.date(2023, 1, 1)
AFTER = dt.date(2026, 1, 1)

pytestmark = pytest.mark.django_db


def org(code, parent=None, *, start=START, end=None, kind=OrgKind.DEPARTMENT):
    return Organisation.objects.create(
        code=code, name=code, kind=kind, parent=parent, effective_from=start, effective_to=end
    )


def assign(function, holder, *, territory=None, start=START, end=None):
    return FunctionAssignment.objects.create(
        function=function,
        organisation=holder,
        territory=territory,
        effective_from=start,
        effective_to=end,
    )


@pytest.fixture
def units():
    """Province 49, district 502 in it, commune 20341 in the district; commune 20335 too."""

    def make(code, level, parent=None):
        return AdminUnit.objects.create(
            era=UnitEra.PRE_2025, code=code, name=code, level=level, parent=parent, source="test"
        )

    province = make("49", UnitLevel.PROVINCE)
    district = make("502", UnitLevel.DISTRICT, province)
    return {
        "province": province,
        "district": district,
        "commune": make("20341", UnitLevel.COMMUNE, district),
        "other_commune": make("20335", UnitLevel.COMMUNE, district),
    }


# function_resolve


def test_it_resolves_the_holder_of_a_function():
    ict = org("ict")
    assign(Function.TAKEDOWN, ict)

    assert function_resolve(Function.TAKEDOWN, on=BEFORE) == ict


def test_nobody_holds_a_function_before_its_first_assignment():
    assign(Function.TAKEDOWN, org("ict"), start=dt.date(2022, 4, 8))

    assert function_resolve(Function.TAKEDOWN, on=dt.date(2022, 4, 7)) is None
    assert function_resolve(Function.CHILD_PROTECTION, on=BEFORE) is None


def test_a_dated_hand_over_changes_the_holder():
    ict = org("ict", end=REFORM - dt.timedelta(days=1))
    science = org("science", start=REFORM)
    assign(Function.TAKEDOWN, ict, end=REFORM - dt.timedelta(days=1))
    assign(Function.TAKEDOWN, science, start=REFORM)

    assert function_resolve(Function.TAKEDOWN, on=REFORM - dt.timedelta(days=1)) == ict
    assert function_resolve(Function.TAKEDOWN, on=REFORM) == science
    assert function_resolve(Function.TAKEDOWN, on=AFTER) == science


def test_an_assignment_to_an_organisation_that_has_ended_is_ignored():
    dolisa = org("dolisa", end=dt.date(2025, 6, 30))
    assign(Function.CHILD_PROTECTION, dolisa)  # assignment left open by mistake

    assert function_resolve(Function.CHILD_PROTECTION, on=BEFORE) == dolisa
    assert function_resolve(Function.CHILD_PROTECTION, on=AFTER) is None


def test_the_most_recent_of_equal_assignments_wins():
    first, second = org("first"), org("second")
    assign(Function.TRAINING, first, start=START)
    assign(Function.TRAINING, second, start=dt.date(2024, 1, 1))

    assert function_resolve(Function.TRAINING, on=dt.date(2023, 12, 31)) == first
    assert function_resolve(Function.TRAINING, on=dt.date(2024, 1, 1)) == second


def test_the_most_specific_territory_wins(units):
    province_police = org("ca-qn", kind=OrgKind.POLICE)
    district_police = org("ca-tk", province_police, kind=OrgKind.POLICE)
    commune_police = org("ca-an-my", district_police, kind=OrgKind.POLICE)
    assign(Function.CRIME_REPORTS, province_police)
    assign(Function.CRIME_REPORTS, district_police, territory=units["district"])
    assign(Function.CRIME_REPORTS, commune_police, territory=units["commune"])

    def resolve(territory):
        return function_resolve(Function.CRIME_REPORTS, on=BEFORE, territory=territory)

    assert resolve(units["commune"]) == commune_police
    assert resolve(units["other_commune"]) == district_police
    assert resolve(units["district"]) == district_police
    assert resolve(units["province"]) == province_police
    assert resolve(None) == province_police


def test_a_specific_territory_wins_even_over_a_newer_province_wide_assignment(units):
    province_wide, district = org("province-wide"), org("district")
    assign(Function.TRAINING, district, territory=units["district"], start=START)
    assign(Function.TRAINING, province_wide, start=dt.date(2024, 1, 1))

    on = dt.date(2024, 6, 1)
    assert function_resolve(Function.TRAINING, on=on, territory=units["commune"]) == district


def test_an_ended_territorial_assignment_falls_back_to_the_province(units):
    province_police, district_police = org("ca-qn"), org("ca-tk")
    assign(Function.CRIME_REPORTS, province_police)
    assign(
        Function.CRIME_REPORTS,
        district_police,
        territory=units["district"],
        end=dt.date(2025, 2, 28),
    )

    on = dt.date(2025, 3, 1)
    assert (
        function_resolve(Function.CRIME_REPORTS, on=on, territory=units["commune"])
        == province_police
    )


def test_an_ended_unit_is_resolved_through_its_successor_unit(units):
    new_ward = AdminUnit.objects.create(
        era=UnitEra.FROM_2025, code="20340", name="Phường Mới", level=UnitLevel.COMMUNE, source="t"
    )
    AdminUnit.objects.filter(pk=units["commune"].pk).update(
        successor=new_ward, valid_to=dt.date(2025, 6, 30)
    )
    old_commune = AdminUnit.objects.get(pk=units["commune"].pk)
    district_police, ward_police = org("ca-tk"), org("ca-phuong-moi", start=REFORM)
    assign(Function.CRIME_REPORTS, district_police, territory=units["district"], end=REFORM)
    assign(Function.CRIME_REPORTS, ward_police, territory=new_ward, start=REFORM)

    def resolve(on):
        return function_resolve(Function.CRIME_REPORTS, on=on, territory=old_commune)

    assert resolve(BEFORE) == district_police
    assert resolve(AFTER) == ward_police


# org_successors_on


def test_an_active_organisation_is_its_own_successor():
    ict = org("ict")

    assert org_successors_on(ict, BEFORE) == [ict]


def test_it_follows_a_merge_and_a_renaming_in_a_chain():
    district_police = org("ca-tk", kind=OrgKind.POLICE)
    province_police = org("ca-qn", kind=OrgKind.POLICE)
    city_police = org("ca-dn", start=REFORM, kind=OrgKind.POLICE)
    org_succeed(
        [district_police],
        [province_police],
        on=dt.date(2025, 3, 1),
        kind=SuccessionKind.MERGE,
        actor="test",
    )
    org_succeed([province_police], [city_police], on=REFORM, kind=SuccessionKind.MERGE, actor="t")

    assert org_successors_on(district_police, dt.date(2025, 4, 1)) == [province_police]
    assert org_successors_on(district_police, AFTER) == [city_police]


def test_a_split_has_every_part_as_successor():
    dolisa = org("dolisa")
    health, home_affairs = org("health", start=REFORM), org("home-affairs", start=REFORM)
    org_succeed([dolisa], [home_affairs, health], on=REFORM, kind=SuccessionKind.SPLIT, actor="t")

    assert org_successors_on(dolisa, AFTER) == [health, home_affairs]


def test_a_merge_gives_every_predecessor_the_same_successor():
    paper, radio = org("paper"), org("radio")
    merged = org("paper-radio", start=REFORM)
    org_succeed([paper, radio], [merged], on=REFORM, kind=SuccessionKind.MERGE, actor="t")

    assert org_successors_on(paper, AFTER) == [merged]
    assert org_successors_on(radio, AFTER) == [merged]


def test_a_split_after_a_merge_reaches_every_part():
    a, b = org("a"), org("b")
    ab = org("ab", start=dt.date(2024, 1, 1))
    x, y = org("x", start=REFORM), org("y", start=REFORM)
    org_succeed([a, b], [ab], on=dt.date(2024, 1, 1), kind=SuccessionKind.MERGE, actor="t")
    org_succeed([ab], [x, y], on=REFORM, kind=SuccessionKind.SPLIT, actor="t")

    assert org_successors_on(a, AFTER) == [x, y]
    assert org_successors_on(b, dt.date(2024, 6, 1)) == [ab]


def test_an_ended_organisation_without_successors_has_none():
    closed = org("closed", end=dt.date(2024, 12, 31))

    assert org_successors_on(closed, AFTER) == []


def test_a_succession_not_yet_in_force_is_not_followed():
    old = org("old", end=dt.date(2025, 5, 31))
    new = org("new", start=REFORM)
    OrgSuccession.objects.create(
        predecessor=old, successor=new, kind=SuccessionKind.RENAME, effective_on=REFORM
    )

    assert org_successors_on(old, dt.date(2025, 6, 15)) == []
    assert org_successors_on(old, REFORM) == [new]


# org_succeed


def test_succeeding_ends_the_predecessors_and_records_the_change():
    ict = org("ict")
    science = org("science", start=REFORM)

    rows = org_succeed(
        [ict], [science], on=REFORM, kind=SuccessionKind.RENAME, legal_basis="NQ", actor="t"
    )

    ict.refresh_from_db()
    assert ict.effective_to == dt.date(2025, 6, 30)
    assert [(r.predecessor, r.successor, r.kind, r.effective_on) for r in rows] == [
        (ict, science, SuccessionKind.RENAME, REFORM)
    ]
    assert rows[0].legal_basis == "NQ"
    event = AuditEvent.objects.get(action="org.succession")
    assert event.object_id == str(ict.pk)
    assert event.detail == {"kind": "rename", "on": "2025-07-01", "successors": [science.pk]}


@pytest.mark.parametrize(
    ("kind", "n_predecessors", "n_successors", "message"),
    [
        (SuccessionKind.MERGE, 1, 2, "a merge has exactly one successor"),
        (SuccessionKind.SPLIT, 2, 1, "a split has exactly one predecessor"),
        (SuccessionKind.MERGE, 0, 1, "at least one predecessor and one successor"),
        (SuccessionKind.SPLIT, 1, 0, "at least one predecessor and one successor"),
        (SuccessionKind.RENAME, 0, 0, "at least one predecessor and one successor"),
    ],
)
def test_it_refuses_a_malformed_succession(kind, n_predecessors, n_successors, message):
    predecessors = [org(f"old-{i}") for i in range(n_predecessors)]
    successors = [org(f"new-{i}", start=REFORM) for i in range(n_successors)]

    with pytest.raises(OrgError, match=message):
        org_succeed(predecessors, successors, on=REFORM, kind=kind, actor="t")

    assert not OrgSuccession.objects.exists()
    assert not Organisation.objects.filter(effective_to__isnull=False).exists()
    assert not AuditEvent.objects.exists()


def test_it_refuses_an_organisation_succeeding_itself():
    ict, science = org("ict"), org("science")

    with pytest.raises(OrgError, match="cannot succeed itself"):
        org_succeed([ict, science], [science], on=REFORM, kind=SuccessionKind.MERGE, actor="t")

    ict.refresh_from_db()
    assert ict.effective_to is None
    assert not OrgSuccession.objects.exists()


# org_descendant_ids


def test_descendants_include_the_root_and_every_level_below():
    province = org("province")
    police = org("police", province)
    district_police = org("district-police", police)
    commune_police = org("commune-police", district_police)
    education = org("education", province)
    org("elsewhere")

    assert org_descendant_ids([police.pk]) == {police.pk, district_police.pk, commune_police.pk}
    assert org_descendant_ids({province.pk}) == {
        province.pk,
        police.pk,
        district_police.pk,
        commune_police.pk,
        education.pk,
    }


def test_descendants_of_a_leaf_are_the_leaf_only():
    province = org("province")
    school = org("school", province)

    assert org_descendant_ids([school.pk]) == {school.pk}


def test_descendants_of_several_roots_are_their_union_and_include_ended_units():
    province = org("province")
    ict = org("ict", province, end=dt.date(2025, 6, 30))
    ict_unit = org("ict-unit", ict, end=dt.date(2025, 6, 30))
    education = org("education", province)
    school = org("school", education)

    assert org_descendant_ids([ict.pk, education.pk]) == {
        ict.pk,
        ict_unit.pk,
        education.pk,
        school.pk,
    }
    assert org_descendant_ids([]) == set()
