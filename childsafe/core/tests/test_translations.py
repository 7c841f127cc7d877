"""The Vietnamese catalogue is complete, current and compiled.

The catalogue is regenerated from the code into a temporary copy of the
package and compared with the committed one, so a new string without a
translation fails here.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.utils import translation

PACKAGE = Path(__file__).resolve().parents[2]
PO = PACKAGE / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def _catalogue() -> polib.POFile:
    return polib.pofile(str(PO))


def test_every_vietnamese_entry_is_translated():
    po = _catalogue()
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


def test_placeholders_survive_translation():
    for entry in _catalogue().translated_entries():
        # Plural entries keep their texts in msgstr_plural (Vietnamese has one form).
        texts = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        source = entry.msgid_plural or entry.msgid
        for text in texts:
            for placeholder in ("%(", "{{", "%s", "%d"):
                assert source.count(placeholder) == text.count(placeholder), entry.msgid


def test_compiled_catalogue_matches_the_source():
    po = _catalogue()
    with translation.override("vi"):
        for entry in po.translated_entries():
            if entry.msgctxt or entry.msgid_plural:
                continue
            assert translation.gettext(entry.msgid) == entry.msgstr, entry.msgid


@pytest.mark.skipif(
    shutil.which("xgettext") is None and os.environ.get("CI") != "true",
    reason="GNU gettext is not installed (make test installs it; CI requires it)",
)
def test_catalogue_holds_every_string_in_the_code(tmp_path):
    copy = tmp_path / "childsafe"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "childsafe.settings",
        "CHILDSAFE_DATA_DIR": str(tmp_path / "data"),
    }
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "vi", "--no-obsolete", "-v", "0"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    fresh = {e.msgid for e in polib.pofile(str(copy / "locale/vi/LC_MESSAGES/django.po"))}
    committed = {e.msgid for e in _catalogue() if not e.obsolete}
    assert sorted(fresh - committed) == [], "run `make messages` and translate the new strings"
    assert sorted(committed - fresh) == [], "run `make messages` to drop strings no longer used"
