"""The sales-line list newest first, whoever reads it (issue 20 item 9). On PostgreSQL a viewer
who sees a small share of the lines gets them sorted from what they see rather than by a walk
of the date index (``ledger.queries._newest_first``): the order must be the same either way."""

import datetime as dt

from salescope.ledger import queries
from salescope.ledger.importing.sales_lines import ImportOptions, import_sales_lines
from salescope.ledger.models import SalesLine
from salescope.org.visibility import visible_in_share
from tests.ledger.world import write_csv

HEADER = ["单号", "行号", "日期", "客户编码", "产品编码", "数量", "金额", "渠道"]


def _lines(world, tmp_path):
    day = dt.date(2025, 1, 1)
    rows = [
        # several lines a day, documents out of date order, both regions
        [f"SO-{n % 7}", n, (day + dt.timedelta(days=(n * 5) % 17)).isoformat(),
         ("C-EAST-1", "C-EAST-2", "C-SOUTH-1")[n % 3], "P-COLA", "1", str(n), ""]
        for n in range(1, 61)
    ]  # fmt: skip
    path = write_csv(tmp_path / "lines.csv", HEADER, rows)
    import_sales_lines(actor=world.personas["admin"], path=path, options=ImportOptions())


def test_every_viewer_reads_their_lines_newest_first(world, tmp_path):
    _lines(world, tmp_path)
    everything = SalesLine.objects.unrestricted()
    for persona in ("salesperson", "team_lead", "regional_manager", "director", "finance"):
        viewer = world.personas[persona]
        listed = list(queries.list_lines(viewer=viewer).values_list("date", "id"))
        seen = SalesLine.objects.visible_to(viewer, "view").values_list("date", "id")
        assert listed == sorted(seen, reverse=True), persona
        assert listed  # each of them sees lines
    assert len(list(queries.list_lines(viewer=world.personas["director"]))) == everything.count()


def test_who_sees_a_small_share_of_the_lines(world):
    def small(persona):
        lines = SalesLine.objects.all()
        return visible_in_share(lines, viewer=world.personas[persona])[1]

    assert small("salesperson")
    assert not small("director")
    assert not small("finance")
