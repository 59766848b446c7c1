"""Names as an import matches them: exactly first, then folded.

Another CRM's export spells the same account, product line, stage or person a little
differently: "Acme Ltd." and "ACME LTD", "华东（上海）" and "华东(上海)", "王 伟" and "王伟". Folded
(NFKC, so full-width becomes half-width; case-folded; every space and punctuation mark left out)
they are the same name, so the import resolves them instead of refusing the row, and tells the
person which ones it read so (a data-quality finding, ``Spec.note_finding``). A folded name that
stands for two different records is not guessed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from functools import lru_cache


@lru_cache(maxsize=65_536)
def fold_name(text: str) -> str:
    """The name with width, case, spaces and punctuation folded away."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


@dataclass(frozen=True)
class Match:
    value: Hashable | None  # the record found (its id), None when none was
    name: str = ""  # the stored name it was found by
    folded: bool = False  # found only once folded: a data-quality finding
    ambiguous: bool = False  # the folded name stands for several records


class NameIndex:
    """Records by name: exact (after trimming) and folded; built once per import."""

    def __init__(self, pairs: Iterable[tuple[str, Hashable]]) -> None:
        self.exact: dict[str, Hashable] = {}
        self.folded: dict[str, tuple[Hashable, str]] = {}
        self.ambiguous_exact: set[str] = set()
        self.ambiguous_folded: set[str] = set()
        self.memo: dict[str, Match] = {}  # a file repeats the same few names many times
        for raw, value in pairs:
            name = str(raw or "").strip()
            if not name:
                continue
            if self.exact.get(name, value) != value:
                self.ambiguous_exact.add(name)
            self.exact.setdefault(name, value)
            key = fold_name(name)
            if key:
                found = self.folded.setdefault(key, (value, name))
                if found[0] != value:
                    self.ambiguous_folded.add(key)

    def names(self) -> list[str]:
        """The names as stored, in the order they were given (a pipeline's stages in order)."""
        return list(dict.fromkeys(name for _value, name in self.folded.values()))

    def find(self, text: str) -> Match:
        found = self.memo.get(text)
        if found is None:
            found = self.memo[text] = self._find(text)
        return found

    def _find(self, text: str) -> Match:
        name = str(text or "").strip()
        if name in self.exact and name not in self.ambiguous_exact:
            return Match(self.exact[name], name)
        key = fold_name(name)
        if key in self.ambiguous_folded or name in self.ambiguous_exact:
            return Match(None, ambiguous=True)
        found = self.folded.get(key)
        if found is None:
            return Match(None)
        return Match(found[0], found[1], folded=True)
