from django.urls import path

from salescope.ledger import explorer_views, record_views, views

app_name = "ledger"
urlpatterns = [
    path("sales/", views.sales, name="sales"),
    path("sales/export.<str:fmt>", views.sales_export, name="sales-export"),
    path("explorer/", explorer_views.explorer_page, name="explorer"),
    path("explorer/lines/", explorer_views.explorer_lines, name="explorer-lines"),
    path("explorer/export.<str:fmt>", explorer_views.explorer_export, name="explorer-export"),
    path("explorer/views/", explorer_views.explorer_save, name="explorer-save"),
    path("explorer/views/<int:pk>/", explorer_views.explorer_view, name="explorer-view"),
    path(
        "explorer/views/<int:pk>/delete/",
        explorer_views.explorer_view_delete,
        name="explorer-view-delete",
    ),
    path("lines/", views.lines, name="lines"),
    path("receivables/", views.receivables, name="receivables"),
    path("cross-territory/", views.cross_territory, name="cross-territory"),
    path("orders/", views.orders, name="orders"),
    path("orders/new/", record_views.order_create, name="order-create"),
    path("orders/<int:pk>/", views.order, name="order"),
    path("collections/new/", record_views.collection_create, name="collection-create"),
    path("orders/<int:pk>/confirm/", views.order_confirm, name="order-confirm"),
    path("orders/<int:pk>/release/", views.order_release, name="order-release"),
    path("dealer-health/", views.dealer_health, name="dealer-health"),
    path("imports/", views.imports, name="imports"),
    path("imports/run/", views.import_run, name="import-run"),
    path("imports/confirm/", views.import_confirm, name="import-confirm"),
    path("imports/<int:pk>/", views.import_job, name="import-job"),
    path("imports/<int:pk>/errors.csv", views.import_errors, name="import-errors"),
]
