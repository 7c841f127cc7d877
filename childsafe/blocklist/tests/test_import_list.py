"""``childsafe import-list``: import, refusals that change nothing, rollback."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from childsafe.blocklist.models import CategoryList, CategoryListVersion

pytestmark = pytest.mark.django_db

ARGS = ["--category", "adult", "--name", "UT1 adult", "--source", "https://x.example/ut1"]


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("import_list", *args, stdout=out)
    return out.getvalue()


def test_it_imports_a_hosts_file(tmp_path):
    path = tmp_path / "adult.hosts"
    path.write_text("# header\n0.0.0.0 a.example\n0.0.0.0 b.example\n0.0.0.0 -bad-\n")
    out = run(*ARGS, "--licence", "CC BY-SA 4.0", str(path))
    assert "2 domains (hosts), 1 invalid lines" in out
    category_list = CategoryList.objects.get()
    assert (category_list.licence, category_list.source) == (
        "CC BY-SA 4.0",
        "https://x.example/ut1",
    )
    assert category_list.active_version.entry_count == 2


def test_a_file_in_the_wrong_format_is_refused_and_nothing_is_imported(tmp_path):
    path = tmp_path / "page.html"
    path.write_text("<html>\n<body>Not found</body>\n</html>\n")
    with pytest.raises(CommandError, match="none of the known formats.*Nothing was imported"):
        run(*ARGS, "--licence", "x", str(path))
    assert not CategoryList.objects.exists()


def test_a_missing_licence_is_refused(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("a.example\n")
    with pytest.raises(CommandError, match="--licence"):
        run(*ARGS, str(path))
    assert not CategoryListVersion.objects.exists()


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        run(*ARGS, "--licence", "x", str(tmp_path / "nope.txt"))


def test_rollback_makes_the_previous_version_active(tmp_path):
    first, second = tmp_path / "1.txt", tmp_path / "2.txt"
    first.write_text("a.example\n")
    second.write_text("||b.example^\n")
    run(*ARGS, "--licence", "x", str(first))
    run(*ARGS, "--licence", "x", str(second))
    old = CategoryListVersion.objects.order_by("pk").first()
    assert "is active again" in run("--name", "UT1 adult", "--rollback")
    assert CategoryList.objects.get().active_version == old
    with pytest.raises(CommandError, match="no earlier version"):
        run("--name", "UT1 adult", "--rollback")
    with pytest.raises(CommandError, match="no list called"):
        run("--name", "Nope", "--rollback")
