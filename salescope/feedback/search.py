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
newest first and the list's first page of a word found in a fifth of a million entries reads
the newest thousand matches, not all 200,000. A second column holds the entry's author as a
token (:func:`owner_token`, migration 0005), so a viewer who sees few people's entries asks the
index for those people's matches only (:func:`match_expression`); the one rule
(``org.visibility``) still narrows the rows exactly.
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
NEWEST_SQL = (
    "SELECT rowid FROM feedback_intelligence_fts "  # noqa: S608 - constants only
    "WHERE feedback_intelligence_fts MATCH %s AND rowid < %s ORDER BY rowid DESC LIMIT %s"
)
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


def owner_token(author_id: int) -> str:
    """The token of the FTS5 ``owner`` column for an entry by ``author_id``."""
    return f"p{author_id}"


def match_expression(terms: Iterable[str], owners: Iterable[int] | None = None) -> str:
    """The FTS5 query: every term in the text and, with ``owners``, an entry by one of them."""
    text = "search_text : (" + " AND ".join(_fts5_phrase(t) for t in terms) + ")"
    if owners is None:
        return text
    return f"{text} AND owner : ({' OR '.join(owner_token(o) for o in sorted(owners))})"


def fts_condition(match: str) -> Q:
    """SQLite: a filter for the entries matching ``match``, an FTS5 query."""
    return Q(id__in=RawSQL(MATCH_SQL, [match]))  # noqa: S611 - constant SQL, the query a parameter


def newest_keys(match: str, *, before: int, limit: int) -> list[int]:
    """The sort keys (:func:`sort_key`) of up to ``limit`` entries matching ``match`` (an
    FTS5 query), newest first, from the one before ``before``."""
    with connection.cursor() as cursor:
        cursor.execute(NEWEST_SQL, [match, before, limit])
        return [key for (key,) in cursor.fetchall()]


def sort_key(observed_on: dt.date, pk: int) -> int:
    """The FTS5 rowid of an entry: ordered as the list is (day observed, then id)."""
    return (observed_on.toordinal() + JULIAN_OFFSET) * KEY_SHIFT + pk


def search_condition(q: str, terms: Iterable[str] | None = None) -> Q | RawSQL | None:
    """A filter for entries matching every term of ``q``, or None when ``q`` has no terms."""
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
        return fts_condition(match_expression(words))  # noqa: S611 - constant SQL, the terms are a parameter
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

# Migration 0005's index: 0004's, with the author as a token in a second column (owner_token).
_OWNER = "'p' || {row}.author_id"
NEW_OWNER, OLD_OWNER = _OWNER.format(row="new"), _OWNER.format(row="old")
SQLITE_CREATE_OWNED = [  # constants only (the keys and owners are expressions of the row)
    "CREATE VIRTUAL TABLE IF NOT EXISTS feedback_intelligence_fts USING fts5("
    "search_text, owner, content='', tokenize='unicode61')",
    f"""CREATE TRIGGER IF NOT EXISTS feedback_intelligence_fts_ai
    AFTER INSERT ON feedback_intelligence
    BEGIN
    INSERT INTO feedback_intelligence_fts(rowid, search_text, owner)
    VALUES ({NEW_KEY}, new.search_text, {NEW_OWNER});
    END""",  # noqa: S608 - constants only
    f"""CREATE TRIGGER IF NOT EXISTS feedback_intelligence_fts_ad
    AFTER DELETE ON feedback_intelligence
    BEGIN
    INSERT INTO feedback_intelligence_fts(feedback_intelligence_fts, rowid, search_text, owner)
    VALUES ('delete', {OLD_KEY}, old.search_text, {OLD_OWNER});
    END""",  # noqa: S608 - constants only
    f"""CREATE TRIGGER IF NOT EXISTS feedback_intelligence_fts_au
    AFTER UPDATE OF search_text, observed_on, author_id ON feedback_intelligence
    BEGIN
    INSERT INTO feedback_intelligence_fts(feedback_intelligence_fts, rowid, search_text, owner)
    VALUES ('delete', {OLD_KEY}, old.search_text, {OLD_OWNER});
    INSERT INTO feedback_intelligence_fts(rowid, search_text, owner)
    VALUES ({NEW_KEY}, new.search_text, {NEW_OWNER});
    END""",  # noqa: S608 - constants only
    "INSERT INTO feedback_intelligence_fts(rowid, search_text, owner) "  # noqa: S608 - constants
    f"SELECT {_KEY.format(row='feedback_intelligence')}, search_text, "
    f"{_OWNER.format(row='feedback_intelligence')} FROM feedback_intelligence",
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
