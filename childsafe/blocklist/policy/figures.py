"""The school filters' aggregate figures for the central figures page and its CSV.

Only what the boxes upload exists here: counts per school, hour, tier and outcome
(``FilterStats``) and each day's most blocked names (``FilterTopDomain``). No client
address or per-device log reaches the centre, and these figures add none.

An outcome is *blocked* unless it is ``forward``, ``allow`` or ``safesearch``: the
authority list, the school's deny list or a category. Hours are shown in the
province's time zone; the top names are per UTC day, as the boxes send them.

The ministry's indicator *schools with DNS filtering, by tier* (``filtering_indicator``)
covers the same schools as the figures (the viewer's scope, or the one school chosen):

- a school **has a tier in its policy** when at least one of its ``SchoolNetwork`` rows
  maps to the tier, or the tier is its default tier (``SchoolFilterSettings``; primary
  when the school has none), which its filter gives every client outside its networks;
- its **filter is in operation** when the box downloaded its policy within the last 24
  hours (``FilterBoxStatus.last_policy_fetch_at``, at the time of asking) **or** it
  uploaded counts for an hour of the chosen days (``FilterStats``): a past period is
  judged by its uploads, since only the latest download is kept;
- a school counts for a tier when it has the tier in its policy **and** its filter is in
  operation; the share is of all the schools in scope (the same denominator for every
  tier; ``None`` without schools);
- apart from the tiers, the schools in scope are counted by their box's last policy
  download: within 24 hours, *stale* (longer ago) and *never* (no download recorded).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet, Sum
from django.db.models.functions import ExtractHour
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from childsafe.blocklist.models import (
    FilterCategory,
    FilterStats,
    FilterTopDomain,
    SchoolNetwork,
    Tier,
)
from childsafe.orgs.models import Organisation

PASSED_OUTCOMES = frozenset({"forward", "allow", "safesearch"})
TOP_DOMAINS = 25
# A box that downloaded its policy longer ago than this is stale.
SYNC_FRESH_FOR = dt.timedelta(hours=24)

Cell = str | int | float


def outcome_label(outcome: str) -> str:
    if outcome == "authority":
        return _("Authority list")
    if outcome == "deny":
        return _("School's deny list")
    if outcome in FilterCategory.values:
        return str(FilterCategory(outcome).label)
    return outcome


def _outcome_order(outcome: str) -> tuple[int, str]:
    if outcome == "authority":
        return 0, ""
    if outcome == "deny":
        return 1, ""
    if outcome in FilterCategory.values:
        return 2, f"{FilterCategory.values.index(outcome):03d}"
    return 3, outcome


@dataclass
class FilterFigures:
    total: int = 0
    blocked: int = 0
    outcomes: list[str] = field(default_factory=list)
    # (tier label, [count per outcome in ``outcomes``], row total)
    by_tier: list[tuple[str, list[int], int]] = field(default_factory=list)
    by_outcome: list[int] = field(default_factory=list)
    by_hour: list[int] = field(default_factory=lambda: [0] * 24)
    top_domains: list[tuple[str, int]] = field(default_factory=list)
    indicator: FilteringIndicator | None = None

    @property
    def outcome_labels(self) -> list[str]:
        return [outcome_label(o) for o in self.outcomes]


def day_span(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """From the start of ``start`` to the end of ``end``, in local time."""
    tz = timezone.get_current_timezone()
    first = dt.datetime.combine(start, dt.time(), tzinfo=tz)
    last = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return first, last


def filter_figures(
    schools: QuerySet[Organisation],
    start: dt.date,
    end: dt.date,
    *,
    now: dt.datetime | None = None,
) -> FilterFigures:
    first, last = day_span(start, end)
    stats = FilterStats.objects.filter(school__in=schools, hour__gte=first, hour__lt=last)
    figs = FilterFigures()
    cells: dict[tuple[str, str], int] = {}
    for tier, outcome, count in (
        stats.values("tier", "outcome")
        .annotate(n=Sum("count"))
        .values_list("tier", "outcome", "n")
    ):
        figs.total += count
        if outcome in PASSED_OUTCOMES:
            continue
        figs.blocked += count
        cells[tier, outcome] = cells.get((tier, outcome), 0) + count
    figs.outcomes = sorted({o for _t, o in cells}, key=_outcome_order)
    for tier, label in Tier.choices:
        counts = [cells.get((tier, o), 0) for o in figs.outcomes]
        figs.by_tier.append((str(label), counts, sum(counts)))
    figs.by_outcome = [sum(cells.get((t, o), 0) for t in Tier.values) for o in figs.outcomes]
    hours = (
        stats.exclude(outcome__in=PASSED_OUTCOMES)
        .annotate(local_hour=ExtractHour("hour", tzinfo=timezone.get_current_timezone()))
        .values("local_hour")
        .annotate(n=Sum("count"))
        .values_list("local_hour", "n")
    )
    for hour, count in hours:
        figs.by_hour[hour] += count
    figs.top_domains = list(
        FilterTopDomain.objects.filter(school__in=schools, day__gte=start, day__lte=end)
        .values("domain")
        .annotate(n=Sum("count"))
        .order_by("-n", "domain")
        .values_list("domain", "n")[:TOP_DOMAINS]
    )
    figs.indicator = filtering_indicator(schools, start, end, now=now)
    return figs


# --- The ministry's indicator: schools with DNS filtering, by tier ----------------------


def percent(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in percent with one decimal; ``None`` when ``whole`` is 0."""
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class TierCoverage:
    tier: str
    label: str
    schools: int  # every school in scope
    configured: int  # schools with the tier in their policy
    in_operation: int  # ... whose filter is in operation

    @property
    def share(self) -> float | None:
        return percent(self.in_operation, self.schools)


