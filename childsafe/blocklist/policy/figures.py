"""The school filters' aggregate figures for the central figures page and its CSV.

Only what the boxes upload exists here: counts per school, hour, tier and outcome
(``FilterStats``) and each day's most blocked names (``FilterTopDomain``). No client
address or per-device log reaches the centre, and these figures add none.

An outcome is *blocked* unless it is ``forward``, ``allow`` or ``safesearch``: the
authority list, the school's deny list or a category. Hours are shown in the
province's time zone; the top names are per UTC day, as the boxes send them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet, Sum
from django.db.models.functions import ExtractHour
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from childsafe.blocklist.models import FilterCategory, FilterStats, FilterTopDomain, Tier
from childsafe.orgs.models import Organisation

PASSED_OUTCOMES = frozenset({"forward", "allow", "safesearch"})
TOP_DOMAINS = 25


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

    @property
    def outcome_labels(self) -> list[str]:
        return [outcome_label(o) for o in self.outcomes]


def day_span(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """From the start of ``start`` to the end of ``end``, in local time."""
    tz = timezone.get_current_timezone()
    first = dt.datetime.combine(start, dt.time(), tzinfo=tz)
    last = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return first, last


def filter_figures(schools: QuerySet[Organisation], start: dt.date, end: dt.date) -> FilterFigures:
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
    return figs


def csv_rows(figs: FilterFigures) -> list[list[str | int]]:
    """Header and rows of the CSV export: one table, a first column naming the part."""
    rows: list[list[str | int]] = [
        [_("Table"), _("Tier"), _("Blocked by"), _("Hour"), _("Domain"), _("Blocked queries")]
    ]
    for label, counts, _total in figs.by_tier:
        for outcome, count in zip(figs.outcomes, counts, strict=True):
            rows.append([_("By tier"), label, outcome_label(outcome), "", "", count])
    for hour, count in enumerate(figs.by_hour):
        rows.append([_("By hour of day"), "", "", f"{hour:02d}:00", "", count])
    for domain, count in figs.top_domains:
        rows.append([_("Most blocked domains"), "", "", "", domain, count])
    return rows


def safe_cell(value: str | int) -> str | int:
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
