"""The sales explorer (H2): pivots over any dimensions equal an independent pandas computation
for each viewer (R2, R10), whichever table answers them; categories roll up to any level; a
cell's lines add up to the cell; saved views are each person's own and audited; the XLSX
export holds the grid and its totals; the explorer's rollups always equal the lines."""

import datetime as dt
import io
import json
import random
from collections import defaultdict
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salescope.core.errors import ValidationFailed
from salescope.core.models import AuditEntry
from salescope.ledger import explorer, services
from salescope.ledger.importing.sales_lines import ImportOptions, import_sales_lines
from salescope.ledger.models import (
    BrandRollup,
    CustomerRollup,
    PairRollup,
    ProductRollup,
    SalesLine,
    SavedView,
)
from salescope.org.models import User
from tests.ledger.test_rollup_delta import files as delta_files
from tests.ledger.test_rollup_delta import import_each
from tests.ledger.world import write_csv

PEOPLE = {"zhangwei": "C-EAST-1", "yangfan": "C-EAST-2", "chenjing": "C-SOUTH-1"}
PRODUCTS = {"P-JUICE-1L": "果汁", "P-COLA": "饮料", "P-CHIPS": "休闲食品"}
TOP = {"果汁": "饮料", "饮料": "饮料", "休闲食品": "休闲食品"}  # each category at level 1
CHANNELS = ["KA", "流通", "电商"]


