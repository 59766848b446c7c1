"""Full-text search for market intelligence (E1) that works for Chinese text.

On write the service stores ``Intelligence.search_text``: the title, details and tags
(competitor, customer, product, category, region) segmented by jieba in search mode, plus every
two-character run of Chinese text (so a two-character term is found even where jieba cut the
sentence differently), lower-cased and space-joined. SQLite indexes it in an FTS5 table kept in
step by triggers; PostgreSQL in a GIN index on ``to_tsvector('simple', search_text)``
(migration 0002). A query is segmented by jieba the same way: each word must be present; a
Chinese word of three or more characters is matched by its two-character runs.

The FTS5 table is contentless and its rowid is the entry's place in the list's order
(:func:`sort_key`: the day observed, then the id; migration 0004), so FTS5 yields the matches
newest first and can start at a day: the list's first page of a word found in a fifth of a
million entries reads the newest few thousand matches (``since``), not all 200,000.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable
from typing import Any

import jieba
from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

jieba.setLogLevel(logging.WARNING)

FTS_TABLE = "feedback_intelligence_fts"
# The FTS5 rowid: the day observed (SQLite's Julian day number) above 40 bits of the entry's id.
KEY_SHIFT = 1 << 40
JULIAN_OFFSET = 1721424  # date.toordinal() + this == CAST(julianday(date) AS INTEGER)
MATCH_SQL = (
    f"SELECT rowid % {KEY_SHIFT} FROM feedback_intelligence_fts "  # noqa: S608 - constants only
    "WHERE feedback_intelligence_fts MATCH %s"
)
MATCH_SINCE_SQL = f"{MATCH_SQL} AND rowid >= %s"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[\w]+")


def _words(token: str) -> list[str]:
    """The indexable pieces of a jieba token: runs of letters, digits or Chinese characters."""
    return [w for w in _WORD.findall(token.lower()) if w]


def _bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def segment(*texts: str | None) -> str:
    """The stored ``search_text`` of the given texts (jieba search-mode tokens + CJK bigrams)."""
    seen: dict[str, None] = {}
    for text in texts:
        if not text:
            continue
        for token in jieba.cut_for_search(text):
            for word in _words(token):
                seen.setdefault(word, None)
        for run in _CJK.findall(text):
            for pair in _bigrams(run):
                seen.setdefault(pair, None)
    return " ".join(seen)


def intelligence_search_text(entry: Any) -> str:
    """``search_text`` of an intelligence entry: title, details and its tags."""
    return segment(
        entry.title,
        entry.body,
        entry.competitor,
        str(entry.customer.name) if entry.customer_id else "",
        str(entry.product.name) if entry.product_id else "",
        str(entry.category.name) if entry.category_id else "",
        str(entry.region.name) if entry.region_id else "",
    )


def query_terms(q: str) -> list[str]:
    """The terms every matching entry must contain, from jieba's (precise mode) cut of ``q``."""
    terms: dict[str, None] = {}
    for token in jieba.cut(q):
        for word in _words(token):
            if _CJK.fullmatch(word) and len(word) > 2:
                for pair in _bigrams(word):
                    terms.setdefault(pair, None)
            else:
                terms.setdefault(word, None)
    return list(terms)


def _fts5_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def observed_span() -> tuple[dt.date | None, dt.date | None]:
    """The first and last days any entry was observed on (bounds of the newest-days windows;
    no entry is read). One MIN or MAX a statement, so each is read off the index's ends."""
    days = []
    with connection.cursor() as cursor:
        for bound in ("MIN", "MAX"):
            cursor.execute(f"SELECT {bound}(observed_on) FROM feedback_intelligence")  # noqa: S608
            value = cursor.fetchone()[0]
            days.append(dt.date.fromisoformat(value) if isinstance(value, str) else value)
    return days[0], days[1]


def sort_key(observed_on: dt.date, pk: int) -> int:
    """The FTS5 rowid of an entry: ordered as the list is (day observed, then id)."""
    return (observed_on.toordinal() + JULIAN_OFFSET) * KEY_SHIFT + pk


