"""The ministry's indicator "schools with DNS filtering, by tier" (on /filter/figures/ and
in its CSV) and /filter/figures.xlsx, the figures as an Excel workbook."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import openpyxl
import pytest
import time_machine
from django.utils import timezone

from childsafe.audit.models import AuditEvent
from childsafe.blocklist.models import (
    FilterBoxStatus,
    FilterStats,
    FilterTopDomain,
    SchoolFilterSettings,
    SchoolNetwork,
)
from childsafe.blocklist.policy.figures import filtering_indicator
from childsafe.orgs.models import Organisation, OrgKind
from childsafe.testing import START

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)  # 10:00 in Vietnam
TODAY = dt.date(2026, 11, 20)
WEEK_START = dt.date(2026, 11, 14)
FORMULAS = ["=cmd|' /C calc'!A0", "+1.example", "-2.example", "@SUM(A1)"]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def local(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


@dataclass
class Scene:
    fresh: Organisation  # synced an hour ago
    stale: Organisation  # synced 30 hours ago, no counts
    never: Organisation  # no download ever
    reporting: Organisation  # synced 3 days ago, counts yesterday

    def ids(self) -> list[int]:
        return [s.pk for s in (self.fresh, self.stale, self.never, self.reporting)]


def school(code: str, name: str, parent: Organisation) -> Organisation:
    return Organisation.objects.create(
        code=code, name=name, kind=OrgKind.SCHOOL, parent=parent, effective_from=START
    )


def networks(org: Organisation, *tiers: str) -> None:
    for n, tier in enumerate(tiers):
        SchoolNetwork.objects.create(school=org, cidr=f"10.{n}.0.0/16", tier=tier)


@pytest.fixture
def scene(orgs) -> Scene:
    fresh = orgs.school
    networks(fresh, "primary", "lower_secondary", "staff")
    SchoolFilterSettings.objects.create(school=fresh, default_tier="lower_secondary")
    FilterBoxStatus.objects.create(
        school=fresh, last_policy_fetch_at=NOW - dt.timedelta(hours=1), policy_version="v1"
    )
    stale = school("th-cu", "Trường TH Cũ", orgs.education)
    networks(stale, "upper_secondary")
    FilterBoxStatus.objects.create(school=stale, last_policy_fetch_at=NOW - dt.timedelta(hours=30))
    never = school("th-moi", "Trường TH Mới", orgs.education)
    reporting = school("thpt-bao-cao", "Trường THPT Báo Cáo", orgs.education)
    networks(reporting, "upper_secondary")
    FilterBoxStatus.objects.create(
        school=reporting,
        last_policy_fetch_at=NOW - dt.timedelta(days=3),
        last_stats_at=NOW - dt.timedelta(days=1),
    )
    for org, hour, tier, outcome, count in [
        (fresh, local(TODAY, 9), "primary", "adult", 7),
        (fresh, local(TODAY, 9), "primary", "forward", 100),
        (reporting, local(TODAY - dt.timedelta(days=1), 14), "upper_secondary", "games", 5),
    ]:
        FilterStats.objects.create(school=org, hour=hour, tier=tier, outcome=outcome, count=count)
    for n, domain in enumerate(["bad.example", *FORMULAS]):
        FilterTopDomain.objects.create(school=fresh, day=TODAY, domain=domain, count=20 - n)
    return Scene(fresh, stale, never, reporting)


def indicator(scene: Scene, start: dt.date = WEEK_START, end: dt.date = TODAY):
    schools = Organisation.objects.filter(pk__in=scene.ids())
    return filtering_indicator(schools, start, end, now=NOW)


def by_tier(ind) -> dict[str, tuple[int, int, int, float | None]]:
    return {t.tier: (t.schools, t.configured, t.in_operation, t.share) for t in ind.tiers}


# --- The indicator ----------------------------------------------------------------------


def test_it_counts_schools_per_tier_with_filtering_in_operation(scene):
    ind = indicator(scene)
    assert by_tier(ind) == {
        # fresh (network), stale, never and reporting (default tier): only fresh and
        # reporting are in operation
        "primary": (4, 4, 2, 50.0),
        # fresh alone: a network and its default tier
        "lower_secondary": (4, 1, 1, 25.0),
        # stale and reporting have a network; stale's box is not in operation
        "upper_secondary": (4, 2, 1, 25.0),
        "staff": (4, 1, 1, 25.0),
    }
    assert (ind.schools, ind.in_operation, ind.share) == (4, 2, 50.0)


def test_it_counts_boxes_never_synced_and_stale(scene):
    ind = indicator(scene)
    assert (ind.synced, ind.stale, ind.never_synced) == (1, 2, 1)


def test_a_stale_box_without_counts_in_the_period_does_not_count(scene):
    # Before yesterday, the reporting school sent nothing: only the fresh box remains.
    ind = indicator(scene, WEEK_START, TODAY - dt.timedelta(days=2))
    assert by_tier(ind)["upper_secondary"] == (4, 2, 0, 0.0)
    assert by_tier(ind)["primary"] == (4, 4, 1, 25.0)
    assert ind.in_operation == 1


def test_a_recent_download_counts_a_school_for_its_default_tier_alone(orgs):
    org = school("th-mac-dinh", "Trường TH Mặc Định", orgs.education)
    FilterBoxStatus.objects.create(school=org, last_policy_fetch_at=NOW - dt.timedelta(hours=23))
    ind = filtering_indicator(Organisation.objects.filter(pk=org.pk), WEEK_START, TODAY, now=NOW)
    assert by_tier(ind) == {
        "primary": (1, 1, 1, 100.0),
        "lower_secondary": (1, 0, 0, 0.0),
        "upper_secondary": (1, 0, 0, 0.0),
        "staff": (1, 0, 0, 0.0),
    }
    assert (ind.synced, ind.stale, ind.never_synced) == (1, 0, 0)


def test_no_schools_give_no_share(db):
    ind = filtering_indicator(Organisation.objects.none(), WEEK_START, TODAY, now=NOW)
    assert ind.schools == 0 and ind.share is None
    assert all(t.share is None for t in ind.tiers)


def test_it_takes_three_queries_whatever_the_number_of_schools(scene, django_assert_num_queries):
    with django_assert_num_queries(3):
        indicator(scene)


# --- On the page and in the CSV ---------------------------------------------------------


@pytest.fixture
def officer_client(personas, staff_client):
    return staff_client(personas["education_officer"])


def test_the_page_shows_the_indicator_and_the_xlsx_link(officer_client, scene):
    response = officer_client.get("/en/filter/figures/")
    assert response.status_code == 200
    ind = response.context["figs"].indicator
    assert ind.schools == 4 and ind.in_operation == 2
    text = response.content.decode()
    assert "Schools with DNS filtering, by tier" in text
    assert "Never downloaded a policy" in text
    start, end = WEEK_START.isoformat(), TODAY.isoformat()
    assert "/en/filter/figures.xlsx?" in text
    response = officer_client.get("/en/filter/figures/", {"start": start, "end": end})
    assert f"/en/filter/figures.xlsx?start={start}&amp;end={end}" in response.content.decode()


def test_the_vietnamese_page_shows_it_too(officer_client, scene):
    assert officer_client.get("/filter/figures/").status_code == 200


def test_the_indicator_follows_the_chosen_school(officer_client, scene):
    response = officer_client.get("/en/filter/figures/", {"school": scene.stale.pk})
    ind = response.context["figs"].indicator
    assert ind.schools == 1 and ind.in_operation == 0 and ind.stale == 1


def test_the_csv_has_the_indicator_as_a_second_block(officer_client, scene):
    text = officer_client.get("/en/filter/figures/csv/").content.decode("utf-8-sig")
    lines = text.splitlines()
    assert "Most blocked domains,,,,bad.example,20" in lines
    blank = lines.index("")
    assert lines[blank + 1] == (
        "Table,Tier,Schools,With the tier in their policy,With filtering in operation,Share (%)"
    )
    assert lines[blank + 2] == "Schools with DNS filtering,Primary (6-11),4,4,2,50.0"
    assert "Schools with DNS filtering,Any tier,4,,2,50.0" in lines
    assert "Filter boxes,Never downloaded a policy,1,,," in lines
    assert "Filter boxes,Stale: last download over 24 hours ago,2,,," in lines


# --- The XLSX export --------------------------------------------------------------------


def workbook(response):
    return openpyxl.load_workbook(io.BytesIO(response.content))


def values(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_workbook_opens_and_holds_the_figures(officer_client, scene):
    response = officer_client.get("/en/filter/figures.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"] == (
        'attachment; filename="filter-figures-2026-11-14-2026-11-20.xlsx"'
    )
    book = workbook(response)
    assert book.sheetnames == [
        "By tier and reason",
        "By hour of day",
        "Most blocked domains",
        "Schools with DNS filtering",
    ]
    summary = values(book["By tier and reason"])
    assert summary[0] == ["Tier", "Adult content", "Games", "Total"]
    assert ["Primary (6-11)", 7, 0, 7] in summary
    assert ["Upper secondary (15-18)", 0, 5, 5] in summary
    assert ["Total", 7, 5, 12] in summary
    assert ["School", "All schools", None, None] in summary
    assert ["Queries answered", 112, None, None] in summary
    hours = values(book["By hour of day"])
    assert hours[0] == ["Hour", "Blocked queries"] and len(hours) == 25
    assert hours[1 + 9] == ["09:00", 7] and hours[1 + 14] == ["14:00", 5]
    domains = values(book["Most blocked domains"])
    assert domains[1] == ["bad.example", 20]
    indicator_sheet = values(book["Schools with DNS filtering"])
    assert indicator_sheet[1] == ["Schools with DNS filtering", "Primary (6-11)", 4, 4, 2, 50]
    assert ["Schools with DNS filtering", "Staff", 4, 1, 1, 25] in indicator_sheet
    assert ["Filter boxes", "Never downloaded a policy", 1, None, None, None] in indicator_sheet


def test_formula_like_names_stay_text_in_the_workbook(officer_client, scene):
    sheet = workbook(officer_client.get("/en/filter/figures.xlsx"))["Most blocked domains"]
    cells = {row[0].value: row[0] for row in sheet.iter_rows(min_row=2)}
    for name in FORMULAS:
        assert cells[name].data_type == "s", name  # the exact name, as text, not a formula


def test_it_exports_the_chosen_school_and_days(officer_client, scene):
    response = officer_client.get(
        "/en/filter/figures.xlsx",
        {"school": scene.reporting.pk, "start": "2026-11-19", "end": "2026-11-19"},
    )
    book = workbook(response)
    assert ["Total", 5, 5] in values(book["By tier and reason"])
    assert ["School", "Trường THPT Báo Cáo", None] in values(book["By tier and reason"])
    assert values(book["Most blocked domains"]) == [["Domain", "Blocked queries"]]
    rows = values(book["Schools with DNS filtering"])
    assert ["Schools with DNS filtering", "Any tier", 1, None, 1, 100] in rows
    event = AuditEvent.objects.get(action="filter.figures_export")
    assert event.detail == {
        "format": "xlsx",
        "start": "2026-11-19",
        "end": "2026-11-19",
        "school": scene.reporting.pk,
        "blocked": 5,
    }


def test_the_coordinator_may_export(personas, staff_client, scene):
    client = staff_client(personas["province_coordinator"])
    assert client.get("/en/filter/figures.xlsx").status_code == 200


def test_bad_parameters_get_400_with_the_reason(officer_client, scene):
    response = officer_client.get(
        "/en/filter/figures.xlsx", {"start": "2026-11-20", "end": "2026-11-01"}
    )
    assert response.status_code == 400
    assert "The first day comes after the last one." in response.content.decode()
    response = officer_client.get("/en/filter/figures.xlsx", {"start": "nope"})
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()
    response = officer_client.get("/en/filter/figures.xlsx", {"school": 999999})
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    response = officer_client.get(
        "/en/filter/figures.xlsx", {"start": "2025-01-01", "end": "2026-11-20"}
    )
    assert response.status_code == 400
    assert "Choose at most" in response.content.decode()
    assert not AuditEvent.objects.filter(action="filter.figures_export").exists()


def test_wrong_method_is_refused(officer_client):
    assert officer_client.post("/en/filter/figures.xlsx").status_code == 405


def test_logged_out_goes_to_login(client, db):
    response = client.get("/filter/figures.xlsx")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/filter/figures.xlsx"


def test_roles_without_filter_policy_view_get_403(personas, staff_client, scene):
    for role in ("school_it_admin", "ict_officer", "provider_contact"):
        response = staff_client(personas[role]).get("/en/filter/figures.xlsx")
        assert response.status_code == 403, role
    assert not AuditEvent.objects.filter(action="filter.figures_export").exists()
