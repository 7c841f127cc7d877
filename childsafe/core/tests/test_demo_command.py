import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from childsafe.audit.models import AuditEvent
from childsafe.cases.models import AgencyTask, Case, CaseReport, Clock, PoiMatch
from childsafe.core.management.commands.demo import DEMO_REPORTS, DEMO_SCOPE, DUPLICATE_URL
from childsafe.orgs.models import (
    AdminUnit,
    FocalPoint,
    Function,
    FunctionAssignment,
    Organisation,
    OrgKind,
    OrgSuccession,
    UnitEra,
    User,
)
from childsafe.orgs.roles import Role
from childsafe.orgs.services import function_resolve, org_successors_on
from childsafe.reports.models import Category, Channel, EvidenceFile, Report, ReportURL

BEFORE = dt.date(2023, 1, 1)
AFTER = dt.date(2026, 1, 1)


@pytest.fixture(autouse=True)
def demo_mode(settings):
    settings.CHILDSAFE_DEMO = True


def run_demo():
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def passwords(output):
    """username -> password, read from the printed table."""
    found = {}
    for line in output.splitlines():
        parts = line.split()
        if parts and parts[0] in Role.values:
            found[parts[0]] = parts[-1]
    return found


def org(code):
    return Organisation.objects.get(code=code)


def pre_unit(code):
    return AdminUnit.objects.get(era=UnitEra.PRE_2025, code=code)


def counts():
    return {
        "units": AdminUnit.objects.count(),
        "orgs": Organisation.objects.count(),
        "successions": OrgSuccession.objects.count(),
        "assignments": FunctionAssignment.objects.count(),
        "focal_points": FocalPoint.objects.count(),
        "users": User.objects.count(),
        "succession_events": AuditEvent.objects.filter(action="org.succession").count(),
        "reports": Report.objects.count(),
        "cases": Case.objects.count(),
        "tasks": AgencyTask.objects.count(),
        "poi_matches": PoiMatch.objects.count(),
    }


@pytest.mark.django_db
def test_it_is_refused_outside_demo_mode(settings):
    settings.CHILDSAFE_DEMO = False

    with pytest.raises(CommandError, match="demo mode"):
        run_demo()

    assert not Organisation.objects.exists()
    assert not User.objects.exists()
    assert not AdminUnit.objects.exists()


@pytest.mark.django_db
def test_it_loads_the_units_and_the_2022_set_up():
    run_demo()

    assert AdminUnit.objects.filter(era=UnitEra.FROM_2025, code="48").exists()
    assert AdminUnit.objects.filter(era=UnitEra.PRE_2025).count() == 252
    province = org("ubnd-qn")
    assert province.name == "UBND tỉnh Quảng Nam"
    assert province.admin_unit == pre_unit("49")
    assert province.effective_from <= dt.date(2022, 1, 1)
    assert org("ca-qn-anm").parent == org("ca-qn")
    assert org("ubnd-tam-ky").kind == OrgKind.DISTRICT_COMMITTEE
    assert org("ubnd-tam-ky").admin_unit == pre_unit("502")
    assert org("ubnd-qn-20341").parent == org("ubnd-tam-ky")
    schools = Organisation.objects.filter(kind=OrgKind.SCHOOL)
    assert set(schools.values_list("school_level", flat=True)) == {
        "primary",
        "lower_secondary",
        "upper_secondary",
    }
    assert all(s.admin_unit and s.admin_unit.era == UnitEra.PRE_2025 for s in schools)
    providers = Organisation.objects.filter(kind=OrgKind.SERVICE_PROVIDER)
    assert set(providers.values_list("provider_kind", flat=True)) == {
        "isp",
        "hosting",
        "platform",
    }
    assert org("ttctxh-qn").kind == OrgKind.SOCIAL_SUPPORT_FACILITY
    active_2022 = Organisation.objects.active_on(dt.date(2022, 4, 8))
    assert active_2022.filter(code__endswith="-qn").count() >= 15


@pytest.mark.django_db
def test_functions_move_with_the_2025_reform():
    run_demo()

    expected = {
        Function.TAKEDOWN: ("stttt-qn", "skhcn-dn"),
        Function.INSPECTION: ("stttt-qn", "skhcn-dn"),
        Function.PRESS: ("stttt-qn", "svhtt-dn"),
        Function.CHILD_PROTECTION: ("sldtbxh-qn", "syt-dn"),
        Function.TRAINING: ("sldtbxh-qn", "syt-dn"),
        Function.COUNSELLING: ("ttctxh-qn", "ttctxh-dn"),
        Function.SCHOOL_FILTERING: ("sgddt-qn", "sgddt-dn"),
        Function.CRIME_REPORTS: ("ca-qn", "ca-dn"),
        Function.PROSECUTION: ("vksnd-qn", "vksnd-dn"),
        Function.ADJUDICATION: ("tand-qn", "tand-dn"),
    }
    for function, (before, after) in expected.items():
        assert function_resolve(function, on=BEFORE).code == before, function
        assert function_resolve(function, on=AFTER).code == after, function
    assert function_resolve(Function.TAKEDOWN, on=BEFORE).name == (
        "Sở Thông tin và Truyền thông tỉnh Quảng Nam"
    )
    assert function_resolve(Function.TAKEDOWN, on=AFTER).name == (
        "Sở Khoa học và Công nghệ thành phố Đà Nẵng"
    )


