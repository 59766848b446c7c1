from django.urls import path

from salescope.analytics import manual_views, views

app_name = "analytics"
urlpatterns = [
    path("", views.tracking, name="tracking"),
    path("my/", views.my_targets, name="my-targets"),
    path("warnings/", views.inbox, name="inbox"),
    path("warnings/check/", views.evaluate, name="evaluate"),
    path("warnings/<int:pk>/resolve/", views.resolve, name="resolve"),
    path("lines/", views.drill, name="drill"),
    path("views/", views.save_view, name="save-view"),
    path("views/<int:pk>/delete/", views.delete_view, name="delete-view"),
    path("actuals/", manual_views.entries, name="manual"),
    path("actuals/<int:actual_id>/", manual_views.entry, name="manual-entry"),
    path("actuals/<int:actual_id>/delete/", manual_views.delete, name="manual-delete"),
]
