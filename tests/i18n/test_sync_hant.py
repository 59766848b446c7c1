"""`salescope sync_hant` writes zh-Hant from zh-Hans without losing what people wrote there.

A reviewer's zh-Hant wording and the note beside it (why 記錄 and not 纪录 → 紀錄) must survive the
next sync; the developers' and translators' notes of zh-Hans must reach zh-Hant too.
"""

import io
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

from salescope.core.management.commands import sync_hant

pytest.importorskip("opencc", reason="sync_hant needs the opencc test dependency")


def _catalogue(path: Path, entries: list[polib.POEntry], language: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    po = polib.POFile()
    po.metadata = {"Language": language, "Content-Type": "text/plain; charset=UTF-8"}
    for entry in entries:
        po.append(entry)
    po.save(str(path))


@pytest.fixture
def locale_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(sync_hant, "catalogue_dirs", lambda: [tmp_path])
    _catalogue(
        tmp_path / "zh_Hans/LC_MESSAGES/django.po",
        [
            polib.POEntry(
                msgid="Record",
                msgstr="记录",
                comment="A row of the sales ledger.",
                tcomment="Not 纪录: a record of a fact.",
            ),
            polib.POEntry(msgid="Contact", msgstr="联系人", tcomment="Hans note"),
            polib.POEntry(msgid="New", msgstr="新增"),
        ],
        "zh_Hans",
    )
    _catalogue(
        tmp_path / "zh_Hant/LC_MESSAGES/django.po",
        [polib.POEntry(msgid="Contact", msgstr="聯絡窗口", tcomment="Reviewed: Taiwan usage.")],
        "zh_Hant",
    )
    return tmp_path


def _hant(locale_dir: Path) -> dict[str, polib.POEntry]:
    return {e.msgid: e for e in polib.pofile(str(locale_dir / "zh_Hant/LC_MESSAGES/django.po"))}


def test_reviewed_wording_and_its_note_survive(locale_dir: Path) -> None:
    call_command("sync_hant", stdout=io.StringIO())

    contact = _hant(locale_dir)["Contact"]
    assert contact.msgstr == "聯絡窗口"
    assert contact.tcomment == "Reviewed: Taiwan usage."


def test_hans_notes_reach_new_hant_entries(locale_dir: Path) -> None:
    call_command("sync_hant", stdout=io.StringIO())

    record = _hant(locale_dir)["Record"]
    assert record.msgstr == "記錄"
    assert record.comment == "A row of the sales ledger."
    assert record.tcomment == "Not 纪录: a record of a fact."
    assert _hant(locale_dir)["New"].msgstr == "新增"


def test_refresh_converts_again_with_the_hans_notes(locale_dir: Path) -> None:
    """--refresh replaces reviewed wording, so the reviewer's note about it goes too."""
    call_command("sync_hant", "--refresh", stdout=io.StringIO())

    contact = _hant(locale_dir)["Contact"]
    assert contact.msgstr == "聯絡人"
    assert contact.tcomment == "Hans note"
