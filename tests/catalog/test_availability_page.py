"""The availability question on a product's page labels both of its inputs (issue 19, defect 10):
the quantity and the horizon each have a visible label tied to the input."""

import re

from salescope.catalog.models import Product


def test_both_inputs_have_a_visible_label(personas, login_client):
    product = Product.objects.create(sku="P-AVAIL", name="可得性产品")
    html = login_client(personas["salesperson"]).get(f"/catalog/products/{product.pk}/")
    form = re.search(
        r'data-testid="availability-form">(.*?)</form>', html.content.decode(), re.S
    ).group(1)
    for name, text in (("quantity", "数量"), ("horizon", "天")):
        input_id = re.search(rf'<input[^>]*id="([^"]+)"[^>]*name="{name}"', form).group(1)
        label = re.search(rf'<label[^>]*for="{input_id}"[^>]*>([^<]+)</label>', form)
        assert label is not None, name
        assert text in label.group(1)
