from django.urls import path

from salescope.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.index, name="index"),
    path("data-quality/", views.data_quality, name="data-quality"),
    path("data-quality/merge/", views.merge, name="merge"),
    # Dealer health reads the ledger, so its page moved there; old links and bookmarks follow.
    path("dealer-health/", views.dealer_health_moved, name="dealer-health"),
    path("handover/", views.handover, name="handover"),
    path("<int:pk>/", views.detail, name="detail"),
]
