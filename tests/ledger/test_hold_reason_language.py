"""A credit hold's reason is kept as facts and worded when shown (issue 19, defects 4 and 10):
in the reader's language, amounts with thousands separators — not frozen in the language of
whoever confirmed the order."""

from django.utils import timezone, translation

from salescope.ledger import services


def test_the_hold_reason_reads_in_each_readers_language(world, api_client):
    order = services.create_order(
        actor=world.personas["salesperson"],
        customer=world.east_dealer,
        number="SO-LANG",
        date=timezone.localdate(),
        lines=[{"product": world.juice_1l, "quantity": 2000}],  # 17,000.00 > 10,000.00
    )
    with translation.override("zh-hans"):
        services.confirm_order(
            actor=world.personas["salesperson"], order=order, expected_version=order.version
        )
    client = api_client(world.personas["salesperson"])
    english = client.get(f"/api/v1/orders/{order.pk}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["hold_reason"] == "exposure 17,000.00 over credit limit 10,000.00"
    chinese = client.get(f"/api/v1/orders/{order.pk}", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert chinese["hold_reason"] == "信用占用 17,000.00 超过信用额度 10,000.00"
