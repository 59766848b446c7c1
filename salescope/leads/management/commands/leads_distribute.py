"""``salescope leads_distribute``: run the distribution rules for every qualified lead that has
no owner (after an import and its evaluation, or for the pool), at once, as the system."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from salescope.leads import services


class Command(BaseCommand):
    help = _("Distribute every qualified lead without an owner by the distribution rules.")

    def handle(self, *args: object, **options: object) -> None:
        done = services.distribute_leads(actor=None)
        self.stdout.write(
            _("%(assigned)d leads assigned, %(pooled)d left in the pool (公海).")
            % {"assigned": done.assigned, "pooled": done.pooled}
        )
