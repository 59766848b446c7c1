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


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "name", "brand", "category", "unit", "list_price_fen", "active"]
    search_fields = ["sku", "name"]
    list_filter = ["brand", "active"]


class PriceListItemInline(admin.TabularInline):
    model = PriceListItem
    extra = 0
    raw_id_fields = ["product"]


@admin.register(PriceList)
class PriceListAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "valid_from", "valid_to"]
    inlines = [PriceListItemInline]


admin.site.register([Brand, Category, Warehouse, StockLevel, IncomingSupply])
