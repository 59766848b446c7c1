from django.urls import path

from salescope.catalog import views

app_name = "catalog"
urlpatterns = [
    path("products/", views.products, name="products"),
    path("products/<int:pk>/", views.product, name="product"),
]
