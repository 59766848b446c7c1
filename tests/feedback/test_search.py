"""Full-text search of market intelligence (E1): jieba segmentation into SQLite FTS5 /
PostgreSQL full-text search, narrowed by visibility, newest first."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salescope.feedback import queries, search, services
from salescope.feedback.models import Intelligence

pytestmark = pytest.mark.django_db


def test_segment_keeps_jieba_words_and_two_character_runs():
    text = search.segment("蓝月亮小包装洗衣液在华东降价", "Blue Moon 2kg")
    words = text.split()
    for word in ("蓝月亮", "小包装", "包装", "降价", "华东", "亮小", "blue", "moon", "2kg"):
        assert word in words, word
    assert search.query_terms("蓝月亮 降价") == ["蓝月", "月亮", "降价"]
    assert search.query_terms("  ,，。 ") == []


def test_chinese_queries_find_the_right_entries(personas):
    zhang = personas["salesperson"]
    today = timezone.localdate()
    small = services.record_intelligence(
        actor=zhang,
        kind="customer_need",
        title="客户需求",
        body="客户希望增加小包装规格",
        observed_on=today - dt.timedelta(days=2),
    )
    cut = services.record_intelligence(
        actor=zhang,
        kind="price",
        title="蓝月亮洗衣液降价百分之十",
        competitor="蓝月亮",
        observed_on=today - dt.timedelta(days=1),
    )
    tagged = services.record_intelligence(
        actor=zhang, kind="competitor", title="新品上市", competitor="蓝月亮", observed_on=today
    )
    services.record_intelligence(actor=zhang, kind="price", title="价格稳定，包销量正常")

    def found(q):
        return list(queries.list_intelligence(viewer=zhang, q=q))

    assert found("小包装") == [small]
    assert found("蓝月亮 降价") == [cut]
    assert found("蓝月亮") == [tagged, cut]  # newest first
    assert found("降价 蓝月亮") == [cut]
    assert found("客户 包装") == [small]
    assert found("完全无关的词") == []
    assert len(found("，")) == 4  # nothing searchable: no narrowing


def test_a_write_updates_the_index(personas):
    zhang = personas["salesperson"]
    assert list(queries.list_intelligence(viewer=zhang, q="立白")) == []
    entry = services.record_intelligence(
        actor=zhang, kind="competitor", title="经销商反馈", body="立白在超市做堆头"
    )
    assert entry.search_text
    assert list(queries.list_intelligence(viewer=zhang, q="立白 堆头")) == [entry]
    entry.delete()
    assert list(queries.list_intelligence(viewer=zhang, q="立白")) == []


def test_the_migration_index_is_in_place():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = %s", [search.FTS_TABLE])
        else:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE indexname = %s",
                ["feedback_intelligence_search_gin"],
            )
        assert cursor.fetchone()


def test_search_results_stay_within_what_the_viewer_may_see(personas):
    zhang, chen = personas["salesperson"], personas["other_region_salesperson"]
    mine = services.record_intelligence(actor=zhang, kind="price", title="小包装降价")
    theirs = services.record_intelligence(actor=chen, kind="price", title="小包装降价")
    assert list(queries.list_intelligence(viewer=zhang, q="小包装")) == [mine]
    assert list(queries.list_intelligence(viewer=chen, q="小包装")) == [theirs]
    director = list(queries.list_intelligence(viewer=personas["director"], q="小包装"))
    assert set(director) == {mine, theirs}


WORDS = ["小包装", "蓝月亮", "降价", "促销", "经销商", "堆头", "华东", "新品"]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    entries=st.lists(
        st.tuples(
            st.sampled_from(["salesperson", "other_region_salesperson", "team_lead"]),
            st.lists(st.sampled_from(WORDS), min_size=1, max_size=3),
        ),
        min_size=1,
        max_size=6,
    ),
    query=st.lists(st.sampled_from(WORDS), min_size=1, max_size=2),
    viewer=st.sampled_from(["salesperson", "other_region_salesperson", "team_lead", "finance"]),
)
def test_search_is_exactly_the_visible_entries_containing_every_word(
    personas, entries, query, viewer
):
    Intelligence.objects.unrestricted().delete()
    for author, words in entries:
        services.record_intelligence(
            actor=personas[author], kind="competitor", title="，".join(words)
        )
    who = personas[viewer]
    expected = {
        e.pk
        for e in Intelligence.objects.visible_to(who, "view")
        if all(word in e.title for word in query)
    }
    got = {e.pk for e in queries.list_intelligence(viewer=who, q=" ".join(query))}
    assert got == expected


def test_the_migration_fills_search_text_for_existing_entries(personas):
    from importlib import import_module

    from django.db.migrations.executor import MigrationExecutor

    from tests.feedback.leaks import make_intelligence

    zhang = personas["salesperson"]
    old = make_intelligence(zhang, body="经销商要求小包装")  # written before the column existed
    assert old.search_text == ""
    assert list(queries.list_intelligence(viewer=zhang, q="小包装")) == []
    migration = import_module("salescope.feedback.migrations.0002_intelligence_search_text")
    state = MigrationExecutor(connection).loader.project_state(
        ("feedback", "0002_intelligence_search_text")
    )
    migration.fill_search_text(state.apps, None)
    assert list(queries.list_intelligence(viewer=zhang, q="小包装")) == [old]


def _many(author, count, *, start, word="小包装", step=1):
    """``count`` entries containing ``word``, observed on days going back from ``start``
    in a shuffled order (ids do not follow the days), by bulk insert."""
    import random

    days = [start - dt.timedelta(days=(i * step) // 3) for i in range(count)]
    random.Random(16).shuffle(days)  # noqa: S311 - seeded test data
    text = search.segment(f"客户要求{word}", author.unit.name)
    rows = [
        Intelligence(
            author=author,
            kind="customer_need",
            title=f"客户要求{word}",
            region=author.unit,
            observed_on=day,
            search_text=text,
        )
        for day in days
    ]
    Intelligence.objects.unrestricted().bulk_create(rows)


def test_a_search_page_lists_the_newest_matches_first_and_says_when_the_count_is_capped(
    personas, login_client
):
    from salescope.core.web import PAGE_SIZE

    zhang, marketing = personas["salesperson"], personas["marketing"]
    today = timezone.localdate()
    _many(zhang, 1030, start=today, step=2)  # ~690 days of them, more than the cap of 1,000
    _many(personas["other_region_salesperson"], 40, start=today)
    newest = list(
        Intelligence.objects.unrestricted()
        .filter(title__contains="小包装")
        .order_by("-observed_on", "-id")
        .values_list("pk", flat=True)
    )
    client = login_client(marketing)
    answer = client.get("/feedback/intelligence/", {"q": "小包装"})
    assert answer.status_code == 200
    listed = [e.pk for e in answer.context["page"]]
    assert listed == newest[:PAGE_SIZE]
    assert "超过 1000 条记录" in answer.content.decode()
    assert answer.context["page"].paginator.capped

    # the salesperson sees only their own: still more than the cap, newest first
    own = list(
        Intelligence.objects.unrestricted()
        .filter(author=zhang)
        .order_by("-observed_on", "-id")
        .values_list("pk", flat=True)
    )
    mine = login_client(zhang).get("/feedback/intelligence/", {"q": "小包装", "page": "3"})
    assert [e.pk for e in mine.context["page"]] == own[2 * PAGE_SIZE : 3 * PAGE_SIZE]
    assert "超过 1000 条记录" in mine.content.decode()

    # far pages count further: past the end, the last page, an exact count, the oldest last
    far = client.get("/feedback/intelligence/", {"q": "客户 小包装", "page": "99"})
    last = far.context["page"]
    assert last.number == -(-1070 // PAGE_SIZE)
    assert [e.pk for e in last] == newest[(last.number - 1) * PAGE_SIZE :]
    assert "共 1070 条记录" in far.content.decode()
    none = client.get("/feedback/intelligence/", {"q": "完全无关"})
    assert "共 0 条记录" in none.content.decode()


@pytest.mark.parametrize("need", [1, 7, 60, 400, 2000])
def test_the_newest_days_give_the_same_first_rows_as_the_whole_search(personas, need):
    from salescope.org import services as org_services

    today = timezone.localdate()
    _many(personas["salesperson"], 300, start=today + dt.timedelta(days=30), step=5)
    _many(personas["team_lead"], 120, start=today - dt.timedelta(days=100), step=1)
    _many(personas["other_region_salesperson"], 50, start=today, word="断货")
    # one of another region's entries shared with the salesperson: found by their search too
    shared = Intelligence.objects.unrestricted().filter(title__contains="断货").order_by("pk")[3]
    org_services.share_record(
        actor=personas["admin"], record=shared, grantee=personas["salesperson"]
    )
    # some kinds differ, so a kind filter keeps a part of each batch of matches
    ids = Intelligence.objects.unrestricted().order_by("pk").values_list("pk", flat=True)
    Intelligence.objects.unrestricted().filter(pk__in=list(ids)[::3]).update(kind="price")
    for who in ("salesperson", "team_lead", "regional_manager", "director", "marketing", "finance"):
        viewer = personas[who]
        for q, kind in [
            ("小包装", ""),
            ("断货", ""),
            ("客户 要求", ""),
            ("无关", ""),
            ("小包装", "price"),
        ]:
            whole = list(
                queries.list_intelligence(viewer=viewer, q=q, kind=kind).values_list(
                    "pk", flat=True
                )
            )
            narrowed = queries.list_intelligence(viewer=viewer, q=q, kind=kind, need=need)
            first = list(narrowed.values_list("pk", flat=True)[:need])
            assert first == whole[:need], (who, q, kind)
            assert min(narrowed.order_by()[:need].count(), need) == min(len(whole), need)
    found = queries.list_intelligence(viewer=personas["salesperson"], q="断货", need=need)
    assert list(found)[:1] == [shared]


def test_a_search_finds_words_only_in_the_text_never_the_author(personas):
    """The index also keys each entry by its author (``search.owner_token``): that token is
    no word of the entry."""
    zhang = personas["salesperson"]
    services.record_intelligence(actor=zhang, kind="price", title="小包装降价")
    token = search.owner_token(zhang.pk)
    assert list(queries.list_intelligence(viewer=zhang, q=token)) == []
    assert list(queries.list_intelligence(viewer=zhang, q=token, need=21)) == []


def test_the_index_follows_a_changed_author(personas):
    zhang = personas["salesperson"]
    entry = services.record_intelligence(actor=zhang, kind="price", title="小包装降价")
    colleague = personas["other_region_salesperson"]
    Intelligence.objects.unrestricted().filter(pk=entry.pk).update(author=colleague)
    assert list(queries.list_intelligence(viewer=zhang, q="小包装", need=21)) == []
    assert list(queries.list_intelligence(viewer=colleague, q="小包装", need=21)) == [entry]


def test_the_index_follows_a_changed_day_and_a_deleted_entry(personas):
    zhang = personas["salesperson"]
    today = timezone.localdate()
    old = services.record_intelligence(
        actor=zhang, kind="price", title="小包装降价", observed_on=today - dt.timedelta(days=9)
    )
    new = services.record_intelligence(actor=zhang, kind="price", title="小包装降价")
    assert list(queries.list_intelligence(viewer=zhang, q="小包装", need=2)) == [new, old]
    Intelligence.objects.unrestricted().filter(pk=old.pk).update(
        observed_on=today + dt.timedelta(days=1)
    )
    assert list(queries.list_intelligence(viewer=zhang, q="小包装", need=1))[:1] == [old]
    assert list(queries.list_intelligence(viewer=zhang, q="小包装")) == [old, new]
    old.delete()
    assert list(queries.list_intelligence(viewer=zhang, q="小包装", need=1)) == [new]
