from django.urls import path  # noqa: F401  (the org pages register here)

app_name = "org"
urlpatterns: list = []