@pytest.mark.django_db
def test_local_units_hold_functions_for_their_territory():
    run_demo()
    an_my = pre_unit("20341")  # a ward of Tam Kỳ before 2025
    tam_ky_2025 = AdminUnit.objects.get(era=UnitEra.FROM_2025, code="20341")

    crime = function_resolve(Function.CRIME_REPORTS, on=BEFORE, territory=an_my)
    assert crime == org("ca-tam-ky")
    # District police ended on 28 February 2025; the province police took over.
    spring_2025 = dt.date(2025, 4, 1)
    assert function_resolve(Function.CRIME_REPORTS, on=spring_2025, territory=an_my) == org(
        "ca-qn"
    )
    assert function_resolve(Function.TRAINING, on=BEFORE, territory=an_my) == org("ubnd-tam-ky")
    assert function_resolve(Function.TRAINING, on=AFTER, territory=tam_ky_2025) == org(
        "ubnd-dn-20341"
    )


@pytest.mark.django_db
def test_the_reform_is_recorded_as_successions():
    run_demo()

    assert org_successors_on(org("ubnd-qn"), AFTER) == [org("ubnd-dn")]
    assert org_successors_on(org("stttt-qn"), AFTER) == [org("skhcn-dn")]
    assert {o.code for o in org_successors_on(org("sldtbxh-qn"), AFTER)} == {"syt-dn", "snv-dn"}
    assert org_successors_on(org("ca-tam-ky"), AFTER) == [org("ca-dn")]
    assert org_successors_on(org("bao-qn"), AFTER) == org_successors_on(org("ptth-qn"), AFTER)
    tam_ky_wards = {o.admin_unit.name for o in org_successors_on(org("ubnd-tam-ky"), AFTER)}
    assert tam_ky_wards == {
        "Phường Tam Kỳ",
        "Phường Bàn Thạch",
        "Phường Hương Trà",
        "Phường Quảng Phú",
    }
    assert org_successors_on(org("ubnd-qn-20341"), AFTER) == [org("ubnd-dn-20341")]
    assert org("sldtbxh-qn").effective_to == dt.date(2025, 6, 30)
    assert org("ubnd-dn").effective_from == dt.date(2025, 7, 1)
    assert not OrgSuccession.objects.filter(predecessor__effective_to__isnull=True).exists()


@pytest.mark.django_db
def test_focal_points_are_made_up_demo_people():
    run_demo()

    points = list(FocalPoint.objects.all())
    assert len(points) >= 3
    assert all("(demo)" in p.title for p in points)
    assert all(p.email.endswith("@example.org") for p in points)


@pytest.mark.django_db
def test_it_creates_one_user_per_role_with_the_printed_password():
    output = run_demo()

    printed = passwords(output)
    assert set(printed) == set(Role.values)
    for username, password in printed.items():
        user = User.objects.get(username=username)
        assert user.role == username
        assert user.organisation is not None
        assert user.check_password(password)
    assert User.objects.get(username="ict_officer").organisation == org("skhcn-dn")
    assert User.objects.get(username="provider_contact").organisation.kind == (
        OrgKind.SERVICE_PROVIDER
    )
    assert not TOTPDevice.objects.exists()  # enrolled at first login
    assert re.search(r"^username\s+role\s+organisation\s+password$", output, re.M)


@pytest.mark.django_db
def test_it_records_one_demo_load_event_without_passwords():
    output = run_demo()

    event = AuditEvent.objects.get(action="demo.load")
    assert event.actor_label == "demo"
    assert event.detail["counts"]["users"] == len(Role.values) + 1  # a second ICT officer
    for password in passwords(output).values():
        assert password not in str(event.detail)


@pytest.mark.django_db
def test_running_it_twice_gives_the_same_data_and_new_passwords():
    first = passwords(run_demo())
    before = counts()

    second = passwords(run_demo())

    assert counts() == before
    assert AuditEvent.objects.filter(action="demo.load").count() == 2
    assert all(first[name] != second[name] for name in first)
    user = User.objects.get(username="auditor")
    assert user.check_password(second["auditor"])
    assert not user.check_password(first["auditor"])
    assert function_resolve(Function.TAKEDOWN, on=AFTER) == org("skhcn-dn")


def demo_reports():
    return Report.objects.filter(idempotency_scope=DEMO_SCOPE)


