"""In a real browser (issue 18): 李娜 uploads another CRM's export on 导入商机; the page goes to
the job, which waits for the worker, then shows (polled by htmx) the counts, the refused row by
line and the error report, and the import is listed among her jobs."""

import re

import pytest

from salescope.customers.models import Customer
from salescope.ledger import jobs
from salescope.pipeline.models import Opportunity
from tests.pipeline.world import make_pipeline

pytestmark = pytest.mark.browser

DEALS = (
    "外部编号,商机名称,客户,金额,阶段,负责人\r\n"
    "CRM-1,联华年度供货,联华超市,1000,初步接洽,张伟\r\n"
    "CRM-2,华南的单,联华超市,500,初步接洽,陈静\r\n"
)


def test_a_manager_follows_her_opportunity_import_to_the_end(
    transactional_db, live_server, personas, page, login, shoot
):
    from playwright.sync_api import expect

    make_pipeline(personas["admin"])
    Customer(code="C-LH", name="联华超市", owner=personas["salesperson"]).save()
    login(page, "lina")
    page.goto(f"{live_server.url}/pipeline/import/")
    form = page.get_by_test_id("import-form")
    form.locator("input[type=file]").set_input_files(
        {"name": "商机.csv", "mimeType": "text/csv", "buffer": DEALS.encode("gbk")}
    )
    form.locator("button").click()

    expect(page).to_have_url(re.compile(r"/ledger/imports/\d+/$"))
    expect(page.locator("h1")).to_contain_text("商机.csv")
    expect(page.get_by_test_id("job-status")).to_contain_text("等待")
    assert not Opportunity.objects.unrestricted().exists()
    assert jobs.work(once=True) == 1

    result = page.get_by_test_id("import-result")  # the page polls the job every second
    expect(result).to_have_text("新增 1 条，更新 0 条，未变 0 条，拒绝 1 行。")
    refused = page.get_by_test_id("import-errors").locator("tbody tr")
    expect(refused).to_have_count(1)
    expect(refused.first.locator("td").nth(0)).to_have_text("3")
    expect(refused.first.locator("td").nth(1)).to_have_text("负责人")
    expect(refused.first.locator("td").nth(2)).to_have_text("您不能把商机分配给 陈静")
    with page.expect_download() as download:
        page.get_by_test_id("job-error-report").click()
    assert download.value.suggested_filename.endswith("-errors.csv")
    shoot(page, "opportunity-import-job-done")
    assert Opportunity.objects.unrestricted().get().owner == personas["salesperson"]

    page.get_by_test_id("import-again").click()
    expect(page).to_have_url(re.compile(r"/pipeline/import/$"))
