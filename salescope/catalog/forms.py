"""The catalogue's page forms. Field names are the services' (so a service's 422 lands at the
field); products are picked by SKU, money is entered in yuan."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from salescope.catalog.choices import SupplyKind
from salescope.catalog.models import Brand, Category, Product, Warehouse
from salescope.core.forms import DateInput, StyledForm
from salescope.org.choices import UnitKind
from salescope.org.models import OrgUnit
from salescope.org.visibility import visible

MAX_UNITS = 1_000_000_000
MONEY = {"min_value": Decimal(0), "max_value": Decimal(10**11), "decimal_places": 2}


class VersionedForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class BrandForm(VersionedForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.CharField(label=_("Code"), max_length=40, required=False)


class CategoryForm(VersionedForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.CharField(label=_("Code"), max_length=40, required=False)
    parent = forms.ModelChoiceField(
        label=_("Parent category"), queryset=Category.objects.none(), required=False
    )

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = visible(  # type: ignore[attr-defined]
            Category.objects.order_by("path"), viewer=viewer
        )


class ProductForm(VersionedForm):
    sku = forms.CharField(label=_("SKU"), max_length=60)
    name = forms.CharField(label=_("Name"), max_length=200)
    brand = forms.ModelChoiceField(label=_("Brand"), queryset=Brand.objects.none(), required=False)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False
    )
    unit = forms.CharField(label=_("Unit of measure"), max_length=20, initial="箱")
    list_price = forms.DecimalField(label=_("List price"), **MONEY)  # type: ignore[arg-type]
    cost = forms.DecimalField(label=_("Cost"), required=False, **MONEY)  # type: ignore[arg-type]
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, viewer: Any, show_cost: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["brand"].queryset = visible(Brand.objects.all(), viewer=viewer)  # type: ignore[attr-defined]
        self.fields["category"].queryset = visible(  # type: ignore[attr-defined]
            Category.objects.order_by("path"), viewer=viewer
        )
        if not show_cost:
            del self.fields["cost"]


class PriceListForm(VersionedForm):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=100)
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DateInput)
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=DateInput)


class ProductBySku(forms.CharField):
    """A product picked by its SKU (a catalogue can hold thousands: no drop-down)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=60, **kwargs)

    def clean(self, value: Any) -> Any:
        sku = super().clean(value)
        product = Product.objects.unrestricted().filter(sku=sku, deleted_at__isnull=True).first()
        if product is None:
            raise forms.ValidationError(_("No product has this SKU."))
        return product


class PriceForm(StyledForm):
    product = ProductBySku(label=_("SKU"))
    price = forms.DecimalField(label=_("Price"), **MONEY)  # type: ignore[arg-type]


class WarehouseForm(VersionedForm):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=100)
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=OrgUnit.objects.none(), required=False
    )

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = visible(  # type: ignore[attr-defined]
            OrgUnit.objects.filter(kind=UnitKind.REGION), viewer=viewer
        )


class _WarehouseChoice(StyledForm):
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.none())

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = visible(Warehouse.objects.all(), viewer=viewer)  # type: ignore[attr-defined]


class StockSetForm(_WarehouseChoice):
    """Set stock on hand (a count, 盘点) with its reason."""

    product = ProductBySku(label=_("SKU"))
    on_hand = forms.IntegerField(label=_("On hand"), min_value=0, max_value=MAX_UNITS)
    reserved = forms.IntegerField(
        label=_("Reserved"), min_value=0, max_value=MAX_UNITS, required=False
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)


class StockAdjustForm(_WarehouseChoice):
    """Add to (or, negative, take from) stock on hand with its reason."""

    product = ProductBySku(label=_("SKU"))
    delta = forms.IntegerField(label=_("Change (+/−)"), min_value=-MAX_UNITS, max_value=MAX_UNITS)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class SupplyForm(_WarehouseChoice):
    product = ProductBySku(label=_("SKU"))
    kind = forms.ChoiceField(label=_("Kind"), choices=SupplyKind.choices)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_UNITS)
    expected_date = forms.DateField(label=_("Expected date"), widget=DateInput)
    reference = forms.CharField(label=_("Reference"), max_length=60, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class SupplyEditForm(SupplyForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ReceiveForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    received_on = forms.DateField(label=_("Received on"), required=False, widget=DateInput)


class CancelForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ImportForm(StyledForm):
    file = forms.FileField(label=_("File (CSV or XLSX)"))
    dry_run = forms.BooleanField(label=_("Check only (store nothing)"), required=False)


class AvailabilityForm(StyledForm):
    """The availability question (H3): how many, within how many days, from which warehouse,
    for which customer (by id; the ledger adds their credit position)."""

    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_UNITS)
    horizon = forms.IntegerField(
        label=_("Horizon (days)"), min_value=1, max_value=3660, required=False
    )
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"), queryset=Warehouse.objects.none(), required=False
    )
    customer = forms.IntegerField(label=_("Customer ID"), min_value=1, required=False)

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = visible(Warehouse.objects.all(), viewer=viewer)  # type: ignore[attr-defined]
