"""Visit plans as an iCalendar (RFC 5545) feed, through the ``icalendar`` library."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

VISIT_MINUTES = 60


def render(person: Any, visits: list[Any]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Salescope//visits//ZH")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Visits of %(name)s") % {"name": person.display_name})
    base = getattr(settings, "SALESCOPE_BASE_URL", "").rstrip("/")
    host = base.split("//")[-1] or "salescope"
    for visit in visits:
        event = Event()
        event.add("uid", f"visit-{visit.pk}@{host}")
        event.add("summary", f"{visit.get_visit_type_display()}: {visit.customer.name}")
        if visit.planned_time:
            start = dt.datetime.combine(
                visit.planned_date, visit.planned_time, tzinfo=timezone.get_current_timezone()
            )
            event.add("dtstart", start)
            event.add("dtend", start + dt.timedelta(minutes=VISIT_MINUTES))
        else:
            event.add("dtstart", visit.planned_date)
            event.add("dtend", visit.planned_date + dt.timedelta(days=1))
        if visit.customer.address:
            event.add("location", visit.customer.address)
        if visit.purpose:
            event.add("description", visit.purpose)
        event.add("url", f"{base}/activities/visits/{visit.pk}/")
        event.add("dtstamp", timezone.now())
        calendar.add_component(event)
    return calendar.to_ical()
