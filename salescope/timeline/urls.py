from django.urls import path

from salescope.timeline import views

app_name = "timeline"
urlpatterns = [path("customers/<int:pk>/", views.customer, name="customer")]
