"""Audit actions in words for the history tables: ``plans.target.decomposed`` reads "目标 ·
已分解". The code stays in the entry (and in the page as the label's title); an action this
module does not know reads as its code."""

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

# Events that are not a change to one object.
EVENTS = {
    "core.session.logged_in": _("Logged in"),
    "core.session.logged_out": _("Logged out"),
    "core.session.login_failed": _("Failed login"),
    "org.person.password_changed": _("Password changed"),
    "org.person.language_changed": _("Language changed"),
    "analytics.alerts.evaluated": _("Warnings checked"),
    "ledger.sales_lines.imported": _("Sales lines imported"),
    "core.calendar.loaded": _("Working calendar loaded"),
    "plans.acknowledgement.given": _("Targets acknowledged"),
    "plans.target.bottom_up_set": _("Bottom-up draft entered"),
    "pipeline.opportunity.won": _("Opportunity won"),
    "pipeline.opportunity.lost": _("Opportunity lost"),
    "pipeline.opportunity.noted": _("Note on an opportunity"),
    "pipeline.forecast.adjusted": _("Forecast adjusted"),
    "pipeline.opportunity.ordered": _("Order created from the won deal"),
    "pipeline.win_model.fitted": _("Win-probability model fitted"),
    "customers.customer.credit_terms_changed": _("Credit limit and payment terms changed"),
}

VERBS = {
    "created": _("created"),
    "changed": _("changed"),
    "updated": _("changed"),
    "edited": _("edited"),
    "deleted": _("deleted"),
    "imported": _("imported"),
    "set": _("set"),
    "revoked": _("revoked"),
    "resolved": _("resolved"),
    "released": _("released"),
    "recorded": _("recorded"),
    "queued": _("queued"),
    "moved": _("moved"),
    "merged": _("merged"),
    "issued": _("issued"),
    "handed_over": _("handed over"),
    "entered": _("entered"),
    "decomposed": _("decomposed"),
    "deactivated": _("deactivated"),
    "allocated": _("allocated"),
    "added": _("added"),
    "submitted": _("submitted"),
    "review_started": _("review started"),
    "returned": _("returned"),
    "approved": _("approved"),
    "reopened": _("new version started"),
    "evaluated": _("evaluated"),
    "assigned": _("assigned"),
    "claimed": _("claimed"),
    "contacted": _("contacted"),
    "converted": _("converted"),
    "raised": _("raised"),
    "escalated": _("escalated"),
    "given": _("given"),
    "acknowledged": _("acknowledged"),
    "followed_up": _("followed up"),
}


# Action objects named otherwise than their model.
MODELS = {
    "org.person": "org.user",
    "org.unit": "org.orgunit",
    "org.share": "org.recordshare",
    "customers.owner": "customers.customer",
    "catalog.stock": "catalog.stocklevel",
    "catalog.supply": "catalog.incomingsupply",
}


def register_labels(
    *,
    events: dict | None = None,
    verbs: dict | None = None,
    models: dict | None = None,
) -> None:
    """Words for an app's own audit actions, registered when the app loads (``ready``): the
    apps above ``core`` name their events, verbs and action objects here, in their catalogue."""
    EVENTS.update(events or {})
    VERBS.update(verbs or {})
    MODELS.update(models or {})


def _object_name(app_label: str, name: str, object_type: str) -> str:
    """The verbose name of the action's model (``plans.target``), else of the entry's object."""
    model = MODELS.get(f"{app_label}.{name}", f"{app_label}.{name.replace('_', '')}")
    candidates = [tuple(model.split("."))]
    if "." in object_type:
        candidates.append(tuple(object_type.split(".", 1)))
    for app, model in candidates:
        try:
            return str(capfirst(apps.get_model(app, model)._meta.verbose_name))
        except (LookupError, ValueError, ImproperlyConfigured):
            continue
    return ""


def describe(action: str, object_type: str = "") -> str:
    """The action in words: an event's name, or "object · verb"; the code if unknown."""
    if action in EVENTS:
        return str(EVENTS[action])
    parts = action.split(".")
    if len(parts) != 3 or parts[2] not in VERBS:  # noqa: PLR2004 - app.object.verb
        return action
    name = _object_name(parts[0], parts[1], object_type)
    return f"{name} · {VERBS[parts[2]]}" if name else action
