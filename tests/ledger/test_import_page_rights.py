"""The import page is for those who may import (issue 19, defect 6): a salesperson who opens
/ledger/imports/ is told so (403) instead of being shown an upload form that refuses him on
submit; importers see the form."""

import pytest


def test_a_salesperson_is_not_shown_the_upload_form(personas, login_client):
    page = login_client(personas["salesperson"]).get("/ledger/imports/")
    assert page.status_code == 403
    assert 'data-testid="import-upload"' not in page.content.decode()


@pytest.mark.parametrize("persona", ["finance", "team_lead", "admin"])
def test_importers_see_the_upload_form(personas, login_client, persona):
    page = login_client(personas[persona]).get("/ledger/imports/")
    assert page.status_code == 200
    assert 'data-testid="import-upload"' in page.content.decode()
