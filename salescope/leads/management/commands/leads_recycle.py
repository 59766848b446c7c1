"""``salescope leads_recycle``: leads nobody worked within LEADS_RECYCLE_DAYS go back to the
pool (公海). Run it daily (cron or the scheduler)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from salescope.leads import services


class Command(BaseCommand):
    help = _("Return leads nobody worked within the set days to the pool (公海).")

    def handle(self, *args: object, **options: object) -> None:
        returned = services.recycle_stale_leads(actor=None)
        self.stdout.write(_("%(count)d leads returned to the pool.") % {"count": returned})
