"""Page forms of the ledger's everyday records: taking an order and recording a collection.

Customers and products are named by code / SKU (with suggestions), resolved among what the
viewer may see, so a page never offers, nor accepts, a record its user cannot see."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salescope.core.forms import DateInput

LINE_ROWS = 5


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, forms.Select):
            widget.attrs["class"] = "form-select"
        else:
            widget.attrs["class"] = "form-control"


class CodeField(forms.CharField):
    """A record named by its code, found in ``queryset`` (what the viewer may see)."""

    def __init__(self, *args: Any, key: str = "code", **kwargs: Any) -> None:
        self.queryset: QuerySet | None = None
        self.key = key
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> Any:
        code = super().clean(value)
        if not code:
            return None
        found = self.queryset.filter(**{self.key: code.strip()}).first() if self.queryset else None
        if found is None:
            raise forms.ValidationError(
                _("No such record among those you may see: %(code)s"), params={"code": code}
            )
        return found


class CustomerPickForm(forms.Form):
    customer = CodeField(label=_("Customer code"), max_length=40)

    def __init__(self, *args: Any, customers: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers
        self.fields["customer"].widget.attrs["list"] = "customer-codes"
        _style(self)


class OrderForm(forms.Form):
    number = forms.CharField(
        label=_("Order number"),
        max_length=60,
        required=False,
        help_text=_("Empty: numbered automatically."),
    )
    date = forms.DateField(label=_("Order date"), widget=DateInput)
    confirm = forms.BooleanField(
        label=_("Confirm now (checks the credit limit and overdue debt)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, products: QuerySet, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("date", timezone.localdate())
        super().__init__(*args, **kwargs)
        for row in range(LINE_ROWS):
            product = CodeField(label=_("Product SKU"), max_length=60, required=False, key="sku")
            product.queryset = products
            product.widget.attrs["list"] = "product-skus"
            self.fields[f"lines.{row}.product"] = product
            self.fields[f"lines.{row}.quantity"] = forms.IntegerField(
                label=_("Quantity"), required=False, min_value=1
            )
            self.fields[f"lines.{row}.unit_price"] = forms.DecimalField(
                label=_("Unit price"),
                required=False,
                min_value=0,
                decimal_places=2,
                help_text=_("Empty: list price."),
            )
        _style(self)

    def rows(self) -> list[list[forms.BoundField]]:
        """The line fields row by row, for the template."""
        names = ("product", "quantity", "unit_price")
        return [[self[f"lines.{row}.{name}"] for name in names] for row in range(LINE_ROWS)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        lines = []
        for row in range(LINE_ROWS):
            product = data.get(f"lines.{row}.product")
            quantity = data.get(f"lines.{row}.quantity")
            if product is None and not quantity:
                continue
            if product is None:
                if f"lines.{row}.product" not in self.errors:
                    self.add_error(f"lines.{row}.product", _("Choose a product."))
                continue
            if not quantity:
                self.add_error(f"lines.{row}.quantity", _("Quantity must be positive."))
                continue
            lines.append(
                {
                    "product": product,
                    "quantity": quantity,
                    "unit_price": data.get(f"lines.{row}.unit_price"),
                }
            )
        if not lines and not self.errors:
            self.add_error("lines.0.product", _("An order needs at least one line."))
        data["lines"] = lines
        return data


class CollectionForm(forms.Form):
    number = forms.CharField(
        label=_("Collection number"),
        max_length=60,
        required=False,
        help_text=_("Empty: numbered automatically."),
    )
    date = forms.DateField(label=_("Date received"), widget=DateInput)
    amount = forms.DecimalField(label=_("Amount"), min_value=0, decimal_places=2)
    method = forms.CharField(
        label=_("Method"), max_length=30, required=False, help_text=_("e.g. bank transfer")
    )
    allocation = forms.ChoiceField(
        label=_("Allocate to invoices"),
        choices=[
            ("oldest", _("Oldest open invoices first")),
            ("chosen", _("The amounts entered below")),
            ("none", _("Not now")),
        ],
        initial="oldest",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, invoices: list, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("date", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.invoices = invoices
        for invoice in invoices:
            self.fields[f"allocations.{invoice.pk}"] = forms.DecimalField(
                label=invoice.number, required=False, min_value=0, decimal_places=2
            )
        _style(self)
        self.fields["allocation"].widget.attrs["class"] = "form-check-input"

    def invoice_rows(self) -> list[tuple[Any, forms.BoundField]]:
        return [(invoice, self[f"allocations.{invoice.pk}"]) for invoice in self.invoices]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen = []
        if data.get("allocation") == "chosen":
            for invoice in self.invoices:
                value = data.get(f"allocations.{invoice.pk}")
                if value:
                    chosen.append((invoice, value))
            if not chosen and not self.errors:
                self.add_error("allocation", _("Enter an amount for at least one invoice."))
        data["allocations"] = chosen
        return data
