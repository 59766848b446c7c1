"""The Chinese interface addresses its user one way: 您, never 你 (issue 19, defect 10)."""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]


def test_zh_hans_messages_say_nin_not_ni():
    informal = [
        (path.relative_to(ROOT).as_posix(), entry.msgstr)
        for path in sorted(ROOT.glob("salescope/**/locale/zh_Hans/LC_MESSAGES/django.po"))
        for entry in polib.pofile(str(path))
        if "你" in entry.msgstr
    ]
    assert informal == []
