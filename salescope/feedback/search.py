"""Full-text search for market intelligence (E1) that works for Chinese text.

On write the service stores ``Intelligence.search_text``: the title, details and tags
(competitor, customer, product, category, region) segmented by jieba in search mode, plus every
two-character run of Chinese text (so a two-character term is found even where jieba cut the
sentence differently), lower-cased and space-joined. SQLite indexes it in an FTS5 table kept in
step by triggers (migration 0002); PostgreSQL in a GIN index on ``to_tsvector('simple',
search_text)``. A query is segmented by jieba the same way: each word must be present; a Chinese
word of three or more characters is matched by its two-character runs.
"""

from __future__ import annotations

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
MATCH_SQL = "SELECT rowid FROM feedback_intelligence_fts WHERE feedback_intelligence_fts MATCH %s"
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
        match = " AND ".join(_fts5_phrase(w) for w in words)
        return Q(id__in=RawSQL(MATCH_SQL, [match]))  # noqa: S611 - constant SQL, the terms are a parameter
    condition = Q()
    for word in words:  # another database: a substring match on the stored text
        condition &= Q(search_text__icontains=word)
    return condition


# --- the index itself, created by migration 0002 (SQLite: FTS5 + triggers; PostgreSQL: GIN) ----

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
