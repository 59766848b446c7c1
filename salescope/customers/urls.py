from django.urls import path
from django.views.generic import RedirectView

from salescope.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.index, name="index"),
    path("data-quality/", views.data_quality, name="data-quality"),
    path("data-quality/merge/", views.merge, name="merge"),
    # Dealer health reads the ledger, so its page moved there; old links and bookmarks follow.
    path(
        "dealer-health/",
        RedirectView.as_view(pattern_name="ledger:dealer-health", permanent=True),
        name="dealer-health",
    ),
    path("handover/", views.handover, name="handover"),
    path("<int:pk>/", views.detail, name="detail"),
]
