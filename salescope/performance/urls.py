from django.urls import path

from salescope.performance import views

app_name = "performance"

urlpatterns = [
    path("", views.index, name="index"),
    path("kpis/<int:person_id>/<str:kpi>/", views.drill, name="drill"),
    path("scorecards/", views.scorecards, name="scorecards"),
    path("scorecards/<int:pk>/", views.scorecard, name="scorecard"),
    path("scorecards/<int:pk>/review/", views.scorecard_review, name="scorecard-review"),
    path("scorecards/<int:pk>/publish/", views.scorecard_publish, name="scorecard-publish"),
    path("scorecards/<int:pk>/answer/", views.scorecard_answer, name="scorecard-answer"),
    path(
        "scorecards/<int:pk>/acknowledge/",
        views.scorecard_acknowledge,
        name="scorecard-acknowledge",
    ),
    path("scorecards/<int:pk>/appeal/", views.scorecard_appeal, name="scorecard-appeal"),
    path("scorecards/<int:pk>/rate/", views.scorecard_rate, name="scorecard-rate"),
    path("scorecards/<int:pk>/plan/", views.scorecard_plan, name="scorecard-plan"),
    path("templates/", views.templates, name="templates"),
    path("criteria/", views.criteria, name="criteria"),
    path("templates/new/", views.template_new, name="template-new"),
    path("templates/<int:pk>/edit/", views.template_edit, name="template-edit"),
    path("templates/<int:pk>/publish/", views.template_publish, name="template-publish"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("improvement/", views.improvement, name="improvement"),
    path("improvement/goals/<int:pk>/follow-up/", views.goal_follow_up, name="goal-follow-up"),
]