@dataclass(frozen=True)
class FilteringIndicator:
    schools: int
    tiers: list[TierCoverage]
    in_operation: int  # schools whose filter is in operation (for any tier)
    synced: int  # boxes that downloaded their policy within the last 24 hours
    stale: int  # ... longer ago
    never_synced: int  # ... never
    checked_at: dt.datetime

    @property
    def share(self) -> float | None:
        return percent(self.in_operation, self.schools)


def filtering_indicator(
    schools: QuerySet[Organisation],
    start: dt.date,
    end: dt.date,
    *,
    now: dt.datetime | None = None,
) -> FilteringIndicator:
    """Schools with DNS filtering in operation, per tier (see the module's docstring).
    Three queries, whatever the number of schools."""
    now = now or timezone.now()
    first, last = day_span(start, end)
    fresh_since = now - SYNC_FRESH_FOR
    rows = list(
        schools.values_list(
            "pk", "filter_settings__default_tier", "filter_box_status__last_policy_fetch_at"
        )
    )
    tiers_of: dict[int, set[str]] = {
        pk: {default or Tier.PRIMARY.value} for pk, default, _f in rows
    }
    for school_id, tier in (
        SchoolNetwork.objects.filter(school__in=schools)
        .order_by()
        .values_list("school_id", "tier")
        .distinct()
    ):
        if school_id in tiers_of:  # a school added since the first query is not counted
            tiers_of[school_id].add(tier)
    reported = set(
        FilterStats.objects.filter(school__in=schools, hour__gte=first, hour__lt=last)
        .order_by()
        .values_list("school_id", flat=True)
        .distinct()
    )
    synced = stale = never = 0
    operating: set[int] = set()
    for pk, _default, fetched_at in rows:
        if fetched_at is None:
            never += 1
        elif fetched_at >= fresh_since:
            synced += 1
        else:
            stale += 1
        if (fetched_at is not None and fetched_at >= fresh_since) or pk in reported:
            operating.add(pk)
    tiers = []
    for tier, label in Tier.choices:
        configured = {pk for pk, has in tiers_of.items() if tier in has}
        tiers.append(
            TierCoverage(
                tier=tier,
                label=str(label),
                schools=len(rows),
                configured=len(configured),
                in_operation=len(configured & operating),
            )
        )
    return FilteringIndicator(
        schools=len(rows),
        tiers=tiers,
        in_operation=len(operating),
        synced=synced,
        stale=stale,
        never_synced=never,
        checked_at=now,
    )


