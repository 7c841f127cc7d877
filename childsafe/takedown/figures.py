"""Takedown figures: how fast providers acknowledge and remove, per provider and month.

Pure functions over ``OrderFacts`` (one issued order each); the view loads them in scope.

- Orders count in the month of their issue, in Vietnam time (Asia/Ho_Chi_Minh).
- *Issued*: every issued order, whatever happened next (withdrawn orders too).
- *Time to acknowledge*: issue to the provider's first acknowledgement (reporting an
  order done acknowledges it too), over the acknowledged orders.
- *Removed*, *time to removal*, *removed within 24 hours*: **removal orders only**, as
  blocking happens in a provider's network and cannot be verified from ours. Removed
  means verified by the checker (``removed_at``: when the last target was seen gone); an
  order reopened because content came back is not removed until verified again. The
  24-hour share is over every removal order issued, removed or not.
- *Still open*: issued, acknowledged or reopened today; *refused*: refused by the provider.
- Medians are the middle value (the mean of the two middle ones for an even count); the
  90th percentile is the nearest-rank value: the smallest time that at least 90% of the
  orders took no longer than. Times are in hours.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from childsafe.takedown.models import OPEN_STATUSES, OrderAction, OrderStatus

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DAY_HOURS = 24.0
# Characters that make a spreadsheet read a cell as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class OrderFacts:
    provider_id: int
    provider_name: str
    action: str
    status: str
    issued_at: dt.datetime
    acknowledged_at: dt.datetime | None = None
    removed_at: dt.datetime | None = None


@dataclass(frozen=True)
class Stats:
    issued: int = 0
    acknowledged: int = 0
    ack_median_hours: float | None = None
    ack_p90_hours: float | None = None
    removal_orders: int = 0
    removed: int = 0
    removal_median_hours: float | None = None
    removal_p90_hours: float | None = None
    removed_within_24h: int = 0
    still_open: int = 0
    refused: int = 0

    @property
    def share_within_24h(self) -> float | None:
        """Removal orders removed within 24 hours of issue, as a percentage."""
        if not self.removal_orders:
            return None
        return 100.0 * self.removed_within_24h / self.removal_orders


@dataclass(frozen=True)
class Group:
    """One row of figures: a month, a provider, both, or neither (the total)."""

    month: dt.date | None
    provider_id: int | None
    provider_name: str
    stats: Stats


@dataclass(frozen=True)
class Figures:
    months: list[dt.date]
    by_month: list[Group]
    by_provider: list[Group]
    by_month_and_provider: list[Group]
    total: Group


# --- Numbers -------------------------------------------------------------------------


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Nearest rank: the smallest value with at least ``pct`` % of values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def _hours(start: dt.datetime, end: dt.datetime) -> float:
    return max(0.0, (end - start).total_seconds() / 3600)


def stats(orders: Iterable[OrderFacts]) -> Stats:
    issued = acknowledged = removal_orders = within = still_open = refused = 0
    ack_hours: list[float] = []
    removal_hours: list[float] = []
    for order in orders:
        issued += 1
        if order.acknowledged_at is not None:
            acknowledged += 1
            ack_hours.append(_hours(order.issued_at, order.acknowledged_at))
        if order.action == OrderAction.REMOVE:
            removal_orders += 1
            if order.removed_at is not None:
                hours = _hours(order.issued_at, order.removed_at)
                removal_hours.append(hours)
                within += hours <= DAY_HOURS
        still_open += order.status in OPEN_STATUSES
        refused += order.status == OrderStatus.REFUSED
    return Stats(
        issued=issued,
        acknowledged=acknowledged,
        ack_median_hours=median(ack_hours),
        ack_p90_hours=percentile(ack_hours, 90),
        removal_orders=removal_orders,
        removed=len(removal_hours),
        removal_median_hours=median(removal_hours),
        removal_p90_hours=percentile(removal_hours, 90),
        removed_within_24h=within,
        still_open=still_open,
        refused=refused,
    )


# --- Months --------------------------------------------------------------------------


def month_of(at: dt.datetime) -> dt.date:
    """The first day of the month ``at`` falls in, in Vietnam time."""
    return at.astimezone(VN).date().replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month from ``first`` to ``last``, both included."""
    months = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def month_span(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The instants [start, end) of months ``first`` to ``last`` in Vietnam time."""
    start = dt.datetime.combine(first.replace(day=1), dt.time(), tzinfo=VN)
    end = dt.datetime.combine(add_months(last.replace(day=1), 1), dt.time(), tzinfo=VN)
    return start, end


# --- Grouping ------------------------------------------------------------------------


def figures(orders: Iterable[OrderFacts], months: list[dt.date]) -> Figures:
    """The figures of ``orders`` issued in ``months`` (others are left out)."""
    wanted = set(months)
    in_range = [o for o in orders if month_of(o.issued_at) in wanted]
    names: dict[int, str] = {}
    per_month: dict[dt.date, list[OrderFacts]] = defaultdict(list)
    per_provider: dict[int, list[OrderFacts]] = defaultdict(list)
    per_cell: dict[tuple[dt.date, int], list[OrderFacts]] = defaultdict(list)
    for order in in_range:
        month = month_of(order.issued_at)
        names[order.provider_id] = order.provider_name
        per_month[month].append(order)
        per_provider[order.provider_id].append(order)
        per_cell[month, order.provider_id].append(order)
    providers = sorted(names, key=lambda pk: (names[pk].casefold(), pk))
    return Figures(
        months=list(months),
        by_month=[Group(m, None, "", stats(per_month[m])) for m in months],
        by_provider=[Group(None, p, names[p], stats(per_provider[p])) for p in providers],
        by_month_and_provider=[
            Group(m, p, names[p], stats(per_cell[m, p]))
            for m in months
            for p in providers
            if (m, p) in per_cell
        ],
        total=Group(None, None, "", stats(in_range)),
    )


# --- Export --------------------------------------------------------------------------


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def safe_text(text: str) -> str:
    """A CSV cell text a spreadsheet will not run as a formula (a quote goes first)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_header() -> list[str]:
    return [
        _("Month"),
        _("Provider"),
        _("Orders issued"),
        _("Acknowledged"),
        _("Time to acknowledge, median (hours)"),
        _("Time to acknowledge, 90th percentile (hours)"),
        _("Removal orders"),
        _("Removed (verified)"),
        _("Time to removal, median (hours)"),
        _("Time to removal, 90th percentile (hours)"),
        _("Removed within 24 hours"),
        _("Removed within 24 hours (%)"),
        _("Still open"),
        _("Refused"),
    ]


def export_rows(figs: Figures) -> list[list[str | int | float | None]]:
    """Every group, most detailed first: month and provider, month, provider, total."""
    rows: list[list[str | int | float | None]] = []
    for group in [*figs.by_month_and_provider, *figs.by_month, *figs.by_provider, figs.total]:
        s = group.stats
        rows.append(
            [
                group.month.strftime("%Y-%m") if group.month else _("All months"),
                group.provider_name if group.provider_id else _("All providers"),
                s.issued,
                s.acknowledged,
                _round(s.ack_median_hours),
                _round(s.ack_p90_hours),
                s.removal_orders,
                s.removed,
                _round(s.removal_median_hours),
                _round(s.removal_p90_hours),
                s.removed_within_24h,
                _round(s.share_within_24h),
                s.still_open,
                s.refused,
            ]
        )
    return rows


# --- Charts (server-side SVG; the template draws them) ----------------------------------

CHART_WIDTH = 640
LABEL_WIDTH = 150
VALUE_WIDTH = 70
BAR_HEIGHT = 14
ROW_GAP = 10
LEGEND_HEIGHT = 24
SERIES_COLOURS = ("#1d6b57", "#d97706")


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    colour: str
    value_x: str
    value_y: str
    series: str
    text: str  # the value as read aloud and printed: "12,5 h", "no data"


@dataclass(frozen=True)
class ChartRow:
    label: str
    label_y: str
    bars: list[Bar]


@dataclass(frozen=True)
class LegendItem:
    name: str
    colour: str
    x: str
    text_x: str


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    description: str
    width: int
    height: int
    label_x: int
    rows: list[ChartRow]
    legend: list[LegendItem]
    is_empty: bool


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def bar_chart(
    *,
    key: str,
    title: str,
    description: str,
    unit: str,
    categories: list[str],
    series: list[tuple[str, list[float | None]]],
    max_value: float | None = None,
) -> Chart:
    """A horizontal bar chart: one row per category, one bar per series in each row.

    Coordinates are strings with a dot, so no locale puts a comma into the SVG; the
    printed values use the active language's number format.
    """
    values = [v for _name, vs in series for v in vs if v is not None]
    top = max_value or max(values, default=0) or 1.0
    span = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    row_height = BAR_HEIGHT * len(series) + ROW_GAP
    rows = []
    for i, label in enumerate(categories):
        y0 = LEGEND_HEIGHT + i * row_height
        bars = []
        for j, (name, vs) in enumerate(series):
            value = vs[i]
            y = y0 + j * BAR_HEIGHT
            width = 0.0 if value is None else span * min(value, top) / top
            text = _("no data") if value is None else f"{number_format(value, 1)} {unit}"
            bars.append(
                Bar(
                    x=_fmt(LABEL_WIDTH),
                    y=_fmt(y),
                    width=_fmt(width),
                    height=_fmt(BAR_HEIGHT - 2),
                    colour=SERIES_COLOURS[j % len(SERIES_COLOURS)],
                    value_x=_fmt(LABEL_WIDTH + width + 4),
                    value_y=_fmt(y + BAR_HEIGHT - 4),
                    series=name,
                    text=text,
                )
            )
        rows.append(ChartRow(label, _fmt(y0 + row_height / 2), bars))
    legend = [
        LegendItem(name, SERIES_COLOURS[j % len(SERIES_COLOURS)], _fmt(x), _fmt(x + 16))
        for j, (name, _vs) in enumerate(series)
        for x in [LABEL_WIDTH + j * 220]
    ]
    return Chart(
        key=key,
        title=title,
        description=description,
        width=CHART_WIDTH,
        label_x=LABEL_WIDTH - 6,
        height=LEGEND_HEIGHT + max(1, len(categories)) * row_height,
        rows=rows,
        legend=legend,
        is_empty=not values,
    )


def charts(figs: Figures) -> list[Chart]:
    """The page's charts: removal time and 24-hour share per month, times per provider."""
    months = [m.strftime("%m/%Y") for m in figs.months]
    # Translators: the unit after a number of hours, as in "12.5 h".
    hours = _("h")
    median_name, p90_name = _("Median"), _("90th percentile")
    return [
        bar_chart(
            key="removal-by-month",
            title=_("Time to removal by month of issue (hours)"),
            description=_(
                "Median and 90th percentile of the hours from issue to verified removal, "
                "for each month. The table below gives the same figures."
            ),
            unit=hours,
            categories=months,
            series=[
                (median_name, [g.stats.removal_median_hours for g in figs.by_month]),
                (p90_name, [g.stats.removal_p90_hours for g in figs.by_month]),
            ],
        ),
        bar_chart(
            key="within-24h-by-month",
            title=_("Removal orders removed within 24 hours, by month of issue (%)"),
            description=_(
                "Share of the removal orders issued each month that were verified removed "
                "within 24 hours of issue. The table below gives the same figures."
            ),
            unit="%",
            categories=months,
            series=[(_("Within 24 hours"), [g.stats.share_within_24h for g in figs.by_month])],
            max_value=100.0,
        ),
        bar_chart(
            key="by-provider",
            title=_("Time to acknowledge and to removal by provider, median (hours)"),
            description=_(
                "For each provider, the median hours from issue to acknowledgement and "
                "from issue to verified removal. The table below gives the same figures."
            ),
            unit=hours,
            categories=[g.provider_name for g in figs.by_provider],
            series=[
                (_("To acknowledge"), [g.stats.ack_median_hours for g in figs.by_provider]),
                (_("To removal"), [g.stats.removal_median_hours for g in figs.by_provider]),
            ],
        ),
    ]
