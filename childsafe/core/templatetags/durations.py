"""Durations in words ("2 ngày, 3 giờ"), with the project's own translations.

Django's ``timesince``/``timeuntil`` filters use Django's Vietnamese catalogue,
whose duration strings are out of date (they show English); these filters pass
strings from our catalogue instead.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.timesince import timesince
from django.utils.translation import ngettext_lazy

register = template.Library()

TIME_STRINGS = {
    "year": ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    "month": ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    "week": ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    "day": ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    "hour": ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    "minute": ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
}


@register.filter
def duration_since(value: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """How long ago ``value`` was, e.g. an overdue deadline."""
    if not value:
        return ""
    return timesince(value, now, time_strings=TIME_STRINGS)


@register.filter
def duration_until(value: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """How long until ``value``, e.g. the time left on a deadline."""
    if not value:
        return ""
    return (
        timesince(now, value, time_strings=TIME_STRINGS)
        if now
        else timesince(value, time_strings=TIME_STRINGS, reversed=True)
    )