def indicator_rows(ind: FilteringIndicator) -> tuple[list[Cell], list[list[Cell]]]:
    """Header and rows of the indicator for the exports: one row per tier, one for any
    tier, then the schools by their box's last policy download (in the *Schools* column).
    A share without schools is an empty cell."""
    name = _("Schools with DNS filtering")
    header: list[Cell] = [
        _("Table"),
        _("Tier"),
        _("Schools"),
        _("With the tier in their policy"),
        _("With filtering in operation"),
        _("Share (%)"),
    ]
    rows: list[list[Cell]] = [
        [name, t.label, t.schools, t.configured, t.in_operation, _blank(t.share)]
        for t in ind.tiers
    ]
    rows.append([name, _("Any tier"), ind.schools, "", ind.in_operation, _blank(ind.share)])
    boxes = _("Filter boxes")
    rows.append([boxes, _("Policy downloaded in the last 24 hours"), ind.synced, "", "", ""])
    rows.append([boxes, _("Stale: last download over 24 hours ago"), ind.stale, "", "", ""])
    rows.append([boxes, _("Never downloaded a policy"), ind.never_synced, "", "", ""])
    return header, rows


def _blank(value: float | None) -> Cell:
    return "" if value is None else value


def csv_rows(figs: FilterFigures) -> list[list[Cell]]:
    """Header and rows of the CSV export: one table, a first column naming the part.
    The indicator follows as a second block (an empty row, its own header and rows),
    since its columns count schools, not queries: a reader wanting one rectangular
    table stops at the first empty row."""
    rows: list[list[Cell]] = [
        [_("Table"), _("Tier"), _("Blocked by"), _("Hour"), _("Domain"), _("Blocked queries")]
    ]
    for label, counts, _total in figs.by_tier:
        for outcome, count in zip(figs.outcomes, counts, strict=True):
            rows.append([_("By tier"), label, outcome_label(outcome), "", "", count])
    for hour, count in enumerate(figs.by_hour):
        rows.append([_("By hour of day"), "", "", f"{hour:02d}:00", "", count])
    for domain, count in figs.top_domains:
        rows.append([_("Most blocked domains"), "", "", "", domain, count])
    if figs.indicator is not None:
        header, indicator = indicator_rows(figs.indicator)
        rows += [[], header, *indicator]
    return rows


def safe_cell(value: Cell) -> Cell:
    """A text cell a spreadsheet program will not read as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


# --- The hour-of-day chart (server-side SVG; the template draws it) -------------------

CHART_WIDTH = 640
CHART_HEIGHT = 220
AXIS_Y = 190
PLOT_TOP = 20
LEFT = 10


@dataclass(frozen=True)
class HourBar:
    x: str
    y: str
    width: str
    height: str
    label: str
    label_x: str
    text: str


@dataclass(frozen=True)
class HourChart:
    key: str
    title: str
    description: str
    width: int
    height: int
    axis_y: int
    label_y: int
    bars: list[HourBar]
    is_empty: bool


def hour_chart(by_hour: list[int]) -> HourChart:
    """24 vertical bars, blocked queries per hour of the day. Coordinates are written
    with a dot, so no locale puts a comma into the SVG."""
    top = max(by_hour, default=0) or 1
    slot = (CHART_WIDTH - 2 * LEFT) / 24
    bars = []
    for hour, count in enumerate(by_hour):
        height = (AXIS_Y - PLOT_TOP) * count / top
        x = LEFT + hour * slot
        bars.append(
            HourBar(
                x=f"{x + 2:.1f}",
                y=f"{AXIS_Y - height:.1f}",
                width=f"{slot - 4:.1f}",
                height=f"{height:.1f}",
                label=f"{hour:02d}",
                label_x=f"{x + slot / 2:.1f}",
                text=number_format(count, force_grouping=True),
            )
        )
    return HourChart(
        key="blocked-by-hour",
        title=_("Blocked queries by hour of the day"),
        description=_(
            "For each hour of the day (local time), the queries the schools' filters "
            "blocked in the chosen days. The table below gives the same figures."
        ),
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        axis_y=AXIS_Y,
        label_y=AXIS_Y + 16,
        bars=bars,
        is_empty=not any(by_hour),
    )
