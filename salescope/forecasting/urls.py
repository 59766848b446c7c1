from django.urls import path

from salescope.forecasting import views

app_name = "forecasting"

urlpatterns = [
    path("", views.outlook, name="outlook"),
    path("series/", views.series, name="series"),
    path("stock/", views.stock, name="stock"),
    path("runs/", views.request_run, name="run"),
]
