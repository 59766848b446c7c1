"""Write each zh_Hant catalogue from its zh_Hans twin with OpenCC (Simplified → Taiwan usage).

zh-Hans is the catalogue translators keep complete; zh-Hant follows it so the two never drift:
entries are added, dropped and ordered as in zh-Hans. A zh-Hant translation that is already
there is kept — it may have been reviewed into better Taiwan usage than OpenCC's (記錄 / 筆,
聯絡, 欄) — unless ``--refresh`` asks to convert everything again (after changing zh-Hans
wording). Run by `make messages` (developers); needs the `opencc` test dependency.
"""

from pathlib import Path

import polib
from django.core.management.base import BaseCommand, CommandParser

from salescope.core.management.commands.compile_catalogs import catalogue_dirs


class Command(BaseCommand):
    help = "Regenerate zh_Hant catalogues from zh_Hans with OpenCC."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="Convert every entry again, replacing zh-Hant translations already there.",
        )

    def handle(self, *args: object, **options: object) -> None:
        import opencc

        converter = opencc.OpenCC("s2twp")
        for locale_dir in catalogue_dirs():
            for hans_path in sorted(locale_dir.glob("zh_Hans/LC_MESSAGES/*.po")):
                hant_path = Path(str(hans_path).replace("zh_Hans", "zh_Hant"))
                hant_path.parent.mkdir(parents=True, exist_ok=True)
                hans = polib.pofile(str(hans_path))
                kept = {} if options["refresh"] or not hant_path.exists() else _reviewed(hant_path)
                hant = polib.POFile()
                hant.metadata = {**hans.metadata, "Language": "zh_Hant"}
                for entry in hans:
                    if entry.obsolete:
                        continue
                    reviewed = kept.get((entry.msgctxt, entry.msgid))
                    hant.append(
                        polib.POEntry(
                            msgid=entry.msgid,
                            msgid_plural=entry.msgid_plural,
                            msgctxt=entry.msgctxt,
                            msgstr=reviewed.msgstr if reviewed else converter.convert(entry.msgstr),
                            msgstr_plural={
                                k: converter.convert(v) for k, v in entry.msgstr_plural.items()
                            },
                            occurrences=entry.occurrences,
                            comment=entry.comment,
                            # A reviewer's note on their zh-Hant wording stays with it.
                            tcomment=reviewed.tcomment
                            if reviewed and reviewed.tcomment
                            else entry.tcomment,
                            flags=[f for f in entry.flags if f != "fuzzy"],
                        )
                    )
                hant.save(str(hant_path))
                self.stdout.write(f"{hant_path}: {len(hant)} entries")


def _reviewed(path: Path) -> dict[tuple[str | None, str], polib.POEntry]:
    """The zh-Hant translations already in a catalogue, by (context, message)."""
    return {
        (entry.msgctxt, entry.msgid): entry
        for entry in polib.pofile(str(path))
        if entry.msgstr and not entry.obsolete and "fuzzy" not in entry.flags
    }
