"""``salescope import opportunities FILE --map "源列=field" … [--dry-run] [--as USER] [--json]``:
deals from another CRM's CSV (UTF-8 or GBK) or XLSX export (``pipeline.importing``)."""

from django.utils.translation import gettext as _

from salescope.ledger.importing.masterdata import ImportKindInfo
from salescope.ledger.management.commands._masterdata import MasterDataImportCommand
from salescope.pipeline.importing import OpportunitySpec, import_opportunities


class Command(MasterDataImportCommand):
    help = _("Import opportunities from a CSV or XLSX file.")
    kind = "opportunities"

    def import_info(self) -> ImportKindInfo:
        return ImportKindInfo(self.kind, import_opportunities, OpportunitySpec)
