"""The areas of Salescope, in the order of the sales management cycle (MISSION.md).

An area lights up in the navigation as soon as its app registers the URL name; until then it
is shown greyed out, so users see the whole map of the product from the first day.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Area:
    key: str
    label: Promise
    summary: Promise
    url_name: str


AREAS = [
    Area("plans", _("Plans & targets"), _("Plans, decomposed targets, approval"), "plans:index"),
    Area(
        "tracking",
        _("Tracking & warnings"),
        _("Target vs actual, pace, early warnings"),
        "analytics:tracking",
    ),
    Area(
        "actuals",
        _("Actuals entry"),
        _("Market share, expenses, new customers and outlets entered by hand"),
        "analytics:manual",
    ),
    Area("pipeline", _("Opportunities"), _("Leads, scoring, stages"), "pipeline:index"),
    Area(
        "activities", _("Field activity"), _("Visit plans, visits, checklists"), "activities:index"
    ),
    Area(
        "feedback", _("Feedback"), _("Market intelligence and escalations"), "activities:feedback"
    ),
    Area(
        "customers",
        _("Customers & receivables"),
        _("Customers, dealers, receivables, credit"),
        "customers:index",
    ),
    Area(
        "performance",
        _("Evaluation & incentives"),
        _("KPIs, scorecards, commissions"),
        "performance:index",
    ),
    Area("analytics", _("Sales analysis"), _("Multi-dimensional sales data"), "analytics:index"),
    Area("org", _("Organization"), _("Org chart, positions, territories"), "org:chart"),
    Area(
        "calendar",
        _("Work calendar"),
        _("Public holidays and make-up working days"),
        "calendar:days",
    ),
]


def navigation(current_path: str = "") -> list[dict]:
    items = []
    for area in AREAS:
        try:
            url = reverse(area.url_name)
        except NoReverseMatch:
            url = None
        items.append(
            {
                "key": area.key,
                "label": area.label,
                "summary": area.summary,
                "url": url,
                "active": bool(url) and current_path.startswith(url),
            }
        )
    return items
