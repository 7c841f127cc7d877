import datetime as dt

from django.utils import translation

from childsafe.core.templatetags.durations import duration_since, duration_until

# timesince joins number and unit with a no-break space (\xa0).
NOW = dt.datetime(2026, 1, 10, 12, 0, tzinfo=dt.UTC)


def test_time_left_is_in_vietnamese():
    with translation.override("vi"):
        assert duration_until(NOW + dt.timedelta(days=2, hours=3), NOW) == "2\xa0ngày, 3\xa0giờ"


def test_time_left_in_english():
    with translation.override("en"):
        assert duration_until(NOW + dt.timedelta(days=1, hours=5), NOW) == "1\xa0day, 5\xa0hours"


def test_overdue_by():
    with translation.override("vi"):
        assert duration_since(NOW - dt.timedelta(hours=3), NOW) == "3\xa0giờ"


def test_nothing_for_no_date():
    assert duration_until(None, NOW) == ""
    assert duration_since(None, NOW) == ""
