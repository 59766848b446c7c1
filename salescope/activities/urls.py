from django.urls import path

from salescope.activities import views

app_name = "activities"
urlpatterns = [
    path("", views.index, name="index"),
    path("plan-from-rules/", views.plan_from_rules, name="plan-from-rules"),
    path("visits/<int:pk>/", views.visit, name="visit"),
    path("visits/<int:pk>/check-in/", views.check_in, name="check-in"),
    path("visits/<int:pk>/check-out/", views.check_out, name="check-out"),
    path("visits/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("visits/<int:pk>/checklist/<int:item_id>/", views.answer, name="answer"),
    path("visits/<int:pk>/photos/", views.add_photo, name="add-photo"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("team/", views.team, name="team"),
    path("setup/", views.setup, name="setup"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/review/", views.review, name="review"),
    path("feed/renew/", views.renew_feed, name="feed-renew"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]
