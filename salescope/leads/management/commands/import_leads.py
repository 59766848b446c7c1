"""``salescope import leads FILE --map "源列=field" … [--dry-run] [--as USER] [--json]``: leads
from a CSV (UTF-8 or GBK) or XLSX file (``leads.importing``); refused rows by line, column and
reason; names read only once folded listed as findings."""

from django.utils.translation import gettext as _

from salescope.leads.importing import LeadSpec, import_leads
from salescope.ledger.importing.masterdata import ImportKindInfo
from salescope.ledger.management.commands._masterdata import MasterDataImportCommand


class Command(MasterDataImportCommand):
    help = _("Import leads from a CSV or XLSX file.")
    kind = "leads"

    def import_info(self) -> ImportKindInfo:
        return ImportKindInfo(self.kind, import_leads, LeadSpec)
