from django.urls import path

from salescope.catalog import views

app_name = "catalog"
urlpatterns = [
    path("products/", views.products, name="products"),
    path("products/new/", views.product_new, name="product-new"),
    path("products/<int:pk>/", views.product, name="product"),
    path("products/<int:pk>/edit/", views.product_edit, name="product-edit"),
    path("brands/", views.brands, name="brands"),
    path("brands/<int:pk>/", views.brand, name="brand"),
    path("categories/", views.categories, name="categories"),
    path("categories/<int:pk>/", views.category, name="category"),
    path("price-lists/", views.price_lists, name="price-lists"),
    path("price-lists/<int:pk>/", views.price_list, name="price-list"),
    path("warehouses/", views.warehouses, name="warehouses"),
    path("warehouses/<int:pk>/", views.warehouse, name="warehouse"),
    path("stock/", views.stock, name="stock"),
    path("stock/import/", views.stock_import, name="stock-import"),
    path("supply/", views.supply_list, name="supply-list"),
    path("supply/import/", views.supply_import, name="supply-import"),
    path("supply/<int:pk>/", views.supply, name="supply"),
]
