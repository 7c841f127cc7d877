from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from childsafe import cli
from childsafe.audit.models import AuditEvent
from childsafe.orgs.models import AdminUnit, UnitEra

DA_NANG_UNITS = 95
QUANG_NAM_UNITS = 252


def run(*args):
    out = StringIO()
    call_command("load_units", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_loads_da_nang_and_the_quang_nam_snapshot_by_default():
    output = run()

    assert "Thành phố Đà Nẵng (48), 2025 units: 95 units (95 created" in output
    assert "Tỉnh Quảng Nam (49), pre-2025 snapshot: 252 units (252 created" in output
    assert AdminUnit.objects.filter(era=UnitEra.FROM_2025).count() == DA_NANG_UNITS
    assert AdminUnit.objects.filter(era=UnitEra.PRE_2025).count() == QUANG_NAM_UNITS


@pytest.mark.django_db
def test_running_it_again_gives_the_same_counts():
    run()

    output = run()

    assert "95 units (0 created, 0 updated, 95 unchanged)" in output
    assert "252 units (0 created, 0 updated, 252 unchanged)" in output
    assert AdminUnit.objects.count() == DA_NANG_UNITS + QUANG_NAM_UNITS


@pytest.mark.django_db
def test_it_records_one_audit_event_per_run():
    run()

    event = AuditEvent.objects.get(action="units.load")
    assert event.actor_label == "load-units"
    assert event.detail["48"]["created"] == DA_NANG_UNITS
    assert event.detail["49-pre2025"]["total"] == QUANG_NAM_UNITS


@pytest.mark.django_db
def test_no_legacy_loads_only_the_current_units():
    output = run("--no-legacy-quang-nam")

    assert "Quảng Nam" not in output
    assert AdminUnit.objects.count() == DA_NANG_UNITS


@pytest.mark.django_db
def test_another_province_with_the_snapshot_also_loads_da_nang():
    output = run("--province", "1")

    assert "Thành phố Hà Nội (1), 2025 units" in output
    assert "Thành phố Đà Nẵng (48), 2025 units" in output
    assert AdminUnit.objects.filter(era=UnitEra.FROM_2025, code__in=["01", "48"]).count() == 2
    assert AdminUnit.objects.filter(era=UnitEra.PRE_2025).count() == QUANG_NAM_UNITS


@pytest.mark.django_db
def test_an_unknown_province_code_is_a_clear_error():
    with pytest.raises(CommandError, match="unknown province code 999; the 2025 province codes"):
        run("--province", "999")
    assert not AdminUnit.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_console_command_has_a_dashed_alias(monkeypatch):
    seen = []
    monkeypatch.setattr("django.core.management.execute_from_command_line", seen.append)

    cli.main(["childsafe", "load-units", "--province", "48"])

    assert seen == [["childsafe", "load_units", "--province", "48"]]
