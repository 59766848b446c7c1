"""Simplified Chinese is complete: every zh_Hans catalogue (the project's locale/ and each
app's) has no untranslated or fuzzy entry, and every string the code marks for translation is
in one of them."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
ZH_HANS_CATALOGUES = sorted(
    [
        *ROOT.glob("locale/zh_Hans/LC_MESSAGES/*.po"),
        *ROOT.glob("salescope/*/locale/zh_Hans/LC_MESSAGES/*.po"),
    ]
)


def catalogue_id(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_the_project_catalogue_exists():
    assert ROOT / "locale/zh_Hans/LC_MESSAGES/django.po" in ZH_HANS_CATALOGUES


@pytest.mark.parametrize("path", ZH_HANS_CATALOGUES, ids=catalogue_id)
def test_zh_hans_catalogue_has_no_untranslated_or_fuzzy_entry(path):
    catalogue = polib.pofile(str(path))
    live = [entry for entry in catalogue if not entry.obsolete]

    untranslated = [entry.msgid for entry in live if not entry.translated() and not entry.fuzzy]
    fuzzy = [entry.msgid for entry in live if entry.fuzzy]

    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("path", ZH_HANS_CATALOGUES, ids=catalogue_id)
def test_zh_hans_translations_keep_the_placeholders(path):
    """A translation that drops or renames %(name)s would crash or mislead at run time."""
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
    broken = []
    for entry in polib.pofile(str(path)):
        if entry.obsolete or not entry.msgstr:
            continue
        if sorted(placeholder.findall(entry.msgid)) != sorted(placeholder.findall(entry.msgstr)):
            broken.append(entry.msgid)
    assert broken == []


def _keys(paths: list[Path]) -> set[tuple[str, str]]:
    keys = set()
    for path in paths:
        for entry in polib.pofile(str(path)):
            if not entry.obsolete:
                keys.add((entry.msgctxt or "", entry.msgid))
    return keys


def test_every_marked_string_in_the_code_is_in_a_zh_hans_catalogue(tmp_path):
    if shutil.which("xgettext") is None:
        pytest.skip("needs GNU gettext's xgettext to extract strings: apt-get install -y gettext")
    # Extract from a copy of the code, so the real catalogues are never touched.
    copy = tmp_path / "salescope"
    shutil.copytree(
        ROOT / "salescope",
        copy,
        ignore=shutil.ignore_patterns("__pycache__", "*.po", "*.mo", "vendor"),
    )
    (tmp_path / "locale").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(  # noqa: S603 - our interpreter, fixed arguments
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "--locale",
            "zh_Hans",
            "--no-obsolete",
            "--no-location",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    extracted = sorted(tmp_path.rglob("zh_Hans/LC_MESSAGES/django.po"))
    assert tmp_path / "locale/zh_Hans/LC_MESSAGES/django.po" in extracted

    missing = _keys(extracted) - _keys(ZH_HANS_CATALOGUES)

    assert sorted(missing) == []
