"""How evaluation's audit actions read in the history tables (``core.audit_labels``)."""

from django.utils.translation import gettext_lazy as _

from salescope.core.audit_labels import register_labels


def register() -> None:
    register_labels(
        verbs={
            "published": _("published"),
            "computed": _("computed"),
            "recomputed": _("recomputed"),
            "manager_reviewed": _("reviewed by the manager"),
            "appealed": _("appealed"),
            "appeal_answered": _("appeal answered"),
            "completed": _("completed"),
        },
        models={
            "performance.criterion": "performance.ratingcriterion",
            "performance.template": "performance.scorecardtemplate",
            "performance.improvement_plan": "performance.improvementplan",
            "performance.improvement_goal": "performance.improvementgoal",
        },
    )
