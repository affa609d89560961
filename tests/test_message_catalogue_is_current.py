"""Every string the interface can show is in the Swedish catalogue.

The catalogue test (test_translations.py) checks that the entries in django.po are
translated; this one checks that no marked string is missing from it, by extracting the
strings again from a copy of the code with gettext's xgettext, as ``makemessages`` does.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["manage.py", "halland_utbud", "requirements", "clinics", "followup", "templates"]


def _entries(po_path: Path) -> set[tuple[str | None, str]]:
    return {(e.msgctxt, e.msgid) for e in polib.pofile(str(po_path)) if e.msgid}


def test_no_marked_string_is_missing_from_the_swedish_catalogue(tmp_path):
    if shutil.which("xgettext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs gettext's xgettext to check the message catalogue.")
        pytest.skip("gettext's xgettext is not installed")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    # The copy has no tests/: the app's own settings, with the suite's key (tests.settings).
    env = {
        **os.environ,
        "PYTHONPATH": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "halland_utbud.settings",
    }
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "sv", "--no-obsolete", "-v", "0"],
        cwd=tmp_path,
        env=env,
        check=True,
    )

    extracted = _entries(tmp_path / "locale/sv/LC_MESSAGES/django.po")
    committed = _entries(ROOT / "locale/sv/LC_MESSAGES/django.po")

    missing = sorted(extracted - committed, key=str)
    assert not missing, (
        "Run `manage.py makemessages -l sv --ignore=.venv --ignore=tests` and translate: "
        f"{missing}"
    )