@pytest.fixture
def generated(world, tmp_path):
    rng = random.Random(17)  # noqa: S311 - seeded test data
    rows = []
    for number in range(600):
        person = rng.choice(list(PEOPLE))
        day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
        rows.append(
            [
                f"X-{number}",
                day.isoformat(),
                PEOPLE[person],
                rng.choice(list(PRODUCTS)),
                str(rng.randint(1, 50)),
                str(Decimal(rng.randint(1, 10**7)) / 100),
                person,
                rng.choice(["sell_in", "sell_in", "sell_through"]),
                rng.choice(CHANNELS),
            ]
        )
    header = [
        "line_id",
        "date",
        "customer_code",
        "product_sku",
        "quantity",
        "amount",
        "salesperson",
        "kind",
        "channel",
    ]
    path = write_csv(tmp_path / "x.csv", header, rows)
    result = import_sales_lines(actor=world.personas["admin"], path=path, options=ImportOptions())
    assert (result.accepted, result.rejected) == (600, 0)
    frame = pd.read_csv(path, dtype=str)
    frame["amount"] = frame["amount"].map(Decimal)
    frame["month"] = frame["date"].str[:7]
    frame["quarter"] = "2025Q" + ((frame["date"].str[5:7].astype(int) - 1) // 3 + 1).astype(str)
    frame["category"] = frame["product_sku"].map(PRODUCTS)
    frame["top_category"] = frame["category"].map(TOP)
    return frame


def expected(frame, dims, people=None, kind="sell_in"):
    part = frame if kind == "all" else frame[frame["kind"] == kind]
    if people is not None:
        part = part[part["salesperson"].isin(people)]
    grouped = part.groupby(dims)["amount"].apply(lambda s: sum(s, Decimal("0.00")))
    return {k if isinstance(k, tuple) else (k,): v for k, v in grouped.items()}


def cells(result):
    """``{(row labels…, column labels…): value}`` of a pivot."""
    out = {}
    for r, c, value in result["cells"]:
        out[(*result["rows"][r]["label"], *result["columns"][c]["label"])] = value
    return out


VIEWERS = [
    ("admin", None),
    ("team_lead", ["zhangwei", "yangfan"]),
    ("salesperson", ["zhangwei"]),
    ("other_region_salesperson", ["chenjing"]),
]


@pytest.mark.parametrize(("persona", "people"), VIEWERS)
def test_product_by_customer_by_month_equals_the_lines_each_viewer_sees(
    generated, world, persona, people
):
    viewer = world.personas[persona]
    spec = explorer.PivotSpec.build(rows=["product", "customer"], columns=["month"])
    result = explorer.pivot(viewer=viewer, spec=spec)
    assert result["source"] == "salesline"  # no product × customer rollup
    names = {"P-JUICE-1L": "橙汁 1L", "P-COLA": "可乐 330ml", "P-CHIPS": "薯片"}
    customers = {
        "C-EAST-1": "上海联华商贸有限公司",
        "C-EAST-2": "浦东便利店",
        "C-SOUTH-1": "广州粤华贸易",
    }
    want = {
        (names[p], customers[c], m): v
        for (p, c, m), v in expected(
            generated, ["product_sku", "customer_code", "month"], people
        ).items()
    }
    assert cells(result) == want
    assert result["total"] == sum(want.values(), Decimal("0.00"))
    # Each row's total is the sum of its cells; each column's too.
    for r, row in enumerate(result["rows"]):
        row_cells = [v for rr, _c, v in result["cells"] if rr == r]
        assert result["row_totals"][r] == sum(row_cells, Decimal(0)), row["label"]
    for c in range(len(result["columns"])):
        column_cells = [v for _r, cc, v in result["cells"] if cc == c]
        assert result["column_totals"][c] == sum(column_cells, Decimal(0))


def test_a_day_range_reads_the_lines_and_agrees_with_the_rollups(generated, world):
    admin = world.personas["admin"]
    by_rollup = explorer.pivot(
        viewer=admin,
        spec=explorer.PivotSpec.build(
            rows=["customer"],
            columns=["quarter"],
            date_from=dt.date(2025, 4, 1),
            date_to=dt.date(2025, 9, 30),
        ),
    )
    by_lines = explorer.pivot(
        viewer=admin,
        spec=explorer.PivotSpec.build(
            rows=["customer"],
            columns=["quarter"],
            date_from=dt.date(2025, 4, 1),
            date_to=dt.date(2025, 9, 29),  # not a month's end: the lines answer
        ),
    )
    assert by_rollup["source"] == "customerrollup"
    assert by_lines["source"] == "salesline"
    frame = generated[(generated["date"] >= "2025-04-01") & (generated["date"] <= "2025-09-30")]
    names = {
        "C-EAST-1": "上海联华商贸有限公司",
        "C-EAST-2": "浦东便利店",
        "C-SOUTH-1": "广州粤华贸易",
    }
    want = {(names[c], q): v for (c, q), v in expected(frame, ["customer_code", "quarter"]).items()}
    assert cells(by_rollup) == want
    late = frame[frame["date"] == "2025-09-30"]
    assert by_lines["total"] == by_rollup["total"] - sum(
        expected(late, ["kind"]).values(), Decimal(0)
    )


def test_categories_roll_up_to_the_level_asked(generated, world):
    admin = world.personas["admin"]
    as_recorded = explorer.pivot(
        viewer=admin, spec=explorer.PivotSpec.build(rows=["category"], columns=["kind"])
    )
    top = explorer.pivot(
        viewer=admin,
        spec=explorer.PivotSpec.build(
            rows=["category"], columns=["kind"], category_level=1, filters={"kind": "all"}
        ),
    )
    assert {r["label"][0] for r in as_recorded["rows"]} == {"果汁", "饮料", "休闲食品"}
    want = {
        (category, {"sell_in": "Sell-in", "sell_through": "Sell-through"}[kind]): v
        for (category, kind), v in expected(generated, ["top_category", "kind"], kind="all").items()
    }
    assert cells(top) == want  # 果汁 counted in 饮料, its parent


def test_team_and_brand_by_quarter_for_the_team_lead(generated, world):
    lead = world.personas["team_lead"]
    result = explorer.pivot(
        viewer=lead,
        spec=explorer.PivotSpec.build(rows=["team", "brand"], columns=["quarter"]),
    )
    team = lead.unit.name
    brands = {"P-JUICE-1L": "华远", "P-COLA": "华远", "P-CHIPS": "田园"}
    frame = generated.assign(brand=generated["product_sku"].map(brands))
    want = {
        (team, b, q): v
        for (b, q), v in expected(frame, ["brand", "quarter"], ["zhangwei", "yangfan"]).items()
    }
    assert cells(result) == want


@pytest.mark.parametrize("persona", ["admin", "regional_manager", "team_lead"])
def test_teams_branches_and_category_levels_summed_by_the_database_give_the_same_pivot(
    generated, world, monkeypatch, persona
):
    # The database sums people to their team or branch and categories to their level through
    # mappings it is given: the same pivot as folding each stored key afterwards.
    viewer = world.personas[persona]
    for kwargs in (
        {"rows": ["team", "category"], "columns": ["month"]},
        {"rows": ["branch"], "columns": ["category"], "category_level": 1},
        {"rows": ["category", "team"], "columns": ["quarter"], "category_level": 1},
        {"rows": ["team", "salesperson"], "columns": ["kind"], "filters": {"kind": "all"}},
        {"rows": ["team"], "date_from": dt.date(2025, 2, 3), "date_to": dt.date(2025, 8, 9)},
    ):
        spec = explorer.PivotSpec.build(**kwargs)
        in_database = explorer.pivot(viewer=viewer, spec=spec)
        with monkeypatch.context() as patched:
            patched.setattr(explorer, "_folds_in_database", lambda _viewer, _spec, _model: {})
            afterwards = explorer.pivot(viewer=viewer, spec=spec)
        assert in_database == afterwards, kwargs
        assert in_database["total"] > 0


WHOLE_MONTHS = {"date_from": dt.date(2025, 2, 1), "date_to": dt.date(2025, 7, 31)}
RANKED = [
    {"rows": ["customer"], "columns": ["month"], "limit": 2},
    {"rows": ["product", "customer"], "columns": ["quarter"], "limit": 4},
    {"rows": ["customer", "channel"], "columns": ["kind"], "limit": 3, "filters": {"kind": "all"}},
    {"rows": ["product"], "columns": [], "limit": 1, "measure": "quantity"},
    {"rows": ["customer"], "columns": ["team"], "measure": "lines", "limit": 2},  # ties
    {"rows": ["product", "kind"], "columns": ["month"], "filters": {"kind": "all"}, "limit": 3},
    # Product × customer: no rollup holds both, the lines rank the pairs; the columns and the
    # total come from a rollup (whole months), the shown pairs' cells from the lines.
    {"rows": ["product", "customer"], "columns": ["month"], "limit": 3},
    {"rows": ["customer", "product"], "columns": ["region"], "measure": "quantity", "limit": 5},
    {"rows": ["product", "customer"], "columns": [], "limit": 2, "filters": {"channel": ["KA"]}},
    {
        "rows": ["customer", "product"],
        "columns": ["kind", "quarter"],
        "filters": {"kind": "all", "channel": ["KA", "电商"]},
        "limit": 2,
    },
    # A day range: the lines answer.
    {
        "rows": ["customer", "product"],
        "columns": ["month"],
        "date_from": dt.date(2025, 1, 5),
        "date_to": dt.date(2025, 3, 20),
        "measure": "lines",
        "limit": 5,
    },
    {  # nothing in range
        "rows": ["customer"],
        "columns": ["month"],
        "date_from": dt.date(2026, 1, 1),
        "date_to": dt.date(2026, 1, 31),
    },
    # Whole months: the shown rows' cells are read for the months listed.
    *(
        {"rows": rows, "columns": columns, "limit": 3, **WHOLE_MONTHS}
        for rows, columns in [
            (["customer"], ["month"]),
            (["customer", "channel"], ["quarter"]),
            (["product"], ["region", "month"]),
            (["product", "customer"], ["month"]),
        ]
    ),
]


@pytest.mark.parametrize("persona", ["admin", "team_lead", "salesperson"])
def test_customer_or_product_rows_ranked_in_the_database_give_the_same_pivot(
    generated, world, monkeypatch, persona
):
    # Rows of customers or products are ranked by the database, which returns the shown rows'
    # cells only: the same rows in the same order, cells, counts and totals as summing every
    # row key, also past the limit, on ties and for each measure.
    viewer = world.personas[persona]
    for kwargs in RANKED:
        spec = explorer.PivotSpec.build(**kwargs)
        assert explorer.ranked_in_database(spec)
        ranked = explorer.pivot(viewer=viewer, spec=spec)
        with monkeypatch.context() as patched:
            patched.setattr(explorer, "ranked_in_database", lambda _spec: False)
            general = explorer.pivot(viewer=viewer, spec=spec)
        assert ranked == general, kwargs
    assert explorer.pivot(viewer=viewer, spec=explorer.PivotSpec.build(**RANKED[0]))["rows"]


def test_the_shown_rows_cells_are_read_for_the_months_listed(generated, world):
    """The cells of the ranked rows are read for each month of the range named, beside the
    shown customers or products: the rollup's (month, customer) index then finds each of them,
    where a range of months made PostgreSQL scan the whole rollup (customer × month over a
    year at 10M lines: 162 → 7 ms)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for rows, table in [(["customer"], "customerrollup"), (["product"], "productrollup")]:
        spec = explorer.PivotSpec.build(rows=rows, columns=["month"], limit=2, **WHOLE_MONTHS)
        with CaptureQueriesContext(connection) as captured:
            result = explorer.pivot(viewer=world.personas["admin"], spec=spec)
        key = f'"ledger_{table}"."{rows[0]}_id" IN ('
        (cells,) = [q["sql"] for q in captured.captured_queries if key in q["sql"]]
        assert f'"ledger_{table}"."month" IN (' in cells
        assert f'"ledger_{table}"."month" >=' not in cells
        assert len(result["rows"]) == 2


def _read_tables(fn):
    """The tables the queries of ``fn()`` read."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        result = fn()
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    tables = ("ledger_pairrollup", "ledger_productrollup", "ledger_salesline")
    return result, {t for t in tables if t in sql}


@pytest.fixture
def two_years(world, tmp_path):
    """Lines from November 2024 to February 2026, some with a region of their own."""
    rng = random.Random(29)  # noqa: S311 - seeded test data
    rows = []
    for number in range(400):
        person = rng.choice([*PEOPLE, ""])
        day = dt.date(2024, 11, 1) + dt.timedelta(days=rng.randint(0, 484))
        rows.append(
            [
                *(f"Y-{number}", day.isoformat(), rng.choice(list(PEOPLE.values()))),
                *(rng.choice(list(PRODUCTS)), str(rng.randint(1, 9)), f"{rng.randint(1, 10**5)}"),
                *(person, rng.choice(["sell_in", "sell_in", "sell_through"])),
                rng.choice(CHANNELS),
            ]
        )
    header = [
        *("line_id", "date", "customer_code", "product_sku", "quantity", "amount"),
        *("salesperson", "kind", "channel"),
    ]
    path = write_csv(tmp_path / "y.csv", header, rows)
    result = import_sales_lines(actor=world.personas["admin"], path=path, options=ImportOptions())
    assert (result.accepted, result.rejected) == (400, 0)


# (date_from, date_to, whether whole years in it are ranked from the pair rollup)
PAIR_RANGES = [
    (None, None, True),
    (dt.date(2025, 1, 1), dt.date(2025, 12, 31), True),
    (dt.date(2024, 11, 1), dt.date(2026, 2, 28), True),  # 2025, and the months around it
    (dt.date(2024, 12, 1), dt.date(2025, 12, 31), True),
    (dt.date(2025, 1, 1), None, True),
    (None, dt.date(2025, 12, 31), True),
    (dt.date(2025, 2, 1), dt.date(2026, 1, 31), False),  # no whole year
    (dt.date(2025, 1, 1), dt.date(2025, 12, 30), False),  # not whole months
]


@pytest.mark.parametrize("persona", ["admin", "regional_manager", "team_lead", "salesperson"])
def test_pairs_ranked_from_the_yearly_rollup_give_the_same_pivot(
    two_years, world, monkeypatch, persona
):
    # Product × customer rows are ranked from the pair rollup for the whole years of the range
    # and from the lines for the months around them: the same rows, order, counts, cells and
    # totals as summing every pair from the lines, for each viewer.
    viewer = world.personas[persona]
    for date_from, date_to, from_pairs in PAIR_RANGES:
        for kwargs in (
            {"rows": ["product", "customer"], "columns": ["month"], "limit": 3},
            {"rows": ["customer", "product"], "columns": ["kind"], "measure": "lines", "limit": 4},
            {"rows": ["product", "customer"], "filters": {"team": [viewer.unit_id]}, "limit": 2},
            {"rows": ["customer", "product"], "columns": ["quarter", "channel"], "limit": 5},
            # Its columns only: a ranking by channel, or filtered by one, reads the lines.
            {"rows": ["customer", "product", "channel"], "limit": 5, "lines": True},
            {"rows": ["product", "customer"], "filters": {"channel": ["KA"]}, "lines": True},
        ):
            lines = kwargs.pop("lines", False)
            spec = explorer.PivotSpec.build(**kwargs, date_from=date_from, date_to=date_to)
            ranked, tables = _read_tables(lambda s=spec: explorer.pivot(viewer=viewer, spec=s))
            used = "ledger_pairrollup" in tables
            assert used == (from_pairs and not lines), (kwargs, date_from, date_to)
            with monkeypatch.context() as patched:
                patched.setattr(explorer, "ranked_in_database", lambda _spec: False)
                general = explorer.pivot(viewer=viewer, spec=spec)
            assert ranked == general, (kwargs, date_from, date_to)
            assert ranked["source"] == "salesline"


def test_a_regional_managers_brand_and_product_pivots_read_the_rollups_only_when_exact(
    generated, world, tmp_path
):
    # 王强 manages 华东: his people (张伟, 杨帆) sold there and nobody else did, so the brand and
    # product rollups' 华东 rows are exactly the lines he sees, and answer his brand and
    # product pivots.
    manager = world.personas["regional_manager"]
    people = ["zhangwei", "yangfan"]
    brands = {"P-JUICE-1L": "华远", "P-COLA": "华远", "P-CHIPS": "田园"}
    frame = generated.assign(brand=generated["product_sku"].map(brands))
    by_brand = explorer.PivotSpec.build(rows=["brand"], columns=["quarter"])
    by_product = explorer.PivotSpec.build(rows=["product", "region"], columns=["month"])
    early = explorer.PivotSpec.build(
        rows=["brand"],
        columns=["month"],
        date_from=dt.date(2025, 1, 1),
        date_to=dt.date(2025, 5, 31),
    )

    def brand_cells(result):
        return {(b, q): v for (b, q), v in cells(result).items()}

    result = explorer.pivot(viewer=manager, spec=by_brand)
    assert result["source"] == "brandrollup"
    assert brand_cells(result) == expected(frame, ["brand", "quarter"], people)
    products = explorer.pivot(viewer=manager, spec=by_product)
    assert products["source"] == "productrollup"
    assert products["total"] == sum(expected(frame, ["kind"], people).values(), Decimal(0))
    # A team lead's people record the region above the team: never the region-owned rollups.
    lead = explorer.pivot(viewer=world.personas["team_lead"], spec=by_brand)
    assert lead["source"] == "salesline"
    assert brand_cells(lead) == expected(frame, ["brand", "quarter"], people)
    assert explorer.pivot(viewer=world.personas["director"], spec=by_brand)["source"] == (
        "brandrollup"
    )

    # 张伟 sells once in 华南 in June, and 陈静 (华南) once in 华东 in July: the 华东 rows no
    # longer hold exactly the lines 王强 sees over the year, and the lines answer; up to May
    # they still do.
    extra = [
        ["Z-1", "2025-06-10", "C-EAST-1", "P-COLA", "1", "123.45", "zhangwei", "sell_in", "SOUTH"],
        ["Z-2", "2025-07-10", "C-SOUTH-1", "P-CHIPS", "2", "67.80", "chenjing", "sell_in", "EAST"],
    ]
    header = [
        *("line_id", "date", "customer_code", "product_sku", "quantity", "amount"),
        *("salesperson", "kind", "region"),
    ]
    path = write_csv(tmp_path / "z.csv", header, extra)
    done = import_sales_lines(actor=world.personas["admin"], path=path, options=ImportOptions())
    assert (done.accepted, done.rejected) == (2, 0)
    more = pd.DataFrame(
        {"product_sku": ["P-COLA"], "quarter": ["2025Q2"], "amount": [Decimal("123.45")]}
    ).assign(salesperson="zhangwei", kind="sell_in", brand="华远")
    result = explorer.pivot(viewer=manager, spec=by_brand)
    assert result["source"] == "salesline"
    assert brand_cells(result) == expected(pd.concat([frame, more]), ["brand", "quarter"], people)
    assert explorer.pivot(viewer=manager, spec=early)["source"] == "brandrollup"
    assert explorer.pivot(viewer=manager, spec=by_product)["source"] == "salesline"


def test_a_line_shared_with_a_regional_manager_keeps_his_pivots_on_the_lines(generated, world):
    from salescope.org.services import share_record

    manager = world.personas["regional_manager"]
    spec = explorer.PivotSpec.build(rows=["brand"], columns=["quarter"])
    before = explorer.pivot(viewer=manager, spec=spec)
    assert before["source"] == "brandrollup"
    theirs = (
        SalesLine.objects.unrestricted()
        .filter(salesperson=world.personas["other_region_salesperson"], kind="sell_in")
        .order_by("id")
        .first()
    )
    share_record(actor=world.personas["admin"], record=theirs, grantee=manager)
    after = explorer.pivot(viewer=manager, spec=spec)
    assert after["source"] == "salesline"
    assert after["total"] == before["total"] + theirs.amount


def _brand_pivots(world):
    """Pivots asking for brands, categories, regions, kinds and months but no product."""
    return [
        {"rows": ["brand"], "columns": ["quarter"]},
        {"rows": ["brand", "region"], "columns": ["month"], "measure": "quantity"},
        {
            "rows": ["category", "brand"],
            "columns": ["kind"],
            "category_level": 1,
            "filters": {"kind": "all"},
        },
        {"rows": ["brand"], "columns": ["year"], "measure": "lines", "limit": 1},
        {"rows": ["region"], "columns": ["brand"], "filters": {"category": [world.drinks.pk]}},
        {
            "rows": ["month"],
            "columns": ["brand"],
            "filters": {"brand": [world.chips.brand_id]},
            "date_from": dt.date(2025, 3, 1),
            "date_to": dt.date(2025, 8, 31),
        },
        {
            "rows": ["brand", "kind"],
            "filters": {"kind": "all", "region": [world.personas["regional_manager"].unit_id]},
        },
    ]


@pytest.mark.parametrize("persona", ["admin", "director", "regional_manager"])
def test_brand_pivots_are_served_by_the_brand_rollup_with_the_same_answers(
    generated, world, monkeypatch, persona
):
    # Brands without products are read from the brand rollup (month × kind × region ×
    # category × brand), for company-wide readers and a regional manager whose regions hold
    # exactly his lines: the same pivot, row for row and cell for cell, as the product rollup
    # and the lines give.
    viewer = world.personas[persona]

    for kwargs in _brand_pivots(world):
        spec = explorer.PivotSpec.build(**kwargs)
        answers = {}
        for name, left_out in (
            ("brandrollup", ()),
            ("productrollup", (BrandRollup,)),
            ("salesline", (BrandRollup, ProductRollup)),
        ):
            with monkeypatch.context() as patched:
                kept = tuple(s for s in explorer.SOURCES if s[0] not in left_out)
                patched.setattr(explorer, "SOURCES", kept)
                answers[name] = explorer.pivot(viewer=viewer, spec=spec)
            assert answers[name].pop("source") == name, kwargs
        assert answers["brandrollup"] == answers["productrollup"] == answers["salesline"], kwargs
        assert answers["brandrollup"]["total"] > 0, kwargs
    brands = {"P-JUICE-1L": "华远", "P-COLA": "华远", "P-CHIPS": "田园"}
    frame = generated.assign(brand=generated["product_sku"].map(brands))
    by_brand = explorer.pivot(
        viewer=viewer, spec=explorer.PivotSpec.build(rows=["brand"], columns=["quarter"])
    )
    people = None if persona != "regional_manager" else ["zhangwei", "yangfan"]
    assert cells(by_brand) == expected(frame, ["brand", "quarter"], people)
    # A product among the dimensions or filters: the product rollup, as before.
    for kwargs in (
        {"rows": ["product"], "columns": ["brand"]},
        {"rows": ["brand"], "filters": {"product": [world.cola.pk]}},
    ):
        spec = explorer.PivotSpec.build(**kwargs)
        assert explorer.pivot(viewer=viewer, spec=spec)["source"] == "productrollup"


def test_a_cells_lines_add_up_to_the_cell_and_stay_in_the_viewers_slice(generated, world):
    admin = world.personas["admin"]
    spec = explorer.PivotSpec.build(rows=["salesperson"], columns=["month"])
    result = explorer.pivot(viewer=admin, spec=spec)
    values = explorer.grid(result)
    for r, row in enumerate(result["rows"]):
        for c, column in enumerate(result["columns"]):
            cell = {"salesperson": row["key"][0], "month": column["key"][0]}
            lines = explorer.cell_lines(viewer=admin, spec=spec, cell=cell)
            fen = sum(line.amount_fen for line in lines)
            assert Decimal(fen) / 100 == (values[r][c] or 0)
    chenjing = world.personas["other_region_salesperson"]
    cell = {"salesperson": chenjing.pk, "month": "2025-03"}
    zhangwei = world.personas["salesperson"]
    assert not explorer.cell_lines(viewer=zhangwei, spec=spec, cell=cell).exists()
    assert explorer.cell_lines(viewer=chenjing, spec=spec, cell=cell).exists()


def test_a_bad_spec_is_refused_naming_the_field():
    with pytest.raises(ValidationFailed) as refused:
        explorer.PivotSpec.build(rows=["month"], columns=["month"])
    assert "rows" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        explorer.spec_from_params({"rows": "region", "category_level": "x"})
    assert "category_level" in refused.value.fields


def test_gross_profit_is_not_shown_to_a_salesperson(generated, world):
    spec = explorer.PivotSpec.build(rows=["month"], measure="gross_profit")
    with pytest.raises(ValidationFailed):
        explorer.pivot(viewer=world.personas["salesperson"], spec=spec)
    assert explorer.pivot(viewer=world.personas["admin"], spec=spec)["total"] > 0


# --- Saved views ----------------------------------------------------------------------------


def test_saved_views_are_each_persons_own_and_audited(world):
    zhangwei, chenjing = world.personas["salesperson"], world.personas["other_region_salesperson"]
    spec = {"rows": ["product"], "columns": ["month"], "category_level": 1}
    view = services.save_view(actor=zhangwei, name="我的产品", spec=spec)
    assert view.spec["rows"] == ["product"]
    assert view.spec["filters"] == {"kind": "sell_in"}
    assert AuditEntry.objects.filter(action="ledger.savedview.created").count() == 1
    services.save_view(actor=zhangwei, name="我的产品", spec={**spec, "columns": ["quarter"]})
    view.refresh_from_db()
    assert (view.spec["columns"], view.version) == (["quarter"], 2)
    assert AuditEntry.objects.filter(action="ledger.savedview.updated").count() == 1
    assert list(explorer.list_views(viewer=chenjing)) == []
    assert [v.name for v in explorer.list_views(viewer=zhangwei)] == ["我的产品"]
    with pytest.raises(ValidationFailed):
        services.save_view(actor=zhangwei, name="坏的", spec={"rows": ["nonsense"]})
    assert SavedView.objects.unrestricted().count() == 1
    services.delete_view(actor=zhangwei, view=view)
    assert not SavedView.objects.unrestricted().exists()
    assert AuditEntry.objects.filter(action="ledger.savedview.deleted").count() == 1


def test_saved_views_through_the_api(world, generated, login_client):
    client = login_client(world.personas["salesperson"])
    response = client.post(
        "/api/v1/sales/views",
        {"name": "月度", "spec": {"rows": ["customer"], "columns": ["month"]}},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    view_id = response.json()["id"]
    pivot = client.get(f"/api/v1/sales/views/{view_id}/pivot").json()
    want = expected(generated, ["kind"], ["zhangwei"])[("sell_in",)]
    assert Decimal(pivot["total"]) == want
    other = login_client(world.personas["other_region_salesperson"])
    assert other.get(f"/api/v1/sales/views/{view_id}").status_code == 404
    assert other.delete(f"/api/v1/sales/views/{view_id}").status_code == 404
    assert client.delete(f"/api/v1/sales/views/{view_id}").status_code == 204


def test_pivot_and_cell_lines_through_the_api(world, generated, login_client):
    client = login_client(world.personas["admin"])
    response = client.get(
        "/api/v1/sales/pivot", {"rows": "category", "columns": "quarter", "category_level": "1"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert Decimal(body["total"]) == expected(generated, ["kind"])[("sell_in",)]
    row, column = body["rows"][0], body["columns"][0]
    lines = client.get(
        "/api/v1/sales/pivot/lines",
        {
            "rows": "category",
            "columns": "quarter",
            "category_level": "1",
            "cell": json.dumps({"category": row["key"][0], "quarter": column["key"][0]}),
            "exact_count": "true",
        },
    ).json()
    sold = generated[generated["kind"] == "sell_in"]
    behind = sold[(sold["top_category"] == row["label"][0]) & (sold["quarter"] == column["key"][0])]
    assert lines["count"] == len(behind) > 0
    assert {item["line_key"].split(":")[-1] for item in lines["items"]} <= set(behind["line_id"])
    bad = client.get("/api/v1/sales/pivot", {"rows": "nonsense"})
    assert bad.status_code == 422
    assert bad.json()["code"]


@pytest.mark.parametrize("measure", ["amount", "quantity", "gross_profit", "lines"])
def test_the_api_answers_the_pivot_as_the_json_of_the_pivot(
    world, generated, login_client, measure
):
    """The API renders its pivots itself (``api._pivot_answer``): the same JSON, value for
    value and in the same order, as ninja rendered ``for_json(pivot(...))``, for each measure
    (amounts and quantities as text), a limit that cuts rows, empty cells and no columns."""
    from ninja.responses import NinjaJSONEncoder

    admin = world.personas["admin"]
    client = login_client(admin)
    asked = [
        {"rows": "customer,channel", "columns": "month", "limit": "3"},
        {"rows": "team,category", "columns": "quarter", "category_level": "1", "kind": "all"},
        {"rows": "salesperson", "columns": "", "date_from": "2025-02-03"},
    ]
    for params in asked:
        params = {**params, "measure": measure}
        response = client.get("/api/v1/sales/pivot", params)
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == "application/json; charset=utf-8"
        spec = explorer.spec_from_params(params, limit=1000)
        want = explorer.for_json(explorer.pivot(viewer=admin, spec=spec))
        assert response.content.decode() == json.dumps(want, cls=NinjaJSONEncoder)
        assert explorer.pivot_for_json(viewer=admin, spec=spec) == want
    view = services.save_view(
        actor=admin, name="季度", spec={"rows": ["brand"], "measure": measure}
    )
    response = client.get(f"/api/v1/sales/views/{view.pk}/pivot")
    spec = explorer.PivotSpec.from_dict(view.spec)
    want = explorer.for_json(explorer.pivot(viewer=admin, spec=spec))
    assert response.content.decode() == json.dumps(want, cls=NinjaJSONEncoder)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.none() | st.integers(min_value=-(10**17), max_value=10**17), max_size=40))
def test_sums_of_fen_become_the_same_text_by_the_column(sums):
    """The API's amounts, made text by polars (``pivot_for_json``), are ``str(from_fen(sum))``."""
    import polars as pl

    from salescope.core.money import from_fen

    column = pl.Series("_v", sums, dtype=pl.Int64).to_frame().select(explorer._yuan("_v"))
    assert column["_v"].to_list() == [str(from_fen(fen)) for fen in sums]


# --- Pages and export ---------------------------------------------------------------------


def test_page_shows_the_pivot_and_exports_it_as_xlsx(world, generated, login_client):
    from openpyxl import load_workbook

    client = login_client(world.personas["admin"])
    query = {
        "rows": "customer",
        "columns": "quarter",
        "from": "2025-01-01",
        "to": "2025-12-31",
    }
    page = client.get("/ledger/explorer/", query)
    assert page.status_code == 200
    assert b'data-testid="pivot-table"' in page.content
    assert "广州粤华贸易" in page.content.decode()
    response = client.get("/ledger/explorer/export.xlsx", query)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    # In the page's language (zh-Hans).
    assert rows[0] == ("客户", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "合计")
    total = expected(generated, ["kind"])[("sell_in",)]
    assert Decimal(str(rows[-1][-1])) == total
    by_customer = expected(generated, ["customer_code"])
    assert {Decimal(str(r[-1])) for r in rows[1:-1]} == set(by_customer.values())


def test_page_saves_and_opens_a_view(world, generated, login_client):
    client = login_client(world.personas["salesperson"])
    response = client.post(
        "/ledger/explorer/views/?rows=product&columns=month&category_level=1", {"name": "产品月度"}
    )
    assert response.status_code == 302
    view = SavedView.objects.unrestricted().get()
    assert (view.owner, view.spec["rows"]) == (world.personas["salesperson"], ["product"])
    opened = client.get(f"/ledger/explorer/views/{view.pk}/")
    assert opened.status_code == 302
    assert "rows=product" in opened["Location"]
    other = login_client(world.personas["other_region_salesperson"])
    assert other.get(f"/ledger/explorer/views/{view.pk}/").status_code == 404


# --- The explorer's rollups always equal the lines -----------------------------------------


def _sums(rows, width):
    out: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for row in rows:
        bucket = out[tuple(row[:width])]
        for i, value in enumerate(row[width:]):
            bucket[i] += value
    return {k: tuple(v) for k, v in out.items() if v[4]}


EXPLORER_KEYS = {
    ProductRollup: (
        "month",
        "kind",
        "region_id",
        "category_id",
        "brand_id",
        "product_id",
    ),
    BrandRollup: ("month", "kind", "region_id", "category_id", "brand_id"),
    CustomerRollup: ("month", "kind", "salesperson_id", "region_id", "customer_id", "channel"),
    PairRollup: ("year", "kind", "salesperson_id", "product_id", "customer_id"),
}
MEASURES = ("amount_fen", "quantity_milli", "cost_fen", "gross_profit_fen")


def assert_explorer_rollups_equal_the_lines():
    for model, keys in EXPLORER_KEYS.items():
        line_keys = ["month" if k == "year" else k for k in keys]  # a line's year: its month's
        lines = SalesLine.objects.unrestricted().values_list(*line_keys, *MEASURES)
        if "year" in keys:
            lines = [(row[0].replace(month=1), *row[1:]) for row in lines]
        want = _sums([(*row, 1) for row in lines], len(keys))
        stored = model.objects.unrestricted().values_list(*keys, *MEASURES, "lines")
        assert _sums(list(stored), len(keys)) == want, model.__name__
        assert model.objects.unrestricted().count() == len(want), model.__name__


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(files=delta_files, batch=st.sampled_from([2, 20_000]), bulk=st.booleans())
def test_explorer_rollups_equal_the_lines_after_any_imports(world, tmp_path, files, batch, bulk):
    SalesLine.objects.unrestricted().all().delete()
    for model in EXPLORER_KEYS:
        model.objects.unrestricted().all().delete()
    import_each(
        world,
        tmp_path,
        files,
        lambda _result: assert_explorer_rollups_equal_the_lines(),
        batch=batch,
        bulk=bulk,
    )


def test_the_rebuild_command_restores_the_explorer_rollups(generated, world):
    from django.core.management import call_command

    CustomerRollup.objects.unrestricted().all().delete()
    ProductRollup.objects.unrestricted().all().update(amount_fen=0)
    BrandRollup.objects.unrestricted().all().update(quantity_milli=1)
    PairRollup.objects.unrestricted().all().update(lines=7)
    call_command("rebuild_rollups", stdout=io.StringIO())
    assert_explorer_rollups_equal_the_lines()
    assert User.objects.unrestricted().exists()


def test_the_command_line_gives_the_same_pivot(world, generated):
    from django.core.management import call_command

    out = io.StringIO()
    call_command(
        "report",
        "sales-summary",
        "--group-by",
        "category",
        "--columns",
        "quarter",
        "--category-level",
        "1",
        "--as",
        "zhangwei",
        "--json",
        stdout=out,
    )
    body = json.loads(out.getvalue())
    want = expected(generated, ["top_category", "quarter"], ["zhangwei"])
    got = {
        (body["rows"][r]["label"][0], body["columns"][c]["key"][0]): Decimal(v)
        for r, c, v in body["cells"]
    }
    assert got == want
    table = io.StringIO()
    call_command("report", "sales-summary", "--group-by", "team", "--columns", "year", stdout=table)
    assert "上海一组" in table.getvalue()


def test_a_malformed_cell_is_refused_not_a_server_error(world):
    spec = explorer.PivotSpec.build(rows=["region"], columns=["month"])
    for cell in ({"region": "abc"}, {"month": "2025-13"}, {"quarter": "2025Q1"}):
        with pytest.raises(ValidationFailed):
            explorer.cell_filters(spec, cell)
    with pytest.raises(ValidationFailed):
        explorer.parse_cell("[1, 2]")
