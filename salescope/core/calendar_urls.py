from django.urls import path

from salescope.core import calendar_views

app_name = "calendar"
urlpatterns = [
    path("", calendar_views.days, name="days"),
    path("load/", calendar_views.load, name="load"),
    path("<int:day_id>/", calendar_views.day, name="day"),
    path("<int:day_id>/delete/", calendar_views.delete, name="delete"),
]
