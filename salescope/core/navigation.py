"""The areas of Salescope, in the order of the sales management cycle (MISSION.md).

An area appears in the navigation and on the home page once its app registers the URL name:
users see what exists, never a greyed "not available yet" promise.
"""

import functools
from dataclasses import dataclass

from django.urls import (
    NoReverseMatch,
    URLResolver,
    get_resolver,
    get_script_prefix,
    get_urlconf,
    reverse,
)
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Area:
    key: str
    label: Promise
    summary: Promise
    url_name: str
    also: tuple[str, ...] = ()  # more path prefixes that belong to the area (its sub-pages)


AREAS = [
    Area("plans", _("Plans & targets"), _("Plans, decomposed targets, approval"), "plans:index"),
    Area(
        "expenses",
        _("Expenses"),
        _("Expense claims, approvals, budget vs spend"),
        "expenses:index",
    ),
    Area(
        "tracking",
        _("Tracking & warnings"),
        _("Target vs actual, pace, early warnings"),
        "analytics:tracking",
    ),
    Area("pipeline", _("Opportunities"), _("Leads, scoring, stages"), "pipeline:index"),
    Area(
        "leads",
        _("Leads & campaigns"),
        _("Campaigns, lead scoring, pool, distribution"),
        "leads:index",
    ),
    Area(
        "activities", _("Field activity"), _("Visit plans, visits, checklists"), "activities:index"
    ),
    Area("feedback", _("Feedback"), _("Market intelligence and escalations"), "feedback:index"),
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
        also=("/commissions/",),
    ),
    # The sales summary (table, chart, export) is the sales analysis page for now.
    Area("analytics", _("Sales analysis"), _("Multi-dimensional sales data"), "ledger:sales"),
    Area(
        "forecasting",
        _("Forecast & supply"),
        _("Forecasts against the plan, demand vs stock"),
        "forecasting:outlook",
    ),
    Area(
        "org",
        _("Organization"),
        _("Org chart, positions, territories, work calendar"),
        "org:chart",
        also=("/calendar/",),
    ),
]


def navigation(current_path: str = "") -> list[dict]:
    return [
        {
            "key": area.key,
            "label": area.label,
            "summary": area.summary,
            "url": url,
            "active": any(current_path.startswith(p) for p in (url, *area.also)),
        }
        for area, url in _area_urls(get_resolver(get_urlconf()), get_script_prefix())
    ]


@functools.lru_cache(maxsize=16)
def _area_urls(resolver: URLResolver, prefix: str) -> tuple[tuple[Area, str], ...]:
    """The areas whose app is there, with their URLs, reversed once per URL configuration
    (the resolver: a new one after the URLs change) and script prefix: the page shell shows
    them on every page, and a dozen reverses were ~1 ms of each (issue 20 item 9)."""
    found = []
    for area in AREAS:
        try:
            found.append((area, reverse(area.url_name)))
        except NoReverseMatch:
            continue  # the area's app is not there (yet)
    return tuple(found)
