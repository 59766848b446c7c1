"""How feedback's case-review audit actions read in the history tables (``core.audit_labels``)."""

from django.utils.translation import gettext_lazy as _

from salescope.core.audit_labels import register_labels


def register() -> None:
    register_labels(
        verbs={
            "marked_lesson": _("marked as a lesson"),
            "unmarked_lesson": _("no longer a lesson"),
        },
        models={"feedback.case": "feedback.casereview"},
    )
