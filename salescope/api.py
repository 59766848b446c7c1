"""The JSON API under /api/v1/: mounts each app's ninja router."""

from salescope.activities.api import router as activities_router
from salescope.analytics.api import router as tracking_router
from salescope.analytics.manual_api import router as manual_actuals_router
from salescope.catalog.api import router as catalog_router
from salescope.commissions.api import router as commissions_router
from salescope.core.api import SalescopeAPI, install_error_handlers
from salescope.core.api import router as core_router
from salescope.core.calendar_api import router as calendar_router
from salescope.customers.api import router as customers_router
from salescope.expenses.api import router as expenses_router
from salescope.feedback.api import router as feedback_router
from salescope.forecasting.api import router as forecasting_router
from salescope.leads.api import router as leads_router
from salescope.ledger.api import router as ledger_router
from salescope.notifications.api import router as notifications_router
from salescope.org.api import router as org_router
from salescope.org.api_auth import api_auth
from salescope.performance.api import router as performance_router
from salescope.pipeline.api import router as pipeline_router
from salescope.plans.api import router as plans_router

api = SalescopeAPI(
    title="Salescope API",
    version="1",
    description="Sales process management (销售过程管理). Authenticate with "
    "`Authorization: Bearer <token>`; create tokens on your profile page or with "
    "`salescope token create USERNAME`.",
    auth=api_auth,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)
api.add_router("/", core_router)
api.add_router("/", calendar_router)
api.add_router("/", org_router)
api.add_router("/", notifications_router)
api.add_router("/", customers_router)
api.add_router("/", catalog_router)
api.add_router("/", ledger_router)
api.add_router("/", pipeline_router)
api.add_router("/", plans_router)
api.add_router("/", activities_router)
api.add_router("/", tracking_router)
api.add_router("/", manual_actuals_router)
api.add_router("/", leads_router)
api.add_router("/", feedback_router)
api.add_router("/", forecasting_router)
api.add_router("/", expenses_router)
api.add_router("/", performance_router)
api.add_router("/", commissions_router)
