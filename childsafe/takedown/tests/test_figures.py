"""The takedown figures as pure functions: medians, percentiles, months, groups, charts.

``make_issued`` is shared with the page and export tests.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from childsafe.orgs.models import Organisation, OrgKind
from childsafe.takedown.figures import (
    OrderFacts,
    bar_chart,
    export_header,
    export_rows,
    figures,
    median,
    month_of,
    month_span,
    months_between,
    percentile,
    safe_text,
    stats,
)
from childsafe.takedown.models import OrderAction, OrderStatus, TakedownOrder
from childsafe.testing import START

UTC = dt.UTC
_refs = itertools.count(1)


def make_issued(
    orgs,
    personas,
    issued_at,
    *,
    issuer=None,
    provider=None,
    action=OrderAction.REMOVE,
    status=OrderStatus.VERIFIED,
    ack_hours=None,
    removed_hours=None,
):
    """An issued order, straight in the database (no services needed for figures)."""
    return TakedownOrder.objects.create(
        reference=f"FG-{next(_refs):08d}",
        issuer=issuer or orgs.ict,
        provider=provider or orgs.provider,
        action=action,
        reason="csam",
        legal_basis="Decree 147/2024",
        deadline_hours=24,
        status=status,
        created_by=personas["ict_officer"],
        issued_at=issued_at,
        due_at=issued_at + dt.timedelta(hours=24),
        acknowledged_at=None if ack_hours is None else issued_at + dt.timedelta(hours=ack_hours),
        removed_at=(
            None if removed_hours is None else issued_at + dt.timedelta(hours=removed_hours)
        ),
    )


def make_provider(code, name):
    return Organisation.objects.create(
        code=code,
        name=name,
        kind=OrgKind.SERVICE_PROVIDER,
        provider_kind="platform",
        effective_from=START,
    )


def facts(
    issued_at, *, provider=(1, "VNPT"), action="remove", status="verified", ack=None, removed=None
):
    return OrderFacts(
        provider_id=provider[0],
        provider_name=provider[1],
        action=action,
        status=status,
        issued_at=issued_at,
        acknowledged_at=None if ack is None else issued_at + dt.timedelta(hours=ack),
        removed_at=None if removed is None else issued_at + dt.timedelta(hours=removed),
    )


MARCH = dt.datetime(2025, 3, 10, 3, 0, tzinfo=UTC)


# --- Median and 90th percentile -------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "middle", "p90"),
    [
        ([], None, None),
        ([5.0], 5.0, 5.0),
        ([1.0, 2.0, 3.0, 4.0], 2.5, 4.0),
        ([3.0, 1.0, 2.0], 2.0, 3.0),
        ([float(n) for n in range(1, 11)], 5.5, 9.0),
        ([float(n) for n in range(1, 21)], 10.5, 18.0),
        ([float(n) for n in range(1, 12)], 6.0, 10.0),
    ],
)
def test_median_and_nearest_rank_percentile(values, middle, p90):
    assert median(values) == middle
    assert percentile(values, 90) == p90


@given(st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=50))
def test_the_percentile_is_a_value_and_at_least_nine_in_ten_are_at_or_below_it(values):
    p90 = percentile(values, 90)
    assert p90 in values
    assert sum(v <= p90 for v in values) >= 0.9 * len(values)
    assert min(values) <= median(values) <= max(values)


# --- One group ------------------------------------------------------------------------


def test_stats_of_hand_made_orders():
    orders = [
        facts(MARCH, ack=1, removed=6),
        facts(MARCH, ack=3, removed=24),  # exactly 24 hours: within
        facts(MARCH, ack=2, removed=24 + 1 / 60),  # one minute late
        facts(MARCH, status="acknowledged", ack=10),
        facts(MARCH, status="issued"),
        facts(MARCH, status="refused", ack=5),
        facts(MARCH, status="reopened", ack=4),  # came back: not removed any more
        facts(MARCH, action="block", status="done", ack=1, removed=2),  # never counted removed
    ]
    s = stats(orders)
    assert s.issued == 8
    assert s.acknowledged == 7
    assert s.ack_median_hours == 3.0
    assert s.ack_p90_hours == 10.0
    assert s.removal_orders == 7
    assert s.removed == 3
    assert s.removal_median_hours == 24.0
    assert s.removal_p90_hours == pytest.approx(24 + 1 / 60)
    assert s.removed_within_24h == 2
    assert s.share_within_24h == pytest.approx(100 * 2 / 7)
    assert s.still_open == 3  # acknowledged, issued, reopened
    assert s.refused == 1


def test_stats_of_nothing():
    s = stats([])
    assert (s.issued, s.removed, s.removal_median_hours, s.share_within_24h) == (0, 0, None, None)


def test_a_removal_seen_before_the_issue_counts_as_zero_hours():
    assert stats([facts(MARCH, removed=-1)]).removal_median_hours == 0.0


# --- Months in Vietnam time -----------------------------------------------------------


def test_the_month_turns_at_midnight_in_vietnam():
    assert month_of(dt.datetime(2025, 1, 31, 16, 59, tzinfo=UTC)) == dt.date(2025, 1, 1)
    assert month_of(dt.datetime(2025, 1, 31, 17, 0, tzinfo=UTC)) == dt.date(2025, 2, 1)


def test_month_span_is_in_vietnam_time():
    start, end = month_span(dt.date(2025, 1, 1), dt.date(2025, 2, 1))
    assert start == dt.datetime(2024, 12, 31, 17, 0, tzinfo=UTC)
    assert end == dt.datetime(2025, 2, 28, 17, 0, tzinfo=UTC)


def test_months_between_crosses_years():
    assert months_between(dt.date(2024, 11, 1), dt.date(2025, 2, 1)) == [
        dt.date(2024, 11, 1),
        dt.date(2024, 12, 1),
        dt.date(2025, 1, 1),
        dt.date(2025, 2, 1),
    ]
    assert months_between(dt.date(2025, 2, 1), dt.date(2025, 1, 1)) == []


# --- Groups ---------------------------------------------------------------------------


def test_figures_per_month_per_provider_and_in_total():
    vnpt, viettel = (1, "VNPT"), (2, "Viettel")
    jan_end = dt.datetime(2025, 1, 31, 16, 59, tzinfo=UTC)  # still January in Vietnam
    feb_start = dt.datetime(2025, 1, 31, 17, 0, tzinfo=UTC)  # February in Vietnam
    orders = [
        facts(jan_end, provider=vnpt, ack=2, removed=10),
        facts(feb_start, provider=vnpt, ack=4, removed=30),
        facts(feb_start, provider=viettel, ack=1, removed=5),
        facts(dt.datetime(2024, 12, 1, tzinfo=UTC), provider=viettel),  # outside the range
    ]
    months = months_between(dt.date(2025, 1, 1), dt.date(2025, 3, 1))
    figs = figures(orders, months)
    assert [(g.month, g.stats.issued) for g in figs.by_month] == [
        (dt.date(2025, 1, 1), 1),
        (dt.date(2025, 2, 1), 2),
        (dt.date(2025, 3, 1), 0),
    ]
    assert figs.by_month[1].stats.removal_median_hours == 17.5
    assert [(g.provider_name, g.stats.issued) for g in figs.by_provider] == [
        ("Viettel", 1),
        ("VNPT", 2),
    ]
    assert figs.by_provider[1].stats.removal_median_hours == 20.0
    assert [(g.month, g.provider_name) for g in figs.by_month_and_provider] == [
        (dt.date(2025, 1, 1), "VNPT"),
        (dt.date(2025, 2, 1), "Viettel"),
        (dt.date(2025, 2, 1), "VNPT"),
    ]
    total = figs.total.stats
    assert (total.issued, total.removed, total.removed_within_24h) == (3, 3, 2)
    assert total.removal_median_hours == 10.0


def test_figures_of_no_orders():
    figs = figures([], [dt.date(2025, 1, 1)])
    assert figs.by_provider == [] and figs.by_month_and_provider == []
    assert figs.by_month[0].stats.issued == 0
    assert figs.total.stats.issued == 0


# --- Export rows ----------------------------------------------------------------------


def test_export_rows_go_from_detail_to_total(settings):
    orders = [facts(MARCH, ack=1.04, removed=6.06), facts(MARCH, provider=(2, "=cmd"))]
    figs = figures(orders, [dt.date(2025, 3, 1)])
    header = export_header()
    rows = export_rows(figs)
    assert all(len(row) == len(header) for row in rows)
    assert [row[:2] for row in rows] == [
        ["2025-03", "=cmd"],
        ["2025-03", "VNPT"],
        ["2025-03", "All providers"],
        ["All months", "=cmd"],
        ["All months", "VNPT"],
        ["All months", "All providers"],
    ]
    vnpt = rows[1]
    assert vnpt[2:] == [1, 1, 1.0, 1.0, 1, 1, 6.1, 6.1, 1, 100.0, 0, 0]
    assert rows[0][4] is None  # no acknowledgement: no time


def test_formula_like_text_is_quoted():
    assert safe_text("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert safe_text("+84 905") == "'+84 905"
    assert safe_text("VNPT") == "VNPT"


# --- Charts ---------------------------------------------------------------------------


def draw(language):
    with translation.override(language):
        return bar_chart(
            key="k",
            title="T",
            description="D",
            unit="h",
            categories=["a", "b"],
            series=[("Median", [10.0, None]), ("90th", [20.0, 5.0])],
        )


def test_bar_chart_scales_bars_and_prints_values():
    chart = draw("en")
    [a, b] = chart.rows
    assert [bar.width for bar in a.bars] == ["210.0", "420.0"]
    assert b.bars[0].width == "0.0" and b.bars[0].text == "no data"
    assert a.bars[1].text == "20.0 h"
    assert a.bars[1].series == "90th"
    assert all("," not in bar.x + bar.y + bar.width for row in chart.rows for bar in row.bars)
    assert not chart.is_empty
    assert chart.height == 24 + 2 * 38


def test_printed_values_follow_the_language_but_coordinates_keep_a_dot():
    chart = draw("vi")
    assert chart.rows[0].bars[1].text == "20,0 h"
    assert chart.rows[0].bars[1].width == "420.0"


def test_an_empty_chart_says_so():
    chart = bar_chart(
        key="k", title="T", description="D", unit="%", categories=[], series=[("x", [])]
    )
    assert chart.is_empty and chart.rows == []
