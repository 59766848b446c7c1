"""The demo company's work calendar: official holidays of last year, this year and next."""

from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _

from salescope.core import calendar


def load(write: Callable[[str], None]) -> None:
    year = timezone.localdate().year
    result = calendar.load_official(actor=None, years=[year - 1, year, year + 1])
    write(
        _("Work calendar: %(created)s days added for %(years)s.")
        % {"created": result.created, "years": ", ".join(str(y) for y in result.years)}
    )
