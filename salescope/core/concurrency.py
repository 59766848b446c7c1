"""Optimistic concurrency: a conditional ``UPDATE … WHERE version = n`` (R7).

Two clients that loaded version n both try to write; the database lets exactly one row match,
so exactly one wins and the other gets :class:`StaleVersion` with the current state to reload.
"""

from typing import Any

from django.db import models
from django.db.models import F

from salescope.core.errors import StaleVersion


def update_versioned(
    instance: models.Model, *, expected_version: int, changes: dict[str, Any]
) -> models.Model:
    """Write ``changes`` to ``instance`` if its stored version is still ``expected_version``.

    Bumps the version, refreshes ``instance`` and returns it; raises :class:`StaleVersion`
    otherwise. Call inside the service's transaction.
    """
    model = type(instance)
    matched = model._default_manager.filter(pk=instance.pk, version=expected_version).update(
        **changes, version=F("version") + 1
    )
    if matched != 1:
        instance.refresh_from_db()
        raise StaleVersion(extra={"current_version": getattr(instance, "version", None)})
    instance.refresh_from_db()
    return instance
