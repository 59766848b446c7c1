from django.urls import path

from salescope.performance import views

app_name = "performance"

urlpatterns = [
    path("", views.index, name="index"),
    path("kpis/<int:person_id>/<str:kpi>/", views.drill, name="drill"),
]
