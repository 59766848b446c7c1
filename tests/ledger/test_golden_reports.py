"""R10/R11: the sales summary and the receivables ageing equal an independent pandas
computation over the same generated data, to the cent, on both databases; and each viewer's
totals are the sum over the rows they may see (R2)."""

import datetime as dt
import random
from decimal import Decimal

import pandas as pd
import pytest

from salescope.ledger import queries, services
from salescope.ledger.importing.sales_lines import ImportOptions, import_sales_lines
from salescope.ledger.models import Invoice
from tests.ledger.world import write_csv

PEOPLE = {"zhangwei": "C-EAST-1", "yangfan": "C-EAST-2", "chenjing": "C-SOUTH-1"}


@pytest.fixture
def generated(world, tmp_path):
    rng = random.Random(7)  # noqa: S311 - seeded test data
    products = ["P-JUICE-1L", "P-COLA", "P-CHIPS"]
    rows = []
    for number in range(1500):
        person = rng.choice(list(PEOPLE))
        day = dt.date(2024, 11, 1) + dt.timedelta(days=rng.randint(0, 420))
        amount = Decimal(rng.randint(1, 10**7)) / 100
        rows.append(
            [
                f"G-{number}",
                day.isoformat(),
                PEOPLE[person],
                rng.choice(products),
                str(rng.randint(1, 50)),
                str(amount),
                person,
                rng.choice(["sell_in", "sell_in", "sell_through"]),
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
    ]
    path = write_csv(tmp_path / "g.csv", header, rows)
    result = import_sales_lines(actor=world.personas["admin"], path=path, options=ImportOptions())
    assert (result.accepted, result.rejected) == (1500, 0)
    frame = pd.read_csv(path, dtype=str)
    frame["amount"] = frame["amount"].map(Decimal)
    frame["month"] = frame["date"].str[:7]
    frame["category"] = frame["product_sku"].map(
        {"P-JUICE-1L": "果汁", "P-COLA": "饮料", "P-CHIPS": "休闲食品"}
    )
    return frame


def expected(frame, dims, people=None, kind="sell_in"):
    part = frame if kind == "all" else frame[frame["kind"] == kind]
    if people is not None:
        part = part[part["salesperson"].isin(people)]
    grouped = part.groupby(dims)["amount"].apply(lambda s: sum(s, Decimal("0.00")))
    return {k if isinstance(k, tuple) else (k,): v for k, v in grouped.items()}


def actual(viewer, dims, **kwargs):
    rows = queries.summary_for_output(viewer=viewer, group_by=dims, **kwargs)
    return {tuple(r[d] for d in dims): r["amount"] for r in rows}


@pytest.mark.parametrize(
    ("persona", "people"),
    [
        ("admin", None),
        ("finance", None),
        ("team_lead", ["zhangwei", "yangfan"]),
        ("salesperson", ["zhangwei"]),
        ("other_region_salesperson", ["chenjing"]),
    ],
)
def test_summary_by_month_and_category_matches_pandas_for_each_viewer(
    generated, world, persona, people
):
    viewer = world.personas[persona]
    assert actual(viewer, ["month", "category"]) == expected(
        generated, ["month", "category"], people
    )


def test_day_ranges_and_all_kinds_come_from_the_lines_and_still_match(generated, world):
    frame = generated[(generated["date"] >= "2025-02-10") & (generated["date"] <= "2025-07-20")]
    got = actual(
        world.personas["admin"],
        ["category"],
        date_from=dt.date(2025, 2, 10),
        date_to=dt.date(2025, 7, 20),
        filters={"kind": "all"},
    )
    assert got == expected(frame, ["category"], kind="all")


def test_rollup_totals_contract_for_plans(generated, world):
    rows = queries.rollup_totals(
        viewer=world.personas["admin"],
        date_from=dt.date(2025, 1, 1),
        date_to=dt.date(2025, 12, 31),
        group_by=["salesperson"],
    )
    names = dict(
        world.personas["admin"].__class__.objects.unrestricted().values_list("pk", "username")
    )
    got = {names[r["salesperson"]]: r["amount"] for r in rows}
    frame = generated[generated["date"].str[:4] == "2025"]
    assert got == {k[0]: v for k, v in expected(frame, ["salesperson"]).items()}
    assert all(isinstance(r["amount"], Decimal) for r in rows)


def test_ageing_matches_pandas_and_ties_to_open_balances(world):
    rng = random.Random(11)  # noqa: S311 - seeded test data
    as_of = dt.date(2025, 6, 30)
    customers = [world.east_dealer, world.east_shop, world.south_dealer]
    for number in range(300):
        issue = as_of - dt.timedelta(days=rng.randint(0, 200))
        inv = services.issue_invoice(
            actor=world.personas["finance"],
            customer=rng.choice(customers),
            number=f"GI-{number}",
            issue_date=issue,
            amount=Decimal(rng.randint(100, 10**6)) / 100,
            due_date=issue + dt.timedelta(days=rng.choice([0, 30, 60])),
        )
        if rng.random() < 0.4:
            Invoice.objects.unrestricted().filter(pk=inv.pk).update(
                paid_fen=rng.randint(0, inv.amount_fen)
            )
    frame = pd.DataFrame(
        list(
            Invoice.objects.unrestricted().values(
                "customer__code", "due_date", "amount_fen", "paid_fen"
            )
        )
    )
    frame["balance"] = (frame["amount_fen"] - frame["paid_fen"]).map(lambda f: Decimal(f) / 100)
    frame["late"] = frame["due_date"].map(lambda d: (as_of - d).days)
    frame["bucket"] = pd.cut(
        frame["late"],
        [-(10**6), -1, 30, 60, 90, 10**6],
        labels=["not_due", "d0_30", "d31_60", "d61_90", "d91_plus"],
    )
    want = {
        (c, str(b)): v
        for (c, b), v in frame.groupby(["customer__code", "bucket"], observed=True)["balance"]
        .apply(lambda s: sum(s, Decimal("0.00")))
        .items()
    }
    report = queries.receivables_ageing(
        viewer=world.personas["finance"], as_of=as_of, group_by="customer"
    )
    codes = {c.pk: c.code for c in customers}
    got = {
        (codes[r["key"]], b.key): r[b.key]
        for r in report["rows"]
        for b in report["buckets"]
        if r[b.key] != 0
    }
    assert got == {k: v for k, v in want.items() if v != 0}
    assert report["total"]["total"] == sum(frame["balance"], Decimal("0.00"))
