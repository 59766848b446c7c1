"""Forecast runs and what they forecast (H5).

A run forecasts every series (product × region, category × region) from the ledger's monthly
history: for each series the model its rolling-origin backtest chose, that backtest's accuracy
beside the seasonal-naive baseline's, and one value per future month. Sales figures are as
visible as the ledger's rollups: a region's series to the people of that region and the
managers above, company-wide roles, finance and marketing.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salescope.core.ownership import Ownership, RestrictedManager
from salescope.forecasting.choices import RunStatus, SeriesLevel
from salescope.org.choices import Role

SALES_READERS = {Role.FINANCE: {"view"}, Role.MARKETING: {"view"}}


class ForecastRun(models.Model):
    """One refit of every series; the newest finished run is the forecast shown."""

    history_to = models.DateField(_("history up to"))  # last month of history used (first day)
    horizon = models.PositiveSmallIntegerField(_("horizon (months)"))
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    series_count = models.PositiveIntegerField(_("series"), default=0)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    ownership = Ownership(everyone={"view"}, shareable=False)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("forecast run")
        verbose_name_plural = _("forecast runs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.pk} {self.history_to} {self.status}"


class ForecastSeries(models.Model):
    """One series of a run: what it forecasts, the model chosen and its backtest accuracy."""

    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="series")
    level = models.CharField(_("level"), max_length=10, choices=SeriesLevel.choices)
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.CASCADE, null=True
    )
    category = models.ForeignKey(
        "catalog.Category", verbose_name=_("category"), on_delete=models.CASCADE, null=True
    )
    region = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("region"),
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
    )
    model = models.CharField(_("model"), max_length=30)
    history_months = models.PositiveSmallIntegerField(_("months of history"))
    # Backtest accuracy of the chosen model and of seasonal-naive (fractions; None: no sales
    # in the backtest months to measure against).
    wape = models.FloatField(_("WAPE"), null=True)
    mape = models.FloatField(_("MAPE"), null=True)
    bias = models.FloatField(_("bias"), null=True)
    baseline_wape = models.FloatField(_("seasonal-naive WAPE"), null=True)
    # Units per yuan over the last year: the quantity forecast is the amount forecast × this.
    milli_per_fen = models.FloatField(default=0)

    ownership = Ownership(unit="region", roles=SALES_READERS, shareable=False)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("forecast series")
        verbose_name_plural = _("forecast series")
        indexes = [models.Index(fields=["run", "level"], name="forecast_series_run_level")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.level} {self.product_id or self.category_id} {self.region_id}"


class ForecastValue(models.Model):
    """A series' forecast for one month: amount in fen and quantity in thousandths."""

    series = models.ForeignKey(ForecastSeries, on_delete=models.CASCADE, related_name="values")
    month = models.DateField(_("month"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    quantity_milli = models.BigIntegerField(_("quantity (thousandths)"))

    ownership = Ownership(unit="series__region", roles=SALES_READERS, shareable=False)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("forecast value")
        verbose_name_plural = _("forecast values")
        constraints = [
            models.UniqueConstraint(fields=["series", "month"], name="forecast_value_month")
        ]

    def __str__(self) -> str:
        return f"{self.series_id} {self.month} {self.amount_fen}"
