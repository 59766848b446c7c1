from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from salescope.api import api
from salescope.org import account_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("profile/", account_views.profile, name="profile"),
    path("profile/tokens/", account_views.create_token, name="token-create"),
    path("profile/tokens/<int:token_id>/revoke/", account_views.revoke_token, name="token-revoke"),
    path("language/", account_views.switch_language, name="switch-language"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        account_views.AuditedPasswordChangeView.as_view(),
        name="password_change",
    ),
    path("calendar/", include("salescope.core.calendar_urls")),
    path("org/", include("salescope.org.urls")),
    path("inbox/", include("salescope.notifications.urls")),
    path("customers/", include("salescope.customers.urls")),
    path("catalog/", include("salescope.catalog.urls")),
    path("ledger/", include("salescope.ledger.urls")),
    path("pipeline/", include("salescope.pipeline.urls")),
    path("timeline/", include("salescope.timeline.urls")),
    path("plans/", include("salescope.plans.urls")),
    path("activities/", include("salescope.activities.urls")),
    path("feedback/", include("salescope.feedback.urls")),
    path("forecasting/", include("salescope.forecasting.urls")),
    path("expenses/", include("salescope.expenses.urls")),
    path("tracking/", include("salescope.analytics.urls")),
    path("leads/", include("salescope.leads.urls")),
    path("performance/", include("salescope.performance.urls")),
    path("commissions/", include("salescope.commissions.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
