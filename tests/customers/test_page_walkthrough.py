"""What a browser walkthrough of the customer pages found, as the pages show it (in Chinese):
dealer health in yuan with translated statuses and a percentage trend; data quality naming
fields by their labels; merge and handover each confirmed before they run, handover refusing an
empty reason, a pre-selected person, a non-selling new owner and the same person; and tabs
offered only to those who may use their pages."""

import datetime as dt
import html
import re

from django.utils import timezone, translation

from salescope.core.models import AuditEntry
from salescope.customers import services
from salescope.customers.choices import DealerHealth
from salescope.customers.models import Contact, Customer
from salescope.ledger import services as ledger_services
from salescope.ledger.models import Invoice
from salescope.org.models import User
from tests.customers.test_customers import _line


def _zh(text) -> str:
    """A msgid or lazy label as the Chinese pages show it."""
    with translation.override("zh-hans"):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))).strip()


def _part(page: str, testid: str) -> str:
    """The element carrying ``data-testid="<testid>"``, up to the end of its table/form/ul."""
    start = page.index(f'data-testid="{testid}"')
    ends = [page.find(end, start) for end in ("</table>", "</form>", "</ul>")]
    return page[start : min(e for e in ends if e != -1)]


def _rows(fragment: str) -> list[list[str]]:
    return [
        [_text(cell) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", fragment, flags=re.S)
    ]


def _tabs(client, url: str) -> list[str]:
    page = client.get(url).content.decode()
    return [
        _text(a)
        for a in re.findall(r"<a class=\"nav-link[^>]*>(.*?)</a>", _part(page, "customer-tabs"))
    ]


def _options(page: str, name: str) -> list[tuple[str, str, bool]]:
    select = re.search(rf'<select name="{name}".*?</select>', page, flags=re.S).group(0)
    return [
        (value, _text(label), " selected" in attrs)
        for value, attrs, label in re.findall(
            r'<option value="([^"]*)"([^>]*)>(.*?)</option>', select, flags=re.S
        )
    ]


def _person(username: str) -> User:
    return User.objects.unrestricted().get(username=username)


# --- dealer health ------------------------------------------------------------------------------


def test_dealer_health_shows_yuan_with_separators_statuses_and_a_percentage(world, login_client):
    today = timezone.localdate()
    _line(world, world.east_dealer, today - dt.timedelta(days=10), 11_869_160)
    _line(world, world.east_dealer, today - dt.timedelta(days=120), 13_721_572)
    _line(world, world.south_dealer, today - dt.timedelta(days=60), 250_000)
    client = login_client(world.personas["admin"])

    page = client.get("/ledger/dealer-health/").content.decode()
    header, *rows = _rows(_part(page, "dealer-health"))

    assert not any("fen" in h or "分" in h for h in header), header
    by_name = {row[0]: row for row in rows}
    east, south = by_name["上海联华商贸有限公司"], by_name["广州粤华贸易"]
    assert east[4:] == ["118,691.60", "137,215.72", "−13.5 %"]
    assert east[2] == _zh(DealerHealth.ACTIVE.label)
    assert south[2] == _zh(DealerHealth.AT_RISK.label)
    assert south[4:] == ["2,500.00", "0.00", "—"]
    assert "11869160" not in page
    assert not {"active", "at_risk", "lost", "never"} & {row[2] for row in rows}


# --- data quality -------------------------------------------------------------------------------


def test_data_quality_names_fields_by_their_labels(world, login_client):
    Customer(code="C-DUP", name="上海联华商贸", owner=world.personas["salesperson"]).save()
    client = login_client(world.personas["admin"])

    page = client.get("/customers/data-quality/").content.decode()

    group = _text(_part(page, "duplicate-group"))
    label = _zh(Customer._meta.get_field("name").verbose_name)
    assert f"{_zh('Same')} {label}: 上海联华商贸" in group
    missing = {row[0]: row[2] for row in _rows(_part(page, "missing-fields"))}
    expected = [
        _zh(Customer._meta.get_field(name).verbose_name)
        for name in ("territory", "phone", "tax_number")
    ]
    assert missing["C-SOUTH-1"] == ", ".join(expected)
    assert "tax_number" not in _text(page)
    assert "相同的 name" not in _text(page)


def test_data_quality_offers_merging_only_to_who_may_merge(world, login_client):
    Customer(code="C-DUP", name="上海联华商贸", owner=world.personas["salesperson"]).save()

    salesperson = login_client(world.personas["salesperson"]).get("/customers/data-quality/")
    manager = login_client(world.personas["regional_manager"]).get("/customers/data-quality/")

    assert 'name="keep"' not in salesperson.content.decode()
    assert 'name="keep"' in manager.content.decode()


# --- merge ----------------------------------------------------------------------------------------


def test_merging_shows_what_moves_and_runs_only_when_confirmed(world, login_client):
    dup = Customer(code="C-DUP", name="上海联华商贸", owner=world.personas["salesperson"])
    dup.save()
    ledger_services.issue_invoice(
        actor=world.personas["finance"],
        customer=dup,
        number="INV-D",
        issue_date=dt.date(2025, 1, 1),
        amount="5.00",
    )
    services.add_contact(actor=world.personas["admin"], customer=dup, name="王经理")
    client = login_client(world.personas["regional_manager"])
    chosen = {"keep": world.east_dealer.pk, "duplicates": [world.east_dealer.pk, dup.pk]}

    preview = client.post("/customers/data-quality/merge/", chosen)

    assert preview.status_code == 200
    page = preview.content.decode()
    assert "C-DUP" in _text(_part(page, "merge-duplicates"))
    assert "C-EAST-1" not in _text(_part(page, "merge-duplicates"))
    assert "C-EAST-1" in _text(_part(page, "merge-keep"))
    moves = dict(_rows(_part(page, "merge-moves")))
    assert moves[_zh(Invoice._meta.verbose_name_plural)] == "1"
    assert moves[_zh(Contact._meta.verbose_name_plural)] == "1"
    dup.refresh_from_db()
    assert dup.merged_into_id is None
    assert dup.deleted_at is None
    assert Invoice.objects.unrestricted().get(number="INV-D").customer_id == dup.pk
    assert not AuditEntry.objects.filter(action="customers.customer.merged").exists()

    done = client.post("/customers/data-quality/merge/", {**chosen, "confirm": "1"}, follow=True)

    dup.refresh_from_db()
    assert dup.merged_into_id == world.east_dealer.pk
    assert Invoice.objects.unrestricted().get(number="INV-D").customer_id == world.east_dealer.pk
    assert Contact.objects.unrestricted().get(name="王经理").customer_id == world.east_dealer.pk
    alert = re.search(r'<div class="alert alert-success"[^>]*>(.*?)</div>', done.content.decode())
    assert f'href="/customers/{world.east_dealer.pk}/"' in alert.group(1)


def test_a_salesperson_cannot_preview_or_run_a_merge(world, login_client):
    dup = Customer(code="C-DUP", name="上海联华商贸", owner=world.personas["salesperson"])
    dup.save()
    client = login_client(world.personas["salesperson"])
    chosen = {"keep": world.east_dealer.pk, "duplicates": [dup.pk]}

    assert client.post("/customers/data-quality/merge/", chosen).status_code == 403
    assert (
        client.post("/customers/data-quality/merge/", {**chosen, "confirm": "1"}).status_code == 403
    )
    dup.refresh_from_db()
    assert dup.merged_into_id is None


# --- handover -------------------------------------------------------------------------------------


def _handover(world, client, **fields):
    data = {
        "from_user": world.personas["salesperson"].pk,
        "to_user": _person("yangfan").pk,
        "reason": "离职",
        **fields,
    }
    return client.post("/customers/handover/", data)


def _nothing_moved(world) -> bool:
    zhangwei = world.personas["salesperson"]
    return (
        set(Customer.objects.unrestricted().filter(owner=zhangwei).values_list("code", flat=True))
        == {"C-EAST-1", "C-EAST-2"}
        and not AuditEntry.objects.filter(action="customers.owner.handed_over").exists()
    )


def test_handover_form_preselects_nobody_and_offers_only_active_sellers(world, login_client):
    former = _person("zhoulei")
    former.is_active = False
    former.save(update_fields=["is_active"])
    client = login_client(world.personas["admin"])

    page = client.get("/customers/handover/").content.decode()

    for name in ("from_user", "to_user"):
        options = _options(page, name)
        assert options[0][0] == ""
        assert "—" in options[0][1]
        assert [o for o in options if o[2]] in ([], [options[0]])
    targets = {int(value) for value, _label, _sel in _options(page, "to_user") if value}
    sellers = set(
        User.objects.unrestricted()
        .filter(is_active=True, role__in=["salesperson", "manager", "sales_director"])
        .values_list("pk", flat=True)
    )
    assert targets == sellers
    assert world.personas["finance"].pk not in targets
    assert world.personas["admin"].pk not in targets
    assert former.pk not in targets
    assert former.pk in {int(v) for v, _l, _s in _options(page, "from_user") if v}


def test_the_current_owner_is_labelled_as_such(world, login_client):
    page = login_client(world.personas["admin"]).get("/customers/handover/").content.decode()

    labels = {
        target: _text(label)
        for target, label in re.findall(r'<label[^>]*for="id_(\w+)"[^>]*>(.*?)</label>', page)
    }
    assert labels["from_user"] == _zh("Current owner")
    assert labels["to_user"] == _zh("New owner")
    assert labels["from_user"] not in ("生效日期", "从", _zh("From"))


def test_handover_without_a_reason_is_refused_at_the_field_and_moves_nothing(world, login_client):
    client = login_client(world.personas["regional_manager"])

    for extra in ({}, {"confirm": "1"}):
        response = _handover(world, client, reason="  ", **extra)

        page = response.content.decode()
        assert response.status_code == 200
        assert 'data-testid="error-reason"' in page
        assert 'data-testid="handover-preview"' not in page
        assert _nothing_moved(world)


def test_handover_to_the_same_person_is_refused_at_the_field(world, login_client):
    client = login_client(world.personas["regional_manager"])

    response = _handover(world, client, to_user=world.personas["salesperson"].pk, confirm="1")

    page = response.content.decode()
    assert 'data-testid="error-to_user"' in page
    assert _zh("Choose another person.") in page
    assert _nothing_moved(world)


def test_handover_to_finance_or_admin_is_refused(world, login_client):
    client = login_client(world.personas["admin"])

    for who in ("finance", "admin"):
        response = _handover(world, client, to_user=world.personas[who].pk, confirm="1")

        assert 'data-testid="error-to_user"' in response.content.decode()
        assert _nothing_moved(world)


def test_handover_shows_what_moves_then_moves_it_when_confirmed(world, login_client):
    ledger_services.issue_invoice(
        actor=world.personas["finance"],
        customer=world.east_dealer,
        number="INV-H",
        issue_date=dt.date(2025, 1, 1),
        amount="5.00",
    )
    client = login_client(world.personas["regional_manager"])

    preview = _handover(world, client)

    page = preview.content.decode()
    counts = [row[1] for row in _rows(_part(page, "handover-counts"))]
    assert counts == ["2", "0", "1", "0"]
    assert _nothing_moved(world)

    done = _handover(world, client, confirm="1")

    assert done.status_code == 302
    yangfan = _person("yangfan")
    assert set(
        Customer.objects.unrestricted().filter(owner=yangfan).values_list("code", flat=True)
    ) == {
        "C-EAST-1",
        "C-EAST-2",
    }
    assert Invoice.objects.unrestricted().get(number="INV-H").owner_id == yangfan.pk
    entry = AuditEntry.objects.get(action="customers.owner.handed_over")
    assert entry.changes["reason"] == "离职"


# --- tabs -----------------------------------------------------------------------------------------

RESTRICTED = {"导入", "数据质量", "客户交接"}


def test_a_salesperson_is_not_offered_tabs_he_cannot_use(world, login_client):
    client = login_client(world.personas["salesperson"])

    for url in ("/customers/", "/ledger/dealer-health/", "/ledger/orders/"):
        tabs = _tabs(client, url)
        assert "客户" in tabs
        assert not RESTRICTED & set(tabs), (url, tabs)


def test_tabs_follow_each_pages_permission(world, login_client):
    manager = _tabs(login_client(world.personas["regional_manager"]), "/customers/")
    finance = _tabs(login_client(world.personas["finance"]), "/customers/")

    assert manager[-1] == "导入"
    assert set(manager) >= RESTRICTED
    assert "导入" in finance
    assert not {"数据质量", "客户交接"} & set(finance)
