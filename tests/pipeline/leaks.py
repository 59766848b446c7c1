"""The pipeline's and timeline's routes in the leak and permission matrices (tests/visibility)."""

from salescope.catalog.models import Product
from salescope.org.models import User
from salescope.pipeline import services
from salescope.pipeline.models import Pipeline
from tests.pipeline.world import make_customer, make_opportunity, make_pipeline
from tests.visibility.registry import Target, register


def _pipeline() -> Pipeline:
    existing = Pipeline.objects.unrestricted().filter(name="泄漏测试").first()
    if existing:
        return existing
    admin = User.objects.unrestricted().get(username="admin")
    return make_pipeline(admin, name="泄漏测试")


@register(
    "pipeline:detail",
    "pipeline:move",
    "pipeline:update",
    "pipeline:checklist",
    "pipeline:note",
)
def opportunity_page(personas, owner):
    opportunity = make_opportunity(
        owner, _pipeline(), actor=personas["admin"], customer=make_customer(owner)
    )
    return Target(params={"pk": opportunity.pk}, obj=opportunity)


@register(
    "/api/v1/pipeline/opportunities/{opportunity_id}",
    "/api/v1/pipeline/opportunities/{opportunity_id}/move",
    "/api/v1/pipeline/opportunities/{opportunity_id}/notes",
    "/api/v1/pipeline/opportunities/{opportunity_id}/history",
    "/api/v1/pipeline/opportunities/{opportunity_id}/timeline",
    "/api/v1/pipeline/opportunities/{opportunity_id}/win-probability",
)
def opportunity_api(personas, owner):
    pipeline = _pipeline()
    opportunity = make_opportunity(
        owner, pipeline, actor=personas["admin"], customer=make_customer(owner)
    )
    return Target(
        params={"opportunity_id": opportunity.pk},
        obj=opportunity,
        bodies={
            "PATCH": {"version": opportunity.version, "next_step": "拜访"},
            "POST": {
                "version": opportunity.version,
                "stage_id": pipeline.stages.get(order=2).pk,
                "text": "备注",
            },
        },
    )


def _won(personas, owner):
    """A colleague's won deal, ready for its order (so a leak would create one)."""
    pipeline = _pipeline()
    Product.objects.unrestricted().get_or_create(sku="LEAK-WON", defaults={"name": "泄漏测试产品"})
    opportunity = make_opportunity(
        owner, pipeline, actor=personas["admin"], customer=make_customer(owner)
    )
    return services.move_opportunity_to_stage(
        actor=personas["admin"],
        opportunity=opportunity,
        stage=pipeline.stages.get(kind="won"),
        expected_version=opportunity.version,
        override_reason="泄漏测试",
    )


@register("pipeline:order")
def won_order_page(personas, owner):
    opportunity = _won(personas, owner)
    return Target(params={"pk": opportunity.pk}, obj=opportunity)


@register("/api/v1/pipeline/opportunities/{opportunity_id}/order")
def won_order_api(personas, owner):
    opportunity = _won(personas, owner)
    return Target(
        params={"opportunity_id": opportunity.pk},
        obj=opportunity,
        bodies={"POST": {"lines": [{"sku": "LEAK-WON", "quantity": 1}]}},
    )


@register("timeline:customer")
def customer_timeline_page(personas, owner):
    customer = make_customer(owner)
    return Target(params={"pk": customer.pk}, obj=customer)


@register("/api/v1/timeline/customers/{customer_id}/events")
def customer_timeline_api(personas, owner):
    customer = make_customer(owner)
    return Target(params={"customer_id": customer.pk}, obj=customer)


@register("pipeline:configure-stage")
def stage_page(personas, owner):
    stage = _pipeline().stages.get(order=2)
    return Target(params={"pk": stage.pk}, obj=stage, everyone_sees=True)
