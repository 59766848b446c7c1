"""In a real browser: the administrator imports a GBK customer file and a UTF-8 sales-line file
with Chinese headers from 导入 — guessed mapping, exact preview with the bad row's line, column
and reason, confirm, and the worker's result on the job page (polled by htmx)."""

import re

import pytest

from salescope.customers.models import Customer
from salescope.ledger import jobs
from salescope.ledger.models import ImportJob, SalesLine
from tests.ledger.world import build_world

pytestmark = pytest.mark.browser

CUSTOMERS = (
    "客户编码,客户名称,类型,信用额度\r\n"
    "K-1,甲公司,经销商,1000\r\n"
    "K-2,乙公司,火星客户,\r\n"
    "K-3,丙商贸,终端,20.5\r\n"
)
SALES = (
    "单号,行号,日期,客户编码,产品编码,数量,金额\r\n"
    "SO-9,1,2026-03-01,C-EAST-1,P-COLA,10,30.00\r\n"
    "SO-9,2,2026-03-02,C-EAST-1,P-JUICE-1L,2,17.00\r\n"
    "SO-9,3,2026-03-02,C-NOPE,P-COLA,1,3.00\r\n"
)


def _upload(page, url: str, kind: str, name: str, payload: bytes) -> None:  # noqa: ANN001
    """Choose 导入内容 (by its label), pick the file, upload: the mapping page follows."""
    from playwright.sync_api import expect

    page.goto(f"{url}/ledger/imports/")
    expect(page.locator("h1")).to_have_text("导入")
    upload = page.get_by_test_id("import-upload")
    upload.get_by_label("导入内容").select_option(label=kind)
    upload.get_by_label("文件").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": payload}
    )
    upload.locator("button").click()
    expect(page.get_by_test_id("import-mapping")).to_be_visible()


def _run_worker_and_wait(page) -> dict:  # noqa: ANN001
    from playwright.sync_api import expect

    expect(page).to_have_url(re.compile(r"/ledger/imports/\d+/$"))
    job = ImportJob.objects.unrestricted().get()
    expect(page.get_by_test_id("job-status")).to_contain_text("等待")
    assert jobs.work(once=True) == 1
    # the page polls the job every second and shows the stored result
    expect(page.get_by_test_id("job-result")).to_be_visible()
    job.refresh_from_db()
    return job.result


def test_admin_imports_a_gbk_customer_file_with_a_bad_row(
    transactional_db, live_server, personas, page, login, shoot
):
    from playwright.sync_api import expect

    login(page, "admin")
    _upload(page, live_server.url, "客户", "客户.csv", CUSTOMERS.encode("gbk"))
    shoot(page, "imports-upload-map")

    mapping = page.get_by_test_id("import-mapping")
    expect(page.locator("h1")).to_contain_text("客户.csv")
    expect(page.locator("h1")).to_contain_text("3 行")
    expect(page.get_by_test_id("import-kind-chosen")).to_have_text("客户")
    expected = {"客户编码": "code", "客户名称": "name", "类型": "kind", "信用额度": "credit_limit"}
    for header, field in expected.items():
        expect(mapping.locator(f'select[aria-label="{header}"]')).to_have_value(field)
    expect(mapping.locator("#create_missing")).to_have_count(0)  # sales lines only

    mapping.locator("button[value=preview]").click()
    expect(page.get_by_test_id("preview-counts")).to_have_text(
        "将入库 2 行（新增 2、变更 0、未变 0），拒收 1 行，金额四舍五入 0 行。"
    )
    errors = page.get_by_test_id("import-errors").locator("tbody tr")
    expect(errors).to_have_count(1)
    cells = errors.first.locator("td")
    expect(cells.nth(0)).to_have_text("3")
    expect(cells.nth(1)).to_have_text("类型")
    expect(cells.nth(2)).to_contain_text("未知类型")
    assert not Customer.objects.unrestricted().filter(code="K-1").exists(), (
        "a preview stores nothing"
    )
    shoot(page, "imports-preview")

    page.locator("form[action$='/imports/confirm/'] button").click()
    result = _run_worker_and_wait(page)
    assert (result["accepted"], result["created"], result["rejected"]) == (2, 2, 1)
    expect(page.get_by_test_id("job-result")).to_have_text(
        "已入库 2 行（新增 2、变更 0、未变 0），拒收 1 行，金额四舍五入 0 行。"
    )
    expect(page.get_by_test_id("import-errors").locator("tbody tr")).to_have_count(1)
    shoot(page, "imports-job-done")
    assert Customer.objects.unrestricted().get(code="K-1").credit_limit_fen == 100_000
    assert Customer.objects.unrestricted().get(code="K-3").name == "丙商贸"
    assert not Customer.objects.unrestricted().filter(code="K-2").exists()

    page.goto(f"{live_server.url}/ledger/imports/")
    listed = page.get_by_test_id("import-jobs").locator("tbody tr")
    expect(listed).to_have_count(1)
    expect(listed.first).to_contain_text("客户.csv")
    expect(listed.first).to_contain_text("已完成")
    shoot(page, "imports-list")


def test_admin_imports_sales_lines_and_sees_the_unknown_customer(
    transactional_db, live_server, personas, page, login
):
    from playwright.sync_api import expect

    build_world(personas)
    login(page, "admin")
    _upload(page, live_server.url, "销售明细", "销售.csv", SALES.encode("utf-8-sig"))

    mapping = page.get_by_test_id("import-mapping")
    for header, field in {
        "单号": "document",
        "客户编码": "customer_code",
        "金额": "amount",
    }.items():
        expect(mapping.locator(f'select[aria-label="{header}"]')).to_have_value(field)

    mapping.locator("button[value=preview]").click()
    errors = page.get_by_test_id("import-errors").locator("tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first.locator("td").nth(0)).to_have_text("4")
    expect(errors.first.locator("td").nth(1)).to_have_text("客户编码")
    expect(errors.first.locator("td").nth(2)).to_have_text("未知客户")
    assert not SalesLine.objects.unrestricted().exists()

    page.locator("form[action$='/imports/confirm/'] button").click()
    result = _run_worker_and_wait(page)
    assert (result["accepted"], result["rejected"]) == (2, 1)
    assert sorted(SalesLine.objects.unrestricted().values_list("amount_fen", flat=True)) == [
        1700,
        3000,
    ]
