from django.urls import path

from salescope.customers import record_views, views

app_name = "customers"
urlpatterns = [
    path("", views.index, name="index"),
    path("data-quality/", views.data_quality, name="data-quality"),
    path("data-quality/merge/", views.merge, name="merge"),
    # Dealer health reads the ledger, so its page moved there; old links and bookmarks follow.
    path("dealer-health/", views.dealer_health_moved, name="dealer-health"),
    path("handover/", views.handover, name="handover"),
    path("new/", record_views.customer_create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", record_views.customer_edit, name="edit"),
    path("<int:pk>/credit/", record_views.credit_terms, name="credit-terms"),
    path("<int:pk>/contacts/new/", record_views.contact_create, name="contact-create"),
    path("contacts/<int:pk>/edit/", record_views.contact_edit, name="contact-edit"),
    path(
        "people/<int:person_id>/deactivate/",
        record_views.person_deactivate,
        name="person-deactivate",
    ),
]
