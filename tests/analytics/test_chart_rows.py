"""The tracking pages explain what they show: a chart cut to 60 bars says so, and the month table
of 我的目标 names its columns."""

import re

from salescope.analytics.targets import target_variance


def test_a_cut_chart_says_how_many_rows_it_shows(decomposed, personas, login_client):
    director = personas["director"]
    rows = target_variance(
        viewer=director, plan=decomposed, metric="sales_amount", group_by=["salesperson", "month"]
    ).rows
    assert len(rows) > 60
    client = login_client(director)

    page = client.get(f"/tracking/?plan={decomposed.pk}&group_by=salesperson,month").content
    note = re.search(r'data-testid="chart-cut">([^<]*)<', page.decode())

    assert note is not None
    assert note.group(1) == f"图表只显示前 60 行（共 {len(rows)} 行），下表列出全部。"
    by_region = client.get(f"/tracking/?plan={decomposed.pk}&group_by=region").content.decode()
    assert 'data-testid="chart-cut"' not in by_region


def test_my_targets_month_table_names_its_columns(decomposed, personas, login_client):
    page = login_client(personas["salesperson"]).get(f"/tracking/my/?plan={decomposed.pk}")

    table = re.search(r'data-testid="my-months">(.*?)</thead>', page.content.decode(), re.S)
    assert table is not None
    headers = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', table.group(1))
    assert headers == ["月份", "目标", "实绩", "达成率"]