def search_condition(
    q: str,
    terms: Iterable[str] | None = None,
    since: dt.date | None = None,
) -> Q | RawSQL | None:
    """A filter for entries matching every term of ``q``, or None when ``q`` has no terms.

    With ``since``, SQLite's FTS5 reads only the matches observed on or after that day (the
    caller narrows the entries to those days too)."""
    words = list(terms if terms is not None else query_terms(q))
    if not words:
        return None
    if connection.vendor == "postgresql":
        return RawSQL(
            'to_tsvector(\'simple\', "feedback_intelligence"."search_text") '
            "@@ plainto_tsquery('simple', %s)",
            [" ".join(words)],
            output_field=BooleanField(),
        )
    if connection.vendor == "sqlite":
        match = " AND ".join(_fts5_phrase(w) for w in words)
        if since is not None:
            ids = RawSQL(MATCH_SINCE_SQL, [match, sort_key(since, 0)])  # noqa: S611 - constant SQL
            return Q(id__in=ids)
        return Q(id__in=RawSQL(MATCH_SQL, [match]))  # noqa: S611 - constant SQL, the terms are a parameter
    condition = Q()
    for word in words:  # another database: a substring match on the stored text
        condition &= Q(search_text__icontains=word)
    return condition


# --- the index itself (SQLite: FTS5 + triggers, migration 0004; PostgreSQL: GIN, 0002) ---------

# The rowid of a row of feedback_intelligence in the FTS5 table (see sort_key).
_KEY = f"CAST(julianday({{row}}.observed_on) AS INTEGER) * {KEY_SHIFT} + {{row}}.id"
NEW_KEY, OLD_KEY = _KEY.format(row="new"), _KEY.format(row="old")

SQLITE_CREATE_KEYED = [  # constants only (the keys are expressions of the row)
    "CREATE VIRTUAL TABLE IF NOT EXISTS feedback_intelligence_fts USING fts5("
    "search_text, content='', tokenize='unicode61')",
    f"""CREATE TRIGGER IF NOT EXISTS feedback_intelligence_fts_ai
    AFTER INSERT ON feedback_intelligence
    BEGIN
    INSERT INTO feedback_intelligence_fts(rowid, search_text) VALUES ({NEW_KEY}, new.search_text);
    END""",  # noqa: S608 - constants only
    f"""CREATE TRIGGER IF NOT EXISTS feedback_intelligence_fts_ad
    AFTER DELETE ON feedback_intelligence
    BEGIN
    INSERT INTO feedback_intelligence_fts(feedback_intelligence_fts, rowid, search_text)
    VALUES ('delete', {OLD_KEY}, old.search_text);
    END""",  # noqa: S608 - constants only
    f"""CREATE TRIGGER IF NOT EXISTS feedback_intelligence_fts_au
    AFTER UPDATE OF search_text, observed_on ON feedback_intelligence
    BEGIN
    INSERT INTO feedback_intelligence_fts(feedback_intelligence_fts, rowid, search_text)
    VALUES ('delete', {OLD_KEY}, old.search_text);
    INSERT INTO feedback_intelligence_fts(rowid, search_text) VALUES ({NEW_KEY}, new.search_text);
    END""",  # noqa: S608 - constants only
    "INSERT INTO feedback_intelligence_fts(rowid, search_text) "  # noqa: S608 - constants only
    f"SELECT {_KEY.format(row='feedback_intelligence')}, search_text FROM feedback_intelligence",
]

# Migration 0002's index (an external-content FTS5 table keyed by id); 0004 replaces it.
SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS feedback_intelligence_fts USING fts5("
    "search_text, content='feedback_intelligence', content_rowid='id', tokenize='unicode61')",
    """CREATE TRIGGER IF NOT EXISTS feedback_intelligence_fts_ai
    AFTER INSERT ON feedback_intelligence
    BEGIN
    INSERT INTO feedback_intelligence_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS feedback_intelligence_fts_ad
    AFTER DELETE ON feedback_intelligence
    BEGIN
    INSERT INTO feedback_intelligence_fts(feedback_intelligence_fts, rowid, search_text)
    VALUES ('delete', old.id, old.search_text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS feedback_intelligence_fts_au
    AFTER UPDATE OF search_text ON feedback_intelligence
    BEGIN
    INSERT INTO feedback_intelligence_fts(feedback_intelligence_fts, rowid, search_text)
    VALUES ('delete', old.id, old.search_text);
    INSERT INTO feedback_intelligence_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    "INSERT INTO feedback_intelligence_fts(feedback_intelligence_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS feedback_intelligence_fts_ai",
    "DROP TRIGGER IF EXISTS feedback_intelligence_fts_ad",
    "DROP TRIGGER IF EXISTS feedback_intelligence_fts_au",
    "DROP TABLE IF EXISTS feedback_intelligence_fts",
]
POSTGRES_CREATE = [
    "CREATE INDEX IF NOT EXISTS feedback_intelligence_search_gin ON feedback_intelligence "
    "USING gin (to_tsvector('simple', search_text))",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS feedback_intelligence_search_gin"]
