from django.contrib import admin

from salescope.catalog.models import (
    Brand,
    Category,
    IncomingSupply,
    PriceList,
    PriceListItem,
    Product,
    StockLevel,
    Warehouse,
)
from salescope.core.admin import ReadOnlyAdmin, ReadOnlyInline


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ["sku", "name", "brand", "category", "unit", "list_price_fen", "active"]
    search_fields = ["sku", "name"]
    list_filter = ["brand", "active"]


class PriceListItemInline(ReadOnlyInline):
    model = PriceListItem
    raw_id_fields = ["product"]


@admin.register(PriceList)
class PriceListAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "valid_from", "valid_to"]
    inlines = [PriceListItemInline]


for model in (Brand, Category, Warehouse, StockLevel, IncomingSupply):
    admin.site.register(model, ReadOnlyAdmin)
