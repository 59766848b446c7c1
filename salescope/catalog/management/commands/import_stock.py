"""``salescope import stock FILE --map "源列=field" … [--dry-run] [--json]``."""

from django.utils.translation import gettext as _

from salescope.catalog.management.commands._stock_imports import StockImportCommand


class Command(StockImportCommand):
    help = _("Import stock on hand per warehouse and SKU from a CSV or XLSX file.")
    kind = "stock"
