"""``salescope import customers|products|invoices|collections FILE … --json``."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from salescope.cli import _two_word_command
from salescope.customers.models import Customer
from tests.ledger.world import write_csv

CONTRACT_KEYS = {"accepted", "rejected", "created", "updated", "unchanged", "rounded", "errors"}


def call(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["customers", "products", "invoices", "collections"])
def test_salescope_import_kind_dispatches_to_its_command(kind):
    assert _two_word_command(["salescope", "import", kind, "f.csv", "--json"]) == [
        "salescope",
        f"import_{kind}",
        "f.csv",
        "--json",
    ]


def test_json_output_has_the_contract_shape(world, tmp_path):
    path = write_csv(
        tmp_path / "c.csv",
        ["编号", "名字", "额度"],
        [["K-1", "甲公司", "100.005"], ["K-2", "乙公司", "x"], ["K-1", "重复", ""]],
    )
    output = call(
        "import_customers",
        path,
        "--map",
        "编号=code",
        "--map",
        "名字=name",
        "--map",
        "额度=credit_limit",
        "--as",
        "admin",
        "--json",
    )
    data = json.loads(output)
    assert set(data) >= CONTRACT_KEYS
    assert {k: data[k] for k in CONTRACT_KEYS} == {
        "accepted": 1,
        "rejected": 2,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "rounded": 1,
        "errors": [
            {"line": 3, "column": "额度", "reason": "not a number"},
            {"line": 4, "column": "编号", "reason": "duplicate of line 2"},
        ],
    }
    assert Customer.objects.unrestricted().get(code="K-1").credit_limit_fen == 10_001


def test_dry_run_summary_without_json(world, tmp_path):
    path = write_csv(tmp_path / "p.csv", ["SKU", "name"], [["P-X", "新品"]])
    output = call("import_products", path, "--dry-run", "--as", "admin")
    assert "accepted 1, rejected 0; created 1" in output


def test_bad_map_and_denied_user_are_command_errors(world, tmp_path):
    path = write_csv(tmp_path / "i.csv", ["发票号"], [["INV-1"]])
    with pytest.raises(CommandError, match="Bad --map"):
        call("import_invoices", path, "--map", "发票号=nonsense", "--as", "admin")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_invoices", path, "--as", "zhangwei", "--json", stdout=out)
    assert json.loads(out.getvalue())["code"] == "permission_denied"
    with pytest.raises(CommandError, match="customer_code"):
        call("import_invoices", path, "--as", "admin")


@pytest.mark.parametrize("kind", ["customers", "products", "invoices", "collections"])
def test_help_lists_the_fields(kind):
    from django.core.management import load_command_class

    command = load_command_class("salescope.ledger", f"import_{kind}")
    text = command.create_parser("salescope", f"import_{kind}").format_help()
    assert "--map" in text
    assert "--dry-run" in text
    from salescope.ledger.importing.masterdata import IMPORTS

    assert ", ".join(IMPORTS[kind].fields)[:40] in " ".join(text.split())
