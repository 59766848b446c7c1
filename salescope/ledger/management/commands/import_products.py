"""``salescope import products FILE --map "源列=field" … [--dry-run] [--json]``."""

from django.utils.translation import gettext as _

from salescope.ledger.management.commands._masterdata import MasterDataImportCommand


class Command(MasterDataImportCommand):
    help = _("Import products from a CSV or XLSX file.")
    kind = "products"
