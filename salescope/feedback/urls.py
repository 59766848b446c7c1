from django.urls import path

from salescope.feedback import views

app_name = "feedback"

urlpatterns = [
    path("", views.index, name="index"),
    path("intelligence/", views.intelligence, name="intelligence"),
    path("intelligence/new/", views.intelligence_new, name="intelligence-new"),
    path("intelligence/digest/", views.digest, name="digest"),
    path("intelligence/<int:pk>/", views.intelligence_detail, name="intelligence-detail"),
    path("problems/", views.problems, name="problems"),
    path("problems/new/", views.problem_new, name="problem-new"),
    path("problems/<int:pk>/", views.problem_detail, name="problem"),
    path("guidance/", views.guidance, name="guidance"),
    path("guidance/new/", views.guidance_new, name="guidance-new"),
    path("guidance/<int:pk>/", views.guidance_detail, name="guidance-detail"),
    path("guidance/<int:pk>/acknowledge/", views.guidance_acknowledge, name="guidance-acknowledge"),
    path("guidance/<int:pk>/follow-up/", views.guidance_follow_up, name="guidance-follow-up"),
    path("cases/", views.cases, name="cases"),
    path("cases/new/", views.case_new, name="case-new"),
    path("cases/lessons/", views.lessons, name="lessons"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/lesson/", views.case_lesson, name="case-lesson"),
]
