"""English pages are English (issue 19, defect 4): the sales analysis's group-by labels and
column headers follow the reader's language, not the language the server started in."""

from django.test import Client

from salescope.org.demo import DEMO_PASSWORD


def _client(user, language):  # noqa: ANN001, ANN202
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert (
        client.post(
            "/accounts/login/", {"username": user.username, "password": DEMO_PASSWORD}
        ).status_code
        == 302
    )
    return client


def test_the_sales_analysis_speaks_the_readers_language(personas):
    english = _client(personas["director"], "en").get("/ledger/sales/?group_by=region")
    html = english.content.decode()
    assert "<th>Region</th>" in html
    assert "大区</th>" not in html
    assert "区域</th>" not in html
    chinese = _client(personas["director"], "zh-hans").get("/ledger/sales/?group_by=region")
    assert (
        "<th>大区</th>" in chinese.content.decode() or "<th>区域</th>" in chinese.content.decode()
    )
