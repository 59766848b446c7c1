"""Plans (the plan document of seed 000), target cells, versions, acknowledgements, steps.

Target values are integers in hundredths of the metric's unit (fen for money), so children add
up to their parent exactly on every database (R9, R11).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salescope.core.ownership import Ownership, RestrictedManager
from salescope.org.choices import Role
from salescope.plans.choices import (
    METRICS,
    SECTIONS,
    Axis,
    Grain,
    Method,
    Metric,
    PaceBasis,
    PlanStatus,
    StepStatus,
)

HUNDRED = 100


class Dim:
    """Bits of ``Target.dims``: the coordinates a cell fixes."""

    PERSON = 1
    CATEGORY = 2
    CUSTOMER = 4
    MONTH = 8
    QUARTER = 16
    UNIT = 32  # the finest unit: a unit without sales units below it, or a person
    REGION = 64  # a region or a unit below it, or a person
    BRAND = 128
    PRODUCT = 256  # one SKU
    ALL = 511


# Finance reads plans and targets (expense budgets, collections targets); marketing reads them.
PLAN_READERS = {Role.FINANCE: {"view"}, Role.MARKETING: {"view"}}
PLAN_ACTIONS = {"view", "change", "delete", "approve"}


def from_hundredths(value: int | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value) / HUNDRED).quantize(Decimal("0.01"))


class Plan(models.Model):
    """A sales plan for a fiscal year (or quarter) and a scope (the company or a unit)."""

    name = models.CharField(_("name"), max_length=200)
    fiscal_year = models.PositiveIntegerField(_("fiscal year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), null=True, blank=True)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    scope_unit = models.ForeignKey(
        "org.OrgUnit", verbose_name=_("scope"), on_delete=models.PROTECT, related_name="plans"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_plans",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    deadline = models.DateField(_("submission deadline"), null=True, blank=True)
    sections = models.JSONField(_("plan document"), default=dict, blank=True)
    revision = models.PositiveIntegerField(_("plan version"), default=1)
    pace_basis = models.CharField(
        _("pace basis"), max_length=20, choices=PaceBasis.choices, default=PaceBasis.CALENDAR
    )
    warning_threshold = models.PositiveSmallIntegerField(
        _("warning threshold (% behind pace)"), default=10
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = Ownership(
        person="owner",
        unit="scope_unit",
        actions=PLAN_ACTIONS,
        owner_actions={"view", "change"},
        roles=PLAN_READERS,
        view_via=("targets",),  # whoever must deliver a part of a plan may read it
    )
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("sales plan")
        verbose_name_plural = _("sales plans")
        ordering = ["-fiscal_year", "quarter", "scope_unit__path", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def section_list(self) -> list[tuple[str, str, str]]:
        return [(key, str(label), self.sections.get(key, "")) for key, label in SECTIONS]

    @property
    def is_frozen(self) -> bool:
        return self.status == PlanStatus.APPROVED


class PlanSnapshot(models.Model):
    """An approved version of a plan, frozen: its document and every target value."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="snapshots"
    )
    revision = models.PositiveIntegerField(_("plan version"))
    sections = models.JSONField(_("plan document"), default=dict)
    targets = models.JSONField(_("targets"), default=dict)  # {cell key: [label, value, bottom_up]}
    approved_at = models.DateTimeField(_("approved"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    ownership = Ownership(
        person="plan__owner", unit="plan__scope_unit", roles=PLAN_READERS, shareable=False
    )
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("approved plan version")
        verbose_name_plural = _("approved plan versions")
        ordering = ["plan", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "revision"], name="plansnapshot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.revision}"


class Target(models.Model):
    """One cell of a decomposed target: metric × org × product × customer × period.

    The root cell of a metric is the plan's total; each decomposition adds the children of a
    cell along one axis, and the children always sum to it (``rules.allocate``) — except for a
    percentage (:attr:`is_level`), whose parts each carry their own level. A cell carries the
    full coordinates (inherited from its parent plus its own axis value).
    """

    # Foreign keys covered by the composite indexes below carry no index of their own: a
    # 300k-cell decomposition pays for every index on insert (measured in bench_plans.py).
    # The coordinates (unit, person, category, customer) are copied from rows the same
    # transaction loaded and are not enforced by the database: PostgreSQL checks a foreign key
    # with one trigger call per row and key, 5 of the 8 s of writing 300k cells (measured);
    # deleting a unit, person, category or customer that a target names is still refused
    # (``on_delete=PROTECT`` is Django's check, the same with or without the constraint).
    # The tree's own edges (plan, parent) likewise: a decomposition writes its cells under a
    # plan and parents it holds locked in the same transaction, and the two constraints' checks
    # at commit were 3.5 of the 11.5 s of a 300k-cell chained decomposition on PostgreSQL
    # (bench_chain.py); deleting a plan or a cell still takes its parts (``CASCADE`` is Django's).
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="targets",
        db_index=False,
        db_constraint=False,
    )
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        db_constraint=False,
    )
    axis = models.CharField(_("axis"), max_length=10, choices=Axis.choices, default=Axis.ROOT)
    depth = models.PositiveSmallIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)
    unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="targets",
        db_index=False,
        db_constraint=False,
    )
    category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("product category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    brand = models.ForeignKey(
        "catalog.Brand",
        verbose_name=_("brand"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("SKU"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("key customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    grain = models.CharField(_("grain"), max_length=10, choices=Grain.choices)
    value = models.BigIntegerField(_("target (top-down)"), default=0)
    bottom_up = models.BigIntegerField(_("bottom-up draft"), null=True, blank=True)
    locked = models.BooleanField(_("locked"), default=False)
    method = models.CharField(
        _("decomposition method"), max_length=20, choices=Method.choices, blank=True
    )
    children_axis = models.CharField(_("decomposed by"), max_length=10, blank=True)
    is_leaf = models.BooleanField(default=True, editable=False)
    # Which coordinates this cell and its parent fix (bits of ``Dim``): the tracking report
    # picks, for any group-by, the cells that fix it and whose parent does not (a partition).
    dims = models.PositiveSmallIntegerField(default=0, editable=False)
    parent_dims = models.PositiveSmallIntegerField(default=0, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = Ownership(
        person="person",
        unit="unit",
        actions={"view", "change"},
        owner_actions={"view"},
        roles=PLAN_READERS,
    )
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["plan", "metric", "depth", "position", "id"]
        indexes = [
            # is_leaf last: the tracking report reads which (dims, parent_dims, is_leaf) levels
            # a plan has by skipping along this index, and then each level by equality.
            models.Index(
                fields=["plan", "metric", "dims", "parent_dims", "is_leaf"],
                name="target_plan_levels",
            ),
            # A person's cells of one level (my targets, one person's year): with the level in
            # the key PostgreSQL reads a person's dozen cells instead of filtering the level's
            # thousands (measured 0.1 ms instead of 1.8 ms at 500 people × 12 months).
            models.Index(
                fields=["person", "plan", "metric", "dims", "parent_dims"],
                name="target_person_levels",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        parts = []
        if self.person_id:
            parts.append(str(self.person))
        elif self.unit_id:
            parts.append(str(self.unit))
        if self.category_id:
            parts.append(str(self.category))
        if self.brand_id:
            parts.append(str(self.brand))
        if self.product_id:
            parts.append(str(self.product))
        if self.customer_id:
            parts.append(str(self.customer))
        parts.append(self.period_label)
        return " · ".join(parts)

    @property
    def period_label(self) -> str:
        if self.grain == Grain.MONTH:
            return self.period_start.strftime("%Y-%m")
        if self.grain == Grain.QUARTER:
            quarter = (self.period_start.month - 1) // 3 + 1
            return f"{self.period_start.year}Q{quarter}"
        return f"{self.period_start:%Y-%m}…{self.period_end:%Y-%m}"

    @property
    def amount(self) -> Decimal | None:
        return from_hundredths(self.value)

    @property
    def bottom_up_amount(self) -> Decimal | None:
        return from_hundredths(self.bottom_up)

    @property
    def is_level(self) -> bool:
        """A percentage such as market share: its parts are levels of their own, not a split of
        it, and do not add up to it (``plans.rules``)."""
        return not METRICS[self.metric].additive

    @property
    def gap(self) -> Decimal | None:
        if self.bottom_up is None:
            return None
        return from_hundredths(self.bottom_up - self.value)

    def key(self) -> str:
        """Stable coordinates of the cell, for version comparison."""
        return cell_key(
            self.metric,
            self.unit_id,
            self.person_id,
            self.category_id,
            self.customer_id,
            self.period_start,
            self.period_end,
            rest=self.axis == Axis.CUSTOMER and self.customer_id is None,
            brand_id=self.brand_id,
            product_id=self.product_id,
        )


def cell_key(
    metric: str,
    unit_id: int | None,
    person_id: int | None,
    category_id: int | None,
    customer_id: int | None,
    start: object,
    end: object,
    *,
    rest: bool = False,
    brand_id: int | None = None,
    product_id: int | None = None,
) -> str:
    customer = "rest" if rest else str(customer_id or "")
    parts = [
        metric,
        str(unit_id or ""),
        str(person_id or ""),
        str(category_id or ""),
        customer,
        str(start),
        str(end),
    ]
    if brand_id or product_id:  # the keys of cells without brand or SKU stay as they were
        parts += [f"b{brand_id or ''}", f"p{product_id or ''}"]
    return "|".join(parts)


class TargetComment(models.Model):
    """One remark in the negotiation of a cell (two-way planning, A4)."""

    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    ownership = Ownership(
        person="target__person", unit="target__unit", roles=PLAN_READERS, shareable=False
    )
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("target comment")
        verbose_name_plural = _("target comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:50]


class Acknowledgement(models.Model):
    """A person's confirmation that they received and understood their targets (A7)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="acknowledgements"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="plan_acknowledgements",
    )
    revision = models.PositiveIntegerField(_("plan version"))
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    ownership = Ownership(
        person="person", actions={"view", "change"}, roles=PLAN_READERS, shareable=False
    )
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        ordering = ["plan", "person__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "person", "revision"], name="acknowledgement_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.plan} v{self.revision}"

    @property
    def superseded(self) -> bool:
        """The plan has moved on to a later version: this one is no longer to confirm."""
        return self.plan.revision > self.revision


class ActionStep(models.Model):
    """Who does what, where, when and how (A6); tracked to done, overdue flagged."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="steps"
    )
    what = models.CharField(_("what"), max_length=300)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        related_name="action_steps",
    )
    where = models.CharField(_("where"), max_length=200, blank=True)
    due_date = models.DateField(_("when (due)"))
    how = models.TextField(_("how"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=StepStatus.choices, default=StepStatus.OPEN
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = Ownership(person="assignee", unit="plan__scope_unit", roles=PLAN_READERS)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("action step")
        verbose_name_plural = _("action steps")
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.what

    def is_overdue(self, today) -> bool:  # noqa: ANN001 - a date
        return self.status == StepStatus.OPEN and self.due_date < today