@pytest.mark.django_db
def test_it_submits_demo_reports_through_every_door_and_prints_the_counts():
    output = run_demo()

    reports = demo_reports()
    assert reports.count() == len(DEMO_REPORTS) == 5
    assert set(reports.values_list("channel", flat=True)) == {
        Channel.WEB,
        Channel.HOTLINE,
        Channel.API,
    }
    assert {
        Category.CYBERBULLYING,
        Category.GROOMING,
        Category.HARMFUL_CONTENT,
        Category.PRIVACY_EXPOSURE,
    } <= set(reports.values_list("category", flat=True))
    evidence = EvidenceFile.objects.get(report__in=reports)
    assert evidence.content_type == "image/png"
    assert "5 demo reports submitted, 4 cases opened" in output


@pytest.mark.django_db
def test_triage_turns_them_into_cases_with_agency_tasks_and_clocks():
    run_demo()

    assert not Report.objects.filter(triaged_at__isnull=True).exists()
    cases = Case.objects.all()
    assert cases.count() == 4
    for case in cases:
        assert case.agency_tasks.exists(), case.reference
    assert Clock.objects.filter(case__in=cases).exists()
    duplicate = CaseReport.objects.filter(report__urls__normalised__contains="demo-bat-nat-01")
    assert duplicate.count() == 2
    assert len({link.case_id for link in duplicate}) == 1
    assert ReportURL.objects.filter(raw=DUPLICATE_URL).count() == 2


@pytest.mark.django_db
def test_the_demo_person_of_interest_matches_the_grooming_report():
    run_demo()

    match = PoiMatch.objects.get()
    assert match.report.category == Category.GROOMING
    assert match.identifier.kind == "handle"
    assert match.identifier.value in match.report.description


@pytest.mark.django_db
def test_demo_reports_hold_no_personal_data_of_real_people():
    run_demo()

    for report in demo_reports():
        assert "(demo)" in report.description
        assert report.child_name == report.child_school == ""
        assert report.reporter_name == report.reporter_contact == ""
        assert report.is_anonymous
    hosts = set(ReportURL.objects.values_list("host", flat=True))
    assert hosts and all(host.endswith(".example") for host in hosts)


@pytest.mark.django_db
def test_running_it_twice_submits_no_demo_report_again():
    run_demo()

    output = run_demo()

    assert demo_reports().count() == len(DEMO_REPORTS)
    assert Case.objects.count() == 4
    assert PoiMatch.objects.count() == 1
    assert "0 demo reports submitted, 0 cases opened" in output


@pytest.mark.django_db
def test_it_drafts_one_order_and_issues_a_blocking_one_once():
    from childsafe.blocklist.models import AuthorityEntry
    from childsafe.takedown.models import OrderStatus, TakedownOrder

    output = run_demo()
    assert "4 provider scopes, 2 takedown orders" in output
    orders = {o.action: o for o in TakedownOrder.objects.all()}
    assert orders["remove"].status == OrderStatus.DRAFT
    assert orders["remove"].provider.code == "demo-platform"  # found from the URL
    assert orders["remove"].case is not None
    assert orders["block"].status == OrderStatus.ISSUED
    assert orders["block"].approved_by.username == "ict_officer_2"
    assert orders["block"].created_by.username == "ict_officer"
    assert list(AuthorityEntry.objects.active().values_list("value", flat=True)) == [
        "thu-thach-nguy-hiem.example"
    ]
    again = run_demo()
    assert "0 provider scopes, 0 takedown orders" in again
    assert TakedownOrder.objects.count() == 2


@pytest.mark.django_db
def test_it_loads_the_school_filter_demo_once():
    from childsafe.blocklist.models import FilterStats, SchoolListEntry, TierRule
    from childsafe.blocklist.policy.compile import policy_compile
    from childsafe.blocklist.policy.figures import filter_figures

    output = run_demo()
    assert "34 filter rules" in output
    school = Organisation.objects.get(code="thcs-nguyen-du-db")
    document = policy_compile(school)
    assert document["default_tier"] == "lower_secondary"
    assert {"cidr": "10.20.0.0/16", "tier": "lower_secondary"} in document["networks"]
    games = [
        r for r in document["rules"] if r == {**r, "tier": "lower_secondary", "category": "games"}
    ]
    assert games and games[0]["schedule"][0]["start"] == "07:00"
    assert "game-online.example" in document["categories"]["games"]
    assert document["deny"] == ["tin-don-nham.example"]
    assert SchoolListEntry.objects.filter(kind="allow", status="requested").count() == 1
    assert FilterStats.objects.filter(school=school).exists()
    today = timezone.localdate()
    figures = filter_figures(
        Organisation.objects.filter(pk=school.pk), today - dt.timedelta(days=3), today
    )
    assert figures.blocked > 0
    assert "game-online.example" in dict(figures.top_domains)
    rules = TierRule.objects.count()
    again = run_demo()
    assert "0 filter rules" in again
    assert TierRule.objects.count() == rules
